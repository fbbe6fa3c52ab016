package fetch

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// pacer spaces request starts to each host and bounds requests in flight per
// host. It is shared by every goroutine using one Client.
type pacer struct {
	interval    time.Duration
	concurrency int
	now         func() time.Time
	shared      SharedPacing // nil: this process only
	kept        Deferrals    // nil: Retry-After lives as long as the process
	log         *slog.Logger
	loadKept    sync.Once

	mu    sync.Mutex
	hosts map[string]*hostPace
}

type hostPace struct {
	slots        chan struct{} // one token per request in flight
	next         time.Time     // earliest start of the next request
	blockedUntil time.Time     // from Retry-After
}

func newPacer(interval time.Duration, concurrency int, now func() time.Time, shared SharedPacing, kept Deferrals, log *slog.Logger) *pacer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &pacer{interval: interval, concurrency: concurrency, now: now, shared: shared, kept: kept, log: log, hosts: map[string]*hostPace{}}
}

// loadDeferrals reads, once, the Retry-After wishes an earlier process was
// given and has not seen end. A failure to read them is logged: the
// requests go on under this process's own pacing.
func (p *pacer) loadDeferrals(ctx context.Context) {
	if p.kept == nil {
		return
	}
	p.loadKept.Do(func() {
		kept, err := p.kept.Deferrals(ctx, p.now())
		if err != nil {
			p.log.Warn("fetch: hosts' earlier Retry-After could not be read; not honoured in this run", "err", err)
			return
		}
		for key, until := range kept {
			h := p.host(key)
			p.mu.Lock()
			if until.After(h.blockedUntil) {
				h.blockedUntil = until
			}
			p.mu.Unlock()
		}
	})
}

func (p *pacer) host(key string) *hostPace {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.hosts[key]
	if h == nil {
		h = &hostPace{slots: make(chan struct{}, p.concurrency)}
		p.hosts[key] = h
	}
	return h
}

// acquire waits for a free slot (this Client's, then, with SharedPacing,
// one of the host's slots shared with the other workers) and for the
// host's next start time, and returns the function that frees the slot.
// It gives up as soon as ctx is done, or at once when ctx's deadline
// falls before the start time. A host that asked (Retry-After) to be left
// alone for longer than patience, or past ctx's deadline, is not waited
// for at all: the error is a *DeferredError naming the time, before and
// after waiting for a slot.
func (p *pacer) acquire(ctx context.Context, key, name string, patience time.Duration) (release func(), err error) {
	p.loadDeferrals(ctx)
	h := p.host(key)
	if err := p.deferred(ctx, h, name, patience); err != nil {
		return nil, err
	}
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release = func() { <-h.slots }
	if p.shared != nil {
		// The second gate: the host's slots across all workers.
		if release, err = p.withSharedSlot(ctx, key, release); err != nil {
			return nil, err
		}
	}
	if err := p.deferred(ctx, h, name, patience); err != nil {
		release()
		return nil, err
	}

	p.mu.Lock()
	now := p.now()
	start := now
	if h.next.After(start) && p.shared == nil {
		start = h.next
	}
	if h.blockedUntil.After(start) {
		start = h.blockedUntil
	}
	h.next = start.Add(p.interval)
	p.mu.Unlock()

	if p.shared != nil {
		// The interval is kept by the shared bookings alone (two schedules
		// would let a late local start meet another request's shared
		// slot); they also hold the other workers' Retry-After.
		slot, blocked, err := p.shared.Reserve(ctx, key, p.interval, patience)
		if err != nil {
			release()
			return nil, fmt.Errorf("shared pacing of %s: %w", key, err)
		}
		if !blocked.IsZero() {
			release()
			return nil, &DeferredError{Host: name, Until: blocked, now: now}
		}
		if slot.After(start) {
			start = slot
		}
	}
	wait := start.Sub(p.now()) // after the booking: a start booked during its round trip is now
	if wait <= 0 {
		return release, nil
	}
	undo := func() {
		p.mu.Lock()
		if h.next.Equal(start.Add(p.interval)) {
			h.next = start // nobody queued behind us: give the slot back
		}
		p.mu.Unlock()
		release()
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		undo()
		return nil, fmt.Errorf("host %s paced until %s, after the deadline: %w",
			key, start.Format(time.RFC3339), context.DeadlineExceeded)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return release, nil
	case <-ctx.Done():
		undo()
		return nil, ctx.Err()
	}
}

// pushBack makes later requests to the host wait until now+d (Retry-After),
// in this process and, through Deferrals, in the next ones.
func (p *pacer) pushBack(key string, d time.Duration) {
	h := p.host(key)
	p.mu.Lock()
	until := p.now().Add(d)
	if until.After(h.blockedUntil) {
		h.blockedUntil = until
	}
	p.mu.Unlock()
	if p.shared != nil {
		go func() { // best effort: the local push-back holds regardless
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = p.shared.Block(ctx, key, until)
		}()
	}
	if p.kept != nil {
		// Written before the response is handed on, so that a one-off
		// command that exits next has recorded it.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.kept.Defer(ctx, key, until); err != nil {
			p.log.Warn("fetch: host's Retry-After not recorded for later runs", "host", key, "until", until, "err", err)
		}
	}
}

// deferred returns a *DeferredError when the host's Retry-After ends later
// than patience from now, or after ctx's deadline.
func (p *pacer) deferred(ctx context.Context, h *hostPace, name string, patience time.Duration) error {
	p.mu.Lock()
	until, now := h.blockedUntil, p.now()
	p.mu.Unlock()
	wait := until.Sub(now)
	if wait <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); wait > patience || (ok && time.Until(dl) < wait) {
		return &DeferredError{Host: name, Until: until, now: now}
	}
	return nil
}

// Backoff between tries for a host's shared slot while all are held.
const (
	slotPollFirst = 20 * time.Millisecond
	slotPollMax   = 250 * time.Millisecond
)

// withSharedSlot takes one of the host's shared slots (sharedSlot) and
// returns the release that gives it back and then calls local (which
// frees this Client's slot); on failure it calls local itself.
func (p *pacer) withSharedSlot(ctx context.Context, key string, local func()) (func(), error) {
	giveBack, err := p.sharedSlot(ctx, key)
	if err != nil {
		local()
		return nil, err
	}
	return func() {
		p.giveBack(key, giveBack) // first, so that a local waiter finds it free
		local()
	}, nil
}

// sharedSlot waits for one of the host's request slots shared with the
// other workers, trying again after 20 ms, then after twice as long each
// time up to 250 ms, while all are held. It gives up as soon as ctx is
// done (Stop and the deadline included); a database error fails the
// request at once.
func (p *pacer) sharedSlot(ctx context.Context, key string) (func(context.Context) error, error) {
	pause := slotPollFirst
	for {
		giveBack, ok, err := p.shared.TakeSlot(ctx, key, p.concurrency)
		if ctx.Err() != nil {
			if ok {
				p.giveBack(key, giveBack)
			}
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, fmt.Errorf("shared request slots of %s: %w", key, err)
		}
		if ok {
			return giveBack, nil
		}
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		pause = min(2*pause, slotPollMax)
	}
}

// giveBack returns a shared slot; one that cannot be is logged, and frees
// itself when its lease ends.
func (p *pacer) giveBack(key string, giveBack func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := giveBack(ctx); err != nil {
		p.log.Warn("fetch: shared request slot not given back; free when its lease ends", "host", key, "err", err)
	}
}
