package store_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"annalist/internal/fetch"
	"annalist/internal/pgtest"
	"annalist/internal/store"
)

// Two workers (two clients, each with its own Store on one PostgreSQL
// index) keep one host's per_host_interval between them, not twice its
// rate, and a Retry-After one of them got holds for the other.
func TestSharedPacing(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	var mu sync.Mutex
	var starts []time.Time
	busy := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		if r.URL.Path == "/busy" && !busy {
			busy = true
			w.Header().Set("Retry-After", "30")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	const interval = 300 * time.Millisecond
	var clients []*fetch.Client
	for range 2 {
		s, err := store.Open(ctx, t.TempDir(), store.Options{NoSync: true, Database: db})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		p, err := s.Pacing()
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, fetch.New(fetch.Options{Timeout: 5 * time.Second, MaxBody: 1 << 20, PerHostInterval: interval,
			PerHostConcurrency: 4, AllowPrivateNetworks: true, SharedPacing: p}))
	}
	var wg sync.WaitGroup
	for _, c := range clients {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.Get(ctx, fetch.Request{URL: srv.URL + "/page"}); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	if len(starts) != 8 {
		t.Fatalf("%d requests", len(starts))
	}
	for i := 1; i < len(starts); i++ {
		// Each start is at or after its booked slot, the slots interval
		// apart; a timer that fires late under load shortens the next gap
		// (without sharing, the two workers' requests start in pairs).
		if gap := starts[i].Sub(starts[i-1]); gap < interval/2 {
			t.Errorf("requests %d and %d to one host %v apart; the interval is %v", i-1, i, gap, interval)
		}
	}
	// The host asks the first worker to wait 30s: the second does not ask.
	var se *fetch.StatusError
	if _, err := clients[0].Get(ctx, fetch.Request{URL: srv.URL + "/busy"}); !errors.As(err, &se) || se.RetryAfter == 0 {
		t.Fatalf("first worker: %v, want a 429 with Retry-After", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := clients[1].Get(ctx, fetch.Request{URL: srv.URL + "/page"})
		var de *fetch.DeferredError
		if errors.As(err, &de) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("second worker after the Retry-After: %v, want deferred", err)
		}
		time.Sleep(50 * time.Millisecond) // the block is recorded in the background
	}
}

// On SQLite a host's Retry-After is kept in the archive: a later Store on
// the same directory reads it back, a shorter later wish does not cut a
// longer one, and wishes already over are not returned.
func TestDeferralsKeptInSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s, err := store.Open(ctx, dir, store.Options{NoSync: true, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	d := s.Deferrals()
	for _, w := range []struct {
		host  string
		until time.Time
	}{
		{"a.example:443", now.Add(time.Hour)},
		{"a.example:443", now.Add(time.Minute)}, // shorter: the hour stands
		{"b.example:80", now.Add(-48 * time.Hour)},
		{"c.example:80", now.Add(-time.Minute)},
	} {
		if err := d.Defer(ctx, w.host, w.until); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s2, err := store.Open(ctx, dir, store.Options{NoSync: true, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Deferrals().Deferrals(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got["a.example:443"].Equal(now.Add(time.Hour)) {
		t.Errorf("deferrals after reopening = %v, want only a.example:443 until %v", got, now.Add(time.Hour))
	}
}
