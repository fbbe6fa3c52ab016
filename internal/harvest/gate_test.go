package harvest_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/demosite"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// gateRig is a synthetic site of n pages of about size bytes, and a
// harvester for it with 16 workers and fsync on.
func gateRig(t *testing.T, n, size int) (*harvest.Harvester, config.Source) {
	t.Helper()
	site := demosite.NewSynthetic(n, size, 1)
	srv := httptest.NewServer(site.Handler())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "feeds"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfgText := "data_dir: archive\nhttp:\n  per_host_interval: 0s\n  per_host_concurrency: 8\n  allow_private_networks: true\n"
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "feeds", "synthetic.yaml"), demosite.SourceYAML(srv.URL+"/rss.xml"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), cfg.DataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := newHarvester(cfg, st, time.Now)
	h.Workers = 16
	return h, cfg.Sources[0]
}

// TestExtractingBound: however many workers a poll has, no more pages are
// in extraction at once than Harvester.Extracting (each holds its parse
// tree meanwhile), and every page is still archived.
func TestExtractingBound(t *testing.T) {
	const n = 24
	h, src := gateRig(t, n, 200_000)
	h.Extracting = 1
	r := h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckNone})
	if r.New != n {
		t.Fatalf("new = %d, want %d (%v)", r.New, n, r.PageErrors)
	}
	if got := h.MaxInExtraction(); got != 1 {
		t.Errorf("at most %d pages in extraction at once, want 1", got)
	}
}

// TestInHandBound: the bodies of the pages fetched and not yet stored
// (extracted, built into records, waiting for the writer, which syncs)
// never add up to more than Harvester.InHand, with 16 workers and pages
// queueing for the one extraction slot; every page is still archived.
func TestInHandBound(t *testing.T) {
	const n, size = 24, 100_000
	h, src := gateRig(t, n, size)
	h.Extracting, h.InHand = 1, 3*size
	r := h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckNone})
	if r.New != n {
		t.Fatalf("new = %d, want %d (%v)", r.New, n, r.PageErrors)
	}
	if got := h.MaxInHand(); got > h.InHand || got < size/2 {
		t.Errorf("at most %d bytes of bodies in hand at once, want some, and not over %d", got, h.InHand)
	}
}

// TestLargeBodyTold: each body of LargeBodyBytes or more is told to
// Harvester.LargeBody while in hand (fetch raises its memory limit for
// it), and its done is called once the page is stored; a page larger
// than the whole InHand budget is still archived, alone.
func TestLargeBodyTold(t *testing.T) {
	const n, size = 3, harvest.LargeBodyBytes + 200_000
	h, src := gateRig(t, n, size)
	h.InHand = size / 2
	var mu sync.Mutex
	told, open := 0, 0
	h.LargeBody = func(b int) func() {
		mu.Lock()
		defer mu.Unlock()
		if b < harvest.LargeBodyBytes {
			t.Errorf("told of a body of %d bytes", b)
		}
		told++
		open++
		return func() {
			mu.Lock()
			open--
			mu.Unlock()
		}
	}
	r := h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckNone})
	if r.New != n {
		t.Fatalf("new = %d, want %d (%v)", r.New, n, r.PageErrors)
	}
	mu.Lock()
	defer mu.Unlock()
	if told != n || open != 0 {
		t.Errorf("LargeBody told of %d bodies (want %d), %d not done", told, n, open)
	}

	small, src2 := gateRig(t, 4, 100_000)
	small.LargeBody = func(b int) func() { t.Errorf("told of a body of %d bytes", b); return func() {} }
	if r := small.PollSource(context.Background(), src2, harvest.PollOptions{Recheck: harvest.RecheckNone}); r.New != 4 {
		t.Fatalf("new = %d, want 4 (%v)", r.New, r.PageErrors)
	}
}
