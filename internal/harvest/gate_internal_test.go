package harvest

import (
	"context"
	"testing"
	"time"
)

// TestBodyHoldNoWait: a hold marked noWait (a page re-examined in the
// answer waiter, with queued pages holding the rest of the budget) takes
// more bytes at once, counted over the budget, instead of waiting for
// room that only its own return would free; the count and the budget come
// back whole when the holds are released.
func TestBodyHoldNoWait(t *testing.T) {
	h := &Harvester{InHand: 100}
	ctx := context.Background()
	b, err := h.holdBody(ctx, 60)
	if err != nil {
		t.Fatal(err)
	}
	queued, err := h.holdBody(ctx, 40) // the budget is now full
	if err != nil {
		t.Fatal(err)
	}
	b.noWait = true
	done := make(chan error, 1)
	go func() { done <- b.add(ctx, 50) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a noWait hold waited for room held by the pages queued behind it")
	}
	if got := h.inHandBytes.Load(); got != 150 {
		t.Errorf("%d bytes counted in hand, want 150", got)
	}
	b.release()
	queued.release()
	if got := h.inHandBytes.Load(); got != 0 {
		t.Errorf("%d bytes counted after release, want 0", got)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	whole, err := h.holdBody(wctx, 100)
	if err != nil {
		t.Fatalf("the whole budget is not free after release: %v", err)
	}
	whole.release()

	// Room that is free is taken from the budget, the rest counted over.
	b, _ = h.holdBody(ctx, 30)
	b.noWait = true
	if err := b.add(ctx, 90); err != nil {
		t.Fatal(err)
	}
	if b.w != 100 || b.over != 20 || h.inHandBytes.Load() != 120 {
		t.Errorf("held %d, over %d, counted %d; want 100, 20, 120", b.w, b.over, h.inHandBytes.Load())
	}
	b.release()
	if got := h.inHandBytes.Load(); got != 0 {
		t.Errorf("%d bytes counted after release, want 0", got)
	}
}
