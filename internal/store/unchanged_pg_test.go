package store_test

import (
	"context"
	"testing"
	"time"

	"annalist/internal/pgtest"
	"annalist/internal/store"
	"annalist/internal/store/storetest"
)

// The rows a re-check sends without waiting (store.Store.SendUnchanged),
// unchanged and not modified, are written on PostgreSQL as on SQLite.
func TestSendUnchangedPostgres(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, t.TempDir(), store.Options{NoSync: true, Database: pgtest.NewDatabase(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	p := storetest.Page("rome", "su", "Title", "Some text of the article.", t0)
	p.BodyKey = "key-su"
	res, err := s.SaveCapture(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	next := t0.Add(48 * time.Hour)
	unchanged := s.SendUnchanged(ctx, store.Unchanged{ArticleID: res.ArticleID, Source: "rome", URL: p.FetchURL,
		CapturedAt: t0.Add(time.Hour), BodyKey: "key-su", NextCheckAt: &next, HTTPStatus: 200})
	notModified := s.SendUnchanged(ctx, store.Unchanged{NotModified: true, ArticleID: res.ArticleID, Source: "rome", URL: p.FetchURL,
		CapturedAt: t0.Add(2 * time.Hour), NextCheckAt: &next, HTTPStatus: 304})
	if err := unchanged(); err != nil {
		t.Fatalf("unchanged: %v", err)
	}
	if err := notModified(); err != nil {
		t.Fatalf("not modified: %v", err)
	}
	caps, err := s.Captures(ctx, store.CaptureFilter{ArticleID: res.ArticleID})
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 3 || caps[0].Outcome != store.OutcomeNotModified || !caps[0].CapturedAt.Equal(t0.Add(2*time.Hour)) ||
		caps[1].Outcome != store.OutcomeUnchanged || !caps[1].CapturedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("captures %+v, want new, unchanged at +1h, not modified at +2h", caps)
	}
	a, err := s.Article(ctx, res.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	if !a.LastCapturedAt.Equal(t0.Add(2*time.Hour)) || a.NextCheckAt == nil || !a.NextCheckAt.Equal(next) || a.BodyKey != "key-su" {
		t.Fatalf("article %+v", a)
	}
}
