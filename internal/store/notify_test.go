package store

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Two writers (the daemon and a one-off fetch: two Stores on one archive)
// storing the same revision at once store one snapshot and queue one
// notification per webhook; an unchanged capture queues none.
func TestNotifyQueuedOncePerEvent(t *testing.T) {
	dir := t.TempDir()
	hooks := []NotifyHook{
		{URL: "https://a.example/hook", Events: []string{OutcomeNew, OutcomeRevised}},
		{URL: "https://b.example/hook", Events: []string{OutcomeRevised}},
	}
	opts := Options{NoSync: true, Notify: hooks}
	s1 := MustOpenDir(t, dir, opts)
	s2 := MustOpenDir(t, dir, opts)
	mustSave(t, s1, page("rome", "Rome", "Rome was not built in a day.", t0))
	var wg sync.WaitGroup
	for i, s := range []*Store{s1, s2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mustSave(t, s, page("rome", "Rome", "Rome was not built in a week.", t0.Add(time.Hour+time.Duration(i)*time.Minute)))
		}()
	}
	wg.Wait()
	mustSave(t, s1, page("rome", "Rome", "Rome was not built in a week.", t0.Add(2*time.Hour)))

	rows, err := s1.rdb.Query(`SELECT hook, event FROM notify_outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var h, e string
		if err := rows.Scan(&h, &e); err != nil {
			t.Fatal(err)
		}
		got = append(got, h+" "+e)
	}
	want := []string{"https://a.example/hook new", "https://a.example/hook revised", "https://b.example/hook revised"}
	if len(got) != len(want) {
		t.Fatalf("outbox = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("outbox = %q, want %q", got, want)
		}
	}
	// Claimed once: a second claimer gets nothing while the lease holds.
	c1, err := s1.ClaimNotifications(context.Background(), []string{"https://a.example/hook", "https://b.example/hook"}, time.Now(), time.Minute, 10)
	if err != nil || len(c1) != 3 {
		t.Fatalf("claim = %v, %v", c1, err)
	}
	c2, err := s2.ClaimNotifications(context.Background(), []string{"https://a.example/hook", "https://b.example/hook"}, time.Now(), time.Minute, 10)
	if err != nil || len(c2) != 0 {
		t.Fatalf("second claim = %v, %v; want nothing while leased", c2, err)
	}
}
