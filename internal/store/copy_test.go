package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"annalist/internal/pgtest"
	"annalist/internal/store"
	"annalist/internal/store/storetest"
)

// An SQLite archive copied into PostgreSQL: the counts agree, and the
// PostgreSQL index answers as the SQLite one did (articles, snapshots,
// search, WARC records), and takes new snapshots after the copied ones.
func TestCopyToPostgres(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t0 := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	// A webhook, so that the outbox has rows to copy (6 snapshots + 1 gone).
	hooks := []store.NotifyHook{{URL: "https://hooks.example/in", Events: []string{store.OutcomeNew, store.OutcomeRevised, store.EventGone}}}
	lite, err := store.Open(ctx, dir, store.Options{NoSync: true, Notify: hooks})
	if err != nil {
		t.Fatal(err)
	}
	if err := lite.SyncSources(ctx, []store.Source{{Name: "news", Title: "News"}}); err != nil {
		t.Fatal(err)
	}
	var first *store.SaveResult
	for i := range 6 {
		r, err := lite.SaveCapture(ctx, storetest.Page("news", fmt.Sprintf("a%d", i%3), fmt.Sprintf("Title %d", i),
			fmt.Sprintf("Revision %d of the chronicle of the Song dynasty.", i), t0.Add(time.Duration(i)*time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = r
		}
	}
	if err := lite.RecordGone(ctx, store.Gone{ArticleID: first.ArticleID, Source: "news", URL: "https://news.example/a0", CapturedAt: t0.Add(9 * time.Hour), HTTPStatus: 404, Reason: "404"}); err != nil {
		t.Fatal(err)
	}
	if err := lite.SaveFeedItems(ctx, []store.FeedItem{{Source: "news", Key: "k", Link: "https://news.example/a0", LastSeen: t0}}); err != nil {
		t.Fatal(err)
	}
	wantArts, _ := lite.Articles(ctx, store.ArticleFilter{})
	wantHits, _ := lite.Search(ctx, "chronicle", store.SearchOptions{})
	wantSnaps, _ := lite.Snapshots(ctx, first.ArticleID)
	if err := lite.Close(); err != nil {
		t.Fatal(err)
	}

	db := pgtest.NewDatabase(t)
	rep, err := store.CopyToPostgres(ctx, dir, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || len(rep.Tables) != 12 {
		t.Fatalf("report: %+v", rep)
	}
	for _, c := range rep.Tables {
		if c.Table == "snapshots" && c.Postgres != 6 {
			t.Errorf("snapshots copied: %+v", c)
		}
		if c.Table == "notify_outbox" && (c.Postgres == 0 || c.Postgres != c.SQLite) {
			t.Errorf("webhook outbox copied: %+v", c)
		}
	}
	if _, err := store.CopyToPostgres(ctx, dir, db, store.Options{}); err == nil {
		t.Error("a second copy into the same database was not refused")
	}

	pg, err := store.Open(ctx, dir, store.Options{NoSync: true, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	gotArts, err := pg.Articles(ctx, store.ArticleFilter{})
	if err != nil || !reflect.DeepEqual(gotArts, wantArts) {
		t.Errorf("articles differ:\n got %+v\nwant %+v (%v)", gotArts, wantArts, err)
	}
	gotHits, err := pg.Search(ctx, "chronicle", store.SearchOptions{})
	if err != nil || !reflect.DeepEqual(gotHits, wantHits) {
		t.Errorf("search differs:\n got %+v\nwant %+v (%v)", gotHits, wantHits, err)
	}
	gotSnaps, err := pg.Snapshots(ctx, first.ArticleID)
	if err != nil || !reflect.DeepEqual(gotSnaps, wantSnaps) {
		t.Errorf("snapshots differ (%v)", err)
	}
	if _, err := pg.ReadWARCRecord(ctx, gotSnaps[0].WARCFile, gotSnaps[0].WARCOffset); err != nil {
		t.Errorf("WARC record of a copied snapshot: %v", err)
	}
	r, err := pg.SaveCapture(ctx, storetest.Page("news", "new", "New", "A new page after the copy.", t0.Add(24*time.Hour)))
	if err != nil || r.Outcome != store.OutcomeNew {
		t.Fatalf("save after copy: %+v, %v", r, err)
	}
	if hits, err := pg.Search(ctx, "copy", store.SearchOptions{}); err != nil || len(hits) != 1 {
		t.Errorf("search for the new page: %v, %v", hits, err)
	}
}

// reindex --from-warc into PostgreSQL: the WARC files alone rebuild the
// index there, as they do annalist.db, and a database holding snapshots is
// refused.
func TestReindexIntoPostgres(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t0 := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	lite, err := store.Open(ctx, dir, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := lite.SaveCapture(ctx, storetest.Page("news", fmt.Sprintf("r%d", i%2), fmt.Sprintf("Title %d", i),
			fmt.Sprintf("Annals, revision %d.", i), t0.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	want, _ := lite.Search(ctx, "annals", store.SearchOptions{})
	if err := lite.Close(); err != nil {
		t.Fatal(err)
	}
	db := pgtest.NewDatabase(t)
	rep, err := store.Reindex(ctx, dir, store.Options{Database: db}, store.ReindexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Snapshots != 5 || rep.Articles != 2 || rep.Sources != 1 {
		t.Errorf("report %+v", rep)
	}
	pg, err := store.OpenReadOnly(ctx, dir, store.Options{Database: db})
	if err != nil {
		t.Fatal(err)
	}
	got, err := pg.Search(ctx, "annals", store.SearchOptions{})
	pg.Close()
	if err != nil || len(got) != len(want) {
		t.Fatalf("search after reindex: %d hits, want %d (%v)", len(got), len(want), err)
	}
	for i := range got {
		if got[i].SnapshotID != want[i].SnapshotID {
			t.Errorf("hit %d: %s, want %s", i, got[i].SnapshotID, want[i].SnapshotID)
		}
	}
	if _, err := store.Reindex(ctx, dir, store.Options{Database: db}, store.ReindexOptions{Force: true}); !errors.Is(err, store.ErrDatabaseExists) {
		t.Errorf("reindex into a filled database: %v", err)
	}
}

// A reader on a PostgreSQL database no writer has used yet says there is
// no archive; one on an unreachable server says why it failed.
func TestOpenReadOnlyPostgresErrors(t *testing.T) {
	ctx := context.Background()
	_, err := store.OpenReadOnly(ctx, t.TempDir(), store.Options{Database: pgtest.NewDatabase(t)})
	if !errors.Is(err, store.ErrNoArchive) {
		t.Errorf("empty database: %v, want ErrNoArchive", err)
	}
	_, err = store.OpenReadOnly(ctx, t.TempDir(), store.Options{Database: "postgres://nobody:secret@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"})
	if err == nil || errors.Is(err, store.ErrNoArchive) || strings.Contains(err.Error(), "secret") {
		t.Errorf("unreachable server: %v", err)
	}
}

// An archive not yet migrated to 0012 (no full capture times) is copied
// with each snapshot's captured_at as its full time, as 0012 would have.
func TestCopyToPostgresBeforeCaptureTimeColumn(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t0 := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	lite, err := store.Open(ctx, dir, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	r, err := lite.SaveCapture(ctx, storetest.Page("news", "old", "Old", "An archive of an older version.", t0.Add(300*time.Millisecond)))
	if err != nil {
		t.Fatal(err)
	}
	if err := lite.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "annalist.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DROP INDEX snapshots_article_exact; ALTER TABLE snapshots DROP COLUMN captured_exact; PRAGMA user_version = 11"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	database := pgtest.NewDatabase(t)
	if rep, err := store.CopyToPostgres(ctx, dir, database, store.Options{}); err != nil || !rep.OK {
		t.Fatalf("copy: %+v, %v", rep, err)
	}
	pg, err := store.OpenReadOnly(ctx, dir, store.Options{Database: database})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	sn, err := pg.Snapshot(ctx, r.SnapshotID)
	if err != nil || !sn.CapturedExact.Equal(t0) || !sn.CapturedAt.Equal(t0) {
		t.Fatalf("copied snapshot %+v, %v; want its second as its full time", sn, err)
	}
}
