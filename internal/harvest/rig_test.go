package harvest_test

import (
	"context"
	"database/sql"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/demosite"
	"annalist/internal/faultsite"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// rig is the fault site and the demo site on loopback, standing in for two
// public hosts (the private-network guard is on and exempts exactly their
// ports), an archive in a temporary directory, and a harvester. Every
// reliability test polls a faulty source and, in the same run, the good
// demo-site source, then checks both.
type rig struct {
	t        *testing.T
	fault    *faultsite.Site
	faultURL string
	demo     *demosite.Site
	demoURL  string
	dir      string
	st       *store.Store
	h        *harvest.Harvester
	good     config.Source // the demo site, Mondo History selectors
}

type rigOptions struct {
	timeout  time.Duration // fetch total timeout; default 20s
	maxBody  int64         // default 1 MiB
	maxItems int           // default 500
	dataDir  string        // default a temporary directory
	demo     *demosite.Site
	perHost  int           // fetch per-host concurrency; default 4
	interval time.Duration // fetch per-host interval; default none
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	r := &rig{t: t, fault: faultsite.New(), demo: o.demo}
	if r.demo == nil {
		r.demo = demosite.New()
	}
	fs := httptest.NewServer(r.fault.Handler())
	t.Cleanup(fs.Close)
	ds := httptest.NewServer(r.demo.Handler())
	t.Cleanup(ds.Close)
	r.faultURL, r.demoURL = fs.URL, ds.URL

	cfgDir := t.TempDir()
	writeConfig(t, cfgDir, ds.URL)
	cfg, err := config.Load(filepath.Join(cfgDir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r.good = cfg.Sources[0]
	r.dir = o.dataDir
	if r.dir == "" {
		r.dir = t.TempDir()
	}
	r.st = openStore(t, r.dir, nil)
	if o.timeout == 0 {
		o.timeout = 20 * time.Second
	}
	if o.maxBody == 0 {
		o.maxBody = 1 << 20
	}
	if o.perHost == 0 {
		o.perHost = 4
	}
	public := map[uint16]bool{port(t, fs.URL): true, port(t, ds.URL): true}
	fc := fetch.New(fetch.Options{UserAgent: "annalist-test", Timeout: o.timeout, MaxBody: o.maxBody,
		PerHostConcurrency: o.perHost, PerHostInterval: o.interval, RespectRobots: true,
		GuardExempt: func(ap netip.AddrPort) bool { return ap.Addr().IsLoopback() && public[ap.Port()] }})
	r.h = &harvest.Harvester{Fetch: fc, Store: r.st, Watch: cfg.Defaults.Watch, Workers: 4, MaxItems: o.maxItems}
	return r
}

func port(t *testing.T, raw string) uint16 {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	ap, err := netip.ParseAddrPort(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	return ap.Port()
}

// source is a source on the fault site with the Mondo History selectors.
func (r *rig) source(name, path string) config.Source {
	src := r.good
	src.Name = name
	src.Feed = r.faultURL + path
	return src
}

// pollWithGood polls src and the good source at the same time and checks
// that the good source was archived whole.
func (r *rig) pollWithGood(src config.Source) harvest.PollResult {
	r.t.Helper()
	return r.pollCtxWithGood(context.Background(), src)
}

func (r *rig) pollCtxWithGood(ctx context.Context, src config.Source) harvest.PollResult {
	r.t.Helper()
	var wg sync.WaitGroup
	var good harvest.PollResult
	wg.Add(1)
	go func() {
		defer wg.Done()
		good = r.h.PollSource(context.Background(), r.good, harvest.PollOptions{Recheck: harvest.RecheckDue})
	}()
	res := r.h.PollSource(ctx, src, harvest.PollOptions{Recheck: harvest.RecheckDue})
	wg.Wait()
	if good.Failed() {
		r.t.Fatalf("the good source failed in the same run: %v %v", good.Err, good.PageErrors)
	}
	r.checkGoodArchived()
	return res
}

// checkGoodArchived: every demo-site article has a snapshot.
func (r *rig) checkGoodArchived() {
	r.t.Helper()
	for _, slug := range r.demo.Slugs() {
		a, err := r.st.ResolveArticle(context.Background(), r.demoURL+demosite.Path(slug))
		if err != nil {
			r.t.Fatalf("good source: article %s not archived: %v", slug, err)
		}
		if a.Snapshots < 1 {
			r.t.Fatalf("good source: article %s has no snapshot", slug)
		}
	}
}

// wantPollError checks the poll failed as a whole with want in its error,
// that a capture with outcome error and that text was recorded, and that
// `annalist sources` would show it (RecordPoll).
func (r *rig) wantPollError(res harvest.PollResult, source, want string) {
	r.t.Helper()
	if res.Err == nil || !strings.Contains(strings.ToLower(res.Err.Error()), strings.ToLower(want)) {
		r.t.Fatalf("poll error = %v, want one containing %q", res.Err, want)
	}
	r.wantCaptureError(source, "", want)
	s, err := r.st.Source(context.Background(), source)
	if err != nil {
		r.t.Fatal(err)
	}
	if s.LastOutcome != store.PollError || !strings.Contains(strings.ToLower(s.LastError), strings.ToLower(want)) {
		r.t.Fatalf("source state = %q %q, want error with %q", s.LastOutcome, s.LastError, want)
	}
}

// wantCaptureError checks a capture of source (for url, if not "") has
// outcome error with want in its text.
func (r *rig) wantCaptureError(source, url, want string) {
	r.t.Helper()
	caps, err := r.st.Captures(context.Background(), store.CaptureFilter{Source: source})
	if err != nil {
		r.t.Fatal(err)
	}
	for _, c := range caps {
		if c.Outcome == store.OutcomeError && (url == "" || c.URL == url) &&
			strings.Contains(strings.ToLower(c.Error), strings.ToLower(want)) {
			return
		}
	}
	r.t.Fatalf("no error capture with %q for %s %s; captures: %+v", want, source, url, caps)
}

// article returns the archived article fetched from the fault-site path.
func (r *rig) article(path string) *store.Article {
	r.t.Helper()
	a, err := r.st.ResolveArticle(context.Background(), r.faultURL+path)
	if err != nil {
		r.t.Fatalf("article %s: %v", path, err)
	}
	return a
}

func (r *rig) latest(path string) *store.Snapshot {
	r.t.Helper()
	s, err := r.st.LatestSnapshot(context.Background(), r.article(path).ID)
	if err != nil {
		r.t.Fatalf("latest snapshot of %s: %v", path, err)
	}
	return s
}

func (r *rig) snapshotCount() int {
	r.t.Helper()
	return countRows(r.t, r.dir, "SELECT count(*) FROM snapshots")
}

// countRows runs a count query on the archive's database directly.
func countRows(t *testing.T, dir, q string) int {
	t.Helper()
	db := openDB(t, dir)
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// openDB opens annalist.db next to (not through) the store, as a second
// process would.
func openDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	path := filepath.Join(dir, "annalist.db")
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
