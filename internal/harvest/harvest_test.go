package harvest_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/demosite"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

const sample = "chiang-ching-kuo-outer-mongolia"

// env is a demo site on loopback, an archive in a temporary directory and a
// harvester wired as the CLI wires it.
type env struct {
	t     *testing.T
	site  *demosite.Site
	srv   *httptest.Server
	cfg   *config.Config
	src   config.Source
	store *store.Store
	h     *harvest.Harvester
	clock *clock
}

// clock is a test clock that moves forward a minute at each reading
// unless frozen, so that snapshot timestamps differ.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newEnv(t *testing.T, site *demosite.Site) *env {
	t.Helper()
	if site == nil {
		site = demosite.New()
	}
	srv := httptest.NewServer(site.Handler())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	writeConfig(t, dir, srv.URL)
	cfg, err := config.Load(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, site: site, srv: srv, cfg: cfg, src: cfg.Sources[0],
		clock: &clock{t: time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC)}}
	e.store = openStore(t, cfg.DataDir, e.clock.Now)
	e.h = newHarvester(cfg, e.store, e.clock.Now)
	return e
}

func writeConfig(t *testing.T, dir, base string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "feeds"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "data_dir: archive\nhttp:\n  per_host_interval: 0s\n  per_host_concurrency: 4\n  allow_private_networks: true\n"
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "feeds", "mondo-history.yaml"), demosite.SourceYAML(base+"/rss.xml"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func openStore(t testing.TB, dir string, now func() time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dir, store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newHarvester(cfg *config.Config, st *store.Store, now func() time.Time) *harvest.Harvester {
	fc := fetch.New(fetch.Options{UserAgent: "annalist-test", Timeout: 10 * time.Second, MaxBody: cfg.HTTP.MaxBody,
		PerHostConcurrency: cfg.HTTP.PerHostConcurrency, RespectRobots: true, AllowPrivateNetworks: true, Now: now})
	return &harvest.Harvester{Fetch: fc, Store: st, Now: now, Watch: cfg.Defaults.Watch, Workers: 4}
}

func (e *env) poll(recheck harvest.Recheck) harvest.PollResult {
	e.t.Helper()
	r := e.h.PollSource(context.Background(), e.src, harvest.PollOptions{Recheck: recheck})
	if r.Err != nil {
		e.t.Fatalf("poll: %v", r.Err)
	}
	return r
}

func (e *env) article(slug string) *store.Article {
	e.t.Helper()
	a, err := e.store.ResolveArticle(context.Background(), e.srv.URL+demosite.Path(slug))
	if err != nil {
		e.t.Fatalf("article %s: %v", slug, err)
	}
	return a
}

func (e *env) snapshots(slug string) []store.Snapshot {
	e.t.Helper()
	snaps, err := e.store.Snapshots(context.Background(), e.article(slug).ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return snaps
}

func (e *env) totalSnapshots() int {
	e.t.Helper()
	arts, err := e.store.Articles(context.Background(), store.ArticleFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, a := range arts {
		n += a.Snapshots
	}
	return n
}

func wantCounts(t *testing.T, got harvest.PollResult, want harvest.Counts) {
	t.Helper()
	if got.Counts != want {
		t.Fatalf("counts = %+v, want %+v (page errors: %v)", got.Counts, want, got.PageErrors)
	}
}

func TestFirstPollArchivesEveryArticle(t *testing.T) {
	e := newEnv(t, nil)
	n := len(e.site.Slugs())
	r := e.poll(harvest.RecheckDue)
	wantCounts(t, r, harvest.Counts{Items: n, New: n})
	if got := e.totalSnapshots(); got != n {
		t.Fatalf("snapshots = %d, want %d", got, n)
	}
	s := e.snapshots(sample)[0]
	if s.RevisionDate == nil || s.RevisionDate.Format("2006-01-02") != "2024-01-31" {
		t.Errorf("revision date = %v, want 2024-01-31", s.RevisionDate)
	}
	if s.PublishedDate == nil || s.PublishedDate.Format("2006-01-02") != "2023-11-14" {
		t.Errorf("published date = %v, want 2023-11-14", s.PublishedDate)
	}
	if strings.Contains(s.Text, "Related Pages") || strings.Contains(s.Text, "readers today") {
		t.Errorf("boilerplate in the snapshot text:\n%s", s.Text)
	}
	if !strings.Contains(s.Text, "Treaty of Yalta") {
		t.Errorf("article text missing:\n%s", s.Text)
	}
	if s.WARCFile == "" || s.WARCRecordID == "" {
		t.Errorf("snapshot without WARC record: %+v", s)
	}
	if !strings.HasPrefix(s.ID, e.article(sample).ID+"/") || len(s.ID) != 12+1+14 {
		t.Errorf("snapshot ID %q is not ARTICLE/YYYYMMDDhhmmss", s.ID)
	}
}

func TestUnchangedRepollStoresNothing(t *testing.T) {
	e := newEnv(t, nil)
	e.site.SetConditional(false) // force full re-fetches
	n := len(e.site.Slugs())
	e.poll(harvest.RecheckNone)
	warcBefore := warcBytes(t, e.store.WARCDir())
	r := e.poll(harvest.RecheckAll)
	wantCounts(t, r, harvest.Counts{Items: n, Unchanged: n})
	if got := e.totalSnapshots(); got != n {
		t.Fatalf("snapshots = %d, want %d", got, n)
	}
	if after := warcBytes(t, e.store.WARCDir()); after != warcBefore {
		t.Fatalf("WARC grew from %d to %d bytes on an unchanged re-poll", warcBefore, after)
	}
}

func TestNotModifiedCostsNoParse(t *testing.T) {
	e := newEnv(t, nil)
	n := len(e.site.Slugs())
	e.poll(harvest.RecheckNone)
	feedGets := e.site.Requests("/rss.xml")
	r := e.poll(harvest.RecheckAll)
	if !r.FeedNotModified {
		t.Fatal("feed was not answered 304 on the re-poll")
	}
	// The items are the last feed's, each re-checked (not modified).
	wantCounts(t, r, harvest.Counts{Items: n, NotModified: n})
	if e.site.Requests("/rss.xml") != feedGets+1 {
		t.Fatalf("feed fetched %d times, want %d", e.site.Requests("/rss.xml"), feedGets+1)
	}
	caps, err := e.store.Captures(context.Background(), store.CaptureFilter{ArticleID: e.article(sample).ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 2 || caps[0].Outcome != store.OutcomeNotModified {
		t.Fatalf("captures = %+v, want a new one then a not-modified one", caps)
	}
	src, err := e.store.Source(context.Background(), e.src.Name)
	if err != nil {
		t.Fatal(err)
	}
	if src.LastOutcome != "not-modified" {
		t.Fatalf("source last outcome = %q, want not-modified", src.LastOutcome)
	}
}

func TestChangesThatAreNotRevisions(t *testing.T) {
	cases := map[string]func(s *demosite.Site){
		"date only":         func(s *demosite.Site) { s.SetStamp(sample, time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)) },
		"view counter":      func(s *demosite.Site) { s.SetViews(sample, 99999) },
		"related pages box": func(s *demosite.Site) { s.SetRelated(sample, []string{"https://elsewhere.example/x"}) },
		"advertisement":     func(s *demosite.Site) { s.SetAd(sample, "Buy a history cruise") },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.poll(harvest.RecheckNone)
			change(e.site)
			r := e.poll(harvest.RecheckAll)
			if r.Revised != 0 {
				t.Fatalf("a %s change was stored as a revision: %+v", name, r.Counts)
			}
			if got := len(e.snapshots(sample)); got != 1 {
				t.Fatalf("snapshots = %d, want 1", got)
			}
			if r.Unchanged != 1 {
				t.Fatalf("counts = %+v, want the changed page unchanged", r.Counts)
			}
		})
	}
}

func TestRevisionAndRevert(t *testing.T) {
	e := newEnv(t, nil)
	a := e.site.Body(sample)
	e.site.Revise(sample, time.Date(2023, 11, 14, 6, 30, 0, 0, time.UTC), func(p []string) []string { return p[:len(p)-1] })
	e.poll(harvest.RecheckNone)

	// A: the earlier text. B: the full text, "Updated on 2024-01-31".
	e.site.Revise(sample, time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC), func([]string) []string { return a })
	r := e.poll(harvest.RecheckAll)
	if r.Revised != 1 {
		t.Fatalf("counts = %+v, want 1 revised", r.Counts)
	}
	snaps := e.snapshots(sample)
	if len(snaps) != 2 {
		t.Fatalf("snapshots = %d, want 2", len(snaps))
	}
	if got := snaps[1].RevisionDate; got == nil || got.Format("2006-01-02") != "2024-01-31" {
		t.Fatalf("revision date = %v, want 2024-01-31", got)
	}
	if got := snaps[0].RevisionDate; got == nil || got.Format("2006-01-02") != "2023-11-14" {
		t.Fatalf("first revision date = %v, want 2023-11-14", got)
	}
	if !snaps[0].CapturedAt.Before(snaps[1].CapturedAt) {
		t.Fatal("snapshots not in capture order")
	}

	// Back to A: a revert is a real event, so three snapshots.
	e.site.Revise(sample, time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC), func(p []string) []string { return p[:len(p)-1] })
	e.poll(harvest.RecheckAll)
	snaps = e.snapshots(sample)
	if len(snaps) != 3 {
		t.Fatalf("after a revert: snapshots = %d, want 3", len(snaps))
	}
	if snaps[0].Fingerprint != snaps[2].Fingerprint || snaps[0].Fingerprint == snaps[1].Fingerprint {
		t.Fatalf("fingerprints A,B,A = %s %s %s", snaps[0].Fingerprint, snaps[1].Fingerprint, snaps[2].Fingerprint)
	}
}

func TestFeedUpdatedDateTriggersRecheck(t *testing.T) {
	e := newEnv(t, nil)
	e.poll(harvest.RecheckNone)
	before := e.site.ArticleRequests("silk-road-caravan-cities")
	e.site.Revise("silk-road-caravan-cities", time.Date(2024, 2, 20, 0, 0, 0, 0, time.UTC), func(p []string) []string {
		return append(p, "A new closing paragraph about the caravanserais of Bukhara.")
	})
	r := e.poll(harvest.RecheckNone) // no watch re-checks: only the feed's updated date can lead there
	if r.Revised != 1 {
		t.Fatalf("counts = %+v, want the updated item re-fetched and revised", r.Counts)
	}
	if e.site.ArticleRequests("silk-road-caravan-cities") != before+1 {
		t.Fatal("updated item not re-fetched")
	}
	if e.site.ArticleRequests(sample) != 1 {
		t.Fatalf("an item whose updated date did not change was re-fetched (%d GETs)", e.site.ArticleRequests(sample))
	}
}

func TestWatchRechecksDueArticles(t *testing.T) {
	e := newEnv(t, nil)
	e.poll(harvest.RecheckNone)
	r := e.h.WatchSource(context.Background(), e.src, harvest.RecheckDue, nil)
	if r.Items+r.New+r.Revised+r.Unchanged+r.NotModified+r.Errors != 0 {
		t.Fatalf("nothing is due right after the first poll, got %+v", r.Counts)
	}
	e.clock.Advance(61 * time.Minute) // past the first watch age, 1h
	r = e.h.WatchSource(context.Background(), e.src, harvest.RecheckDue, nil)
	if n := len(e.site.Slugs()); r.NotModified != n {
		t.Fatalf("watch after 1h: %+v, want %d not-modified", r.Counts, n)
	}
	r = e.h.WatchSource(context.Background(), e.src, harvest.RecheckDue, nil)
	if r.NotModified != 0 {
		t.Fatalf("re-checked again before the next watch age: %+v", r.Counts)
	}
}

func TestOneArticleUnderTwoURLSpellings(t *testing.T) {
	e := newEnv(t, nil)
	e.site.AddFeedAlias(sample)
	n := len(e.site.Slugs())
	r := e.poll(harvest.RecheckNone)
	if r.New != n || r.Items != n+1 {
		t.Fatalf("counts = %+v, want %d new of %d items", r.Counts, n, n+1)
	}
	arts, err := e.store.Articles(context.Background(), store.ArticleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != n {
		t.Fatalf("articles = %d, want %d (the alias made a second article)", len(arts), n)
	}
	a := e.article(sample)
	if a.Snapshots != 1 {
		t.Fatalf("snapshots = %d, want 1", a.Snapshots)
	}
	// Every spelling resolves to the same article.
	for _, u := range a.URLs {
		b, err := e.store.ResolveArticle(context.Background(), u)
		if err != nil || b.ID != a.ID {
			t.Fatalf("URL %s resolves to %v, %v", u, b, err)
		}
	}
	if len(a.URLs) < 2 {
		t.Fatalf("article URLs = %v, want the alias spelling too", a.URLs)
	}
}

func TestSelectorThatStopsMatching(t *testing.T) {
	e := newEnv(t, nil)
	e.poll(harvest.RecheckNone)
	e.site.SetSelectorBreak(sample, true)
	e.site.Revise(sample, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), func(p []string) []string {
		return append(p, "A paragraph added in the redesign.")
	})
	r := e.h.PollSource(context.Background(), e.src, harvest.PollOptions{Recheck: harvest.RecheckAll})
	if r.Errors != 1 || r.Revised != 0 {
		t.Fatalf("counts = %+v, want 1 error and no revision", r.Counts)
	}
	if !r.Failed() {
		t.Fatal("poll with a page error not reported as failed")
	}
	if got := len(e.snapshots(sample)); got != 1 {
		t.Fatalf("snapshots = %d, want 1", got)
	}
	caps, err := e.store.Captures(context.Background(), store.CaptureFilter{ArticleID: e.article(sample).ID})
	if err != nil {
		t.Fatal(err)
	}
	if caps[0].Outcome != store.OutcomeError || !strings.Contains(caps[0].Error, "matched nothing") || !strings.Contains(caps[0].Error, "div.article-content") {
		t.Fatalf("latest capture = %+v, want an extraction error", caps[0])
	}
}

func TestBodyFarShorterIsNotARevision(t *testing.T) {
	e := newEnv(t, nil)
	e.poll(harvest.RecheckNone)
	e.site.Revise(sample, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), func(p []string) []string { return []string{"Loading…"} })
	r := e.h.PollSource(context.Background(), e.src, harvest.PollOptions{Recheck: harvest.RecheckAll})
	if r.Errors != 1 || r.Revised != 0 {
		t.Fatalf("counts = %+v, want the shrunk page recorded as an error", r.Counts)
	}
	if got := len(e.snapshots(sample)); got != 1 {
		t.Fatalf("snapshots = %d, want 1", got)
	}
}

func TestGBKPageWithCharsetOnlyInMeta(t *testing.T) {
	site := demosite.New()
	site.AddGBKArticle("zheng-he")
	e := newEnv(t, site)
	r := e.poll(harvest.RecheckNone)
	if r.Errors != 0 {
		t.Fatalf("errors: %v", r.PageErrors)
	}
	s := e.snapshots("zheng-he")[0]
	if !strings.Contains(s.Title, "郑和") || !strings.Contains(s.Text, "永乐三年") {
		t.Fatalf("GBK page not decoded: title %q text %q", s.Title, s.Text)
	}
	if s.RevisionDate == nil || s.RevisionDate.Format("2006-01-02") != "2024-01-31" {
		t.Fatalf("revision date = %v, want 2024-01-31 from 更新于 2024年1月31日", s.RevisionDate)
	}
}

func TestFeedItemWithoutLink(t *testing.T) {
	e := newEnv(t, nil)
	e.site.AddLinklessItem("A notice without a page")
	n := len(e.site.Slugs())
	r := e.poll(harvest.RecheckNone)
	if r.Items != n+1 || r.New != n || r.Errors != 0 {
		t.Fatalf("counts = %+v, want %d items, %d new, no error", r.Counts, n+1, n)
	}
	r = e.poll(harvest.RecheckNone)
	if r.New+r.Errors != 0 {
		t.Fatalf("second poll fetched something for the linkless item: %+v", r.Counts)
	}
}

func TestGonePageIsRecordedAndOthersGoOn(t *testing.T) {
	e := newEnv(t, nil)
	e.site.SetGone("silk-road-caravan-cities", true)
	n := len(e.site.Slugs())
	r := e.h.PollSource(context.Background(), e.src, harvest.PollOptions{Recheck: harvest.RecheckNone})
	if r.Errors != 1 || r.New != n-1 {
		t.Fatalf("counts = %+v, want 1 error and %d new", r.Counts, n-1)
	}
	if len(r.PageErrors) != 1 || !strings.Contains(r.PageErrors[0], "404") {
		t.Fatalf("page errors = %v, want the 404 named", r.PageErrors)
	}
}

func TestFeedErrorIsRecorded(t *testing.T) {
	e := newEnv(t, nil)
	e.src.Feed = e.srv.URL + "/" // the index page: HTML, not a feed
	r := e.h.PollSource(context.Background(), e.src, harvest.PollOptions{})
	if r.Err == nil || !strings.Contains(r.Err.Error(), "no feed format detected") {
		t.Fatalf("poll error = %v, want no feed format detected", r.Err)
	}
	src, err := e.store.Source(context.Background(), e.src.Name)
	if err != nil {
		t.Fatal(err)
	}
	if src.LastOutcome != "error" || !strings.Contains(src.LastError, e.srv.URL) {
		t.Fatalf("source state = %q %q, want error naming the feed URL", src.LastOutcome, src.LastError)
	}
}

func TestTwoStoresWritingAtOnce(t *testing.T) {
	e := newEnv(t, nil)
	e.site.SetConditional(false)
	other := openStore(t, e.cfg.DataDir, e.clock.Now)
	h2 := newHarvester(e.cfg, other, e.clock.Now)
	var wg sync.WaitGroup
	results := make([]harvest.PollResult, 2)
	for i, h := range []*harvest.Harvester{e.h, h2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = h.PollSource(context.Background(), e.src, harvest.PollOptions{Recheck: harvest.RecheckAll})
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.Err != nil || r.Errors != 0 {
			t.Fatalf("poll failed: %v %v", r.Err, r.PageErrors)
		}
	}
	if got, n := e.totalSnapshots(), len(e.site.Slugs()); got != n {
		t.Fatalf("snapshots = %d, want %d (duplicates from two writers)", got, n)
	}
}

func TestItemCapLeavesTheRestForTheNextPoll(t *testing.T) {
	e := newEnv(t, nil)
	e.h.MaxItems = 2
	n := len(e.site.Slugs())
	r := e.poll(harvest.RecheckNone)
	if r.New != 2 {
		t.Fatalf("first poll: %+v, want 2 new", r.Counts)
	}
	// The site answers conditional GETs: the next polls must still fetch
	// the whole feed to reach the items left over.
	got := 2
	for i := 0; i < n && got < n; i++ {
		got += e.poll(harvest.RecheckNone).New
	}
	if got != n {
		t.Fatalf("articles archived over several polls = %d, want %d", got, n)
	}
}

func TestNextCheck(t *testing.T) {
	first := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	watch := []time.Duration{time.Hour, 24 * time.Hour, 720 * time.Hour}
	cases := []struct {
		age  time.Duration
		want time.Time
	}{
		{0, first.Add(time.Hour)},
		{2 * time.Hour, first.Add(24 * time.Hour)},
		{800 * time.Hour, first.Add(800 * time.Hour).Add(720 * time.Hour)},
	}
	for _, c := range cases {
		if got := harvest.NextCheck(first, first.Add(c.age), watch); !got.Equal(c.want) {
			t.Errorf("age %v: next = %v, want %v", c.age, got, c.want)
		}
	}
}

func warcBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range entries {
		fi, err := de.Info()
		if err != nil {
			t.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

func TestSelectorBreakWithoutChangeStoresNothing(t *testing.T) {
	e := newEnv(t, nil)
	e.poll(harvest.RecheckNone)
	e.site.SetSelectorBreak(sample, true)
	r := e.h.PollSource(context.Background(), e.src, harvest.PollOptions{Recheck: harvest.RecheckAll})
	if r.Revised != 0 || r.New != 0 || r.Errors != 1 {
		t.Fatalf("counts = %+v: want the redesign recorded as one extraction failure, nothing stored", r.Counts)
	}
	if !strings.Contains(r.PageErrors[0], "selectors no longer match") {
		t.Fatalf("page error = %q", r.PageErrors[0])
	}
	if got := len(e.snapshots(sample)); got != 1 {
		t.Fatalf("snapshots = %d, want 1", got)
	}
}

func TestNewArticleFallsBackToGenericExtraction(t *testing.T) {
	e := newEnv(t, nil)
	e.site.SetSelectorBreak(sample, true)
	r := e.poll(harvest.RecheckNone)
	if r.Errors != 0 || r.New != len(e.site.Slugs()) {
		t.Fatalf("counts = %+v (%v): a page the selectors miss must still be archived", r.Counts, r.PageErrors)
	}
	s := e.snapshots(sample)[0]
	if !strings.HasPrefix(s.Extractor, "generic/") || !strings.Contains(s.Text, "Treaty of Yalta") || strings.Contains(s.Text, "Related Pages") {
		t.Fatalf("fallback snapshot: extractor %q, text:\n%s", s.Extractor, s.Text)
	}
}

func TestReappearingItemIsRechecked(t *testing.T) {
	e := newEnv(t, nil)
	e.poll(harvest.RecheckNone)
	const slug = "hanseatic-league-kontors"
	e.site.SetListed(slug, false)
	e.poll(harvest.RecheckNone)
	if got := e.site.ArticleRequests(slug); got != 1 {
		t.Fatalf("GETs after the item left the feed = %d, want 1", got)
	}
	e.site.SetListed(slug, true)
	r := e.poll(harvest.RecheckNone)
	if got := e.site.ArticleRequests(slug); got != 2 {
		t.Fatalf("GETs after the item came back = %d, want 2 (a reappearing item is re-checked)", got)
	}
	if r.NotModified+r.Unchanged != 1 {
		t.Fatalf("counts = %+v, want the reappeared article re-checked once", r.Counts)
	}
	if e.site.ArticleRequests(sample) != 1 {
		t.Fatal("an item that stayed in the feed was re-fetched")
	}
}

func TestFailedPageIsFetchedAgainDespiteConditionalFeed(t *testing.T) {
	e := newEnv(t, nil)
	const slug = "silk-road-caravan-cities"
	e.site.SetGone(slug, true)
	r := e.h.PollSource(context.Background(), e.src, harvest.PollOptions{Recheck: harvest.RecheckNone})
	if r.Errors != 1 {
		t.Fatalf("counts = %+v, want the gone page as an error", r.Counts)
	}
	e.site.SetGone(slug, false)
	// SetGone moved the page's Last-Modified but not the feed's: only a
	// full feed fetch reaches the item again.
	r = e.poll(harvest.RecheckNone)
	if r.FeedNotModified || r.New != 1 {
		t.Fatalf("counts = %+v (feed not modified: %v), want the page that failed archived now", r.Counts, r.FeedNotModified)
	}
	if r = e.poll(harvest.RecheckNone); !r.FeedNotModified {
		t.Fatal("with nothing left over, the feed poll should be a cheap 304 again")
	}
}

func TestEmptyWatchMeansNoRecheck(t *testing.T) {
	e := newEnv(t, nil)
	e.src.Watch = nil // as `watch: []` in the source file
	e.poll(harvest.RecheckNone)
	e.clock.Advance(10000 * time.Hour)
	r := e.h.WatchSource(context.Background(), e.src, harvest.RecheckDue, nil)
	if r.NotModified+r.Unchanged+r.Revised+r.Errors != 0 {
		t.Fatalf("watch: [] still re-checked: %+v", r.Counts)
	}
}

func TestFetchDurationsRecordedForMetrics(t *testing.T) {
	e := newEnv(t, nil)
	n := len(e.site.Slugs())
	e.poll(harvest.RecheckNone)
	e.poll(harvest.RecheckAll) // 304s
	stats, err := e.store.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(stats.Fetches) != 1 || stats.Fetches[0].Count != 2*n || stats.Fetches[0].Sum <= 0 {
		t.Fatalf("fetch latency = %+v, want %d timed fetches of mondo-history", stats.Fetches, 2*n)
	}
}

func TestDateOnlyChangeKeepsTheDeclaredDate(t *testing.T) {
	e := newEnv(t, nil)
	e.poll(harvest.RecheckNone)
	bumped := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	e.site.SetStamp(sample, bumped)
	if r := e.poll(harvest.RecheckAll); r.Unchanged != 1 {
		t.Fatalf("counts = %+v, want the stamp-only change unchanged", r.Counts)
	}
	caps, err := e.store.Captures(context.Background(), store.CaptureFilter{ArticleID: e.article(sample).ID, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if caps[0].Outcome != store.OutcomeUnchanged || caps[0].RevisionDate == nil || !caps[0].RevisionDate.Equal(bumped) {
		t.Fatalf("latest capture = %+v, want unchanged with the new declared date (an empty date bump)", caps[0])
	}
}
