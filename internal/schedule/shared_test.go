package schedule

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"annalist/internal/config"
	"annalist/internal/pgtest"
	"annalist/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// A worker whose lease ran out while its job still runs (renewals failed
// during a database outage longer than the lease) and that claims the job
// back must leave the lease to the run in flight: freeing it ("previous
// run still going; skipped", then done) would hand the source to another
// worker to poll a second time at once.
func TestSharedJobStillRunningKeepsItsLease(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	st, err := store.Open(ctx, t.TempDir(), store.Options{NoSync: true, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	leases, err := st.Leases("w1")
	if err != nil {
		t.Fatal(err)
	}
	p := newCounting()
	p.block = make(chan struct{})
	s := New(p, nil, nil)
	s.Shared, s.LeaseTTL, s.ClaimEvery = leases, time.Minute, time.Second
	if err := s.Start(&config.Config{Sources: []config.Source{{Name: "one", Feed: "http://127.0.0.1:1/feed", Schedule: "@every 1h"}}}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		close(p.block)
		stop, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		s.Stop(stop)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for p.running.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the poll never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// The lease runs out under the running poll, as when renewals fail.
	if _, err := conn.Exec(ctx, `UPDATE leases SET until = clock_timestamp() - interval '1 second' WHERE name = 'poll:one'`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3500 * time.Millisecond) // three claim rounds
	var worker *string
	var runs int
	if err := conn.QueryRow(ctx, `SELECT worker, runs FROM leases WHERE name = 'poll:one'`).Scan(&worker, &runs); err != nil {
		t.Fatal(err)
	}
	if worker == nil || *worker != "w1" || runs != 0 {
		t.Errorf("lease of the running poll: worker %v, %d runs finished; want still held by w1, none finished", worker, runs)
	}
	p.mu.Lock()
	polls := p.polls["one"]
	p.mu.Unlock()
	if polls != 1 {
		t.Errorf("%d polls started, want 1", polls)
	}
}
