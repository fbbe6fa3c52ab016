package harvest_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"annalist/internal/config"
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
	srv, _ := battleSite(t, n)
	st := quickStore(t)
	cs := &countingStore{Store: st}
	h := &harvest.Harvester{Store: cs, Now: time.Now, Workers: 2,
		Fetch: loopbackFetcher()}
	src := config.Source{Name: "battles", Feed: srv.URL + "/rss.xml"}
	r := h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckNone})
	if r.New != n {
		t.Fatalf("new = %d, want %d (%v %v)", r.New, n, r.Err, r.PageErrors)
	}
	if got := cs.byURL.Load(); got != 2*n {
		t.Errorf("%d lookups by URL for %d new pages, want %d", got, n, 2*n)
	}
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
	listed       atomic.Bool  // FeedItems saw the listing begun
	pages        chan string  // the site's page requests (battleSite)
	savedAtPages atomic.Int64 // SaveFeedItems calls that saw a page requested
}

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
	if o.wait.Load() && len(items) > 0 && arrivesSoon(o.pages) {
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

// arrivesSoon reports whether c yields a value within a few seconds.
func arrivesSoon(c <-chan string) bool {
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
	srv, pages := battleSite(t, n)
	ov := &overlapStore{listing: make(chan struct{}), pages: pages}
	st := quickStore(t)
	ov.Store = st
	h := &harvest.Harvester{Store: ov, Now: time.Now, Workers: 2,
		Fetch: loopbackFetcher()}
	src := config.Source{Name: "battles", Feed: srv.URL + "/rss.xml"}
	firstPoll(t, h, src, pages, n)
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
	st := quickStore(t)
	h := &harvest.Harvester{Store: st, Now: time.Now, Workers: 2,
		Fetch: loopbackFetcher()}
	src := config.Source{Name: "sieges", Feed: srv.URL + "/rss.xml"}
	firstPoll(t, h, src, nil, n)
	// The first re-check fills the kept bodies; the least of the next ones
	// is measured: a re-check that has more bodies in hand at once than
	// any before it (its rows answered later, as under -race) allocates
	// the bodies it lacks, once.
	allocated := uint64(math.MaxUint64)
	for i := range 5 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r := h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckAll})
		runtime.ReadMemStats(&after)
		wantCounts(t, r, harvest.Counts{Items: n, Unchanged: n})
		if i > 0 {
			allocated = min(allocated, after.TotalAlloc-before.TotalAlloc)
		}
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
	srv, pages := battleSite(t, n)
	st := quickStore(t)
	slow := &slowCommitStore{Store: st, gate: make(chan struct{})}
	h := &harvest.Harvester{Store: slow, Now: time.Now, Workers: 2,
		Fetch: loopbackFetcher()}
	src := config.Source{Name: "battles", Feed: srv.URL + "/rss.xml"}
	firstPoll(t, h, src, pages, n)
	done := make(chan harvest.PollResult)
	go func() {
		done <- h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckAll})
	}()
	requested := 0
	for requested < n && arrivesSoon(pages) {
		requested++
	}
	if requested < n {
		t.Errorf("%d of %d pages requested while the rows waited for their commit, want all", requested, n)
	}
	close(slow.gate)
	wantCounts(t, <-done, harvest.Counts{Items: n, Unchanged: n})
}

// firstPoll polls src with h for the first time, every one of its n
// pages new, and takes the n pages the site reports it served (pages nil:
// the site reports none).
func firstPoll(t *testing.T, h *harvest.Harvester, src config.Source, pages <-chan string, n int) {
	t.Helper()
	if r := h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckNone}); r.New != n {
		t.Fatalf("first poll: new = %d, want %d (%v %v)", r.New, n, r.Err, r.PageErrors)
	}
	if pages == nil {
		return
	}
	for range n {
		<-pages
	}
}
