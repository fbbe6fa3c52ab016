package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSnapshotInfosAndText(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	r1 := mustSave(t, s, page("a", "First", "one two three", t0))
	mustSave(t, s, page("a", "First", "one two three", t0.Add(time.Hour))) // unchanged
	r2 := mustSave(t, s, page("a", "First", "one two four five", t0.Add(2*time.Hour)))
	infos, err := s.SnapshotInfos(ctx, r1.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[0].ID != r1.SnapshotID || infos[1].ID != r2.SnapshotID {
		t.Fatalf("infos = %+v", infos)
	}
	if infos[1].Words != 4 || infos[0].Title != "First" || !infos[0].CapturedAt.Equal(t0) {
		t.Errorf("info fields wrong: %+v", infos[1])
	}
	text, err := s.SnapshotText(ctx, r2.SnapshotID)
	if err != nil || text != "one two four five" {
		t.Errorf("SnapshotText = %q, %v", text, err)
	}
	if _, err := s.SnapshotText(ctx, r2.ArticleID+"/19990101000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing snapshot: %v", err)
	}
	if _, err := s.SnapshotInfos(ctx, "000000000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown article: %v", err)
	}
}

func TestArticlePageFiltersAndCounts(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	for i, slug := range []string{"a", "b", "c", "d"} {
		mustSave(t, s, page(slug, slug, "text of "+slug, t0.Add(time.Duration(i)*24*time.Hour)))
	}
	arts, total, err := s.ArticlePage(ctx, ArticleQuery{Source: "example", Limit: 2, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	if total != 4 || len(arts) != 2 || arts[0].Title != "c" || arts[1].Title != "b" {
		t.Fatalf("page = %d %+v", total, arts)
	}
	from, to := t0.Add(24*time.Hour), t0.Add(3*24*time.Hour)
	arts, total, err = s.ArticlePage(ctx, ArticleQuery{From: &from, To: &to})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(arts) != 2 || arts[0].Title != "c" {
		t.Fatalf("range = %d %+v", total, arts)
	}
	if _, total, _ := s.ArticlePage(ctx, ArticleQuery{Source: "nope"}); total != 0 {
		t.Errorf("unknown source total %d", total)
	}
}

func TestChangesNewestFirst(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	mustSave(t, s, page("a", "A", "alpha", t0))
	mustSave(t, s, page("b", "B", "beta", t0.Add(time.Minute)))
	mustSave(t, s, page("a", "A", "alpha", t0.Add(2*time.Minute))) // unchanged: not a change
	mustSave(t, s, page("a", "A2", "alpha gamma", t0.Add(3*time.Minute)))
	ch, err := s.Changes(ctx, ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 3 {
		t.Fatalf("changes = %+v", ch)
	}
	if ch[0].Outcome != OutcomeRevised || ch[0].Title != "A2" || ch[1].Outcome != OutcomeNew || ch[1].Title != "B" {
		t.Errorf("order/outcomes wrong: %+v", ch)
	}
	if ch[0].Source != "example" || ch[0].URL != "https://example.com/a" {
		t.Errorf("source/url: %+v", ch[0])
	}
	if ch, _ := s.Changes(ctx, ChangeFilter{Limit: 1}); len(ch) != 1 {
		t.Errorf("limit ignored: %d", len(ch))
	}
	if ch, _ := s.Changes(ctx, ChangeFilter{Source: "other"}); len(ch) != 0 {
		t.Errorf("source filter ignored: %d", len(ch))
	}
}

func TestStatsCountsByOutcome(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	mustSave(t, s, page("a", "A", "alpha", t0))
	mustSave(t, s, page("a", "A", "alpha", t0.Add(time.Minute)))
	mustSave(t, s, page("a", "A", "alpha beta", t0.Add(2*time.Minute)))
	if err := s.RecordCapture(ctx, Capture{Source: "example", URL: "https://example.com/x", CapturedAt: t0, Outcome: OutcomeError, Error: "boom"}); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != 1 || st.Snapshots != 2 {
		t.Errorf("counts %+v", st)
	}
	got := map[string]int{}
	for _, c := range st.Captures {
		got[c.Source+"/"+c.Outcome] = c.N
	}
	want := map[string]int{"example/new": 1, "example/unchanged": 1, "example/revised": 1, "example/error": 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("captures %s = %d, want %d (all %v)", k, got[k], v, got)
		}
	}
	if err := s.Ping(ctx); err != nil {
		t.Error(err)
	}
}

func TestSourceNames(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	if err := s.SyncSources(ctx, []Source{{Name: "b", Title: "Bee", Feed: "https://b.example/feed"}, {Name: "a", Title: "Ay"}}); err != nil {
		t.Fatal(err)
	}
	srcs, err := s.SourceNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 || srcs[0].Name != "a" || srcs[1].Title != "Bee" || srcs[1].Feed != "https://b.example/feed" {
		t.Errorf("SourceNames = %+v", srcs)
	}
}
