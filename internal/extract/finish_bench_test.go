package extract

import (
	"context"
	"testing"
	"time"
)

// BenchmarkFinish times the finishing of each extraction-dev page's body
// (finishBody: sanitising, text, Markdown), the page's parse and the
// body's choice left out of the timing, in ms/page:
//
//	ANNALIST_EXTRACTION_DATA=../shared/data/extraction-dev go test -run '^$' -bench 'Finish|Clean|PageStamp' ./internal/extract
func BenchmarkFinish(b *testing.B) {
	pages := loadDevPages(b)
	benchStage(b, pages, func(p devPage) func() {
		doc, err := parsePage(p.html)
		if err != nil {
			b.Fatal(err)
		}
		base := baseURL(doc, p.url)
		meta := readMeta(doc, base)
		res := &Result{Matched: map[string]string{}, RemovedBy: map[string]int{}, Dropped: map[string]int{}}
		nodes, err := chooseBody(context.Background(), doc, p.html, base, Rules{}, nil, meta, res)
		if err != nil {
			return nil
		}
		return func() { _ = finishBody(context.Background(), nodes, base, res) }
	})
}

// BenchmarkClean times cleanBody on each extraction-dev page's generic
// body, the parse and the choice left out, in ms/page.
func BenchmarkClean(b *testing.B) {
	pages := loadDevPages(b)
	benchStage(b, pages, func(p devPage) func() {
		doc, err := parsePage(p.html)
		if err != nil {
			b.Fatal(err)
		}
		res := &Result{Matched: map[string]string{}, RemovedBy: map[string]int{}, Dropped: map[string]int{}}
		nodes := genericNodes(doc, res)
		if nodes == nil {
			return nil
		}
		return func() { _ = cleanBody(nodes, res.Dropped) }
	})
}

// BenchmarkPageStamp times the search for a revision stamp in the whole
// page's text (pageStamp), the parse left out, in ms/page.
func BenchmarkPageStamp(b *testing.B) {
	pages := loadDevPages(b)
	benchStage(b, pages, func(p devPage) func() {
		doc, err := parsePage(p.html)
		if err != nil {
			b.Fatal(err)
		}
		return func() { _, _, _ = pageStamp(doc) }
	})
}

// benchStage runs, for every page b.N times, the stage that prepare
// returns (nil: none for this page), timing the stage only, and reports
// the median over pages of each page's median ms.
func benchStage(b *testing.B, pages []devPage, prepare func(devPage) func()) {
	times := make([][]float64, len(pages))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k, p := range pages {
			b.StopTimer()
			stage := prepare(p)
			b.StartTimer()
			if stage == nil {
				continue
			}
			start := time.Now()
			stage()
			times[k] = append(times[k], float64(time.Since(start).Nanoseconds())/1e6)
		}
	}
	b.StopTimer()
	var kept [][]float64
	for _, t := range times {
		if len(t) > 0 {
			kept = append(kept, t)
		}
	}
	b.ReportMetric(medianPerPage(kept), "ms/page")
	b.ReportMetric(0, "ns/op")
}
