package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The store keeps an article's life as it is told: gone since the first
// gone check (one event, the snapshots kept, the validators forgotten),
// back with the capture that says so, moved to a new URL under its ID.
func TestArticleLife(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	first := mustSave(t, s, page("rome", "Rome", "The fall of Rome in 476.", t0))
	id := first.ArticleID

	if err := s.RecordGone(ctx, Gone{ArticleID: "000000000000", Source: "example", Reason: "404 Not Found"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("RecordGone of an unknown article: %v, want ErrNotFound", err)
	}
	for i, at := range []time.Time{t0.Add(time.Hour), t0.Add(2 * time.Hour)} {
		if err := s.RecordGone(ctx, Gone{ArticleID: id, Source: "example", URL: "https://example.com/rome", CapturedAt: at,
			HTTPStatus: 410, Reason: "410 Gone"}); err != nil {
			t.Fatalf("RecordGone %d: %v", i, err)
		}
	}
	a, err := s.Article(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.State != StateGone || a.StateSince == nil || !a.StateSince.Equal(t0.Add(time.Hour)) || a.Snapshots != 1 || a.BodyKey != "" || a.ETag != "" {
		t.Errorf("after two gone checks: %+v", a)
	}
	caps, _ := s.Captures(ctx, CaptureFilter{ArticleID: id})
	if len(caps) != 3 || caps[0].Outcome != OutcomeGone || caps[0].HTTPStatus != 410 || caps[0].Error != "410 Gone" {
		t.Errorf("captures %+v", caps)
	}

	// Back with the same text, at a new URL: no snapshot, one capture.
	p := page("rome-476", "Rome", "The fall of Rome in 476.", t0.Add(3*time.Hour))
	p.ArticleID, p.Judged, p.Same, p.Back, p.MovedFrom = id, first.SnapshotID, true, true, "https://example.com/rome"
	res := mustSave(t, s, p)
	if res.Outcome != OutcomeBack || res.ArticleID != id || res.SnapshotID != "" {
		t.Errorf("back: %+v", res)
	}
	a, _ = s.Article(ctx, id)
	if a.State != StateBack || !a.StateSince.Equal(t0.Add(3*time.Hour)) || a.URL != "https://example.com/rome-476" || a.Snapshots != 1 {
		t.Errorf("after the return: %+v", a)
	}
	for _, u := range []string{"https://example.com/rome", "https://example.com/rome-476"} {
		if got, err := s.ResolveArticle(ctx, u); err != nil || got.ID != id {
			t.Errorf("%s resolves to %v, %v; want %s", u, got, err, id)
		}
	}
	evs, _ := s.Events(ctx, id)
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	if len(kinds) != 3 || kinds[0] != EventGone || kinds[1] != EventMoved || kinds[2] != EventBack || evs[1].Detail != "https://example.com/rome" {
		t.Errorf("events %+v", evs)
	}
	recent, _ := s.RecentEvents(ctx, "example", 2)
	if len(recent) != 2 || recent[0].At.Before(recent[1].At) {
		t.Errorf("recent events %+v", recent)
	}
}
