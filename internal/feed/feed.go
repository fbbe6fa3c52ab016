// Package feed turns the bytes of a feed into normalised items.
package feed

import "time"

// Feed is a parsed feed.
type Feed struct {
	Title string
	Link  string
	TTL   time.Duration // RSS <ttl>, 0 when absent
	Items []Item
}

// Item is one normalised feed entry.
type Item struct {
	Key       string // deterministic key: GUID, else canonical link, else sha256 of title+content; unique within a Feed (duplicates get "#2", "#3" suffixes)
	GUID      string // as given
	Link      string // resolved against the feed URL; "" when the item has none; this is the URL to fetch
	Canonical string // Link normalised by canonical.URL ("" when Link is "")
	Title     string
	Summary   string
	Content   string
	Author    string
	Published *time.Time // UTC; nil when missing or unparseable
	Updated   *time.Time // UTC; nil when missing or unparseable
}
