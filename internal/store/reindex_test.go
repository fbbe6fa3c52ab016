package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// archiveState is what must come back whole from WARC: every snapshot
// with its bodies, the articles and the search results.
func archiveState(t *testing.T, s *Store, queries []string) (map[string]Snapshot, map[string]string, map[string][]string) {
	t.Helper()
	ctx := context.Background()
	arts, err := s.Articles(ctx, ArticleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	snaps := map[string]Snapshot{}
	articles := map[string]string{}
	for _, a := range arts {
		got, err := s.Snapshots(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, sn := range got {
			snaps[sn.ID] = sn
		}
		articles[a.ID] = fmt.Sprintf("%s|%s|%s|%d|%v|%s|%v|%s", a.Source, a.URL, a.Title, a.Snapshots, a.FirstSeen, fmtTimePtr(a.LatestRevisionDate), a.URLs, a.DeclaredCanonical)
	}
	search := map[string][]string{}
	for _, q := range queries {
		for _, latest := range []bool{false, true} {
			hits, err := s.Search(ctx, q, SearchOptions{LatestOnly: latest})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, h := range hits {
				ids = append(ids, h.SnapshotID+" "+h.Snippet)
			}
			search[fmt.Sprintf("%s latest=%v", q, latest)] = ids
		}
	}
	return snaps, articles, search
}

// TestReindexFromWARCRebuildsTheDatabase: archive pages (revisions, a
// revert, two snapshots in one second, two WARC files), delete annalist.db,
// rebuild it from WARC, and compare every snapshot, article and search.
func TestReindexFromWARCRebuildsTheDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true, WARCMaxSize: 4 << 10})
	rev := t0.Add(-time.Hour)
	for i := range 6 {
		p := page(fmt.Sprintf("art%d", i), fmt.Sprintf("Article %d", i), fmt.Sprintf("the plague reached harbour %d in spring", i), t0.Add(time.Duration(i)*time.Minute))
		p.RevisionDate, p.PublishedDate = &rev, &rev
		p.OtherURLs = []string{fmt.Sprintf("https://example.com/old/%d", i)}
		if i == 2 {
			p.DeclaredCanonical = "https://origin.example/original-2" // a syndicated copy
		}
		mustSave(t, s, p)
	}
	texts := []string{"first wording of the chronicle", "second wording of the chronicle", "first wording of the chronicle"}
	for i, text := range texts {
		mustSave(t, s, page("chronicle", "Chronicle", text, t0.Add(time.Hour+time.Duration(i)*time.Hour)))
	}
	// Same second, different state: the second snapshot's ID moves on a second.
	mustSave(t, s, page("fast", "Fast", "fast one", t0.Add(5*time.Hour)))
	mustSave(t, s, page("fast", "Fast", "fast two", t0.Add(5*time.Hour+100*time.Millisecond)))
	queries := []string{"plague", "chronicle", "wording", "fast", `"harbour 3"`, "title:article"}
	wantSnaps, wantArts, wantSearch := archiveState(t, s, queries)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if len(warcFiles(t, filepath.Join(dir, "warc"))) < 2 {
		t.Fatal("want several WARC files")
	}

	// Refused while the database exists.
	if _, err := Reindex(ctx, dir, Options{NoSync: true}, ReindexOptions{}); !errors.Is(err, ErrDatabaseExists) {
		t.Fatalf("reindex over an existing database: %v", err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(dir, "annalist.db"+suffix))
	}
	var progress int
	rep, err := Reindex(ctx, dir, Options{NoSync: true}, ReindexOptions{Progress: func(done, total int64, file string) { progress++ }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Snapshots != len(wantSnaps) || rep.Articles != len(wantArts) || rep.Sources != 1 || rep.NoMetadata != 0 || rep.Damaged != 0 || progress == 0 {
		t.Errorf("report %+v (progress %d), want %d snapshots, %d articles", rep, progress, len(wantSnaps), len(wantArts))
	}
	r, err := OpenReadOnly(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	gotSnaps, gotArts, gotSearch := archiveState(t, r, queries)
	for id, want := range wantSnaps {
		if got, ok := gotSnaps[id]; !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("snapshot %s:\n got %+v\nwant %+v", id, got, want)
		}
	}
	if len(gotSnaps) != len(wantSnaps) {
		t.Errorf("%d snapshots rebuilt, want %d", len(gotSnaps), len(wantSnaps))
	}
	if !reflect.DeepEqual(gotArts, wantArts) {
		t.Errorf("articles:\n got %v\nwant %v", gotArts, wantArts)
	}
	if !reflect.DeepEqual(gotSearch, wantSearch) {
		t.Errorf("search:\n got %v\nwant %v", gotSearch, wantSearch)
	}
	if rep := mustVerify(t, r); len(rep.Damaged) != 0 {
		t.Errorf("rebuilt archive does not verify: %+v", rep.Damaged)
	}
}

// TestReindexForceMovesTheOldDatabaseAside.
func TestReindexForceMovesTheOldDatabaseAside(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	mustSave(t, s, page("one", "One", "one text", t0))
	s.Close()
	now := func() time.Time { return t0 }
	rep, err := Reindex(ctx, dir, Options{NoSync: true, Now: now}, ReindexOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Snapshots != 1 || !strings.HasSuffix(rep.MovedAside, "annalist.db.before-reindex-20240131080000") {
		t.Errorf("report %+v", rep)
	}
	if _, err := os.Stat(rep.MovedAside); err != nil {
		t.Errorf("old database not kept: %v", err)
	}
}

// TestReindexKeepsASnapshotWhoseResponseIsDamaged: a flipped byte in one
// response record costs that record, not the snapshot: its metadata record
// is intact, so the rebuilt database has the snapshot with its text,
// pointing at the damaged record as the old database did, and verify
// names it.
func TestReindexKeepsASnapshotWhoseResponseIsDamaged(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	var ids []string
	for i := range 4 {
		ids = append(ids, mustSave(t, s, page(fmt.Sprintf("dmg%d", i), fmt.Sprintf("Damaged %d", i), fmt.Sprintf("the annals of year %d survive", i), t0.Add(time.Duration(i)*time.Minute))).SnapshotID)
	}
	want, err := s.Snapshot(ctx, ids[2])
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	flipBytes(t, filepath.Join(dir, "warc", want.WARCFile), want.WARCOffset+60, 2)
	rep, err := Reindex(ctx, dir, Options{NoSync: true}, ReindexOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Snapshots != 4 || rep.Damaged != 1 || rep.RawDamaged != 1 {
		t.Errorf("report %+v, want 4 snapshots, 1 damaged stretch, 1 raw_damaged", rep)
	}
	r, err := OpenReadOnly(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := r.Snapshot(ctx, ids[2])
	if err != nil {
		t.Fatalf("snapshot with a damaged response lost by reindex: %v", err)
	}
	if got.Text != want.Text || got.Title != want.Title || got.WARCFile != want.WARCFile ||
		got.WARCOffset != want.WARCOffset || got.WARCRecordID != want.WARCRecordID {
		t.Errorf("rebuilt snapshot\n got %+v\nwant %+v", got, want)
	}
	vr := mustVerify(t, r)
	var names bool
	for _, d := range vr.Damaged {
		for _, id := range d.Snapshots {
			names = names || id == ids[2]
		}
	}
	if !names {
		t.Errorf("verify after reindex does not name %s: %+v", ids[2], vr.Damaged)
	}
}

// TestReindexKeepsFullCaptureTimes: the WARC-Date of a snapshot's records
// holds its full capture time, and a rebuilt archive carries it: two
// captures of one second saved in the other order (the earlier one's ID
// moved on to the next second) keep the order they were taken in, and
// the later one stays the latest.
func TestReindexKeepsFullCaptureTimes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	sec := t0.Add(3 * time.Hour)
	mustSave(t, s, page("order", "Order", "the first state", sec.Add(-time.Minute)))
	newer := mustSave(t, s, page("order", "Order", "the third state", sec.Add(700*time.Millisecond)))
	late := mustSave(t, s, page("order", "Order", "the second state", sec.Add(300*time.Millisecond)))
	if late.Outcome != OutcomeRevised || late.SnapshotID != snapshotIDFor(late.ArticleID, sec.Add(time.Second)) {
		t.Fatalf("late capture: %+v", late)
	}
	want, err := s.Snapshots(ctx, late.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 3 || want[1].ID != late.SnapshotID || !want[1].CapturedExact.Equal(sec.Add(300*time.Millisecond)) {
		t.Fatalf("snapshots before the rebuild: %+v", want)
	}
	r := rebuilt(t, s, dir)
	got, err := r.Snapshots(ctx, late.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rebuilt snapshots:\n got %+v\nwant %+v", got, want)
	}
	if l, err := r.LatestSnapshot(ctx, late.ArticleID); err != nil || l.ID != newer.SnapshotID {
		t.Errorf("latest after the rebuild = %v, %v; want %s", l, err, newer.SnapshotID)
	}
	if hits, err := r.Search(ctx, "state", SearchOptions{LatestOnly: true}); err != nil || len(hits) != 1 || hits[0].SnapshotID != newer.SnapshotID {
		t.Errorf("latest-only search after the rebuild = %+v, %v", hits, err)
	}
}

// TestReindexKeepsStoreOrder: snapshots of one second rebuilt from the
// WARC files keep the order they were stored in (seq, and so search
// order), also when two writers stored them in the other order than they
// were captured in; and an article's fetch URL is its newest capture's,
// whichever was stored last.
func TestReindexKeepsStoreOrder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	sec := t0.Add(5 * time.Hour)
	mustSave(t, s, page("first", "First", "alpha words of one page", sec.Add(700*time.Millisecond)))
	mustSave(t, s, page("second", "Second", "alpha words of another", sec.Add(300*time.Millisecond)))
	old := page("moved", "Moved", "beta words before", sec.Add(-time.Minute))
	mustSave(t, s, old)
	newer := page("moved", "Moved", "beta words after", sec.Add(700*time.Millisecond))
	newer.FetchURL = "https://example.com/moved?new"
	mustSave(t, s, newer)
	late := page("moved", "Moved", "beta words between", sec.Add(300*time.Millisecond))
	late.FetchURL = "https://example.com/moved?old"
	id := mustSave(t, s, late).ArticleID
	order := func(st *Store) string {
		t.Helper()
		var ids []string
		for _, q := range []string{"alpha", "beta"} {
			hits, err := st.Search(ctx, q, SearchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hits {
				ids = append(ids, h.SnapshotID)
			}
		}
		return strings.Join(ids, " ")
	}
	want := order(s)
	if a, err := s.Article(ctx, id); err != nil || a.FetchURL != newer.FetchURL {
		t.Fatalf("before the rebuild: fetch URL %v, %v", a, err)
	}
	r := rebuilt(t, s, dir)
	if got := order(r); got != want {
		t.Errorf("search after the rebuild:\n got %s\nwant %s (the order they were stored in)", got, want)
	}
	if a, err := r.Article(ctx, id); err != nil || a.FetchURL != newer.FetchURL {
		t.Errorf("after the rebuild: fetch URL %q, %v; want the newest capture's %q", a.FetchURL, err, newer.FetchURL)
	}
}

// rebuilt closes s, rebuilds its archive's database in dir from the WARC
// files (reindex --force) and opens it read-only, closed with the test.
func rebuilt(t *testing.T, s *Store, dir string) *Store {
	t.Helper()
	ctx := context.Background()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Reindex(ctx, dir, Options{NoSync: true}, ReindexOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReadOnly(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
