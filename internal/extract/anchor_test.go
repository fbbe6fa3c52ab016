package extract

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
)

// The anchor is readeck/go-readability v2.1.3 (F1 0.952 on the full
// benchmark): it is scored and timed beside the generic extractor in the
// same run, on the same pages, with the same scorer.

func anchorText(page []byte, pageURL string) string {
	u, _ := url.Parse(pageURL)
	art, err := readability.FromReader(bytes.NewReader(page), u)
	if err != nil || art.Node == nil {
		return ""
	}
	var b strings.Builder
	if art.RenderText(&b) != nil {
		return ""
	}
	return b.String()
}

func ourText(page []byte, pageURL string) string {
	res, err := Article(page, pageURL, Rules{})
	if err != nil {
		return ""
	}
	return res.Text
}

// TestScoreAnchor prints P/R/F1 and median ms/page of the generic extractor
// and of the anchor on the extraction-dev pages, and their ratios:
//
//	ANNALIST_EXTRACTION_DATA=../shared/data/extraction-dev go test -run ScoreAnchor -v ./internal/extract
//
// It asserts only that the generic extractor scores at least as well as
// the anchor; the timings are reported, never asserted.
func TestScoreAnchor(t *testing.T) {
	pages := loadDevPages(t)
	ours := scorePages(pages, ourText)
	anchor := scorePages(pages, anchorText)
	// Interleaved, page by page, so that load on the shared machine falls
	// on both alike.
	const rounds = 3
	oursMS, anchorMS := make([][]float64, len(pages)), make([][]float64, len(pages))
	for r := 0; r < rounds; r++ {
		for i, p := range pages {
			oursMS[i] = append(oursMS[i], timeMS(func() { ourText(p.html, p.url) }))
			anchorMS[i] = append(anchorMS[i], timeMS(func() { anchorText(p.html, p.url) }))
		}
	}
	om, am := medianPerPage(oursMS), medianPerPage(anchorMS)
	t.Logf("annalist generic   : P %.3f R %.3f F1 %.3f, %.2f ms/page (median)", ours.p, ours.r, ours.f1, om)
	t.Logf("go-readability v2.1.3: P %.3f R %.3f F1 %.3f, %.2f ms/page (median)", anchor.p, anchor.r, anchor.f1, am)
	t.Logf("ratio annalist/anchor: F1 %.3f, time %.2f", ours.f1/anchor.f1, om/am)
	if ours.f1 < anchor.f1 {
		t.Errorf("generic F1 %.3f below the anchor's %.3f", ours.f1, anchor.f1)
	}
}

type score struct{ p, r, f1 float64 }

func scorePages(pages []devPage, extract func([]byte, string) string) score {
	var precSum, recSum float64
	var precN, recN int
	for _, p := range pages {
		tp, fp, fn := shingleCounts(p.truth, strings.ReplaceAll(extract(p.html, p.url), "\u00ad", ""))
		if tp+fp > 0 {
			precSum += tp / (tp + fp)
			precN++
		}
		if tp+fn > 0 {
			recSum += tp / (tp + fn)
			recN++
		}
	}
	s := score{p: precSum / float64(max(precN, 1)), r: recSum / float64(max(recN, 1))}
	if s.p+s.r > 0 {
		s.f1 = 2 * s.p * s.r / (s.p + s.r)
	}
	return s
}

func timeMS(fn func()) float64 {
	start := time.Now()
	fn()
	return float64(time.Since(start).Microseconds()) / 1000
}

// medianPerPage takes each page's median time, then the median over pages.
func medianPerPage(times [][]float64) float64 {
	var per []float64
	for _, ts := range times {
		if len(ts) > 0 {
			per = append(per, median(ts))
		}
	}
	return median(per)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// BenchmarkAnchorReadability times the anchor on the extraction-dev pages,
// reporting the median ms/page like BenchmarkExtract.
func BenchmarkAnchorReadability(b *testing.B) {
	pages := loadDevPages(b)
	benchMedian(b, pages, func(p devPage) { anchorText(p.html, p.url) })
}
