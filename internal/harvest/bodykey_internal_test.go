package harvest

import (
	"testing"

	"annalist/internal/feed"
	"annalist/internal/store"
)

func TestSameBody(t *testing.T) {
	known := &store.Article{ID: "a", Snapshots: 1, BodyKey: "k",
		URLs: []string{"https://example.com/a", "https://example.com/a?ref=feed"}}
	item := &feed.Item{Link: "https://example.com/a?ref=feed", Canonical: "https://example.com/a"}
	newSpelling := &feed.Item{Link: "https://example.com/a?ref=feed", Canonical: "https://example.com/A"}
	noSnapshot := *known
	noSnapshot.Snapshots = 0
	noKey := *known
	noKey.BodyKey = ""
	for _, c := range []struct {
		name  string
		known *store.Article
		key   string
		item  *feed.Item
		want  bool
	}{
		{"re-check", known, "k", nil, true},
		{"feed item with known URLs", known, "k", item, true},
		{"feed item with a URL spelling to record", known, "k", newSpelling, false},
		{"other key", known, "k2", nil, false},
		{"new article", nil, "k", nil, false},
		{"no snapshot", &noSnapshot, "k", nil, false},
		{"no key stored", &noKey, "", nil, false},
	} {
		if got := sameBody(c.known, c.key, c.item); got != c.want {
			t.Errorf("%s: sameBody = %v, want %v", c.name, got, c.want)
		}
	}
}
