package store

import (
	"annalist/internal/extract"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// archiveBytes is the on-disk size of the archive with the WAL checkpointed.
func archiveBytes(tb testing.TB, s *Store) int64 {
	tb.Helper()
	if _, err := s.wdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		tb.Fatal(err)
	}
	var total int64
	err := filepath.Walk(s.dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() {
			total += info.Size()
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return total
}

// BenchmarkSaveCapture stores new snapshots of distinct ~50 KB pages from
// parallel callers; store/raw is bytes added to the archive (DB + WARC)
// per byte of raw HTML. Use a fixed count for a stable ratio:
// go test -run '^$' -bench SaveCapture -benchtime 300x ./internal/store
func BenchmarkSaveCapture(b *testing.B) {
	s := MustOpenDir(b, b.TempDir(), Options{NoSync: true})
	head, foot := boilerplate()
	g := newTextGen(1)
	pages := make([]*Page, b.N)
	var raw int64
	for i := range pages {
		pages[i] = realisticPage(g, head, foot, i, t0.Add(time.Duration(i)*time.Minute))
		raw += int64(len(pages[i].Body))
	}
	// Warm up: schema pages and the first WARC file exist before measuring.
	mustSave(b, s, realisticPage(g, head, foot, -1, t0))
	before := archiveBytes(b, s)
	var next atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p := pages[next.Add(1)-1]
			res, err := s.SaveCapture(context.Background(), p)
			if err != nil {
				b.Error(err)
				return
			}
			if res.Outcome != OutcomeNew {
				b.Errorf("outcome %s", res.Outcome)
			}
		}
	})
	b.StopTimer()
	added := archiveBytes(b, s) - before
	b.ReportMetric(float64(added)/float64(raw), "store/raw")
	b.ReportMetric(float64(added)/float64(b.N), "B/snapshot")
	b.ReportMetric(float64(raw)/float64(b.N), "rawB/page")
}

// BenchmarkSaveUnchanged re-saves pages whose fingerprint matches the
// latest snapshot: a capture row only.
func BenchmarkSaveUnchanged(b *testing.B) {
	s := MustOpenDir(b, b.TempDir(), Options{NoSync: true})
	head, foot := boilerplate()
	g := newTextGen(2)
	const n = 50
	pages := make([]*Page, n)
	for i := range pages {
		pages[i] = realisticPage(g, head, foot, i, t0)
		mustSave(b, s, pages[i])
	}
	var next atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			p := *pages[i%n]
			p.CapturedAt = t0.Add(time.Duration(i) * time.Second)
			res, err := s.SaveCapture(context.Background(), &p)
			if err != nil {
				b.Error(err)
				return
			}
			if res.Outcome != OutcomeUnchanged {
				b.Errorf("outcome %s", res.Outcome)
			}
		}
	})
}

// TestSyntheticPagesCompressLikeRealOnes keeps the benchmark honest: the
// generated pages must not compress much better than real ones (real
// article pages gzip about 4.5:1, prose about 2.4:1).
func TestSyntheticPagesCompressLikeRealOnes(t *testing.T) {
	head, foot := boilerplate()
	p := realisticPage(newTextGen(3), head, foot, 0, t0)
	ratio := func(b []byte) float64 {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		w.Write(b)
		w.Close()
		return float64(len(b)) / float64(buf.Len())
	}
	html, text := ratio(p.Body), ratio([]byte(p.Text))
	t.Logf("page %d bytes, gzip %.2f:1; text %d bytes, %.2f:1", len(p.Body), html, len(p.Text), text)
	if len(p.Body) < 45<<10 || len(p.Body) > 60<<10 || len(p.Text) < 9<<10 {
		t.Errorf("page %d bytes, text %d: want ~50 KB and ~10 KB", len(p.Body), len(p.Text))
	}
	if html > 5 || text > 3 {
		t.Errorf("synthetic page compresses too well: html %.2f:1, text %.2f:1", html, text)
	}
}

// BenchmarkSaveCaptureRealPages stores the real article pages of the
// extraction data set (ANNALIST_EXTRACTION_DATA=…/extraction-dev) with
// their true article text, and reports store/raw for them.
// realPages loads the extraction-dev pages as snapshots (the ground
// truth as text, Markdown and HTML) and their total raw size; it skips b
// when ANNALIST_EXTRACTION_DATA is not set.
func realPages(b *testing.B) ([]*Page, int64) {
	b.Helper()
	dir := extract.DevDataDir(b)
	var truth map[string]struct{ ArticleBody string }
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		b.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "html", "*.html.gz"))
	var pages []*Page
	var rawBytes int64
	for i, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		fh.Close()
		if err != nil {
			b.Fatal(err)
		}
		text := truth[strings.TrimSuffix(filepath.Base(f), ".html.gz")].ArticleBody
		p := page(fmt.Sprintf("real/%d", i), fmt.Sprintf("Real page %d", i), text, t0.Add(time.Duration(i)*time.Minute))
		p.Body = body
		p.HTML = "<p>" + strings.ReplaceAll(text, "\n", "</p>\n<p>") + "</p>"
		p.Markdown = text
		pages = append(pages, p)
		rawBytes += int64(len(body))
	}
	return pages, rawBytes
}

func BenchmarkSaveCaptureRealPages(b *testing.B) {
	pages, rawBytes := realPages(b)
	var cpu time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		s := MustOpenDir(b, b.TempDir(), Options{NoSync: true})
		mustSave(b, s, page("warm", "warm", "warm up", t0))
		before := archiveBytes(b, s)
		cpuBefore := selfCPU()
		b.StartTimer()
		for _, p := range pages {
			mustSave(b, s, p)
		}
		b.StopTimer()
		cpu += selfCPU() - cpuBefore
		b.ReportMetric(float64(archiveBytes(b, s)-before)/float64(rawBytes), "store/raw")
		b.StartTimer()
	}
	// CPU of the process (callers' compression and the writer), steadier
	// than the wall time on a shared machine.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*len(pages)), "cpu-µs/page")
}

// BenchmarkPrepareRealPages is the CPU SaveCapture spends outside the
// writer on each real page: compressing the bodies and building the WARC
// records (response, request, metadata).
func BenchmarkPrepareRealPages(b *testing.B) {
	pages, _ := realPages(b)
	b.ResetTimer()
	for range b.N {
		for _, p := range pages {
			if _, err := prepare(p, false); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(pages)), "µs/page")
}
