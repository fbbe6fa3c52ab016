// Package web is annalist's browsing UI: server-rendered HTML pages
// (sources, articles with their timeline of snapshots, a snapshot as it
// was, word diffs, full-text search), Atom and JSON feeds of what changed,
// Memento (RFC 7089) TimeGates and TimeMaps, a JSON API mirroring the
// CLI's --json output, /healthz and /metrics.
//
// It only reads the store. Archived HTML is sanitised again right before
// it is shown (it was sanitised at extraction; this is defence in depth),
// remote images in it are replaced by links, and every response carries a
// Content-Security-Policy that allows no script, style, image or font
// beyond the UI's own origin. Raw archived responses are offered only as
// downloads, never as pages of this origin. Path parameters are checked
// against strict patterns before they reach the store, and the store only
// ever sees them as SQL parameters.
package web
