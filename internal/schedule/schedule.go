// Package schedule runs each source's polls on its cron schedule, plus the
// revision watch, with jitter, no overlapping runs of one source, panic
// recovery and a clean stop.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"annalist/internal/config"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
)

// Poller is what the scheduler runs (harvest.Harvester).
type Poller interface {
	PollSource(ctx context.Context, src config.Source, opts harvest.PollOptions) harvest.PollResult
	WatchSource(ctx context.Context, src config.Source, mode harvest.Recheck, progress func(string, int, int)) harvest.PollResult
}

// Gate is optionally implemented by a Poller (harvest.Harvester does): a
// source's scheduled poll is skipped before NextPollAllowed (backing off
// after failures, a Retry-After, or a feed still fresh by its cache headers
// or <ttl>), and its revision watch before NextWatchAllowed.
type Gate interface {
	NextPollAllowed(source string) time.Time
	NextWatchAllowed(source string) time.Time
}

var (
	_ Poller = (*harvest.Harvester)(nil)
	_ Gate   = (*harvest.Harvester)(nil)
)

// WatchEvery is how often the revision watch looks for due articles.
const WatchEvery = 5 * time.Minute

// Scheduler owns the cron entries of one configuration. Reload swaps the
// configuration without stopping jobs already running.
type Scheduler struct {
	poller Poller
	log    *slog.Logger
	now    func() time.Time
	// Jitter returns the random delay before a run whose interval is d;
	// default: uniform in [0, d/10).
	Jitter func(d time.Duration) time.Duration
	// OnPanic is called after a job's panic was recovered (the harvester
	// records it); optional.
	OnPanic func(source string, v any)

	mu      sync.Mutex
	cron    *cron.Cron
	ctx     context.Context
	cancel  context.CancelFunc
	running map[string]*sync.Mutex // one run of a source at a time, across reloads
	wg      sync.WaitGroup
	entries map[string]cron.EntryID
	// deferred holds, per source, the time its feed's host asked to be
	// left alone until (Retry-After): no poll or watch of it before then.
	deferred map[string]time.Time

	// Shared, when set before Start, makes this scheduler one of several
	// workers sharing an index (shared.go): polls and watches are claimed
	// from the lease table instead of run on this process's timers.
	Shared Shared
	// LeaseTTL is how long a claimed lease lasts unless renewed (renewed
	// every third of it while the job runs); a dead worker's jobs are
	// taken over within LeaseTTL plus ClaimEvery. Default 60s.
	LeaseTTL time.Duration
	// ClaimEvery is how often a worker looks for due jobs; default 5s,
	// whole seconds.
	ClaimEvery time.Duration
	// FirstDue is when a source's poll is first due, for a source the lease
	// table does not know yet; default now.
	FirstDue func(src config.Source) time.Time
	// MaxShared bounds the jobs this worker runs at once, leaving the rest
	// to the other workers; default 4.
	MaxShared     int
	sharedRunning atomic.Int32
}

// New returns a scheduler; call Start.
func New(p Poller, log *slog.Logger, now func() time.Time) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{poller: p, log: log, now: now, ctx: ctx, cancel: cancel,
		running: map[string]*sync.Mutex{}, deferred: map[string]time.Time{}}
}

// Start schedules every source of cfg. Calling it again replaces the
// previous schedule (that is how SIGHUP reloads); runs in flight finish.
func (s *Scheduler) Start(cfg *config.Config) error {
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(cron.DiscardLogger))
	entries := map[string]cron.EntryID{}
	for _, src := range cfg.Sources {
		sched, err := config.ParseSchedule(src.Schedule)
		if err != nil {
			return fmt.Errorf("source %s: schedule %q: %w", src.Name, src.Schedule, err)
		}
		var job cron.Job = s.sourceJob(c, src, sched)
		if s.Shared != nil {
			job = cron.FuncJob(func() {}) // kept for NextRun; the leases run the polls
		}
		id := c.Schedule(sched, job)
		entries[src.Name] = id
	}
	if s.Shared != nil {
		if err := s.startShared(c, cfg); err != nil {
			return err
		}
	} else {
		watch := cron.Every(WatchEvery)
		c.Schedule(watch, cron.FuncJob(func() { s.watchAll(cfg) }))
	}

	s.mu.Lock()
	old := s.cron
	s.cron, s.entries = c, entries
	s.mu.Unlock()
	if old != nil {
		old.Stop() // stops scheduling; jobs in flight go on, tracked by wg
	}
	c.Start()
	s.log.Info("schedule started", "sources", len(cfg.Sources))
	return nil
}

// current reports whether c is the schedule in force.
func (s *Scheduler) current(c *cron.Cron) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cron == c
}

// Poller returns what the scheduler runs.
func (s *Scheduler) Poller() Poller { return s.poller }

// NextRun returns the next scheduled poll of a source (zero if unknown): the
// first on its schedule after any time its host asked to be left alone until.
func (s *Scheduler) NextRun(source string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cron == nil {
		return time.Time{}
	}
	id, ok := s.entries[source]
	if !ok {
		return time.Time{}
	}
	e := s.cron.Entry(id)
	if until := s.deferred[source]; e.Schedule != nil && until.After(e.Next) {
		return e.Schedule.Next(until)
	}
	return e.Next
}

// DeferredUntil returns the time the source's host asked to be left alone
// until, or zero.
func (s *Scheduler) DeferredUntil(source string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deferred[source]
}

// noteResult remembers (or forgets) the deferral a poll ended with: a
// request deferred by its host's Retry-After, or the Retry-After of a 429 or
// 503 answer to the feed itself.
func (s *Scheduler) noteResult(source string, err error) {
	var until time.Time
	var de *fetch.DeferredError
	var se *fetch.StatusError
	switch {
	case errors.As(err, &de):
		until = de.Until
	case errors.As(err, &se) && se.RetryAfter > 0:
		until = s.now().Add(se.RetryAfter)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if until.IsZero() {
		delete(s.deferred, source)
		return
	}
	s.deferred[source] = until
	s.log.Info("source deferred: its host asked to wait (Retry-After)", "source", source, "until", until.UTC().Format(time.RFC3339))
}

// isDeferred reports whether source's host asked to be left alone past now.
func (s *Scheduler) isDeferred(source string) (time.Time, bool) {
	until := s.DeferredUntil(source)
	return until, s.now().Before(until)
}

// Stop stops scheduling and cancels the runs in flight: no new page is
// fetched, but a page already fetched is still stored. It waits for the runs
// to return, or until ctx ends.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	c := s.cron
	s.cancel()
	s.mu.Unlock()
	if c != nil {
		c.Stop()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("schedule: runs still going at shutdown: %w", ctx.Err())
	}
}

func (s *Scheduler) lockFor(source string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.running[source]
	if !ok {
		m = &sync.Mutex{}
		s.running[source] = m
	}
	return m
}

// sourceJob is one scheduled poll: jitter, then the poll, skipped when the
// previous run of the same source is still going.
func (s *Scheduler) sourceJob(owner *cron.Cron, src config.Source, sched cron.Schedule) cron.Job {
	return cron.FuncJob(func() {
		now := s.now()
		first := sched.Next(now)
		interval := sched.Next(first).Sub(first)
		if d := s.jitter(interval); d > 0 {
			select {
			case <-time.After(d):
			case <-s.ctx.Done():
				return
			}
		}
		if !s.current(owner) {
			// The configuration was reloaded while this run waited out its
			// jitter: src may be stale (or gone); the new schedule polls.
			return
		}
		if g, ok := s.poller.(Gate); ok {
			if until := g.NextPollAllowed(src.Name); s.now().Before(until) {
				s.log.Info("poll skipped: source backing off or feed still fresh", "source", src.Name, "until", until.UTC().Format(time.RFC3339))
				return
			}
		}
		if until, ok := s.isDeferred(src.Name); ok {
			s.log.Info("poll skipped: the source's host asked to wait", "source", src.Name, "until", until.UTC().Format(time.RFC3339))
			return
		}
		s.Run(src, func(ctx context.Context) {
			res := s.poller.PollSource(ctx, src, harvest.PollOptions{Recheck: harvest.RecheckDue})
			if ctx.Err() == nil {
				s.noteResult(src.Name, res.Err)
			}
		})
	})
}

// Run runs work for one source now unless a run of it is already going;
// it recovers a panic, logs it with the source and goes on.
func (s *Scheduler) Run(src config.Source, work func(ctx context.Context)) (ran bool) {
	return s.run(src.Name, src, work)
}

// run is Run with the lock named by key: the revision watch of a source has
// its own, so a long watch never makes the source's scheduled poll skip.
func (s *Scheduler) run(key string, src config.Source, work func(ctx context.Context)) (ran bool) {
	lock := s.lockFor(key)
	if !lock.TryLock() {
		s.log.Info("previous run still going; skipped", "source", src.Name, "run", key)
		return false
	}
	defer lock.Unlock()
	s.mu.Lock()
	if s.ctx.Err() != nil { // stopping: Stop may already be waiting
		s.mu.Unlock()
		return false
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("poll panicked", "source", src.Name, "panic", v, "stack", string(debug.Stack()))
			if s.OnPanic != nil {
				s.OnPanic(src.Name, v)
			}
		}
	}()
	ran = true // also when work panics
	work(s.ctx)
	return ran
}

// watchAll is the revision watch: for each source not busy, re-fetch the
// articles due for a re-check, without polling the feed.
func (s *Scheduler) watchAll(cfg *config.Config) {
	for _, src := range cfg.Sources {
		if s.ctx.Err() != nil {
			return
		}
		if g, ok := s.poller.(Gate); ok && s.now().Before(g.NextWatchAllowed(src.Name)) {
			continue
		}
		if _, ok := s.isDeferred(src.Name); ok {
			continue
		}
		s.run(src.Name+"\x00watch", src, func(ctx context.Context) {
			s.poller.WatchSource(ctx, src, harvest.RecheckDue, nil)
		})
	}
}

func (s *Scheduler) jitter(interval time.Duration) time.Duration {
	if s.Jitter != nil {
		return s.Jitter(interval)
	}
	max := interval / 10
	if max <= 0 {
		return 0
	}
	return rand.N(max)
}
