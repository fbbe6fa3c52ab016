package harvest_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"annalist/internal/harvest"
	"annalist/internal/store"
)

// heldRows is the real store whose "unchanged" rows are answered only once
// every page of the re-check has been sent (or after a long wait, noted):
// a worker that waited for its row's answer before fetching its next page
// would hold the poll up until then.
type heldRows struct {
	*store.Store
	pages    int32
	sent     atomic.Int32
	all      chan struct{}
	timedOut atomic.Bool
	// stale, if set, is called before the row of that article is sent.
	stale func(articleID string)
}

func (s *heldRows) SendUnchanged(ctx context.Context, u store.Unchanged) (wait func() error) {
	if s.stale != nil {
		s.stale(u.ArticleID)
	}
	answer := s.Store.SendUnchanged(ctx, u)
	if s.sent.Add(1) == s.pages {
		close(s.all)
	}
	return func() error {
		select {
		case <-s.all:
		case <-time.After(5 * time.Second):
			s.timedOut.Store(true)
		}
		return answer()
	}
}

// The workers of a re-check fetch on while the rows of the pages they
// found unchanged (or were answered 304 Not Modified) are committed: with
// fewer workers than pages, every page is fetched before any row is
// answered, and the poll still reports each page once and returns only
// when every row is in the archive, each at its own time.
func TestRecheckWorkersDoNotWaitForRows(t *testing.T) {
	for _, conditional := range []bool{false, true} {
		name, outcome := "unchanged", store.OutcomeUnchanged
		if conditional {
			name, outcome = "not modified", store.OutcomeNotModified
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.site.SetConditional(conditional)
			n := len(e.site.Slugs())
			e.poll(harvest.RecheckNone)
			e.h.Workers = 2
			if n <= e.h.Workers {
				t.Fatalf("%d pages: the test needs more pages than workers", n)
			}
			held := &heldRows{Store: e.store, pages: int32(n), all: make(chan struct{})}
			e.h.Store = held
			var mu sync.Mutex
			var done []int
			r := e.h.PollSource(context.Background(), e.src, harvest.PollOptions{Recheck: harvest.RecheckAll,
				Progress: func(_ string, d, total int) {
					mu.Lock()
					defer mu.Unlock()
					done = append(done, d)
				}})
			if got := held.sent.Load(); got != int32(n) {
				t.Fatalf("%d rows sent without waiting, want %d", got, n)
			}
			if held.timedOut.Load() {
				t.Fatal("a worker waited for its row's commit before fetching the next page")
			}
			want := harvest.Counts{Items: n, Unchanged: n}
			if conditional {
				want = harvest.Counts{Items: n, NotModified: n}
			}
			wantCounts(t, r, want)
			if len(done) != n || done[n-1] != n {
				t.Errorf("progress %v, want 1..%d", done, n)
			}
			seen := map[time.Time]bool{}
			for _, slug := range e.site.Slugs() {
				a := e.article(slug)
				caps, err := e.store.Captures(context.Background(), store.CaptureFilter{ArticleID: a.ID})
				if err != nil {
					t.Fatal(err)
				}
				if len(caps) != 2 || caps[0].Outcome != outcome || caps[0].HTTPStatus == 0 {
					t.Fatalf("%s: captures %+v, want new then %s", slug, caps, outcome)
				}
				if a.LastCapturedAt == nil || !a.LastCapturedAt.Equal(caps[0].CapturedAt) || a.NextCheckAt == nil || !a.NextCheckAt.After(caps[0].CapturedAt) {
					t.Errorf("%s: last captured %v, next check %v, want the check's time %v and a later one", slug, a.LastCapturedAt, a.NextCheckAt, caps[0].CapturedAt)
				}
				if seen[caps[0].CapturedAt] {
					t.Errorf("%s: capture time %v shared with another page", slug, caps[0].CapturedAt)
				}
				seen[caps[0].CapturedAt] = true
			}
		})
	}
}

// One row of a re-check that fails (its article's key went stale: another
// capture stored a different page meanwhile) is decided in full from the
// page in hand, and every other page's row is still recorded, each with
// its own time.
func TestRecheckOneStaleRowOthersRecorded(t *testing.T) {
	e := newEnv(t, nil)
	e.site.SetConditional(false)
	n := len(e.site.Slugs())
	e.poll(harvest.RecheckNone)
	a := e.article(sample)
	latest, err := e.store.LatestSnapshot(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	held := &heldRows{Store: e.store, pages: int32(n), all: make(chan struct{})}
	held.stale = func(id string) {
		if id != a.ID {
			return
		}
		p := &store.Page{Source: e.src.Name, FetchURL: a.FetchURL, FinalURL: a.FetchURL, Canonical: a.URL, ArticleID: id,
			StatusCode: 200, Proto: "HTTP/1.1",
			Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<p>another state</p>"),
			Title: latest.Title, Text: "Another state of the article, stored by another writer.", HTML: "<p>another state</p>",
			Fingerprint: "n1:0000", Extractor: "generic/2", BodyKey: "b1:another", Judged: latest.ID}
		if _, err := e.store.SaveCapture(context.Background(), p); err != nil {
			t.Errorf("the other writer: %v", err)
		}
	}
	e.h.Store = held
	requests := e.site.ArticleRequests(sample)
	r := e.poll(harvest.RecheckAll)
	wantCounts(t, r, harvest.Counts{Items: n, Unchanged: n - 1, Revised: 1})
	if got := e.site.ArticleRequests(sample) - requests; got != 1 {
		t.Errorf("the stale page was fetched %d times, want once", got)
	}
	seen := map[time.Time]string{}
	for _, slug := range e.site.Slugs() {
		caps, err := e.store.Captures(context.Background(), store.CaptureFilter{ArticleID: e.article(slug).ID})
		if err != nil {
			t.Fatal(err)
		}
		want := store.OutcomeUnchanged
		if slug == sample {
			want = store.OutcomeRevised // A → B (the other writer) → A
		}
		if len(caps) == 0 || caps[0].Outcome != want {
			t.Fatalf("%s: captures %+v, want the last %s", slug, caps, want)
		}
		if other, ok := seen[caps[0].CapturedAt]; ok {
			t.Errorf("%s: capture time %v shared with %s", slug, caps[0].CapturedAt, other)
		}
		seen[caps[0].CapturedAt] = slug
	}
}
