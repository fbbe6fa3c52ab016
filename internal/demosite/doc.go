// Package demosite is a small, self-contained "Mondo History"-style history
// website served from memory: an RSS feed, article pages, an index and
// robots.txt. `annalist demo` archives it offline, end-to-end tests drive its
// changes (revisions, stamp-only edits, view counters, redesigns, 404s) and
// benchmarks use its synthetic variant.
//
// Pages follow the layout that feeds/mondo-history.yaml is written for:
// h1.article-title, div.article-content, .update-time ("Updated on
// 2024-01-31"), time.pub, .author, and the .share, .ad and .related-pages
// boxes that are not part of the article. Its content and templates are
// embedded, and it imports none of annalist's other packages.
//
// Mutators that name an unknown slug panic: they are test and demo helpers,
// and a silently ignored typo would let a test pass for the wrong reason.
package demosite
