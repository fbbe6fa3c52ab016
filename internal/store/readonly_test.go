package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"annalist/internal/evidence"
)

// dirState lists every file under dir with its size and modification time.
func dirState(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		lines = append(lines, fmt.Sprintf("%s %d %s", rel, fi.Size(), fi.ModTime().Format(time.RFC3339Nano)))
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestOpenReadOnlyMissingArchive(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nothing")
	_, err := OpenReadOnly(context.Background(), dir, Options{})
	if !errors.Is(err, ErrNoArchive) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("err = %v, want ErrNoArchive naming %s", err, dir)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only open created %s", dir)
	}
}

// TestOpenReadOnlyChangesNothing: reading an archive with an abandoned,
// damaged .open WARC file leaves every file as it was (no repair, no
// migration, no new file) and still shows the damaged file's snapshots.
func TestOpenReadOnlyChangesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	var ids []string
	for i := range 5 {
		ids = append(ids, mustSave(t, s, page(fmt.Sprintf("ro%d", i), "Read only", fmt.Sprintf("text number %d", i), t0.Add(time.Duration(i)*time.Minute))).SnapshotID)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Make the file look abandoned by a dead writer, and damage it.
	names := warcFiles(t, filepath.Join(dir, "warc"))
	path := filepath.Join(dir, "warc", names[0])
	if err := os.Rename(path, path+evidence.OpenSuffix); err != nil {
		t.Fatal(err)
	}
	flipBytes(t, path+evidence.OpenSuffix, 1000, 2)
	before := dirState(t, dir)

	r, err := OpenReadOnly(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	arts, err := r.Articles(ctx, ArticleFilter{})
	if err != nil || len(arts) != 5 {
		t.Fatalf("articles: %d, %v", len(arts), err)
	}
	for _, id := range ids {
		if sn, err := r.Snapshot(ctx, id); err != nil || sn.Text == "" {
			t.Errorf("snapshot %s: %v", id, err)
		}
	}
	if hits, err := r.Search(ctx, "number", SearchOptions{}); err != nil || len(hits) != 5 {
		t.Errorf("search: %d hits, %v", len(hits), err)
	}
	if _, err := r.SaveCapture(ctx, page("new", "New", "new text", t0)); !errors.Is(err, ErrReadOnly) {
		t.Errorf("SaveCapture on a read-only store: %v", err)
	}
	for name, err := range map[string]error{
		"SyncSources":     r.SyncSources(ctx, []Source{{Name: "x"}}),
		"RecordPoll":      r.RecordPoll(ctx, "x", t0, PollOK, "", "", ""),
		"RecordCapture":   r.RecordCapture(ctx, Capture{Source: "x", Outcome: OutcomeError}),
		"SetNextCheck":    r.SetNextCheck(ctx, "x", nil),
		"RecordGone":      r.RecordGone(ctx, Gone{ArticleID: ids[0][:12], Source: "x", Reason: "410 Gone"}),
		"RecordUnchanged": r.RecordUnchanged(ctx, Unchanged{ArticleID: ids[0][:12], Source: "x", BodyKey: "k"}),
		"SaveFeedItems":   r.SaveFeedItems(ctx, []FeedItem{{Source: "x"}}),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only store: %v", name, err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if after := dirState(t, dir); after != before {
		t.Errorf("read-only open changed the archive:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestOpenReadOnlyOldSchema: an archive older than the binary is not
// migrated by a reader; the error says to run a writing command.
func TestOpenReadOnlyOldSchema(t *testing.T) {
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	if _, err := s.wdb.Exec("PRAGMA user_version = 2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := OpenReadOnly(context.Background(), dir, Options{})
	if !errors.Is(err, ErrSchemaOld) || !strings.Contains(err.Error(), "run a writing command") {
		t.Fatalf("err = %v, want ErrSchemaOld telling to run a writing command", err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "annalist.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != 2 {
		t.Errorf("user_version = %d (%v): the reader migrated", v, err)
	}
}

// flipBytes inverts n bytes of the file at off.
func flipBytes(t *testing.T, path string, off int64, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] ^= 0xff
	}
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// TestOpenReadOnlyBesideAWriter: a reader opened while a writer works sees
// what the writer commits afterwards.
func TestOpenReadOnlyBesideAWriter(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w := MustOpenDir(t, dir, Options{NoSync: true})
	mustSave(t, w, page("one", "One", "first text", t0))
	for _, live := range []bool{false, true} {
		r, err := OpenReadOnly(ctx, dir, Options{ReadOnlyLive: live})
		if err != nil {
			t.Fatal(err)
		}
		before, _ := r.Articles(ctx, ArticleFilter{})
		mustSave(t, w, page(fmt.Sprintf("later-%v", live), "Later", "later text", t0.Add(time.Hour)))
		after, err := r.Articles(ctx, ArticleFilter{})
		if err != nil || len(after) != len(before)+1 {
			t.Errorf("live=%v: reader saw %d then %d articles (%v)", live, len(before), len(after), err)
		}
		r.Close()
	}
}

// TestOpenReadOnlyWithoutSharedMemory: when SQLite cannot create or grow
// the -shm file (a full disk, a read-only mount; here the -shm file is
// /dev/full, which fails for root too), beside an empty -wal
// file that an earlier reader left, every reader still opens the archive
// — a `serve` that failed on a full disk must not lock out `list`.
func TestOpenReadOnlyWithoutSharedMemory(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	id := mustSave(t, s, page("noshm", "No shared memory", "text read without a shm file", t0)).SnapshotID
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "annalist.db")
	if err := os.WriteFile(db+"-wal", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full to stand for a full disk")
	}
	if err := os.Symlink("/dev/full", db+"-shm"); err != nil {
		t.Fatal(err)
	}
	for _, live := range []bool{false, true} {
		r, err := OpenReadOnly(ctx, dir, Options{ReadOnlyLive: live})
		if err != nil {
			t.Fatalf("live=%v: %v", live, err)
		}
		if sn, err := r.Snapshot(ctx, id); err != nil || !strings.Contains(sn.Text, "without a shm file") {
			t.Errorf("live=%v: snapshot %s: %v", live, id, err)
		}
		r.Close()
	}
}

// TestOpenOnAFullDiskSaysSo: a writer that cannot write the -shm file
// (here /dev/full, as on a full disk) fails with an error that says what
// is wrong, not only SQLite's "disk I/O error (4874)".
func TestOpenOnAFullDiskSaysSo(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full to stand for a full disk")
	}
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	mustSave(t, s, page("full", "Full", "a disk that fills up", t0))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "annalist.db")
	os.Remove(db + "-shm")
	if err := os.Symlink("/dev/full", db+"-shm"); err != nil {
		t.Fatal(err)
	}
	w, err := Open(context.Background(), dir, Options{NoSync: true})
	if err == nil {
		w.Close()
		t.Fatal("opened for writing with no room for its -shm file")
	}
	if !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), db) {
		t.Fatalf("error %q does not say the disk may be full, naming %s", err, db)
	}
}

// TestOpenReadOnlyBeforeWriterOnlyMigration: an archive migrated up to
// just before a migration only writers read (0010 host_deferrals) opens
// read-only, so that list, search and serve work on it after an upgrade;
// the writer then migrates it as usual.
func TestOpenReadOnlyBeforeWriterOnlyMigration(t *testing.T) {
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	if _, err := s.wdb.Exec("DROP TABLE host_deferrals; DROP INDEX captures_article_id; " + undo0012 + "PRAGMA user_version = 8"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReadOnly(context.Background(), dir, Options{})
	if err != nil {
		t.Fatalf("read-only open of a version 8 archive: %v", err)
	}
	if _, err := r.Sources(context.Background()); err != nil {
		t.Errorf("Sources on it: %v", err)
	}
	r.Close()
	w := MustOpenDir(t, dir, Options{NoSync: true})
	if err := w.Deferrals().Defer(context.Background(), "example.org:80", time.Now().Add(time.Hour)); err != nil {
		t.Errorf("the writer did not migrate it: %v", err)
	}
}

// An archive at 0010, without 0011's index (readers' queries do without
// it), also opens read-only.
func TestOpenReadOnlyBeforeCapturesIndex(t *testing.T) {
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	if _, err := s.wdb.Exec("DROP INDEX captures_article_id; " + undo0012 + "PRAGMA user_version = 10"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReadOnly(context.Background(), dir, Options{})
	if err != nil {
		t.Fatalf("read-only open of a version 10 archive: %v", err)
	}
	r.Close()
}

// undo0012 takes migration 0012 back (snapshots.captured_exact), to make
// an archive of an older version.
const undo0012 = "DROP INDEX snapshots_article_exact; ALTER TABLE snapshots DROP COLUMN captured_exact; "

// An archive at 0011, whose snapshots have no full capture time yet, opens
// read-only: its snapshots are listed, in order, with captured_at as their
// full time (what 0012 gives them); the writer then migrates it.
func TestOpenReadOnlyBeforeCaptureTimeColumn(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	a := mustSave(t, s, page("old", "Old", "the first wording", t0))
	b := mustSave(t, s, page("old", "Old", "the second wording", t0.Add(time.Hour+300*time.Millisecond)))
	if _, err := s.wdb.Exec(undo0012 + "PRAGMA user_version = 11"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReadOnly(ctx, dir, Options{})
	if err != nil {
		t.Fatalf("read-only open of a version 11 archive: %v", err)
	}
	snaps, err := r.Snapshots(ctx, a.ArticleID)
	if err != nil || len(snaps) != 2 || snaps[1].ID != b.SnapshotID || !snaps[1].CapturedExact.Equal(t0.Add(time.Hour)) {
		t.Errorf("Snapshots = %+v, %v", snaps, err)
	}
	infos, err := r.SnapshotInfos(ctx, a.ArticleID)
	if err != nil || len(infos) != 2 || infos[0].ID != a.SnapshotID || !infos[0].CapturedExact.Equal(t0) {
		t.Errorf("SnapshotInfos = %+v, %v", infos, err)
	}
	if sn, err := r.SnapshotAt(ctx, a.ArticleID, t0.Add(30*time.Minute)); err != nil || sn.ID != a.SnapshotID {
		t.Errorf("SnapshotAt = %v, %v", sn, err)
	}
	if sn, err := r.LatestSnapshot(ctx, a.ArticleID); err != nil || sn.ID != b.SnapshotID {
		t.Errorf("LatestSnapshot = %v, %v", sn, err)
	}
	if ch, err := r.Changes(ctx, ChangeFilter{}); err != nil || len(ch) != 2 {
		t.Errorf("Changes = %+v, %v", ch, err)
	}
	if hits, err := r.Search(ctx, "wording", SearchOptions{}); err != nil || len(hits) != 2 || !hits[0].CapturedExact.Equal(t0.Add(time.Hour)) {
		t.Errorf("Search = %+v, %v", hits, err)
	}
	if caps, err := r.Captures(ctx, CaptureFilter{ArticleID: a.ArticleID}); err != nil || len(caps) != 2 || caps[0].SnapshotID != b.SnapshotID {
		t.Errorf("Captures = %+v, %v", caps, err)
	}
	r.Close()
	w := MustOpenDir(t, dir, Options{NoSync: true})
	if sn, err := w.LatestSnapshot(ctx, a.ArticleID); err != nil || sn.ID != b.SnapshotID || !sn.CapturedExact.Equal(sn.CapturedAt) {
		t.Errorf("after the migration: %+v, %v; want the second as the full time", sn, err)
	}
}

// A live reader (serve) opened on a version 11 archive orders by the full
// capture times once a writer has migrated it, without a restart: two
// captures of one second stored in the other order after the migration
// are listed in the order taken, and the later one is the latest.
func TestLiveReadOnlyOrdersByFullTimeAfterMigration(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	c := mustSave(t, s, page("live", "Live", "version C of the page", t0))
	if _, err := s.wdb.Exec(undo0012 + "PRAGMA user_version = 11"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReadOnly(ctx, dir, Options{ReadOnlyLive: true})
	if err != nil {
		t.Fatalf("read-only open of a version 11 archive: %v", err)
	}
	defer r.Close()
	if infos, err := r.SnapshotInfos(ctx, c.ArticleID); err != nil || len(infos) != 1 {
		t.Fatalf("before the migration: %+v, %v", infos, err)
	}
	w := MustOpenDir(t, dir, Options{NoSync: true}) // migrates
	sec := t0.Add(time.Hour)
	e := mustSave(t, w, page("live", "Live", "version E of the page", sec.Add(700*time.Millisecond)))
	d := mustSave(t, w, page("live", "Live", "version D of the whole page", sec.Add(300*time.Millisecond)))
	if !strings.HasSuffix(d.SnapshotID, sec.Add(time.Second).Format("20060102150405")) {
		t.Fatalf("late D stored as %s", d.SnapshotID)
	}
	infos, err := r.SnapshotInfos(ctx, c.ArticleID)
	var got []string
	for _, si := range infos {
		got = append(got, si.ID)
	}
	if want := []string{c.SnapshotID, d.SnapshotID, e.SnapshotID}; err != nil || !slices.Equal(got, want) {
		t.Errorf("SnapshotInfos after a writer migrated = %v, %v; want %v (C, D, E: the order captured)", got, err, want)
	}
	if sn, err := r.LatestSnapshot(ctx, c.ArticleID); err != nil || sn.ID != e.SnapshotID || !sn.CapturedExact.Equal(sec.Add(700*time.Millisecond)) {
		t.Errorf("LatestSnapshot = %v, %v; want E with its full capture time", sn, err)
	}
	if ch, err := r.Changes(ctx, ChangeFilter{Limit: 1}); err != nil || len(ch) != 1 || ch[0].ID != e.SnapshotID {
		t.Errorf("Changes = %+v, %v; want E the most recent", ch, err)
	}
}
