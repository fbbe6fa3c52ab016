// Package export writes chosen snapshots out of the archive in the formats
// other web-archiving tools read: a WARC 1.1 file (every record its own
// gzip member, copied byte for byte from the archive's WARC files, so
// every digest still holds) or a WACZ 1.1.1 package (that WARC, a CDXJ
// index, pages/pages.jsonl and datapackage.json with each file's SHA-256)
// that ReplayWeb.page replays.
//
// It reads the archive through the one store method it needs and knows no
// SQL.
package export
