package extract

import (
	"context"
	"syscall"
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
		h := scanPage(doc)
		base := resolveBase(p.url, attrOr(h.base, "href"))
		meta := readMeta(h, base)
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
		body := doc.Find("body").Nodes
		return func() { _, _, _ = pageStamp(body) }
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

// BenchmarkCPU reports the process's CPU time (user and system, the
// garbage collector's included) per extraction-dev page for Article and
// for the go-readability anchor: on a shared machine, wall time per page
// measures the neighbours as much as the code.
//
//	ANNALIST_EXTRACTION_DATA=../shared/data/extraction-dev go test -run '^$' -bench CPU -benchtime 3x ./internal/extract
func BenchmarkCPU(b *testing.B) {
	pages := loadDevPages(b)
	for _, c := range []struct {
		name string
		fn   func(devPage)
	}{
		{"extract", func(p devPage) { _, _ = Article(p.html, p.url, Rules{}) }},
		{"readability", func(p devPage) { anchorText(p.html, p.url) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				for _, p := range pages {
					c.fn(p)
				}
			}
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/1e3/float64(b.N*len(pages)), "cpu-ms/page")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFingerprintMean times Fingerprint over all extraction-dev
// pages and reports the mean ms/page: the median hides the few pages whose
// lines send the relative-time expression over long text.
func BenchmarkFingerprintMean(b *testing.B) {
	var results []*Result
	for _, p := range loadDevPages(b) {
		if res, err := Article(p.html, p.url, Rules{}); err == nil {
			results = append(results, res)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for _, res := range results {
			_ = Fingerprint(res.Title, res.Text, res.HTML, nil)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1e3/float64(b.N*len(results)), "ms/page")
	b.ReportMetric(0, "ns/op")
}
