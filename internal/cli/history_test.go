package cli_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"annalist/internal/demosite"
	"annalist/internal/store"
	"annalist/internal/store/storetest"
)

// history --captures lists every check, identical ones folded, in text
// and as the documented JSON.
func TestHistoryCaptures(t *testing.T) {
	f := newFixture(t)
	var fetched struct{}
	f.runJSON(&fetched, "fetch", "--json")
	f.runJSON(&fetched, "fetch", "--recheck", "all", "--json")
	f.runJSON(&fetched, "fetch", "--recheck", "all", "--json")
	ref := f.base + demosite.Path(sample)

	out, _, _ := f.run("history", ref, "--captures", "--json")
	if got, want := keys(t, out), sorted("snapshots", "captures"); !reflect.DeepEqual(got, want) {
		t.Fatalf("history --captures --json keys = %v, want %v", got, want)
	}
	var h struct {
		Snapshots []struct{ ID string }
		Captures  []struct {
			Time, Outcome, Snapshot, Error string
			HTTPStatus                     *int    `json:"http_status"`
			RevisionDate                   *string `json:"revision_date"`
			Count                          int
			Until                          *string
		}
	}
	f.runJSON(&h, "history", ref, "--captures", "--json")
	if len(h.Snapshots) != 1 || len(h.Captures) != 2 {
		t.Fatalf("history --captures = %+v, want one snapshot and two runs of checks", h)
	}
	first, later := h.Captures[0], h.Captures[1]
	if first.Outcome != "new" || first.Snapshot != h.Snapshots[0].ID || first.HTTPStatus == nil || *first.HTTPStatus != 200 || first.Count != 0 || first.Until != nil {
		t.Errorf("first check = %+v", first)
	}
	if later.Outcome != "not-modified" || later.HTTPStatus == nil || *later.HTTPStatus != 304 || later.Count != 2 || later.Until == nil || *later.Until < later.Time {
		t.Errorf("folded re-checks = %+v", later)
	}

	text, _, code := f.run("history", ref, "--captures")
	if code != 0 || !strings.Contains(text, "not-modified ×2") || !strings.Contains(text, " … ") || !strings.Contains(text, "304") {
		t.Fatalf("history --captures text:\n%s", text)
	}
	// Without --captures the JSON contract is unchanged: an array.
	if out, _, _ := f.run("history", ref, "--json"); !strings.HasPrefix(strings.TrimSpace(out), "[") {
		t.Fatalf("history --json is no longer an array: %s", out)
	}
}

// lateSnapshotArchive is an archive with one article captured as C, then
// E at sec+.7 and D at sec+.3, D stored last (two writers): D's ID and
// date moved on to sec+1, after E's.
func lateSnapshotArchive(t *testing.T, sec time.Time) (f *fixture, c, d, e *store.SaveResult) {
	t.Helper()
	f, st := storeFixture(t)
	save := func(text string, at time.Time) *store.SaveResult {
		res, err := st.SaveCapture(context.Background(), storetest.Page("news", "late", "Late", text, at))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	c = save("version C of the page.", sec.Add(-time.Minute))
	e = save("version E of the page.", sec.Add(700*time.Millisecond))
	d = save("version D of the whole page.", sec.Add(300*time.Millisecond))
	if d.SnapshotID != c.ArticleID+"/"+sec.Add(time.Second).Format("20060102150405") {
		t.Fatalf("late D stored as %s", d.SnapshotID)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return f, c, d, e
}

// A snapshot stored late is in its place in history (D before E, though
// dated after it) and E is the latest; list --since D's date finds the
// article, as history shows a snapshot then.
func TestLateSnapshotInHistoryAndList(t *testing.T) {
	sec := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	f, c, d, e := lateSnapshotArchive(t, sec)
	var hist []struct {
		ID         string
		CapturedAt string `json:"captured_at"`
	}
	f.runJSON(&hist, "history", c.ArticleID, "--json")
	var got []string
	for _, h := range hist {
		got = append(got, h.ID+"@"+h.CapturedAt)
	}
	want := []string{c.SnapshotID + "@2024-03-01T11:59:00Z", d.SnapshotID + "@2024-03-01T12:00:01Z", e.SnapshotID + "@2024-03-01T12:00:00Z"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("history --json, oldest first:\n got %v\nwant %v (the order captured; D dated by its ID)", got, want)
	}
	var shown struct{ ID string }
	f.runJSON(&shown, "show", c.ArticleID, "--format", "json")
	if shown.ID != e.SnapshotID {
		t.Errorf("show (the latest) = %s, want E %s", shown.ID, e.SnapshotID)
	}
	for _, tc := range []struct {
		since string
		want  int
	}{
		{"2024-03-01T12:00:00Z", 1},
		{"2024-03-01T12:00:01Z", 1}, // D's date, after E's full time
		{"2024-03-01T12:00:02Z", 0},
	} {
		var arts []struct{ ID string }
		f.runJSON(&arts, "list", "--since", tc.since, "--json")
		if len(arts) != tc.want {
			t.Errorf("list --since %s = %+v, want %d article(s)", tc.since, arts, tc.want)
		}
	}
}
