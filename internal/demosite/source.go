package demosite

import "strings"

const feedPlaceholder = "{{FEED}}"

// sourceTemplate is feeds/mondo-history.yaml with the feed URL left out; a
// test keeps the two identical.
const sourceTemplate = `# Mondo History — a history content-aggregator site. Every article page
# carries a line like "Mondo History Updated on 2024-01-31": that date is read
# as the revision date and kept out of the fingerprint, so a page whose only
# change is its stamp stores nothing new. The view counter, the share bar, the
# ads and the "Related Pages" box change without the article changing, so they
# are removed before extraction or ignored.
#
# The feed URL is a placeholder for the real site. ` + "`annalist demo`" + ` serves a
# local copy of this layout (internal/demosite) and writes this file with the
# local feed URL.
title: Mondo History
feed: {{FEED}}
schedule: "0 */2 * * *"          # every two hours, on the hour (UTC)
selectors:
  title: h1.article-title
  body: div.article-content
  updated: .update-time          # "Updated on 2024-01-31"
  published: time.pub            # its datetime attribute is RFC 3339
  byline: .author
  remove: [.related-pages, .share, .ad]
ignore: ['\d+ readers today']    # the view counter, wherever it ends up
`

// SourceYAML returns the Mondo History source definition
// (feeds/mondo-history.yaml) with feedURL as its feed.
func SourceYAML(feedURL string) []byte {
	return []byte(strings.Replace(sourceTemplate, feedPlaceholder, feedURL, 1))
}
