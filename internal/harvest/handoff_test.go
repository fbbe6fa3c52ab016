package harvest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// slowWriter is the real store whose SaveCapture waits until gate is
// closed, as a writer busy with a long commit would, and then fails for
// the page at failURL.
type slowWriter struct {
	*store.Store
	entered chan string // the URL of each page handed to SaveCapture
	gate    chan struct{}
	failURL string
}

func (s *slowWriter) SaveCapture(ctx context.Context, p *store.Page) (*store.SaveResult, error) {
	s.entered <- p.FetchURL
	<-s.gate
	if p.FetchURL == s.failURL {
		return nil, errors.New("disk full")
	}
	return s.Store.SaveCapture(ctx, p)
}

// battleSite serves a feed of n pages at /battle-<i> and tells of each
// page GET on got.
func battleSite(t *testing.T, n int) (srv *httptest.Server, got chan string) {
	t.Helper()
	got = make(chan string, 2*n)
	var base string
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/rss.xml" {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>`+base+`/</link><description>d</description>`)
			for i := range n {
				fmt.Fprintf(w, "<item><title>Battle %d</title><link>%s/battle-%d</link></item>", i, base, i)
			}
			fmt.Fprint(w, "</channel></rss>")
			return
		}
		if strings.HasPrefix(r.URL.Path, "/battle-") {
			got <- base + r.URL.Path
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%s</title></head><body><article><h1>%s</h1>%s</article></body></html>", r.URL.Path, r.URL.Path,
			strings.Repeat("<p>The armies met at dawn on the plain below the river, and by noon the field was decided.</p>", 10))
	}))
	t.Cleanup(srv.Close)
	base = srv.URL
	return srv, got
}

func waitFor(t *testing.T, ch <-chan string, want, why string) {
	t.Helper()
	select {
	case u := <-ch:
		if u != want {
			t.Fatalf("%s: got %s, want %s", why, u, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: %s did not come within 10 s", why, want)
	}
}

// waitBoth waits for a and b on ch, in either order: a page handed off
// and the worker's next page race to the writer.
func waitBoth(t *testing.T, ch <-chan string, a, b string) {
	t.Helper()
	seen := map[string]bool{}
	for range 2 {
		select {
		case u := <-ch:
			seen[u] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("only %v of %s and %s stored within 10 s", seen, a, b)
		}
	}
	if !seen[a] || !seen[b] {
		t.Fatalf("stored %v, want %s and %s", seen, a, b)
	}
}

func slowHarvester(t *testing.T, srv *httptest.Server, failURL string) (*harvest.Harvester, *slowWriter) {
	t.Helper()
	st := quickStore(t)
	sw := &slowWriter{Store: st, entered: make(chan string, 8), gate: make(chan struct{}), failURL: failURL}
	h := &harvest.Harvester{Store: sw, Now: time.Now, Workers: 1, Ahead: 1,
		Fetch: loopbackFetcher()}
	return h, sw
}

// TestNextPageWhileStoring: a worker whose page waits for the writer
// fetches its next page meanwhile, and every page is still counted and
// stored once the writer answers. With one worker, the second page's GET
// comes while the first page's SaveCapture has not returned, and with one
// slot ahead (Harvester.Ahead) the third not before it returns.
func TestNextPageWhileStoring(t *testing.T) {
	const n = 3
	srv, got := battleSite(t, n)
	h, sw := slowHarvester(t, srv, "")
	src := config.Source{Name: "battles", Feed: srv.URL + "/rss.xml"}
	var progress []int
	resc := make(chan harvest.PollResult)
	go func() {
		resc <- h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckNone,
			Progress: func(_ string, done, _ int) { progress = append(progress, done) }})
	}()
	waitFor(t, got, srv.URL+"/battle-0", "first page")
	waitFor(t, got, srv.URL+"/battle-1", "second page fetched while the first waits for the writer")
	// The one slot ahead is the first page's: the worker waits with the
	// second rather than take a third page.
	waitBoth(t, sw.entered, srv.URL+"/battle-0", srv.URL+"/battle-1")
	select {
	case u := <-got:
		t.Fatalf("%s fetched while two pages wait for the writer, with one slot ahead", u)
	case <-time.After(200 * time.Millisecond):
	}
	close(sw.gate)
	r := <-resc
	if r.New != n || r.Errors != 0 || r.Interrupted || r.Pages != n {
		t.Fatalf("poll: %+v, want %d new", r.Counts, n)
	}
	if fmt.Sprint(progress) != "[1 2 3]" {
		t.Errorf("progress %v, want [1 2 3]", progress)
	}
	arts, err := sw.Articles(context.Background(), store.ArticleFilter{Source: "battles"})
	if err != nil || len(arts) != n {
		t.Fatalf("%d articles stored (%v), want %d", len(arts), err, n)
	}
	items, err := sw.FeedItems(context.Background(), "battles")
	if err != nil {
		t.Fatal(err)
	}
	for k, it := range items {
		if it.ArticleID == "" {
			t.Errorf("feed item %s saved without its article", k)
		}
	}
	if len(items) != n {
		t.Errorf("%d feed items saved, want %d", len(items), n)
	}
}

// TestStoringPageInterruptedAndFailed: a poll stopped while one page waits
// for the writer and the next is on its way there still waits for both:
// the failed one is counted and recorded as an error and left due again,
// the other is stored, and no later page is begun.
func TestStoringPageInterruptedAndFailed(t *testing.T) {
	const n = 3
	srv, got := battleSite(t, n)
	h, sw := slowHarvester(t, srv, srv.URL+"/battle-0")
	src := config.Source{Name: "battles", Feed: srv.URL + "/rss.xml"}
	stop := make(chan struct{})
	resc := make(chan harvest.PollResult)
	go func() {
		resc <- h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckNone, Stop: stop})
	}()
	// The second page reaches the writer while the first waits there.
	waitBoth(t, sw.entered, srv.URL+"/battle-0", srv.URL+"/battle-1")
	close(stop)
	close(sw.gate)
	r := <-resc
	if r.New != 1 || r.Errors != 1 || !r.Interrupted || r.Pages != n {
		t.Fatalf("poll: %+v interrupted %v, want 1 new, 1 error, interrupted", r.Counts, r.Interrupted)
	}
	if len(r.PageErrors) != 1 || !strings.Contains(r.PageErrors[0], "battle-0") {
		t.Errorf("page errors %q, want battle-0's", r.PageErrors)
	}
	if len(got) != 2 { // battle-0 and battle-1, nothing after the stop
		t.Errorf("%d page GETs, want 2", len(got))
	}
	items, err := sw.FeedItems(context.Background(), "battles")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 {
		t.Errorf("%d feed items saved, want 1 (battle-1's)", len(items))
	}
	caps, err := sw.Captures(context.Background(), store.CaptureFilter{Source: "battles"})
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for _, c := range caps {
		outcomes[c.Outcome]++
	}
	if outcomes[store.OutcomeError] != 1 || outcomes[store.OutcomeNew] != 1 || len(caps) != 2 {
		t.Errorf("captures %v, want one error and one new", outcomes)
	}
}

// TestPollCancelledMidPageIsInterrupted: a poll whose context ends while
// a page is in flight (a daemon shutting down) counts that page as not
// done, not as an error: no error capture, the poll recorded as
// interrupted with what it archived, the page due again.
func TestPollCancelledMidPageIsInterrupted(t *testing.T) {
	inFlight := make(chan struct{})
	var base string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/rss.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>%s/</link><description>d</description>`+
				`<item><title>A</title><link>%s/battle-0</link></item><item><title>B</title><link>%s/battle-1</link></item></channel></rss>`, base, base, base)
		case "/battle-1":
			close(inFlight)
			<-r.Context().Done() // answers only when the client gives up
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>A</title></head><body><article><h1>A</h1>%s</article></body></html>",
				strings.Repeat("<p>The armies met at dawn on the plain below the river, and by noon the field was decided.</p>", 10))
		}
	}))
	t.Cleanup(srv.Close)
	base = srv.URL
	st := quickStore(t)
	h := &harvest.Harvester{Store: st, Now: time.Now, Workers: 1,
		Fetch: loopbackFetcher()}
	src := config.Source{Name: "battles", Feed: srv.URL + "/rss.xml"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resc := make(chan harvest.PollResult)
	go func() { resc <- h.PollSource(ctx, src, harvest.PollOptions{Recheck: harvest.RecheckNone}) }()
	select {
	case <-inFlight:
	case <-time.After(10 * time.Second):
		t.Fatal("battle-1 was not requested within 10 s")
	}
	cancel()
	r := <-resc
	if r.New != 1 || r.Errors != 0 || !r.Interrupted || r.Pages != 2 {
		t.Fatalf("poll: %+v interrupted %v (page errors %q), want 1 new, no error, interrupted", r.Counts, r.Interrupted, r.PageErrors)
	}
	caps, err := st.Captures(context.Background(), store.CaptureFilter{Source: "battles"})
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 1 || caps[0].Outcome != store.OutcomeNew {
		t.Errorf("captures %+v, want battle-0's new one only", caps)
	}
	srcs, err := st.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 1 || srcs[0].LastOutcome != store.PollInterrupted || !strings.Contains(srcs[0].LastError, "1 of 2 pages archived") {
		t.Errorf("source after the poll: %+v, want interrupted, 1 of 2 pages archived", srcs)
	}
}

// quickStore opens a store without fsync in a temporary directory, closed
// at the test's end.
func quickStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// loopbackFetcher is a fetch client allowed to reach the loopback test
// servers.
func loopbackFetcher() *fetch.Client {
	return fetch.New(fetch.Options{UserAgent: "annalist-test", Timeout: 10 * time.Second, AllowPrivateNetworks: true, Now: time.Now})
}
