package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"annalist/internal/store"
)

// testOrderWithinSecond: two writers (a daemon and a fetch, two
// PostgreSQL workers) save captures of one article taken within one
// second, the earlier one last. Snapshot IDs and captured_at are seconds,
// so only the captures' full times tell which came first: a late copy of
// the state before is no new revision (no phantom revert A, B, A), and a
// late new state is stored before the newer snapshot, never in effect
// after it although its ID had to move on to the next second.
func testOrderWithinSecond(t *testing.T, ix store.Index) {
	ctx := context.Background()
	sec := t0.Add(4 * time.Hour) // a whole second
	// The site went A → B; B's capture (at .7) was stored before A's (at .3).
	a := save(t, ix, Page("news", "revert", "T", "version A of the page.", sec.Add(-time.Minute)))
	b := save(t, ix, Page("news", "revert", "T", "version B of the page.", sec.Add(700*time.Millisecond)))
	if b.Outcome != store.OutcomeRevised {
		t.Fatalf("B: %+v", b)
	}
	if late := save(t, ix, Page("news", "revert", "T", "version A of the page.", sec.Add(300*time.Millisecond))); late.Outcome != store.OutcomeUnchanged {
		t.Errorf("late copy of A captured before B in B's second: outcome %s (snapshot %s), want unchanged", late.Outcome, late.SnapshotID)
	}
	if ids := snapshotIDs(t, ix, a.ArticleID); ids != a.SnapshotID+" "+b.SnapshotID {
		t.Errorf("snapshots %s, want A then B (no phantom revert)", ids)
	}

	// The site went C → D → E; D (at .3) was stored after E (at .7).
	c := save(t, ix, Page("news", "late", "T", "version C of the page.", sec.Add(-time.Minute)))
	pe := Page("news", "late", "T", "version E of the page.", sec.Add(700*time.Millisecond))
	pe.ETag = `"e"`
	e := save(t, ix, pe)
	pd := Page("news", "late", "T", "version D of the whole page.", sec.Add(300*time.Millisecond))
	pd.ETag = `"d"`
	d := save(t, ix, pd)
	if d.Outcome != store.OutcomeRevised || d.SnapshotID == e.SnapshotID || !strings.HasSuffix(d.SnapshotID, sec.Add(time.Second).Format("20060102150405")) {
		t.Fatalf("late D: %+v, want a revision under the next free second", d)
	}
	id := c.ArticleID
	if ids := snapshotIDs(t, ix, id); ids != c.SnapshotID+" "+d.SnapshotID+" "+e.SnapshotID {
		t.Errorf("snapshots %s, want C, D, E: the order they were captured in", ids)
	}
	infos, err := ix.SnapshotInfos(ctx, id)
	if err != nil || len(infos) != 3 || infos[1].ID != d.SnapshotID || !infos[1].CapturedExact.Equal(sec.Add(300*time.Millisecond)) ||
		!infos[2].CapturedExact.Equal(sec.Add(700*time.Millisecond)) || !infos[1].CapturedAt.Equal(sec.Add(time.Second)) {
		t.Fatalf("SnapshotInfos = %+v, %v; want C, D, E with their full capture times, D's captured_at its ID's second", infos, err)
	}
	if latest, err := ix.LatestSnapshot(ctx, id); err != nil || latest.ID != e.SnapshotID {
		t.Errorf("LatestSnapshot = %v, %v; want E", latest, err)
	}
	if art, err := ix.Article(ctx, id); err != nil || art.Snapshots != 3 || art.ETag != `"e"` {
		t.Errorf("Article = %+v, %v; want 3 snapshots and the validators of E, the newer capture", art, err)
	}
	// In effect at a time: E from its second on (a citation names it), C
	// before; D, which E replaced within the same second, never at a
	// whole second, although its ID names the one after E's.
	for _, at := range []struct {
		t    time.Time
		want string
	}{
		{sec.Add(-time.Second), c.SnapshotID},
		{sec, e.SnapshotID},
		{sec.Add(time.Second), e.SnapshotID},
		{sec.Add(time.Hour), e.SnapshotID},
	} {
		if got, err := ix.SnapshotAt(ctx, id, at.t); err != nil || got.ID != at.want {
			t.Errorf("SnapshotAt(%s) = %v, %v; want %s", at.t.Format(time.RFC3339), got, err, at.want)
		}
		if got, ok := store.InEffect(infos, at.t); !ok || got.ID != at.want {
			t.Errorf("InEffect(%s) = %s; want %s", at.t.Format(time.RFC3339), got.ID, at.want)
		}
	}
	if got, ok := store.InEffect(infos, sec.Add(-time.Hour)); ok {
		t.Errorf("InEffect before the first snapshot = %s", got.ID)
	}
	// Later captures are judged against what was in effect when taken.
	if r := save(t, ix, Page("news", "late", "T", "version E of the page.", sec.Add(2*time.Second))); r.Outcome != store.OutcomeUnchanged {
		t.Errorf("E again after D was stored: %+v, want unchanged", r)
	}
	if r := save(t, ix, Page("news", "late", "T", "version D of the whole page.", sec.Add(500*time.Millisecond))); r.Outcome != store.OutcomeUnchanged {
		t.Errorf("D again, captured between D and E: %+v, want unchanged", r)
	}
	if err := ix.FillWordChanges(ctx, infos); err != nil {
		t.Fatal(err)
	}
	if ch := infos[2].Changes; ch == nil || ch.Added != 1 || ch.Removed != 2 {
		t.Errorf("word changes of E: %+v, want against D (1 word added, 2 removed)", ch)
	}
	// The check that stored D is dated, as every snapshot's, at the second
	// its ID names (history lists it beside the snapshot).
	caps, err := ix.Captures(ctx, store.CaptureFilter{ArticleID: id})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, cp := range caps {
		if cp.SnapshotID == d.SnapshotID {
			found = true
			if !cp.CapturedAt.Equal(sec.Add(time.Second)) {
				t.Errorf("the capture that stored D is dated %s, want its ID's second", cp.CapturedAt.Format(time.RFC3339Nano))
			}
		}
	}
	if !found {
		t.Errorf("no capture names D: %+v", caps)
	}
}

func snapshotIDs(t *testing.T, ix store.Index, articleID string) string {
	t.Helper()
	snaps, err := ix.Snapshots(context.Background(), articleID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range snaps {
		ids = append(ids, s.ID)
	}
	return strings.Join(ids, " ")
}

// testLateCheckLeavesBodyKey: a capture older than the latest snapshot
// (stored late by a second writer) that finds the state in effect when it
// was taken stores nothing, and must not make its body key the article's
// either: Article.BodyKey says which raw page extracts to the latest
// snapshot's state, and a re-check whose key equals it is recorded as
// unchanged without extraction. With the late A's key kept, the site
// going back from B to A's very bytes would be recorded as unchanged
// against B: a revision lost. Within B's second (the orderS case) and
// across seconds.
func testLateCheckLeavesBodyKey(t *testing.T, ix store.Index) {
	ctx := context.Background()
	sec := t0.Add(5 * time.Hour)
	for _, tc := range []struct {
		slug string
		late time.Time // A's late capture, before B's at sec+.7
	}{
		{"late-key-same-second", sec.Add(300 * time.Millisecond)},
		{"late-key-seconds-before", sec.Add(-30 * time.Second)},
	} {
		pa := Page("news", tc.slug, "T", "version A of the page.", sec.Add(-time.Minute))
		pa.BodyKey = "key-A"
		a := save(t, ix, pa)
		pb := Page("news", tc.slug, "T", "version B of the page.", sec.Add(700*time.Millisecond))
		pb.BodyKey = "key-B"
		if b := save(t, ix, pb); b.Outcome != store.OutcomeRevised {
			t.Fatalf("%s: B: %+v", tc.slug, b)
		}
		late := Page("news", tc.slug, "T", "version A of the page.", tc.late)
		late.BodyKey = "key-A"
		if r := save(t, ix, late); r.Outcome != store.OutcomeUnchanged {
			t.Fatalf("%s: late A: %+v, want unchanged", tc.slug, r)
		}
		art, err := ix.Article(ctx, a.ArticleID)
		if err != nil {
			t.Fatal(err)
		}
		if art.BodyKey == "key-A" {
			t.Errorf("%s: after a late check of A, the article's body key is A's although its latest snapshot is B", tc.slug)
		}
		// The site goes back to A's bytes: the re-check must not be
		// recorded as unchanged (against B) without extraction.
		err = ix.RecordUnchanged(ctx, store.Unchanged{ArticleID: a.ArticleID, Source: "news", URL: art.URL,
			CapturedAt: sec.Add(time.Hour), BodyKey: "key-A", HTTPStatus: 200})
		if !errors.Is(err, store.ErrBodyKeyStale) {
			t.Errorf("%s: a re-check finding A's bytes after B: RecordUnchanged = %v, want ErrBodyKeyStale", tc.slug, err)
		}
	}
}

// testCapturesInCaptureOrder: one article's checks are listed in the order
// they were taken, whichever writer recorded them first, and a check that
// stored a snapshot (dated at the snapshot's second) by the snapshot's
// full capture time.
func testCapturesInCaptureOrder(t *testing.T, ix store.Index) {
	ctx := context.Background()
	sec := t0.Add(5 * time.Hour)
	a := save(t, ix, Page("news", "checks", "T", "version A of the page.", sec))
	save(t, ix, Page("news", "checks", "T", "version A of the page.", sec.Add(2*time.Minute)))
	// A check taken before the one just recorded (another writer's).
	save(t, ix, Page("news", "checks", "T", "version A of the page.", sec.Add(time.Minute)))
	b := save(t, ix, Page("news", "checks", "T", "version B of the page.", sec.Add(3*time.Minute+800*time.Millisecond)))
	if b.Outcome != store.OutcomeRevised {
		t.Fatalf("B: %+v", b)
	}
	// Taken in B's second before B, recorded after it: A was in effect.
	if r := save(t, ix, Page("news", "checks", "T", "version A of the page.", sec.Add(3*time.Minute+300*time.Millisecond))); r.Outcome != store.OutcomeUnchanged {
		t.Fatalf("late check of A in B's second: %+v", r)
	}
	caps, err := ix.Captures(ctx, store.CaptureFilter{ArticleID: a.ArticleID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range caps {
		got = append(got, c.Outcome+"@"+c.CapturedAt.Sub(sec).String())
	}
	want := []string{"revised@3m0s", "unchanged@3m0.3s", "unchanged@2m0s", "unchanged@1m0s", "new@0s"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("captures of the article, newest first:\n got %v\nwant %v (B, stored under its second, was taken last)", got, want)
	}
}

// testLateSnapshotListings: a snapshot stored late (captured earlier in a
// second than a newer one another writer stored first, its ID and date
// moved on to the next second) is never listed as the most recent: the
// changes, newest first, go by full capture times (then seq), across
// articles too; the capture log likewise. A listing since a date still
// finds its article by the date the snapshot is shown at.
func testLateSnapshotListings(t *testing.T, ix store.Index) {
	ctx := context.Background()
	sec := t0.Add(6 * time.Hour)
	c := save(t, ix, Page("news", "listed", "T", "version C of the page.", sec.Add(-time.Minute)))
	e := save(t, ix, Page("news", "listed", "T", "version E of the page.", sec.Add(700*time.Millisecond)))
	n := save(t, ix, Page("news", "neighbour", "N", "another article.", sec.Add(500*time.Millisecond)))
	d := save(t, ix, Page("news", "listed", "T", "version D of the whole page.", sec.Add(300*time.Millisecond)))
	if d.Outcome != store.OutcomeRevised || !strings.HasSuffix(d.SnapshotID, sec.Add(time.Second).Format("20060102150405")) {
		t.Fatalf("late D: %+v, want a revision under the next free second", d)
	}
	want := []string{e.SnapshotID, n.SnapshotID, d.SnapshotID, c.SnapshotID}
	for _, f := range []store.ChangeFilter{{}, {Source: "news"}, {Limit: 1}, {Limit: 2}, {Limit: 3}} {
		changes, err := ix.Changes(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ch := range changes {
			got = append(got, ch.ID)
		}
		w := want
		if f.Limit > 0 {
			w = want[:f.Limit]
		}
		if strings.Join(got, " ") != strings.Join(w, " ") {
			t.Errorf("Changes(%+v), newest first:\n got %v\nwant %v (E, the neighbour, then D, captured before both)", f, got, w)
		}
	}
	caps, err := ix.Captures(ctx, store.CaptureFilter{Source: "news"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, cp := range caps {
		got = append(got, cp.SnapshotID)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Captures(news), newest first:\n got %v\nwant %v", got, want)
	}
	// history shows D at sec+1: a listing since then has its article,
	// though its last capture (E, at sec+.7) was before.
	since := sec.Add(time.Second)
	arts, err := ix.Articles(ctx, store.ArticleFilter{Since: &since})
	if err != nil || len(arts) != 1 || arts[0].ID != c.ArticleID {
		t.Errorf("Articles(since D's date) = %+v, %v; want the article of D alone", arts, err)
	}
	since = sec.Add(2 * time.Second)
	if arts, err := ix.Articles(ctx, store.ArticleFilter{Since: &since}); err != nil || len(arts) != 0 {
		t.Errorf("Articles(since after every capture) = %+v, %v; want none", arts, err)
	}
}
