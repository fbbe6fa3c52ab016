package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestDurabilityFollowsOptions checks the writer connection's synchronous
// mode as SQLite reports it: a daemon's commits must each survive a power
// loss (SyncCommits), a one-off command's at Sync.
func TestDurabilityFollowsOptions(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{}, "at sync"},
		{Options{SyncCommits: true}, "each commit"},
		{Options{NoSync: true}, "none"},
		{Options{NoSync: true, SyncCommits: true}, "none"},
	} {
		s := MustOpenDir(t, t.TempDir(), tc.opts)
		got, err := s.Durability(context.Background())
		if err != nil || got != tc.want {
			t.Errorf("%+v: durability %q, %v; want %q", tc.opts, got, err, tc.want)
		}
	}
}

// traceSyncs records the files syncFiles fsyncs until the test ends.
func traceSyncs(t *testing.T) func() []string {
	var mu sync.Mutex
	var names []string
	t.Cleanup(TraceSyncs(func(name string) {
		mu.Lock()
		names = append(names, name)
		mu.Unlock()
	}))
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := names
		names = nil
		return out
	}
}

// TestSyncFsyncsDatabaseAndWAL: with synchronous=NORMAL a commit reaches
// the WAL file but not the disk; Sync, and Close even when another
// connection keeps the WAL from being checkpointed away, fsync it.
func TestSyncFsyncsDatabaseAndWAL(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Another process's connection (a daemon's): the WAL outlives Close.
	other, err := sql.Open("sqlite", filepath.Join(dir, "annalist.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var n int
	if err := other.QueryRow("SELECT count(*) FROM articles").Scan(&n); err != nil {
		t.Fatal(err)
	}
	synced := traceSyncs(t)
	mustSave(t, s, page("a", "A title", "Some text of the article, long enough.", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)))
	if got := synced(); len(got) != 0 {
		t.Fatalf("synced before Sync: %v", got)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"annalist.db-wal", filepath.Base(dir)}
	if got := synced(); !slices.Equal(got, want) {
		t.Fatalf("Sync fsynced %v, want %v", got, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := synced(); !slices.Contains(got, "annalist.db-wal") {
		t.Fatalf("Close fsynced %v, want the WAL among them", got)
	}
}

// TestReopenWritesNothing: opening an existing archive writes nothing to
// it (no transaction, so no WAL frame and no fsync before the command's
// own first write). auto_vacuum(FULL), which applies only to a database
// being created, used to run on every open, and setting it is a write.
func TestReopenWritesNothing(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, page("a", "A title", "Some text of the article, long enough.", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(filepath.Join(dir, "annalist.db-wal"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if err == nil && fi.Size() != 0 {
		t.Errorf("after Open of an existing archive the WAL holds %d bytes, want none", fi.Size())
	}
	var mode int
	if err := s.wdb.QueryRowContext(ctx, "PRAGMA auto_vacuum").Scan(&mode); err != nil || mode != 1 {
		t.Errorf("auto_vacuum = %d, %v; want 1 (full)", mode, err)
	}
}
