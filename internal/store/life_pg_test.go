package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"annalist/internal/pgtest"
	"annalist/internal/store"
	"annalist/internal/store/storetest"
)

// Two workers sharing a PostgreSQL index find one article gone at once
// (the source's poll re-checks it on one worker while its revision watch
// does on another): the article goes gone once, with one event and one
// webhook notification, as with SQLite's single writer.
func TestRecordGoneConcurrentWorkersPostgres(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	hooks := []store.NotifyHook{{URL: "https://hooks.example/a", Events: []string{store.EventGone}}}
	var workers []*store.Store
	for range 2 {
		s, err := store.Open(ctx, t.TempDir(), store.Options{NoSync: true, Database: db, Notify: hooks})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		workers = append(workers, s)
	}
	const articles = 15
	var ids []string
	for i := range articles {
		res, err := workers[0].SaveCapture(ctx, storetest.Page("rome", "a"+string(rune('a'+i)), "Title", "Some text of the article.", time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.ArticleID)
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		for _, s := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.RecordGone(ctx, store.Gone{ArticleID: id, Source: "rome", URL: "https://rome.example/x", HTTPStatus: 410, Reason: "410 Gone"}); err != nil {
					t.Errorf("RecordGone: %v", err)
				}
			}()
		}
	}
	wg.Wait()
	for _, id := range ids {
		evs, err := workers[0].Events(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 {
			t.Errorf("article %s: %d events, want one gone: %+v", id, len(evs), evs)
		}
	}
	counts, err := workers[0].NotifyCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c := counts["rome"]; c.Pending != articles {
		t.Errorf("%d gone notifications queued, want %d (one per article)", c.Pending, articles)
	}
}
