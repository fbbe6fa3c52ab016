package harvest

import (
	"context"
	"runtime"
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
		h.noteInExtraction(n)
	}
	return func() {
		h.inExtraction.Add(-1)
		<-h.gate
	}, nil
}

// noteInExtraction raises the highest count of pages in extraction at
// once seen so far to n (for tests).
func (h *Harvester) noteInExtraction(n int64) {
	for {
		m := h.maxInExtraction.Load()
		if n <= m || h.maxInExtraction.CompareAndSwap(m, n) {
			return
		}
	}
}
