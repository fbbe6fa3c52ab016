package extract

import (
	"bytes"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// BenchmarkPrecisionRules times dropTail, dropFinePrint and dropButtons on each
// extraction-dev page's body as the generic extractor chooses it, before
// cleaning (more than they see in Article, so an upper bound on their cost
// per page), in ns per page:
//
//	ANNALIST_EXTRACTION_DATA=../shared/data/extraction-dev go test -run '^$' -bench PrecisionRules ./internal/extract
func BenchmarkPrecisionRules(b *testing.B) {
	pages := loadDevPages(b)
	docs := make([][]*html.Node, len(pages))
	for i, p := range pages {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(p.html))
		if err != nil {
			b.Fatal(err)
		}
		docs[i] = genericNodes(doc, &Result{Matched: map[string]string{}, Dropped: map[string]int{}})
		// The first run removes what the rules find; later runs time the
		// search alone, which is what every page pays.
		runPrecisionRules(docs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			runPrecisionRules(d)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(docs)), "ns/page")
}

func runPrecisionRules(nodes []*html.Node) {
	dropTail(nodes, nil)
	dropFinePrint(nodes, nil)
	dropButtons(nodes, nil)
}
