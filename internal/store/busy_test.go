package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// TestRetryBusy: retryBusy runs again a step that met SQLite's
// SQLITE_BUSY (a real one: another connection holds the write lock and
// this one has no busy timeout) until the lock is freed, and returns other
// errors at once.
func TestRetryBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	holder, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	hold, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hold.Exec("INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	write := func(ctx context.Context) error {
		_, err := other.ExecContext(ctx, "INSERT INTO t VALUES (2)")
		return err
	}
	if err := write(context.Background()); !isBusy(err) {
		t.Fatalf("without a retry: %v, want SQLITE_BUSY", err)
	}
	go func() {
		time.Sleep(150 * time.Millisecond)
		hold.Commit()
	}()
	if err := retryBusy(context.Background(), 10*time.Second, write); err != nil {
		t.Fatalf("retryBusy: %v, want the write done once the lock was freed", err)
	}
	calls := 0
	bad := func(context.Context) error { calls++; _, err := other.Exec("NOT SQL"); return err }
	if err := retryBusy(context.Background(), time.Second, bad); err == nil || calls != 1 {
		t.Errorf("a non-busy error: %v after %d calls, want it at once", err, calls)
	}
}
