package config

import (
	"strings"
	"testing"
)

// TestSourceSiteAndCategory: `site` and `category` (written by `annalist
// sources import` from OPML) load, and bad values name file, line and field.
func TestSourceSiteAndCategory(t *testing.T) {
	src, err := ParseSource(strings.NewReader("title: JSTOR Daily\nfeed: https://daily.jstor.org/feed/\nsite: https://daily.jstor.org/\ncategory: History / Journals\n"), "feeds/jstor.yaml", "jstor")
	if err != nil {
		t.Fatal(err)
	}
	if src.Site != "https://daily.jstor.org/" || src.Category != "History / Journals" {
		t.Fatalf("site %q category %q", src.Site, src.Category)
	}
	for _, c := range []struct{ yaml, want string }{
		{"feed: https://a.example/feed\nsite: ftp://a.example/\n", `feeds/x.yaml:2: site: invalid URL "ftp://a.example/"`},
		{"feed: https://a.example/feed\ncategory: \"\"\n", "feeds/x.yaml:2: category: must not be empty"},
		{"feed: https://a.example/feed\ncategory: \"a\\nb\"\n", "feeds/x.yaml:2: category: invalid category"},
		{"feed: https://a.example/feed\ncategory: [a]\n", "feeds/x.yaml:2: category: want a string"},
	} {
		_, err := ParseSource(strings.NewReader(c.yaml), "feeds/x.yaml", "x")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.want)
		}
	}
}
