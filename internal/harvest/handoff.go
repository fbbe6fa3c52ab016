package harvest

import (
	"context"
	"sync"

	"annalist/internal/config"
)

// handoffKey carries a page's handoff (withHandoff) to record.
type handoffKey struct{}

// withHandoff returns ctx carrying f, which record calls once the page is
// fetched and extracted and only its storing is left.
func withHandoff(ctx context.Context, f func()) context.Context {
	return context.WithValue(ctx, handoffKey{}, f)
}

// handOff tells the worker holding the page (captureAhead) that it may
// take its next page: this one only waits for the store now.
func handOff(ctx context.Context) {
	if f, ok := ctx.Value(handoffKey{}).(func()); ok {
		f()
	}
}

// captureAhead is one worker of runJobs: it captures the pages of next
// and calls tally with each one's result. A page being stored (its
// records built, then the writer's group wait, fsync and commit: several
// milliseconds without CPU for this worker) does not hold the worker: as
// soon as the page hands off (record), the worker takes its next page and
// the page's own goroutine waits for the store. Each worker has at most
// one page so waiting while it works on the next, which waits for that
// one before handing off in turn; the bytes of bodies in hand
// (Harvester.InHand, released once a page is stored) bound them too.
// Without this, with as many workers as GETs in flight and as many pages
// extracted as cores, the cores idled whenever most workers waited for a
// commit. It returns once every page it took has its result.
func (h *Harvester) captureAhead(ctx context.Context, src *config.Source, next <-chan job, tally func(job, PageResult)) {
	var prev chan struct{} // closed once the last page has its result
	for j := range next {
		done, handed := make(chan struct{}), make(chan struct{})
		var once sync.Once
		pctx := withHandoff(ctx, func() { once.Do(func() { close(handed) }) })
		go func() {
			defer close(done)
			tally(j, h.capturePage(pctx, src, j.url, j.item, j.article))
		}()
		select {
		case <-handed:
		case <-done:
		}
		if prev != nil {
			<-prev
		}
		prev = done
	}
	if prev != nil {
		<-prev
	}
}
