package harvest_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/demosite"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// TestExtractingBound: however many workers a poll has, no more pages are
// in extraction at once than Harvester.Extracting (each holds its parse
// tree meanwhile), and every page is still archived.
func TestExtractingBound(t *testing.T) {
	const n = 24
	site := demosite.NewSynthetic(n, 200_000, 1)
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
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
	st, err := store.Open(context.Background(), cfg.DataDir, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := newHarvester(cfg, st, time.Now)
	h.Workers, h.Extracting = 16, 1
	r := h.PollSource(context.Background(), cfg.Sources[0], harvest.PollOptions{Recheck: harvest.RecheckNone})
	if r.New != n {
		t.Fatalf("new = %d, want %d (%v)", r.New, n, r.PageErrors)
	}
	if got := h.MaxInExtraction(); got != 1 {
		t.Errorf("at most %d pages in extraction at once, want 1", got)
	}
}
