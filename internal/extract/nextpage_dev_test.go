package extract

import (
	"bytes"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestNextPageOnRealPages runs NextPage over the extraction-dev pages
// (ANNALIST_EXTRACTION_DATA): real one-page articles, several of them
// blog posts whose rel=next names the next post. None may be taken for a
// continuation.
func TestNextPageOnRealPages(t *testing.T) {
	pages := loadDevPages(t)
	relNext := 0
	for _, p := range pages {
		if p.url == "" {
			continue
		}
		if doc, err := goquery.NewDocumentFromReader(bytes.NewReader(p.html)); err == nil &&
			doc.Find(`link[rel~=next], a[rel~=next]`).Length() > 0 {
			relNext++
		}
		next, err := NextPage(p.html, p.url, p.url, "")
		if err != nil || next != "" {
			t.Errorf("%s (%s): next page %q, %v; want none", p.id, p.url, next, err)
		}
	}
	t.Logf("%d pages, %d with a rel=next to another article, none followed", len(pages), relNext)
}

// BenchmarkNextPage reports the median ms/page NextPage takes on the
// extraction-dev pages (it parses the page again):
//
//	ANNALIST_EXTRACTION_DATA=../shared/data/extraction-dev go test -run XXX -bench NextPage -count 5 ./internal/extract
func BenchmarkNextPage(b *testing.B) {
	pages := loadDevPages(b)
	benchMedian(b, pages, func(p devPage) { _, _ = NextPage(p.html, p.url, p.url, "") })
}
