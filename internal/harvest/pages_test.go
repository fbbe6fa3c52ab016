package harvest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlnwa/gowarc/v3"

	"annalist/internal/config"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// pagedSite serves paginated articles on loopback:
//
//	/essay, /essay?page=2, /essay?page=3   three pages linked by rel=next
//	/loop, /loop?page=2                    ?page=3 redirects back to /loop
//	/cycle/1 … /cycle/3                    a "continue" link, cycling 3 → 1
//	/long?page=N                           25 pages
//	/blog/post-a                           rel=next to the next post, "Next page" to /blog/page/2/
type pagedSite struct {
	mu       sync.Mutex
	essay3   string // the text of the essay's page 3
	requests map[string]int
}

func newPagedSite(t *testing.T) (*pagedSite, *httptest.Server) {
	s := &pagedSite{essay3: "The third part tells how the siege ended in the spring.", requests: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *pagedSite) hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

func (s *pagedSite) setEssay3(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.essay3 = text
}

func pagedArticlePage(title, head, text, links string) string {
	return fmt.Sprintf(`<!doctype html><html><head><meta charset="utf-8"><title>%s</title>%s</head>
<body><nav><a href="/">Home</a></nav><h1>%s</h1><div class="text"><p>%s</p><p>%s</p></div>%s
<footer>Paged History Site</footer></body></html>`, title, head, title, text, strings.Repeat("Filler words about the past. ", 8), links)
}

func (s *pagedSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests[r.URL.RequestURI()]++
	essay3 := s.essay3
	s.mu.Unlock()
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page == 0 {
		page = 1
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	switch {
	case r.URL.Path == "/robots.txt":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "User-agent: *\nDisallow: /walled/3\n")
	case strings.HasPrefix(r.URL.Path, "/walled"):
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/walled/"))
		n = max(n, 1)
		head := fmt.Sprintf(`<link rel="next" href="/walled/%d">`, n+1)
		io.WriteString(w, pagedArticlePage("The Wall", head, fmt.Sprintf("Wall part %d stands.", n), ""))
	case r.URL.Path == "/essay" && page <= 3:
		texts := []string{"", "The first part tells how the siege began in the winter.",
			"The second part tells how the city held through the summer.", essay3}
		head := ""
		if page < 3 {
			head = fmt.Sprintf(`<link rel="next" href="/essay?page=%d">`, page+1)
		}
		if page > 1 {
			head += `<link rel="prev" href="/essay">`
		}
		io.WriteString(w, pagedArticlePage("The Siege", head, texts[page], `<a href="/essay/other">Next article</a>`))
	case r.URL.Path == "/loop" && page >= 3:
		http.Redirect(w, r, "/loop", http.StatusFound)
	case r.URL.Path == "/loop":
		head := fmt.Sprintf(`<link rel="next" href="/loop?page=%d">`, page+1)
		io.WriteString(w, pagedArticlePage("The Loop", head, fmt.Sprintf("Loop page %d says something new.", page), ""))
	case strings.HasPrefix(r.URL.Path, "/cycle/"):
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/cycle/"))
		link := fmt.Sprintf(`<p class="cont"><a href="/cycle/%d">continue</a></p>`, n%3+1)
		io.WriteString(w, pagedArticlePage("The Cycle", "", fmt.Sprintf("Cycle part %d of the tale.", n), link))
	case r.URL.Path == "/long" && page <= 25:
		head := ""
		if page < 25 {
			head = fmt.Sprintf(`<link rel="next" href="/long?page=%d">`, page+1)
		}
		io.WriteString(w, pagedArticlePage("The Long One", head, fmt.Sprintf("Long page number %d of the chronicle.", page), ""))
	case r.URL.Path == "/blog/post-a":
		io.WriteString(w, pagedArticlePage("Post A", `<link rel="next" href="/blog/post-b">`,
			"Post A is a whole article on one page.", `<a rel="next" href="/blog/post-b">Next</a> <a href="/blog/page/2/">Next page</a>`))
	case r.URL.Path == "/blog/post-b" || r.URL.Path == "/blog/page/2/":
		io.WriteString(w, pagedArticlePage("Other", "", "Another article entirely.", ""))
	default:
		http.NotFound(w, r)
	}
}

type pagedEnv struct {
	t    *testing.T
	site *pagedSite
	base string
	dir  string
	st   *store.Store
	h    *harvest.Harvester
	src  config.Source
	now  time.Time
}

func newPagedEnv(t *testing.T) *pagedEnv {
	site, srv := newPagedSite(t)
	e := &pagedEnv{t: t, site: site, base: srv.URL, dir: t.TempDir(), now: time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return e.now }
	e.st = openStore(t, e.dir, clock)
	fc := fetch.New(fetch.Options{UserAgent: "annalist-test", Timeout: 10 * time.Second, MaxBody: 1 << 20,
		PerHostConcurrency: 2, RespectRobots: true, AllowPrivateNetworks: true, Now: clock})
	e.h = &harvest.Harvester{Fetch: fc, Store: e.st, Now: clock, Watch: []time.Duration{time.Hour}}
	e.src = config.Source{Name: "paged", Title: "Paged History", RespectRobots: true, Watch: []time.Duration{time.Hour},
		Selectors: config.Selectors{Title: "h1", Body: "div.text"}}
	return e
}

func (e *pagedEnv) capture(path string) harvest.PageResult {
	e.t.Helper()
	e.now = e.now.Add(time.Hour)
	pr := e.h.CaptureURL(context.Background(), &e.src, e.base+path)
	if pr.Err != nil {
		e.t.Fatalf("capture %s: %v", path, pr.Err)
	}
	return pr
}

func (e *pagedEnv) snapshot(id string) *store.Snapshot {
	e.t.Helper()
	sn, err := e.st.Snapshot(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return sn
}

// responses lists the target URIs of the response records in the archive's WARC files.
func (e *pagedEnv) responses() []string {
	e.t.Helper()
	var out []string
	files, _ := filepath.Glob(filepath.Join(e.st.WARCDir(), "*.warc.gz*"))
	for _, f := range files {
		r, err := gowarc.NewWarcFileReader(f, 0)
		if err != nil {
			e.t.Fatal(err)
		}
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				e.t.Fatalf("%s: %v", f, err)
			}
			if rec.WarcRecord.Type() == gowarc.Response {
				out = append(out, strings.TrimPrefix(rec.WarcRecord.WarcHeader().Get(gowarc.WarcTargetURI), e.base))
			}
			rec.WarcRecord.Close()
		}
		r.Close()
	}
	return out
}

func TestMultiPageArticleArchivedWhole(t *testing.T) {
	e := newPagedEnv(t)
	pr := e.capture("/essay")
	if pr.Outcome != store.OutcomeNew {
		t.Fatalf("outcome %s", pr.Outcome)
	}
	sn := e.snapshot(pr.SnapshotID)
	for _, want := range []string{"siege began in the winter", "held through the summer", "siege ended in the spring"} {
		if !strings.Contains(sn.Text, want) || !strings.Contains(sn.HTML, want) || !strings.Contains(sn.Markdown, want) {
			t.Errorf("snapshot lacks %q:\n%s", want, sn.Text)
		}
	}
	if i, j := strings.Index(sn.Text, "winter"), strings.Index(sn.Text, "spring"); i < 0 || j < i {
		t.Errorf("pages out of order:\n%s", sn.Text)
	}
	if sn.Pages != 3 {
		t.Errorf("pages = %d, want 3", sn.Pages)
	}
	if got := strings.Join(e.responses(), " "); got != "/essay /essay?page=2 /essay?page=3" {
		t.Errorf("WARC responses: %s", got)
	}
	// The snapshot's record stays page 1's.
	rec, err := e.st.ReadWARCRecord(context.Background(), sn.WARCFile, sn.WARCOffset)
	if err != nil || rec.TargetURI != e.base+"/essay" {
		t.Errorf("snapshot record %+v, %v", rec, err)
	}
	if e.site.hits("/essay/other") != 0 {
		t.Error("the next article was fetched")
	}

	// Same pages again: unchanged, nothing written.
	pr = e.capture("/essay")
	if pr.Outcome != store.OutcomeUnchanged {
		t.Fatalf("second capture: %s", pr.Outcome)
	}
	if e.site.hits("/essay?page=3") != 2 {
		t.Errorf("page 3 fetched %d times, want 2 (every capture reads every page)", e.site.hits("/essay?page=3"))
	}
	// A change on page 3 only is a revision.
	e.site.setEssay3("The third part tells how the siege ended in the autumn, not the spring.")
	pr = e.capture("/essay")
	if pr.Outcome != store.OutcomeRevised {
		t.Fatalf("change on page 3: outcome %s", pr.Outcome)
	}
	if sn := e.snapshot(pr.SnapshotID); !strings.Contains(sn.Text, "in the autumn") || sn.Pages != 3 {
		t.Errorf("revised snapshot: pages %d, text %q", sn.Pages, sn.Text)
	}
	if n := len(e.responses()); n != 6 {
		t.Errorf("%d responses in WARC, want 6", n)
	}
	// And unchanged again.
	if pr = e.capture("/essay"); pr.Outcome != store.OutcomeUnchanged {
		t.Fatalf("fourth capture: %s", pr.Outcome)
	}
}

func TestPaginationLoopsEnd(t *testing.T) {
	e := newPagedEnv(t)
	// ?page=3 redirects back to page 1.
	sn := e.snapshot(e.capture("/loop").SnapshotID)
	if sn.Pages != 2 || !strings.Contains(sn.Text, "Loop page 2") {
		t.Errorf("loop: pages %d, text %q", sn.Pages, sn.Text)
	}
	// The source's selector leads 1 → 2 → 3 → 1.
	e.src.Selectors.NextPage = ".cont a"
	sn = e.snapshot(e.capture("/cycle/1").SnapshotID)
	if sn.Pages != 3 || !strings.Contains(sn.Text, "Cycle part 3") {
		t.Errorf("cycle: pages %d, text %q", sn.Pages, sn.Text)
	}
	if e.site.hits("/cycle/1") != 1 {
		t.Errorf("page 1 fetched %d times", e.site.hits("/cycle/1"))
	}
}

func TestPaginationCappedAt20Pages(t *testing.T) {
	e := newPagedEnv(t)
	sn := e.snapshot(e.capture("/long").SnapshotID)
	if sn.Pages != harvest.MaxPages || !strings.Contains(sn.Text, "number 20 of") || strings.Contains(sn.Text, "number 21 of") {
		t.Errorf("pages %d, text ends %q", sn.Pages, sn.Text[max(0, len(sn.Text)-200):])
	}
	if e.site.hits("/long?page=21") != 0 {
		t.Error("page 21 was fetched")
	}
	if n := len(e.responses()); n != 20 {
		t.Errorf("%d responses in WARC, want 20", n)
	}
}

func TestNextPostIsNotPagination(t *testing.T) {
	e := newPagedEnv(t)
	sn := e.snapshot(e.capture("/blog/post-a").SnapshotID)
	if sn.Pages != 1 || strings.Contains(sn.Text, "Another article") {
		t.Errorf("pages %d, text %q", sn.Pages, sn.Text)
	}
	if e.site.hits("/blog/post-b") != 0 || e.site.hits("/blog/page/2/") != 0 {
		t.Errorf("followed: post-b %d, page/2 %d", e.site.hits("/blog/post-b"), e.site.hits("/blog/page/2/"))
	}
}

func TestFollowPagesOff(t *testing.T) {
	e := newPagedEnv(t)
	e.src.NoFollowPages = true
	sn := e.snapshot(e.capture("/essay").SnapshotID)
	if sn.Pages != 1 || strings.Contains(sn.Text, "summer") {
		t.Errorf("pages %d, text %q", sn.Pages, sn.Text)
	}
	if e.site.hits("/essay?page=2") != 0 {
		t.Error("page 2 fetched with follow_pages: false")
	}
}

// A later page robots.txt disallows is not fetched: the article is
// archived up to it.
func TestPaginationStopsAtRobotsDisallow(t *testing.T) {
	e := newPagedEnv(t)
	sn := e.snapshot(e.capture("/walled").SnapshotID)
	if sn.Pages != 2 || !strings.Contains(sn.Text, "Wall part 2") {
		t.Errorf("pages %d, text %q", sn.Pages, sn.Text)
	}
	if e.site.hits("/walled/3") != 0 || e.site.hits("/robots.txt") == 0 {
		t.Errorf("page 3 fetched %d times, robots.txt %d", e.site.hits("/walled/3"), e.site.hits("/robots.txt"))
	}
}

func TestFailingLaterPageStoresNothing(t *testing.T) {
	e := newPagedEnv(t)
	e.src.Selectors.NextPage = "a.gone"
	// Served inline: page 1 names a page 2 that answers 404.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/gap" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, pagedArticlePage("Gap", "", "Page one of the gap.", `<a class="gone" href="/gap/2">next</a>`))
	}))
	defer srv.Close()
	pr := e.h.CaptureURL(context.Background(), &e.src, srv.URL+"/gap")
	if pr.Outcome != store.OutcomeError || !strings.Contains(pr.Error, "page 2 of") || !strings.Contains(pr.Error, "404") {
		t.Fatalf("outcome %s, error %q", pr.Outcome, pr.Error)
	}
	if files, _ := filepath.Glob(filepath.Join(e.st.WARCDir(), "*")); len(files) > 0 {
		for _, f := range files {
			if fi, _ := os.Stat(f); fi != nil && fi.Size() > 2048 {
				t.Errorf("WARC written: %s", f)
			}
		}
	}
}

// RELIABILITY.md's extraction deadline holds for every page of a paginated
// article, not only the first: a later page too slow to extract makes the
// capture an error naming the page and the deadline, storing nothing.
func TestLaterPageExtractionHasADeadline(t *testing.T) {
	e := newPagedEnv(t)
	e.h.Fetch = fetch.New(fetch.Options{UserAgent: "annalist-test", Timeout: 10 * time.Second, MaxBody: 16 << 20,
		AllowPrivateNetworks: true, Now: func() time.Time { return e.now }})
	e.h.ExtractTimeout = 300 * time.Millisecond
	e.src.Selectors.NextPage = "a.more"
	var huge strings.Builder
	huge.WriteString(`<html><head><title>Big</title></head><body><h1>Big</h1><div class="text">`)
	for i := 0; huge.Len() < 5<<20; i++ {
		fmt.Fprintf(&huge, "<p><span>Word %d of the second page about the siege.</span></p>", i)
	}
	huge.WriteString(`</div></body></html>`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/big":
			io.WriteString(w, pagedArticlePage("Big", "", "Page one of the big essay.", `<a class="more" href="/big/2">next</a>`))
		case "/big/2":
			io.WriteString(w, huge.String())
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	start := time.Now()
	pr := e.h.CaptureURL(context.Background(), &e.src, srv.URL+"/big")
	if pr.Outcome != store.OutcomeError || !strings.Contains(pr.Error, "page 2 of") || !strings.Contains(pr.Error, "deadline") {
		t.Fatalf("outcome %s after %v, error %q: want page 2 past its extraction deadline", pr.Outcome, time.Since(start), pr.Error)
	}
}

// The later pages' fetch time (host pacing, a slow server) is no part of
// any page's extraction deadline: a paginated article slower to fetch
// than the deadline is archived whole.
func TestSlowLaterPagesDoNotSpendTheExtractionDeadline(t *testing.T) {
	e := newPagedEnv(t)
	e.h.ExtractTimeout = 300 * time.Millisecond
	e.src.Selectors.NextPage = "a.more"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/slow/"))
		if !strings.HasPrefix(r.URL.Path, "/slow") {
			http.NotFound(w, r)
			return
		}
		n = max(n, 1)
		links := ""
		if n < 4 {
			links = fmt.Sprintf(`<a class="more" href="/slow/%d">next</a>`, n+1)
		}
		if n > 1 {
			time.Sleep(150 * time.Millisecond) // 450 ms for pages 2 to 4
		}
		io.WriteString(w, pagedArticlePage("Slow", "", fmt.Sprintf("Part %d of the slow essay.", n), links))
	}))
	defer srv.Close()
	pr := e.h.CaptureURL(context.Background(), &e.src, srv.URL+"/slow")
	if pr.Err != nil || pr.Outcome != store.OutcomeNew {
		t.Fatalf("outcome %s, error %q: want the four pages archived", pr.Outcome, pr.Error)
	}
	if sn := e.snapshot(pr.SnapshotID); sn.Pages != 4 {
		t.Errorf("snapshot of %d pages, want 4", sn.Pages)
	}
}

// TestLaterPagesCountInHand: a paginated article's later pages are held
// with it until it is stored, so their bodies count against
// Harvester.InHand too; an article larger than the whole budget is still
// archived (its count capped at the budget).
func TestLaterPagesCountInHand(t *testing.T) {
	e := newPagedEnv(t)
	resp, err := http.Get(e.base + "/long")
	if err != nil {
		t.Fatal(err)
	}
	one, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	size := int64(len(one))

	e.h.InHand = 100 * size
	e.capture("/long")
	if got := e.h.MaxInHand(); got < 15*size {
		t.Errorf("at most %d bytes in hand for a 20-page article of ~%d-byte pages, want the later pages counted too", got, size)
	}

	small := newPagedEnv(t)
	small.h.InHand = 3 * size
	if sn := small.snapshot(small.capture("/long").SnapshotID); sn.Pages != harvest.MaxPages {
		t.Errorf("with a budget of 3 pages: %d pages archived, want %d", sn.Pages, harvest.MaxPages)
	}
	if got := small.h.MaxInHand(); got > small.h.InHand {
		t.Errorf("%d bytes in hand, over the budget %d", got, small.h.InHand)
	}
}
