package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSaveCaptureRemembersBodyKey(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	save := func(text, key string, at time.Time) *SaveResult {
		p := page("bk", "T", text, at)
		p.BodyKey = key
		return mustSave(t, s, p)
	}
	key := func(id string) string {
		a, err := s.Article(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a.BodyKey
	}
	res := save("first text", "k1", t0)
	if res.Outcome != OutcomeNew || key(res.ArticleID) != "k1" {
		t.Fatalf("new: %+v, body key %q, want k1", res, key(res.ArticleID))
	}
	if res := save("first text", "k2", t0.Add(time.Hour)); res.Outcome != OutcomeUnchanged || key(res.ArticleID) != "k2" {
		t.Fatalf("unchanged: %+v, body key %q, want k2", res, key(res.ArticleID))
	}
	if res := save("second text", "k3", t0.Add(2*time.Hour)); res.Outcome != OutcomeRevised || key(res.ArticleID) != "k3" {
		t.Fatalf("revised: %+v, body key %q, want k3", res, key(res.ArticleID))
	}
	// A snapshot older than the latest does not describe the article now.
	if res := save("older text", "k4", t0.Add(30*time.Minute)); res.Outcome != OutcomeRevised || key(res.ArticleID) != "" {
		t.Fatalf("backdated revision: %+v, body key %q, want cleared", res, key(res.ArticleID))
	}
	if arts, _ := s.Articles(ctx, ArticleFilter{}); len(arts) != 1 || arts[0].BodyKey != "" {
		t.Fatalf("Articles does not read body_key: %+v", arts)
	}
}

func TestRecordUnchanged(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	p := page("ru", "T", "text", t0)
	p.BodyKey = "key"
	res := mustSave(t, s, p)
	id := res.ArticleID
	next := t0.Add(48 * time.Hour)
	at := t0.Add(time.Hour)
	u := Unchanged{ArticleID: id, Source: "example", URL: "https://example.com/ru", CapturedAt: at,
		BodyKey: "key", NextCheckAt: &next, ETag: `"v2"`, LastModified: "Wed, 31 Jan 2024 09:00:00 GMT"}
	if err := s.RecordUnchanged(ctx, u); err != nil {
		t.Fatal(err)
	}
	a, err := s.Article(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.LastCapturedAt == nil || !a.LastCapturedAt.Equal(at) || a.NextCheckAt == nil || !a.NextCheckAt.Equal(next) ||
		a.ETag != u.ETag || a.LastModified != u.LastModified || a.BodyKey != "key" || a.Snapshots != 1 {
		t.Fatalf("article after RecordUnchanged: %+v", a)
	}
	caps, err := s.Captures(ctx, CaptureFilter{ArticleID: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 2 || caps[0].Outcome != OutcomeUnchanged || caps[0].SnapshotID != "" || caps[0].URL != u.URL ||
		!caps[0].CapturedAt.Equal(at) || caps[0].Source != "example" {
		t.Fatalf("captures = %+v", caps)
	}

	// Another source's capture of the article: its source is created.
	other := u
	other.Source, other.CapturedAt = "manual", at.Add(time.Minute)
	if err := s.RecordUnchanged(ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Source(ctx, "manual"); err != nil {
		t.Fatalf("source of the capture: %v", err)
	}

	// A key that is no longer the article's: nothing is written.
	stale := u
	stale.BodyKey, stale.CapturedAt = "other", at.Add(time.Hour)
	if err := s.RecordUnchanged(ctx, stale); !errors.Is(err, ErrBodyKeyStale) {
		t.Fatalf("stale key: err = %v, want ErrBodyKeyStale", err)
	}
	unknown := u
	unknown.ArticleID = "000000000000"
	if err := s.RecordUnchanged(ctx, unknown); !errors.Is(err, ErrBodyKeyStale) {
		t.Fatalf("unknown article: err = %v, want ErrBodyKeyStale", err)
	}
	if caps, _ := s.Captures(ctx, CaptureFilter{}); len(caps) != 3 {
		t.Fatalf("captures after stale calls = %d, want 3", len(caps))
	}
	if a, _ := s.Article(ctx, id); !a.LastCapturedAt.Equal(other.CapturedAt) {
		t.Fatalf("stale call moved last_captured_at to %v", a.LastCapturedAt)
	}
	if err := s.RecordUnchanged(ctx, Unchanged{ArticleID: id, Source: "example"}); err == nil {
		t.Fatal("RecordUnchanged accepted an empty body key")
	}
}

// A re-check that finds the same bytes records the revision date those
// bytes declare, as a full re-check would: the timeline must not show
// "no revision date" for a page that states one.
func TestRecordUnchangedKeepsDeclaredRevisionDate(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	p := page("rd", "T", "text", t0)
	p.BodyKey = "key"
	rev := time.Date(2024, 1, 30, 0, 0, 0, 0, time.UTC)
	p.RevisionDate = &rev
	res := mustSave(t, s, p)
	for i := 1; i <= 2; i++ {
		if err := s.RecordUnchanged(ctx, Unchanged{ArticleID: res.ArticleID, Source: "example", URL: "https://example.com/rd",
			CapturedAt: t0.Add(time.Duration(i) * time.Hour), BodyKey: "key", HTTPStatus: 200}); err != nil {
			t.Fatal(err)
		}
	}
	caps, err := s.Captures(ctx, CaptureFilter{ArticleID: res.ArticleID})
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 3 {
		t.Fatalf("%d captures, want 3", len(caps))
	}
	for _, c := range caps {
		if c.RevisionDate == nil || !c.RevisionDate.Equal(rev) {
			t.Errorf("%s capture at %s: revision date %v, want %s", c.Outcome, c.CapturedAt, c.RevisionDate, rev)
		}
	}
}
