package harvest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/demosite"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// benchSite serves a synthetic site of n articles of about size bytes.
func benchSite(b *testing.B, n, size int) (*demosite.Site, *httptest.Server, int64) {
	b.Helper()
	site := demosite.NewSynthetic(n, size, 1)
	srv := httptest.NewServer(site.Handler())
	b.Cleanup(srv.Close)
	// Raw HTML bytes of the whole site, for the storage ratio.
	var raw int64
	for _, slug := range site.Slugs() {
		resp, err := http.Get(srv.URL + demosite.Path(slug))
		if err != nil {
			b.Fatal(err)
		}
		m, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		raw += m
	}
	return site, srv, raw
}

func benchArchive(b *testing.B, base string) (*config.Config, *store.Store, *harvest.Harvester) {
	b.Helper()
	dir := b.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "feeds"), 0o755); err != nil {
		b.Fatal(err)
	}
	cfgText := "data_dir: archive\nhttp:\n  per_host_interval: 0s\n  per_host_concurrency: 8\n  allow_private_networks: true\n  max_items: 100000\n"
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfgText), 0o644)
	os.WriteFile(filepath.Join(dir, "feeds", "synthetic.yaml"), demosite.SourceYAML(base+"/rss.xml"), 0o644)
	cfg, err := config.Load(filepath.Join(dir, "config.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(context.Background(), cfg.DataDir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	h := newHarvester(cfg, st, time.Now)
	h.MaxItems = cfg.HTTP.MaxItems
	h.Workers = 8
	return cfg, st, h
}

func dirSize(b *testing.B, dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// BenchmarkFirstPoll archives 200 articles of ~50 KB over loopback: feed,
// pages, extraction, WARC and SQLite, with fsync on.
func BenchmarkFirstPoll(b *testing.B) {
	const n = 200
	_, srv, raw := benchSite(b, n, 50_000)
	var stored int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cfg, st, h := benchArchive(b, srv.URL)
		b.StartTimer()
		r := h.PollSource(context.Background(), cfg.Sources[0], harvest.PollOptions{Recheck: harvest.RecheckNone})
		b.StopTimer()
		if r.New != n {
			b.Fatalf("new = %d, want %d (%v)", r.New, n, r.PageErrors)
		}
		st.Close()
		stored = dirSize(b, cfg.DataDir)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(float64(stored)/float64(raw), "archive/raw")
}

// BenchmarkRepollUnchanged re-polls the site after a first poll, nothing
// having changed. "feed-304": the site answers conditional GETs, so the
// poll is one 304. "feed-200": the feed is re-sent and re-parsed, no page
// fetched. "recheck-all": every page re-fetched in full, re-extracted and
// found unchanged (no WARC bytes).
func BenchmarkRepollUnchanged(b *testing.B) {
	const n = 200
	for _, mode := range []string{"feed-304", "feed-200", "recheck-all"} {
		b.Run(mode, func(b *testing.B) {
			site, srv, _ := benchSite(b, n, 50_000)
			cfg, st, h := benchArchive(b, srv.URL)
			defer st.Close()
			if r := h.PollSource(context.Background(), cfg.Sources[0], harvest.PollOptions{Recheck: harvest.RecheckNone}); r.New != n {
				b.Fatalf("first poll: %+v", r.Counts)
			}
			site.SetConditional(mode == "feed-304")
			recheck := harvest.RecheckNone
			if mode == "recheck-all" {
				recheck = harvest.RecheckAll
			}
			warc := dirSize(b, st.WARCDir())
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := h.PollSource(context.Background(), cfg.Sources[0], harvest.PollOptions{Recheck: recheck})
				if r.New+r.Revised+r.Errors != 0 {
					b.Fatalf("re-poll stored something: %+v", r.Counts)
				}
			}
			b.StopTimer()
			if grown := dirSize(b, st.WARCDir()) - warc; grown != 0 {
				b.Fatalf("unchanged re-poll added %d WARC bytes", grown)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "articles/s")
		})
	}
}

// BenchmarkPeakHeap archives n articles and reports the largest live heap
// above the live heap before the poll, measured after a forced GC at every
// tenth of the poll (so garbage and GC pacing do not count), so that 500
// and 2,000 can be compared: flat means memory does not grow with the
// number of articles. The fixture site lives in the same process; its
// pages are in the baseline.
func BenchmarkPeakHeap(b *testing.B) {
	for _, n := range []int{500, 2000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			_, srv, _ := benchSite(b, n, 50_000)
			liveHeap := func() uint64 {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				return ms.HeapAlloc
			}
			var peak uint64
			for i := 0; i < b.N; i++ {
				cfg, st, h := benchArchive(b, srv.URL)
				base := liveHeap()
				var mu sync.Mutex
				var max uint64
				progress := func(_ string, done, total int) {
					if done%(total/10) != 0 {
						return
					}
					mu.Lock()
					defer mu.Unlock()
					if v := liveHeap(); v > base && v-base > max {
						max = v - base
					}
				}
				r := h.PollSource(context.Background(), cfg.Sources[0], harvest.PollOptions{Recheck: harvest.RecheckNone, Progress: progress})
				st.Close()
				if r.New != n {
					b.Fatalf("new = %d, want %d", r.New, n)
				}
				peak = max
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-live-heap-MiB")
		})
	}
}
