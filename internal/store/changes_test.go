package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

func changesOf(t *testing.T, s *Store, articleID string) []*WordChanges {
	t.Helper()
	infos, err := s.SnapshotInfos(context.Background(), articleID)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*WordChanges, len(infos))
	for i, si := range infos {
		out[i] = si.Changes
	}
	return out
}

func TestSaveCaptureStoresWordChanges(t *testing.T) {
	s := MustOpen(t)
	res := mustSave(t, s, page("wc", "T", "one two three four", t0))
	mustSave(t, s, page("wc", "T", "one 2 three four five six", t0.Add(time.Hour)))
	got := changesOf(t, s, res.ArticleID)
	if len(got) != 2 || got[0] != nil || got[1] == nil || *got[1] != (WordChanges{Added: 3, Removed: 1}) {
		t.Fatalf("changes = %v, want [nil {3 1}]", fmtChanges(got))
	}
}

func fmtChanges(cs []*WordChanges) []any {
	var out []any
	for _, c := range cs {
		if c == nil {
			out = append(out, nil)
		} else {
			out = append(out, *c)
		}
	}
	return out
}

// A late capture stored between two snapshots becomes the predecessor of
// the later one: that one's counts are forgotten, and FillWordChanges
// computes both against their real predecessors, once.
func TestLateSnapshotResetsWordChangesAndFillComputesThem(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	res := mustSave(t, s, page("late", "T", "a b c", t0))
	mustSave(t, s, page("late", "T", "a b c d e f", t0.Add(2*time.Hour)))
	mustSave(t, s, page("late", "T", "a b", t0.Add(time.Hour))) // late
	got := changesOf(t, s, res.ArticleID)
	if len(got) != 3 || got[1] != nil || got[2] != nil {
		t.Fatalf("changes after the late capture = %v, want [nil nil nil]", fmtChanges(got))
	}
	infos, err := s.SnapshotInfos(ctx, res.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FillWordChanges(ctx, infos); err != nil {
		t.Fatal(err)
	}
	want := []WordChanges{{}, {Added: 0, Removed: 1}, {Added: 4, Removed: 0}}
	for i := 1; i < 3; i++ {
		if infos[i].Changes == nil || *infos[i].Changes != want[i] {
			t.Fatalf("filled changes[%d] = %v, want %v", i, infos[i].Changes, want[i])
		}
	}
	got = changesOf(t, s, res.ArticleID) // read back: persisted
	for i := 1; i < 3; i++ {
		if got[i] == nil || *got[i] != want[i] {
			t.Fatalf("stored changes[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestCapturesRecordHTTPStatus(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	p := page("st", "T", "text", t0)
	p.BodyKey = "k1"
	res := mustSave(t, s, p) // StatusCode 200
	if err := s.RecordUnchanged(ctx, Unchanged{ArticleID: res.ArticleID, Source: "example", URL: "https://example.com/st",
		CapturedAt: t0.Add(time.Hour), BodyKey: "k1", HTTPStatus: 203}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordCapture(ctx, Capture{ArticleID: res.ArticleID, Source: "example", URL: "https://example.com/st",
		CapturedAt: t0.Add(2 * time.Hour), Outcome: OutcomeError, Error: "fetch: 410 Gone", HTTPStatus: 410}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordCapture(ctx, Capture{ArticleID: res.ArticleID, Source: "example", URL: "https://example.com/st",
		CapturedAt: t0.Add(3 * time.Hour), Outcome: OutcomeError, Error: "dial: refused"}); err != nil {
		t.Fatal(err)
	}
	caps, err := s.Captures(ctx, CaptureFilter{ArticleID: res.ArticleID})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, c := range caps {
		got = append(got, c.HTTPStatus)
	}
	if len(got) != 4 || got[0] != 0 || got[1] != 410 || got[2] != 203 || got[3] != 200 {
		t.Fatalf("statuses newest first = %v, want [0 410 203 200]", got)
	}
}

// An archive from before migration 0004 opens, and its snapshots get
// their word changes on demand.
func TestMigratesAVersion2ArchiveWordChanges(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	res := mustSave(t, s, page("old", "T", "old words here", t0))
	mustSave(t, s, page("old", "T", "new words here now", t0.Add(time.Hour)))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Back to what a version-2 archive holds: no counts.
	db, err := sql.Open("sqlite", filepath.Join(dir, "annalist.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE snapshots SET words_added = NULL, words_removed = NULL`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s = MustOpenDir(t, dir, Options{NoSync: true})
	infos, err := s.SnapshotInfos(ctx, res.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	if infos[1].Changes != nil {
		t.Fatalf("changes before filling = %v", *infos[1].Changes)
	}
	if err := s.FillWordChanges(ctx, infos); err != nil {
		t.Fatal(err)
	}
	if got := changesOf(t, s, res.ArticleID)[1]; got == nil || *got != (WordChanges{Added: 2, Removed: 1}) {
		t.Fatalf("changes = %v, want {2 1}", got)
	}
}
