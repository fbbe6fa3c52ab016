package schedule

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
)

// countingPoller records the polls the scheduler starts; block, when set,
// holds each poll until closed; panics makes a source's poll panic.
type countingPoller struct {
	mu      sync.Mutex
	polls   map[string]int
	watches map[string]int
	running atomic.Int32
	maxRun  atomic.Int32
	block   chan struct{}
	panics  string
	// errFor, if set, gives the Err of a source's poll result.
	errFor func(source string) error
}

func newCounting() *countingPoller {
	return &countingPoller{polls: map[string]int{}, watches: map[string]int{}}
}

func (p *countingPoller) PollSource(ctx context.Context, src config.Source, opts harvest.PollOptions) harvest.PollResult {
	n := p.running.Add(1)
	defer p.running.Add(-1)
	for {
		m := p.maxRun.Load()
		if n <= m || p.maxRun.CompareAndSwap(m, n) {
			break
		}
	}
	p.mu.Lock()
	p.polls[src.Name]++
	p.mu.Unlock()
	if src.Name == p.panics {
		panic("boom")
	}
	if p.block != nil {
		select {
		case <-p.block:
		case <-ctx.Done():
		}
	}
	res := harvest.PollResult{Source: src.Name}
	if p.errFor != nil {
		res.Err = p.errFor(src.Name)
	}
	return res
}

func (p *countingPoller) WatchSource(ctx context.Context, src config.Source, mode harvest.Recheck, progress func(string, int, int)) harvest.PollResult {
	p.mu.Lock()
	p.watches[src.Name]++
	p.mu.Unlock()
	return harvest.PollResult{Source: src.Name}
}

func (p *countingPoller) count(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.polls[name]
}

func cfgWith(specs ...string) *config.Config {
	cfg := &config.Config{}
	for i, s := range specs {
		cfg.Sources = append(cfg.Sources, config.Source{Name: string(rune('a' + i)), Schedule: s})
	}
	return cfg
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSchedulesEverySource(t *testing.T) {
	p := newCounting()
	s := New(p, nil, nil)
	s.Jitter = func(time.Duration) time.Duration { return 0 }
	if err := s.Start(cfgWith("@every 1s", "@every 1s")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both sources polled", func() bool { return p.count("a") >= 1 && p.count("b") >= 1 })
	if s.NextRun("a").IsZero() {
		t.Fatal("NextRun of a scheduled source is zero")
	}
	if !s.NextRun("zzz").IsZero() {
		t.Fatal("NextRun of an unknown source is not zero")
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestNoOverlappingRunsOfOneSource(t *testing.T) {
	p := newCounting()
	p.block = make(chan struct{})
	s := New(p, nil, nil)
	src := config.Source{Name: "a"}
	poll := func(ctx context.Context) { p.PollSource(ctx, src, harvest.PollOptions{}) }
	started := make(chan bool)
	go func() { started <- s.Run(src, poll) }()
	waitFor(t, "first run", func() bool { return p.count("a") == 1 })
	if s.Run(src, poll) {
		t.Fatal("a second run of the same source started while the first was going")
	}
	// Another source is not held up.
	if !s.Run(config.Source{Name: "b"}, func(ctx context.Context) {}) {
		t.Fatal("a run of another source was refused")
	}
	close(p.block)
	if !<-started {
		t.Fatal("first run reported not run")
	}
	if p.maxRun.Load() != 1 {
		t.Fatalf("max concurrent polls = %d", p.maxRun.Load())
	}
}

func TestPanicIsRecoveredAndReported(t *testing.T) {
	p := newCounting()
	p.panics = "a"
	s := New(p, nil, nil)
	var got atomic.Value
	s.OnPanic = func(source string, v any) { got.Store(source) }
	src := config.Source{Name: "a"}
	if !s.Run(src, func(ctx context.Context) { p.PollSource(ctx, src, harvest.PollOptions{}) }) {
		t.Fatal("run refused")
	}
	if got.Load() != "a" {
		t.Fatalf("OnPanic source = %v, want a", got.Load())
	}
	// The source can run again: its lock was released.
	p.panics = ""
	if !s.Run(src, func(ctx context.Context) {}) {
		t.Fatal("source locked after a panic")
	}
}

func TestStopCancelsAndWaits(t *testing.T) {
	p := newCounting()
	p.block = make(chan struct{}) // never closed: only cancellation ends the poll
	s := New(p, nil, nil)
	src := config.Source{Name: "a"}
	done := make(chan struct{})
	go func() {
		s.Run(src, func(ctx context.Context) { p.PollSource(ctx, src, harvest.PollOptions{}) })
		close(done)
	}()
	waitFor(t, "run started", func() bool { return p.count("a") == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	select {
	case <-done:
	default:
		t.Fatal("Stop returned before the run ended")
	}
	if s.Run(src, func(ctx context.Context) { t.Error("ran after Stop") }) {
		t.Fatal("Run after Stop reported a run")
	}
}

func TestBadScheduleRefused(t *testing.T) {
	s := New(newCounting(), nil, nil)
	if err := s.Start(cfgWith("every now and then")); err == nil {
		t.Fatal("Start accepted a bad cron spec")
	}
}

func TestJitterWithinTenPercent(t *testing.T) {
	s := New(newCounting(), nil, nil)
	for range 1000 {
		if d := s.jitter(time.Hour); d < 0 || d >= 6*time.Minute {
			t.Fatalf("jitter %v outside [0, 6m)", d)
		}
	}
	if d := s.jitter(0); d != 0 {
		t.Fatalf("jitter(0) = %v", d)
	}
}

func TestReloadReplacesSchedule(t *testing.T) {
	p := newCounting()
	s := New(p, nil, nil)
	s.Jitter = func(time.Duration) time.Duration { return 0 }
	if err := s.Start(cfgWith("0 0 1 1 *")); err != nil { // once a year
		t.Fatal(err)
	}
	first := s.NextRun("a")
	if err := s.Start(cfgWith("@every 1s")); err != nil {
		t.Fatal(err)
	}
	if !s.NextRun("a").Before(first) {
		t.Fatal("reload did not replace the schedule")
	}
	waitFor(t, "poll on the new schedule", func() bool { return p.count("a") >= 1 })
	s.Stop(context.Background())
}

func TestWatchDoesNotBlockThePoll(t *testing.T) {
	p := newCounting()
	s := New(p, nil, nil)
	src := config.Source{Name: "a"}
	release := make(chan struct{})
	started := make(chan struct{})
	go s.run("a\x00watch", src, func(ctx context.Context) { close(started); <-release })
	<-started
	if !s.Run(src, func(ctx context.Context) {}) {
		t.Fatal("the scheduled poll was skipped because the revision watch was running")
	}
	close(release)
}

func TestRunWaitingOutJitterDropsAfterReload(t *testing.T) {
	p := newCounting()
	s := New(p, nil, nil)
	release := make(chan struct{})
	s.Jitter = func(time.Duration) time.Duration { <-release; return 0 }
	if err := s.Start(cfgWith("@every 1s")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)                   // the job fires and waits in Jitter
	if err := s.Start(cfgWith("0 0 1 1 *")); err != nil { // reload: once a year
		t.Fatal(err)
	}
	close(release)
	time.Sleep(200 * time.Millisecond)
	if n := p.count("a"); n != 0 {
		t.Fatalf("a run of the old schedule polled %d times after the reload", n)
	}
	s.Stop(context.Background())
}

// TestDeferredSourceWaitsForRetryAfter: a source whose poll was deferred by
// its host's Retry-After is not polled (nor watched) again before that
// time, then is; NextRun says so; other sources go on.
func TestDeferredSourceWaitsForRetryAfter(t *testing.T) {
	p := newCounting()
	until := time.Now().Add(2500 * time.Millisecond)
	var mu sync.Mutex
	var pollsOfA []time.Time
	p.errFor = func(source string) error {
		if source != "a" {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		pollsOfA = append(pollsOfA, time.Now())
		if len(pollsOfA) == 1 {
			return fmt.Errorf("feed: %w", &fetch.DeferredError{Host: "a.example", Until: until})
		}
		return nil
	}
	s := New(p, nil, nil)
	s.Jitter = func(time.Duration) time.Duration { return 0 }
	if err := s.Start(cfgWith("@every 1s", "@every 1s")); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(t.Context())
	waitFor(t, "a deferred", func() bool { return !s.DeferredUntil("a").IsZero() })
	if next := s.NextRun("a"); next.Before(until) {
		t.Fatalf("NextRun(a) = %v, before the host's Retry-After %v", next, until)
	}
	waitFor(t, "a polled again", func() bool { return p.count("a") >= 2 })
	mu.Lock()
	second := pollsOfA[1]
	mu.Unlock()
	if second.Before(until) {
		t.Fatalf("a polled again at %v, before its host's Retry-After %v", second, until)
	}
	if p.count("b") < 2 {
		t.Fatalf("b polled %d times while a was deferred", p.count("b"))
	}
	waitFor(t, "the deferral forgotten after a good poll", func() bool { return s.DeferredUntil("a").IsZero() })
}
