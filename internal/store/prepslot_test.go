package store

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// TestPrepareSlots: while every slot for building records is taken, a new
// page waits for one (and gives up with its context) instead of building
// its records beside the others; once one is free it is stored.
func TestPrepareSlots(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	var releases []func()
	for range runtime.GOMAXPROCS(0) {
		release, err := s.prepareSlot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, release)
	}
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.SaveCapture(short, page("a", "A", "Some text.", at)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SaveCapture with every slot taken: %v, want it to wait until its deadline", err)
	}
	releases[0]()
	if res := mustSave(t, s, page("a", "A", "Some text.", at)); res.Outcome != OutcomeNew {
		t.Fatalf("outcome %s, want new", res.Outcome)
	}
	for _, r := range releases[1:] {
		r()
	}
}
