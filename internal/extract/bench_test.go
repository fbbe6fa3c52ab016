package extract

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkArticle runs Article over the testdata pages and, when
// ANNALIST_EXTRACTION_DATA names the extraction-dev folder, over its pages:
//
//	ANNALIST_EXTRACTION_DATA=../shared/data/extraction-dev go test -run XXX -bench Article ./internal/extract
func BenchmarkArticle(b *testing.B) {
	b.Run("testdata", func(b *testing.B) {
		files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
		var pages [][]byte
		for _, f := range files {
			pages = append(pages, readTestdata(b, filepath.Base(f)))
		}
		benchPages(b, pages)
	})
	b.Run("extraction-dev", func(b *testing.B) {
		benchPages(b, extractionPages(b))
	})
}

func benchPages(b *testing.B, pages [][]byte) {
	size := 0
	for _, p := range pages {
		size += len(p)
	}
	b.SetBytes(int64(size / len(pages)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, _ = Article(pages[i%len(pages)], "https://bench.example/article", Rules{})
	}
}

// BenchmarkExtract times Article on each extraction-dev page and reports
// the median over pages of each page's median time, in ms/page:
//
//	ANNALIST_EXTRACTION_DATA=../shared/data/extraction-dev go test -run XXX -bench 'Extract|Anchor' -count 5 ./internal/extract
func BenchmarkExtract(b *testing.B) {
	pages := loadDevPages(b)
	benchMedian(b, pages, func(p devPage) { _, _ = Article(p.html, p.url, Rules{}) })
}

// BenchmarkExtractTemplate is BenchmarkExtract as the harvester runs it,
// with a source template: the body's blocks are listed (for learning) and
// looked up (to drop furniture).
func BenchmarkExtractTemplate(b *testing.B) {
	pages := loadDevPages(b)
	tmpl := &Template{Learned: 100, Blocks: map[string]BlockStat{}}
	for i := 0; i < 500; i++ {
		tmpl.Blocks["t"+strconv.Itoa(i)] = BlockStat{Articles: 50}
	}
	benchMedian(b, pages, func(p devPage) { _, _ = Article(p.html, p.url, Rules{Template: tmpl}) })
}

// BenchmarkFingerprint times Fingerprint (title, text and captions) of each
// extraction-dev page's article, in ms/page:
//
//	ANNALIST_EXTRACTION_DATA=../shared/data/extraction-dev go test -run '^$' -bench Fingerprint ./internal/extract
func BenchmarkFingerprint(b *testing.B) {
	pages := loadDevPages(b)
	results := map[string]*Result{}
	for _, p := range pages {
		if res, err := Article(p.html, p.url, Rules{}); err == nil {
			results[p.id] = res
		}
	}
	benchMedian(b, pages, func(p devPage) {
		if res := results[p.id]; res != nil {
			_ = Fingerprint(res.Title, res.Text, res.HTML, nil)
		}
	})
}

// benchMedian runs fn over every page b.N times and reports the median
// ms/page (robust to the other work on a shared machine).
func benchMedian(b *testing.B, pages []devPage, fn func(devPage)) {
	times := make([][]float64, len(pages))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k, p := range pages {
			start := time.Now()
			fn(p)
			times[k] = append(times[k], float64(time.Since(start).Nanoseconds())/1e6)
		}
	}
	b.StopTimer()
	b.ReportMetric(medianPerPage(times), "ms/page")
	b.ReportMetric(0, "ns/op")
}

type devPage struct {
	id, url, truth string
	html           []byte
}

func extractionDir(tb testing.TB) string {
	tb.Helper()
	return DevDataDir(tb)
}

func extractionPages(tb testing.TB) [][]byte {
	var out [][]byte
	for _, p := range loadDevPages(tb) {
		out = append(out, p.html)
	}
	return out
}

func loadDevPages(tb testing.TB) []devPage {
	dir := extractionDir(tb)
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, "ground-truth.json")); err == nil {
		_ = json.Unmarshal(b, &truth)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "html", "*.html.gz"))
	var pages []devPage
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		page, err := io.ReadAll(zr)
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		id := strings.TrimSuffix(filepath.Base(f), ".html.gz")
		pages = append(pages, devPage{id: id, url: truth[id].URL, truth: truth[id].ArticleBody, html: page})
	}
	if len(pages) == 0 {
		tb.Skipf("no pages in %s/html", dir)
	}
	return pages
}
