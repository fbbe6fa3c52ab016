package harvest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// countingStore is the real store, counting ArticleByURL calls.
type countingStore struct {
	*store.Store
	byURL atomic.Int64
}

func (c *countingStore) ArticleByURL(ctx context.Context, u string) (*store.Article, error) {
	c.byURL.Add(1)
	return c.Store.ArticleByURL(ctx, u)
}

// TestNewPageLookups: a new page whose feed link is already canonical is
// looked up by URL twice, not three times: once for the feed item (its
// link and canonical form being one URL) and once for the canonical URL
// the page declares.
func TestNewPageLookups(t *testing.T) {
	const n = 3
	var base string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/rss.xml" {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>`+base+`/</link><description>d</description>`)
			for i := range n {
				fmt.Fprintf(w, "<item><title>Battle %d</title><link>%s/battle-%d</link></item>", i, base, i)
			}
			fmt.Fprint(w, "</channel></rss>")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%s</title></head><body><article><h1>%s</h1>%s</article></body></html>", r.URL.Path, r.URL.Path,
			strings.Repeat("<p>The armies met at dawn on the plain below the river, and by noon the field was decided.</p>", 10))
	}))
	defer srv.Close()
	base = srv.URL
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs := &countingStore{Store: st}
	h := &harvest.Harvester{Store: cs, Now: time.Now, Workers: 2,
		Fetch: fetch.New(fetch.Options{UserAgent: "annalist-test", Timeout: 10 * time.Second, AllowPrivateNetworks: true, Now: time.Now})}
	src := config.Source{Name: "battles", Feed: srv.URL + "/rss.xml"}
	r := h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckNone})
	if r.New != n {
		t.Fatalf("new = %d, want %d (%v %v)", r.New, n, r.Err, r.PageErrors)
	}
	if got := cs.byURL.Load(); got != 2*n {
		t.Errorf("%d lookups by URL for %d new pages, want %d", got, n, 2*n)
	}
}

// battlesSite serves an RSS feed of n items and their pages on loopback;
// onPage, if set, is called as each page request arrives.
func battlesSite(t *testing.T, n int, onPage func()) *httptest.Server {
	var base string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/rss.xml" {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>`+base+`/</link><description>d</description>`)
			for i := range n {
				fmt.Fprintf(w, "<item><title>Battle %d</title><link>%s/battle-%d</link></item>", i, base, i)
			}
			fmt.Fprint(w, "</channel></rss>")
			return
		}
		if onPage != nil && strings.HasPrefix(r.URL.Path, "/battle-") {
			onPage()
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%s</title></head><body><article><h1>%s</h1>%s</article></body></html>", r.URL.Path, r.URL.Path,
			strings.Repeat("<p>The armies met at dawn on the plain below the river, and by noon the field was decided.</p>", 10))
	}))
	t.Cleanup(srv.Close)
	base = srv.URL
	return srv
}

// overlapStore is the real store whose FeedItems (read once the feed is
// parsed) waits, up to a limit, for the list of articles to re-check to
// have been asked for, and whose SaveFeedItems waits, up to a limit, for
// a page request to arrive.
type overlapStore struct {
	*store.Store
	wait         atomic.Bool
	listing      chan struct{} // closed by the first Articles call
	listOnce     sync.Once
	listed       atomic.Bool   // FeedItems saw the listing begun
	paging       chan struct{} // closed at the first page request
	pageOnce     sync.Once
	savedAtPages atomic.Int64 // SaveFeedItems calls that saw a page requested
}

func (o *overlapStore) pageRequested() { o.pageOnce.Do(func() { close(o.paging) }) }

func (o *overlapStore) Articles(ctx context.Context, f store.ArticleFilter) ([]store.Article, error) {
	o.listOnce.Do(func() { close(o.listing) })
	return o.Store.Articles(ctx, f)
}

func (o *overlapStore) FeedItems(ctx context.Context, source string) (map[string]store.FeedItem, error) {
	if o.wait.Load() && closesSoon(o.listing) {
		o.listed.Store(true)
	}
	return o.Store.FeedItems(ctx, source)
}

func (o *overlapStore) SaveFeedItems(ctx context.Context, items []store.FeedItem) error {
	if o.wait.Load() && len(items) > 0 && closesSoon(o.paging) {
		o.savedAtPages.Add(1)
	}
	return o.Store.SaveFeedItems(ctx, items)
}

// closesSoon reports whether c closes within a few seconds.
func closesSoon(c chan struct{}) bool {
	select {
	case <-c:
		return true
	case <-time.After(3 * time.Second):
		return false
	}
}

// TestRepollOverlapsFeedWork: with --recheck all the known articles are
// listed while the feed is parsed, not after it (the list does not depend
// on the feed), and the feed's items that need no page are saved while
// the pages are fetched, not before the first request: on an unchanged
// re-poll both were serial steps before the first page's request.
func TestRepollOverlapsFeedWork(t *testing.T) {
	const n = 3
	ov := &overlapStore{listing: make(chan struct{}), paging: make(chan struct{})}
	srv := battlesSite(t, n, func() {
		if ov.wait.Load() {
			ov.pageRequested()
		}
	})
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ov.Store = st
	h := &harvest.Harvester{Store: ov, Now: time.Now, Workers: 2,
		Fetch: fetch.New(fetch.Options{UserAgent: "annalist-test", Timeout: 10 * time.Second, AllowPrivateNetworks: true, Now: time.Now})}
	src := config.Source{Name: "battles", Feed: srv.URL + "/rss.xml"}
	if r := h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckNone}); r.New != n {
		t.Fatalf("first poll: new = %d, want %d (%v %v)", r.New, n, r.Err, r.PageErrors)
	}
	ov.wait.Store(true)
	r := h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckAll})
	wantCounts(t, r, harvest.Counts{Items: n, Unchanged: n})
	if r.Err != nil {
		t.Errorf("re-poll: %v", r.Err)
	}
	if !ov.listed.Load() {
		t.Error("the feed's items were read before the articles to re-check were listed")
	}
	if got := ov.savedAtPages.Load(); got != 1 {
		t.Errorf("%d saves of the feed's items saw a page requested, want 1 (the idle items' save)", got)
	}
	items, err := st.FeedItems(context.Background(), "battles")
	if err != nil || len(items) != n {
		t.Fatalf("feed items after the re-poll: %d, %v; want %d", len(items), err, n)
	}
	for _, it := range items {
		if it.ArticleID == "" || time.Since(it.LastSeen) > time.Minute {
			t.Errorf("feed item %+v not saved by the re-poll", it)
		}
	}
}

// TestUnchangedRecheckReusesBodies: the body of a page found unchanged
// (hashed, never extracted) is given back once its row is answered
// (fetch.Response.Release), and holds a later page's body: an unchanged
// re-check allocated a body a page, which had the collector run about
// once a re-check of 72 real pages.
func TestUnchangedRecheckReusesBodies(t *testing.T) {
	const n, size = 6, 200_000
	page := []byte("<!DOCTYPE html><html><head><title>Siege</title></head><body><article><h1>Siege</h1>" +
		strings.Repeat("<p>The walls held for a month, and then the river rose and the camp moved to the hills.</p>", size/96) +
		"</article></body></html>")
	var base string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/rss.xml" {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>`+base+`/</link><description>d</description>`)
			for i := range n {
				fmt.Fprintf(w, "<item><title>Siege %d</title><link>%s/siege-%d</link></item>", i, base, i)
			}
			fmt.Fprint(w, "</channel></rss>")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", fmt.Sprint(len(page)))
		w.Write(page)
	}))
	defer srv.Close()
	base = srv.URL
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := &harvest.Harvester{Store: st, Now: time.Now, Workers: 2,
		Fetch: fetch.New(fetch.Options{UserAgent: "annalist-test", Timeout: 10 * time.Second, AllowPrivateNetworks: true, Now: time.Now})}
	src := config.Source{Name: "sieges", Feed: srv.URL + "/rss.xml"}
	if r := h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckNone}); r.New != n {
		t.Fatalf("first poll: new = %d, want %d (%v %v)", r.New, n, r.Err, r.PageErrors)
	}
	var allocated uint64
	for range 3 { // the first re-check fills the kept bodies; the last is measured
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r := h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckAll})
		runtime.ReadMemStats(&after)
		wantCounts(t, r, harvest.Counts{Items: n, Unchanged: n})
		allocated = after.TotalAlloc - before.TotalAlloc
	}
	t.Logf("an unchanged re-check allocated %d bytes a page of %d", allocated/n, len(page))
	if perPage := allocated / n; perPage > uint64(len(page))/2 {
		t.Errorf("an unchanged re-check allocated %d bytes a page of %d, want under half of it (bodies reused)", perPage, len(page))
	}
}

// slowCommitStore is the real store whose unchanged rows are not
// answered until gate closes, as if the group committer held its batch.
type slowCommitStore struct {
	*store.Store
	gate chan struct{}
}

func (s *slowCommitStore) SendUnchanged(ctx context.Context, u store.Unchanged) func() error {
	wait := s.Store.SendUnchanged(ctx, u)
	return func() error {
		<-s.gate
		return wait()
	}
}

// TestRecheckFetchesOnWhileRowsWait: the workers of an unchanged
// re-check go on fetching while a batch's worth of rows (the group
// committer's up to 64) wait for their commit; at 4 rows a worker they
// stood waiting once that many were unanswered.
func TestRecheckFetchesOnWhileRowsWait(t *testing.T) {
	const n = 40
	var requested atomic.Int64
	all := make(chan struct{})
	srv := battlesSite(t, n, func() {
		if requested.Add(1) == 2*n { // the first poll's n, then the re-check's
			close(all)
		}
	})
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	slow := &slowCommitStore{Store: st, gate: make(chan struct{})}
	h := &harvest.Harvester{Store: slow, Now: time.Now, Workers: 2,
		Fetch: fetch.New(fetch.Options{UserAgent: "annalist-test", Timeout: 10 * time.Second, AllowPrivateNetworks: true, Now: time.Now})}
	src := config.Source{Name: "battles", Feed: srv.URL + "/rss.xml"}
	if r := h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckNone}); r.New != n {
		t.Fatalf("first poll: new = %d, want %d (%v %v)", r.New, n, r.Err, r.PageErrors)
	}
	done := make(chan harvest.PollResult)
	go func() {
		done <- h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckAll})
	}()
	if !closesSoon(all) {
		t.Errorf("%d of %d pages requested while the rows waited for their commit, want all", requested.Load()-n, n)
	}
	close(slow.gate)
	wantCounts(t, <-done, harvest.Counts{Items: n, Unchanged: n})
}
