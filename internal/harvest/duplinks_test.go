package harvest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/harvest"
)

// TestFeedItemsLinkingOnePage: a feed whose items link one page (the same
// URL, or spellings of it that are one canonical URL: a tracking
// parameter, a fragment) has that page fetched once in a poll, not once
// an item at the same time; the other items count as unchanged, every
// item is remembered, and the article's checks start with its first
// snapshot (no "unchanged" check timed before it).
func TestFeedItemsLinkingOnePage(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	mux := http.NewServeMux()
	var base string
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		links := []string{"/same.html", "/same.html", "/same.html?utm_source=feed", "/same.html#comments", "/other.html"}
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Dup</title><link>` + base + `/</link><description>d</description>`)
		for i, l := range links {
			fmt.Fprintf(&b, "<item><title>Item %d</title><link>%s%s</link><guid>item-%d</guid></item>", i, base, l, i)
		}
		b.WriteString("</channel></rss>")
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, b.String())
	})
	page := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		time.Sleep(20 * time.Millisecond) // the requests of one poll overlap
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><head><title>Page %s</title></head><body><article><h1>Page %s</h1>%s</article></body></html>", r.URL.Path, r.URL.Path,
			strings.Repeat("<p>The grain fleets of the Grand Canal carried tribute rice north to the capital every spring.</p>", 12))
	}
	mux.HandleFunc("/same.html", page)
	mux.HandleFunc("/other.html", page)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base = srv.URL

	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "feeds"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfgText := "data_dir: archive\nhttp:\n  per_host_interval: 0s\n  per_host_concurrency: 4\n  allow_private_networks: true\n"
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "feeds", "dup.yaml"), []byte("feed: "+base+"/feed.xml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t, cfg.DataDir, nil)
	h := newHarvester(cfg, st, nil)
	ctx := context.Background()

	r := h.PollSource(ctx, cfg.Sources[0], harvest.PollOptions{Recheck: harvest.RecheckNone})
	if r.Err != nil {
		t.Fatalf("poll: %v", r.Err)
	}
	wantCounts(t, r, harvest.Counts{Items: 5, New: 2, Unchanged: 3})
	if r.Items != 5 || r.Pages != 2 || r.Archived() != 2 {
		t.Errorf("items %d, pages %d, archived %d; want 5, 2, 2", r.Items, r.Pages, r.Archived())
	}
	mu.Lock()
	if hits["/same.html"] != 1 || hits["/other.html"] != 1 {
		t.Errorf("page requests = %v, want one each", hits)
	}
	mu.Unlock()
	a, err := st.ResolveArticle(ctx, base+"/same.html")
	if err != nil {
		t.Fatal(err)
	}
	if a.Snapshots != 1 {
		t.Errorf("snapshots = %d, want 1", a.Snapshots)
	}

	// Every item was remembered: the next poll fetches nothing.
	r = h.PollSource(ctx, cfg.Sources[0], harvest.PollOptions{Recheck: harvest.RecheckNone})
	if r.Err != nil || r.NotDue != 5 || r.Pages != 0 {
		t.Errorf("second poll: %+v (pages %d, err %v), want 5 not due and no page", r.Counts, r.Pages, r.Err)
	}
}
