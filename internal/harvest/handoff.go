package harvest

import (
	"context"
	"runtime"
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
// milliseconds without CPU for this worker) need not hold the worker: as
// soon as the page hands off (record), the worker takes its next page and
// the page's own goroutine waits for the store, if one of the ahead()
// slots shared by every poll of h is free; else the worker waits for its
// page as before. Without this, with as many workers as GETs in flight
// and as many pages extracted as cores, the cores idled whenever most
// workers waited for a commit. The slots bound the pages in hand beyond
// the workers (each costs its body, its extraction and its records until
// stored): one a worker raised peak RSS by 4-6 MiB at
// per_host_concurrency 8 (16 workers). A page found unchanged (or 304)
// only sends its row (capture, later): the wait for its answer goes to
// answers, which runJobs' one waiter takes in order, and needs no slot. It
// returns once every page it took has its result or its answer queued.
func (h *Harvester) captureAhead(ctx context.Context, src *config.Source, next <-chan job, tally func(job, PageResult), answers chan<- func()) {
	h.aheadOnce.Do(func() { h.aheadSlots = make(chan struct{}, h.ahead()) })
	var pages sync.WaitGroup
	defer pages.Wait()
	for j := range next {
		done, handed := make(chan struct{}), make(chan struct{})
		var once sync.Once
		pctx := withHandoff(ctx, func() { once.Do(func() { close(handed) }) })
		pages.Add(1)
		go func() {
			defer pages.Done()
			defer close(done)
			pr, rest := h.capture(pctx, src, j.url, j.item, j.article, true)
			if rest != nil {
				answers <- func() { tally(j, rest()) }
				return
			}
			tally(j, pr)
		}()
		select {
		case <-handed:
		case <-done:
			continue
		}
		select {
		case h.aheadSlots <- struct{}{}:
			go func() {
				<-done
				<-h.aheadSlots
			}()
		case <-done:
		}
	}
}

// ahead is how many pages handed off to the store may be in hand besides
// the workers' (Harvester.Ahead, else twice GOMAXPROCS: as many as the
// default 4 workers on 2 cores; GOMAXPROCS kept the cores a little less
// busy in traces of the real-page benchmark).
func (h *Harvester) ahead() int {
	if h.Ahead > 0 {
		return h.Ahead
	}
	return 2 * runtime.GOMAXPROCS(0)
}
