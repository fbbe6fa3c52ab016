package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"annalist/internal/pgtest"
	"annalist/internal/store"
	"annalist/internal/store/storetest"
)

func TestLeasesNeedPostgres(t *testing.T) {
	s := store.MustOpen(t)
	if _, err := s.Leases("w1"); !errors.Is(err, store.ErrNoLeases) {
		t.Fatalf("Leases on SQLite: %v", err)
	}
}

// Two workers on one database: a due job goes to one of them only, is
// renewed while held, comes back when done at its next due time, and is
// taken over by the other worker once a dead holder's lease expires.
func TestLeases(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	open := func() *store.Store {
		s, err := store.Open(ctx, t.TempDir(), store.Options{NoSync: true, Database: db})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, err := open().Leases("a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := open().Leases("b")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	names := []string{"poll:one", "poll:two", "poll:later"}
	for i, n := range names {
		due := now.Add(-time.Minute)
		if i == 2 {
			due = now.Add(time.Hour)
		}
		if err := a.Ensure(ctx, n, due); err != nil {
			t.Fatal(err)
		}
		if err := b.Ensure(ctx, n, now.Add(time.Hour)); err != nil { // known already: unchanged
			t.Fatal(err)
		}
	}
	// Many claims at once: each due job goes to exactly one claimer.
	var mu sync.Mutex
	got := map[string][]string{}
	var wg sync.WaitGroup
	for i := range 8 {
		l := a
		if i%2 == 1 {
			l = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, ok, err := l.Claim(ctx, names, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				got[n] = append(got[n], l.Worker())
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(got) != 2 || len(got["poll:one"]) != 1 || len(got["poll:two"]) != 1 {
		t.Fatalf("claims: %v; want poll:one and poll:two once each", got)
	}
	holder := map[string]*store.Leases{"a": a, "b": b}
	one := holder[got["poll:one"][0]]
	other := a
	if one == a {
		other = b
	}
	if ok, err := one.Renew(ctx, "poll:one", time.Minute); !ok || err != nil {
		t.Errorf("holder's renew: %v, %v", ok, err)
	}
	if ok, err := other.Renew(ctx, "poll:one", time.Minute); ok || err != nil {
		t.Errorf("non-holder's renew: %v, %v", ok, err)
	}
	if err := one.Done(ctx, "poll:one", time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if n, err := one.Runs(ctx, "poll:one"); n != 1 || err != nil {
		t.Errorf("runs = %d, %v", n, err)
	}
	// Due again at once: claimable by either.
	if n, ok, err := other.Claim(ctx, []string{"poll:one"}, 300*time.Millisecond); !ok || n != "poll:one" || err != nil {
		t.Fatalf("claim after done: %q %v %v", n, ok, err)
	}
	// The holder "dies": its lease expires and the job is taken over.
	if _, ok, _ := one.Claim(ctx, []string{"poll:one"}, time.Minute); ok {
		t.Fatal("claimed a job under a live lease")
	}
	time.Sleep(400 * time.Millisecond)
	if n, ok, err := one.Claim(ctx, []string{"poll:one"}, time.Minute); !ok || n != "poll:one" || err != nil {
		t.Fatalf("takeover after expiry: %q %v %v", n, ok, err)
	}
	if ok, _ := other.Renew(ctx, "poll:one", time.Minute); ok {
		t.Error("the dead holder renewed a lease taken over")
	}
	if _, ok, _ := a.Claim(ctx, []string{"poll:later"}, time.Minute); ok {
		t.Error("claimed a job not yet due")
	}
}

// Two workers saving the same article at once (a poll on one, a watch on
// the other) store one snapshot per distinct text, never two.
func TestConcurrentWorkersNoDuplicateSnapshot(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	var stores []*store.Store
	for range 2 {
		s, err := store.Open(ctx, t.TempDir(), store.Options{NoSync: true, Database: db})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	t0 := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	const rounds = 12
	for i := range rounds {
		var wg sync.WaitGroup
		for w, s := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := storetest.Page("news", "same", "Same", fmt.Sprintf("Text version %d of the same article.", i), t0.Add(time.Duration(2*i+w)*time.Second))
				if _, err := s.SaveCapture(ctx, p); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	snaps, err := stores[0].Snapshots(ctx, store.ArticleID("https://news.example/same"))
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != rounds {
		t.Errorf("%d snapshots for %d distinct texts saved twice each", len(snaps), rounds)
	}
}
