package harvest

import (
	"context"
	"runtime"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// extracting is how many pages may be extracted at once
// (Harvester.Extracting, else GOMAXPROCS).
func (h *Harvester) extracting() int {
	if h.Extracting > 0 {
		return h.Extracting
	}
	return runtime.GOMAXPROCS(0)
}

// extractSlot waits for one of the extracting() slots shared by every
// poll of h and returns its release. Extraction is CPU-bound: more pages
// in it than there are processors extract no faster, since the scheduler
// time-slices them, but each holds its parse tree meanwhile, and the
// collector's goal doubles what is live (16 workers at per_host_concurrency
// 8 on 2 cores). Fetching and storing stay as concurrent as before.
func (h *Harvester) extractSlot(ctx context.Context) (release func(), err error) {
	h.gateOnce.Do(func() { h.gate = make(chan struct{}, h.extracting()) })
	select {
	case h.gate <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if n := h.inExtraction.Add(1); n > h.maxInExtraction.Load() {
		raise(&h.maxInExtraction, n)
	}
	return func() {
		h.inExtraction.Add(-1)
		<-h.gate
	}, nil
}

// raise sets the highest value seen, *m, to n if n is higher (for tests).
func raise(m *atomic.Int64, n int64) {
	for {
		old := m.Load()
		if n <= old || m.CompareAndSwap(old, n) {
			return
		}
	}
}

// DefaultInHand is Harvester.InHand's default: 16 MiB of page bodies.
const DefaultInHand = 16 << 20

func (h *Harvester) inHandLimit() int64 {
	if h.InHand > 0 {
		return h.InHand
	}
	return DefaultInHand
}

// bodyHold is an article's bytes of bodies in hand: its first page's, and
// a paginated article's later pages' as they are fetched (pages.go).
type bodyHold struct {
	h     *Harvester
	w     int64    // bytes held in h.inHandSem
	large []func() // Harvester.LargeBody's dones
	// noWait: add takes only room that is free and counts the rest over
	// the budget. Set where waiting could wait for itself: a page
	// re-examined in runJobs' answer waiter, behind which queued pages
	// hold their bodies until the waiter reaches them.
	noWait bool
	over   int64 // bytes counted in inHandBytes but not held in the budget
}

// holdBody waits until a fetched body of n bytes fits in the bytes of
// bodies in hand (Harvester.InHand, over every poll of h) and returns the
// hold, to release when the page is stored. A page in hand costs several
// times its body while it is extracted, built into records and waits for
// the writer; the workers bound how many pages that is, this bounds their
// bytes, so that a few large pages are taken one after another rather than
// all at once. A body larger than the whole budget waits for all of it.
func (h *Harvester) holdBody(ctx context.Context, n int) (*bodyHold, error) {
	b := &bodyHold{h: h}
	if err := b.add(ctx, n); err != nil {
		return nil, err
	}
	return b, nil
}

// add waits until n more bytes fit, the whole capped at the budget. It
// lets go of what it holds while it waits: two articles each holding part
// of the budget and waiting for more would otherwise wait for each other
// for ever. The count is short by those bytes only while it waits.
func (b *bodyHold) add(ctx context.Context, n int) error {
	h := b.h
	limit := h.inHandLimit()
	h.inHandOnce.Do(func() { h.inHandSem = semaphore.NewWeighted(limit) })
	want := min(b.w+int64(n), limit)
	if b.noWait {
		got := int64(0)
		if more := want - b.w; more > 0 && h.inHandSem.TryAcquire(more) {
			b.w, got = want, more
		}
		b.over += int64(n) - got
		if c := h.inHandBytes.Add(int64(n)); c > h.maxInHandBytes.Load() {
			raise(&h.maxInHandBytes, c)
		}
	} else {
		b.let()
		if err := h.inHandSem.Acquire(ctx, want); err != nil {
			return err
		}
		b.w = want
		if c := h.inHandBytes.Add(want); c > h.maxInHandBytes.Load() {
			raise(&h.maxInHandBytes, c)
		}
	}
	if n >= LargeBodyBytes && h.LargeBody != nil {
		b.large = append(b.large, h.LargeBody(n))
	}
	return nil
}

// let gives back the bytes held (and counted over the budget).
func (b *bodyHold) let() {
	if b.w > 0 {
		b.h.inHandBytes.Add(-b.w)
		b.h.inHandSem.Release(b.w)
		b.w = 0
	}
	if b.over > 0 {
		b.h.inHandBytes.Add(-b.over)
		b.over = 0
	}
}

// release gives back everything: once the article is stored or failed.
func (b *bodyHold) release() {
	for _, done := range b.large {
		done()
	}
	b.large = nil
	b.let()
}

// LargeBodyBytes is the body size from which Harvester.LargeBody is told.
// Extracting a page takes about ten times its body in live memory (a 5 MB
// page: ~45 MB live, ~67 MB heap); a soft memory limit sized for ordinary
// pages (~200 KB) would keep the collector running through it, and the
// extraction would miss its deadline.
const LargeBodyBytes = 1 << 20
