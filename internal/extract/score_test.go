package extract

import (
	"regexp"
	"strings"
	"testing"
)

// TestGenericScore scores the generic extractor on the extraction-dev pages
// with the benchmark's own method (4-token shingles; see the data README).
// It holds a floor just under today's score (0.978), so that a change that
// costs extraction quality fails here rather than unseen.
func TestGenericScore(t *testing.T) {
	pages := loadDevPages(t)
	var precSum, recSum float64
	var precN, recN, failed int
	for _, p := range pages {
		pred := ""
		if res, err := Article(p.html, p.url, Rules{}); err == nil {
			pred = res.Text
		} else {
			failed++
		}
		tp, fp, fn := shingleCounts(p.truth, strings.ReplaceAll(pred, "\u00ad", ""))
		if tp+fp > 0 {
			precSum += tp / (tp + fp)
			precN++
		}
		if tp+fn > 0 {
			recSum += tp / (tp + fn)
			recN++
		}
	}
	prec, rec := precSum/float64(max(precN, 1)), recSum/float64(max(recN, 1))
	f1 := 0.0
	if prec+rec > 0 {
		f1 = 2 * prec * rec / (prec + rec)
	}
	t.Logf("generic extractor on %d pages: precision %.3f, recall %.3f, F1 %.3f, errors %d", len(pages), prec, rec, f1, failed)
	if f1 < 0.97 {
		t.Errorf("F1 %.3f fell below the 0.97 floor", f1)
	}
}

var wordRe = regexp.MustCompile(`[\p{L}\p{N}_]+`)

func shingleCounts(truth, pred string) (tp, fp, fn float64) {
	count := func(s string) map[string]int {
		toks := wordRe.FindAllString(s, -1)
		m := map[string]int{}
		if len(toks) == 0 {
			return m
		}
		if len(toks) < 4 {
			m[strings.Join(toks, " ")]++
			return m
		}
		for i := 0; i+4 <= len(toks); i++ {
			m[strings.Join(toks[i:i+4], " ")]++
		}
		return m
	}
	ct, cp := count(truth), count(pred)
	for k, n := range ct {
		tp += float64(min(n, cp[k]))
		fn += float64(max(0, n-cp[k]))
	}
	for k, n := range cp {
		fp += float64(max(0, n-ct[k]))
	}
	total := tp + fp + fn
	if total == 0 {
		return 0, 0, 0
	}
	return tp / total, fp / total, fn / total
}
