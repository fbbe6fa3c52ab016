package feed

import (
	"strings"
	"testing"
	"time"
)

// FuzzParse: Parse never panics, and whatever it returns keeps the contract.
// Seeds are the fixtures plus testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, name := range []string{
		"rss2.xml", "rss1.rdf", "rss091.xml", "atom.xml", "feed.json", "page.html",
		"bomb.xml", "dupes.xml", "control.xml", "control.json", "latin1.xml",
		"invalid-utf8.xml", "utf16le.xml", "bom.json", "rss-dates.xml", "json-nulls.json",
	} {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := Parse(data, testFeedURL, nil)
		if err != nil {
			// Parse recovers parser panics for the daemon's sake; the
			// fuzzer should still report them.
			if strings.Contains(err.Error(), "parser panic") {
				t.Fatal(err)
			}
			if feed != nil {
				t.Fatalf("feed returned with error %v", err)
			}
			return
		}
		keys := make(map[string]bool, len(feed.Items))
		for i, it := range feed.Items {
			if it.Key == "" || keys[it.Key] {
				t.Fatalf("item %d: empty or duplicate key %q", i, it.Key)
			}
			keys[it.Key] = true
			if (it.Link == "") != (it.Canonical == "") {
				t.Fatalf("item %d: Link %q but Canonical %q", i, it.Link, it.Canonical)
			}
			if it.Link != "" && !strings.HasPrefix(it.Canonical, "http://") && !strings.HasPrefix(it.Canonical, "https://") {
				t.Fatalf("item %d: non-http canonical %q", i, it.Canonical)
			}
			for _, d := range []*time.Time{it.Published, it.Updated} {
				if d != nil && d.Location() != time.UTC {
					t.Fatalf("item %d: date %v not in UTC", i, d)
				}
			}
		}
	})
}

// BenchmarkParse parses a 200-item RSS 2.0 feed with full content.
func BenchmarkParse(b *testing.B) {
	data := readFixture(b, "bench-200.xml")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Parse(data, "https://bench.example/feed.xml", nil)
		if err != nil || len(f.Items) != 200 {
			b.Fatalf("Parse: %v", err)
		}
	}
}
