package schedule

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"annalist/internal/config"
	"annalist/internal/harvest"
)

// Shared is the lease table of the workers sharing one index
// (store.Leases): each due job is claimed by one worker, which renews its
// lease while the job runs and sets the job's next due time when done.
type Shared interface {
	Ensure(ctx context.Context, name string, due time.Time) error
	Claim(ctx context.Context, names []string, ttl time.Duration) (name string, ok bool, err error)
	Renew(ctx context.Context, name string, ttl time.Duration) (bool, error)
	Done(ctx context.Context, name string, next time.Time) error
}

const (
	pollJob  = "poll:"
	watchJob = "watch:"
)

func (s *Scheduler) leaseTTL() time.Duration {
	if s.LeaseTTL > 0 {
		return s.LeaseTTL
	}
	return 60 * time.Second
}

// startShared makes every source's poll and watch known to the lease
// table and schedules the claiming on c.
func (s *Scheduler) startShared(c *cron.Cron, cfg *config.Config) error {
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	srcs := map[string]config.Source{}
	scheds := map[string]cron.Schedule{}
	var names []string
	for _, src := range cfg.Sources {
		due := s.now()
		if s.FirstDue != nil {
			due = s.FirstDue(src)
		}
		if err := s.Shared.Ensure(ctx, pollJob+src.Name, due); err != nil {
			return err
		}
		if err := s.Shared.Ensure(ctx, watchJob+src.Name, s.now().Add(WatchEvery)); err != nil {
			return err
		}
		sched, err := config.ParseSchedule(src.Schedule)
		if err != nil {
			return fmt.Errorf("source %s: schedule %q: %w", src.Name, src.Schedule, err)
		}
		srcs[src.Name], scheds[src.Name] = src, sched
		names = append(names, pollJob+src.Name, watchJob+src.Name)
	}
	every := s.ClaimEvery
	if every < time.Second {
		every = 5 * time.Second
	}
	c.Schedule(cron.Every(every), cron.FuncJob(func() {
		if !s.current(c) {
			return
		}
		s.claimDue(names, srcs, scheds)
	}))
	return nil
}

// claimDue claims due jobs until none is left and starts each.
func (s *Scheduler) claimDue(names []string, srcs map[string]config.Source, scheds map[string]cron.Schedule) {
	limit := int32(s.MaxShared)
	if limit <= 0 {
		limit = 4
	}
	for s.ctx.Err() == nil && s.sharedRunning.Load() < limit {
		name, ok, err := s.Shared.Claim(s.ctx, names, s.leaseTTL())
		if err != nil {
			s.log.Error("claim due jobs", "error", err)
			return
		}
		if !ok {
			return
		}
		src := srcs[strings.TrimPrefix(strings.TrimPrefix(name, pollJob), watchJob)]
		s.mu.Lock()
		if s.ctx.Err() != nil {
			s.mu.Unlock()
			return
		}
		s.wg.Add(1)
		s.sharedRunning.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer s.sharedRunning.Add(-1)
			s.runLeased(name, src, scheds[src.Name])
		}()
	}
}

// runLeased runs one claimed job, renewing its lease meanwhile (a lost
// lease cancels the job), and then frees the lease with the job's next
// due time.
func (s *Scheduler) runLeased(name string, src config.Source, sched cron.Schedule) {
	watch := strings.HasPrefix(name, watchJob)
	next := time.Time{}
	key := src.Name
	if watch {
		key = src.Name + "\x00watch"
	}
	ran := s.run(key, src, func(ctx context.Context) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		ttl := s.leaseTTL()
		renewed := make(chan struct{})
		go func() {
			defer close(renewed)
			t := time.NewTicker(ttl / 3)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if ok, err := s.Shared.Renew(ctx, name, ttl); err == nil && !ok {
						s.log.Warn("lease lost to another worker; stopping the job", "job", name)
						cancel()
						return
					}
				}
			}
		}()
		defer func() { cancel(); <-renewed }()
		if until, ok := s.isDeferred(src.Name); ok {
			next = until // the host's Retry-After, held for every worker
			return
		}
		if watch {
			if g, ok := s.poller.(Gate); ok {
				if until := g.NextWatchAllowed(src.Name); s.now().Before(until) {
					next = until
					return
				}
			}
			s.poller.WatchSource(ctx, src, harvest.RecheckDue, nil)
			next = s.now().Add(WatchEvery)
			return
		}
		if g, ok := s.poller.(Gate); ok {
			if until := g.NextPollAllowed(src.Name); s.now().Before(until) {
				next = sched.Next(until)
				return
			}
		}
		res := s.poller.PollSource(ctx, src, harvest.PollOptions{Recheck: harvest.RecheckDue})
		if ctx.Err() == nil {
			s.noteResult(src.Name, res.Err)
		}
		next = sched.Next(s.now())
		if until, ok := s.isDeferred(src.Name); ok && until.After(next) {
			next = until
		}
	})
	if !ran && s.ctx.Err() == nil {
		// This worker still runs the job (its lease ran out while the
		// renewals failed, and it claimed it back): the run in flight
		// keeps the lease, renews it and frees it when done. Freeing it
		// here would let another worker poll the source at the same time.
		return
	}
	if !ran || s.ctx.Err() != nil || next.IsZero() {
		// Stopped (or the job never ran): due again now, for another worker.
		next = s.now()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), 10*time.Second)
	defer cancel()
	if err := s.Shared.Done(ctx, name, next); err != nil {
		s.log.Error("finish job", "job", name, "error", err)
	}
}
