package harvest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// lateSaveStore is the real store whose SaveFeedItems, once armed, does
// not begin before ended is closed (up to a few seconds): a save of many
// feed items still under way when the poll's context ends.
type lateSaveStore struct {
	*store.Store
	armed atomic.Bool
	ended chan struct{}
}

func (l *lateSaveStore) SaveFeedItems(ctx context.Context, items []store.FeedItem) error {
	if l.armed.Load() && len(items) > 0 {
		closesSoon(l.ended)
	}
	return l.Store.SaveFeedItems(ctx, items)
}

// TestPollCancelledWhileFeedItemsSaveIsInterrupted: the feed's items that
// need no page are saved while the pages are fetched; a poll whose
// context ends then (a daemon shutting down) is interrupted, as when the
// save preceded the pages: the save is not given up half-way and made the
// poll's error ("save feed items: context canceled", the source counted
// as failing), and the items seen are saved.
func TestPollCancelledWhileFeedItemsSaveIsInterrupted(t *testing.T) {
	const n = 3
	inFlight := make(chan struct{})
	var base string
	var held atomic.Bool
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
		if r.URL.Path == "/battle-1" && held.Load() {
			close(inFlight)
			<-r.Context().Done() // answers only when the client gives up
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%s</title></head><body><article><h1>%s</h1>%s</article></body></html>", r.URL.Path, r.URL.Path,
			strings.Repeat("<p>The armies met at dawn on the plain below the river, and by noon the field was decided.</p>", 10))
	}))
	t.Cleanup(srv.Close)
	base = srv.URL
	st := quickStore(t)
	ls := &lateSaveStore{Store: st, ended: make(chan struct{})}
	h := &harvest.Harvester{Store: ls, Now: time.Now, Workers: 1,
		Fetch: loopbackFetcher()}
	src := config.Source{Name: "battles", Feed: srv.URL + "/rss.xml"}
	firstPoll(t, h, src, nil, n)

	held.Store(true)
	ls.armed.Store(true)
	started := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resc := make(chan harvest.PollResult)
	go func() { resc <- h.PollSource(ctx, src, harvest.PollOptions{Recheck: harvest.RecheckAll}) }()
	select {
	case <-inFlight:
	case <-time.After(10 * time.Second):
		t.Fatal("battle-1 was not requested within 10 s")
	}
	cancel()
	close(ls.ended)
	r := <-resc
	if r.Err != nil || !r.Interrupted || r.Errors != 0 {
		t.Errorf("poll: err %v, interrupted %v, %+v; want no error, interrupted", r.Err, r.Interrupted, r.Counts)
	}
	srcs, err := st.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 1 || srcs[0].LastOutcome != store.PollInterrupted {
		t.Errorf("source after the poll: %+v, want interrupted", srcs)
	}
	items, err := st.FeedItems(context.Background(), "battles")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.LastSeen.Before(started.Truncate(time.Second)) {
			t.Errorf("feed item %s last seen %v, before the poll (%v): not saved", it.Key, it.LastSeen, started)
		}
	}
}

// cancelAndFailStore is the real store that, once armed, has the poll's
// context end once the feed's known items are read (a shutdown as the
// feed's items are sorted) and whose SaveFeedItems then fails.
type cancelAndFailStore struct {
	*store.Store
	armed  atomic.Bool
	cancel context.CancelFunc
}

func (c *cancelAndFailStore) FeedItems(ctx context.Context, source string) (map[string]store.FeedItem, error) {
	items, err := c.Store.FeedItems(ctx, source)
	if c.armed.Load() {
		c.cancel()
	}
	return items, err
}

func (c *cancelAndFailStore) SaveFeedItems(ctx context.Context, items []store.FeedItem) error {
	if c.armed.Load() && len(items) > 0 {
		return errors.New("save feed items: disk full") // as the store words it
	}
	return c.Store.SaveFeedItems(ctx, items)
}

// TestPollCancelledAfterFeedReportsFailedItemSave: a poll whose context
// ends once its feed is read returns at once, yet a failure of the save of
// the feed's items (under way beside it) is its error, naming the source,
// as when that save preceded the return: it was waited for and dropped.
func TestPollCancelledAfterFeedReportsFailedItemSave(t *testing.T) {
	const n = 3
	srv, _ := battleSite(t, n)
	st := quickStore(t)
	cs := &cancelAndFailStore{Store: st}
	h := &harvest.Harvester{Store: cs, Now: time.Now, Workers: 1,
		Fetch: loopbackFetcher()}
	src := config.Source{Name: "battles", Feed: srv.URL + "/rss.xml"}
	firstPoll(t, h, src, nil, n)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cs.cancel = cancel
	cs.armed.Store(true)
	r := h.PollSource(ctx, src, harvest.PollOptions{Recheck: harvest.RecheckNone})
	if r.Err == nil || !strings.Contains(r.Err.Error(), "battles") || !strings.Contains(r.Err.Error(), "disk full") {
		t.Errorf("poll cancelled after its feed, its items' save failing: err %v, want the save's failure naming the source", r.Err)
	} else if n := strings.Count(r.Err.Error(), "save feed items"); n != 1 {
		t.Errorf("err %q says \"save feed items\" %d times, want once", r.Err, n)
	}
}
