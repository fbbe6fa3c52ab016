package schedule

import (
	"sync"
	"testing"
	"time"
)

// gatedPoller is a countingPoller that also implements Gate.
type gatedPoller struct {
	*countingPoller
	mu    sync.Mutex
	until map[string]time.Time
}

func (g *gatedPoller) NextPollAllowed(source string) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.until[source]
}

func (g *gatedPoller) NextWatchAllowed(source string) time.Time { return g.NextPollAllowed(source) }

func TestGateSkipsBackingOffSource(t *testing.T) {
	p := &gatedPoller{countingPoller: newCounting(), until: map[string]time.Time{"a": time.Now().Add(time.Hour)}}
	s := New(p, nil, nil)
	s.Jitter = func(time.Duration) time.Duration { return 0 }
	if err := s.Start(cfgWith("@every 1s", "@every 1s")); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(t.Context())
	waitFor(t, "two polls of b", func() bool { return p.count("b") >= 2 })
	if n := p.count("a"); n != 0 {
		t.Fatalf("source a backing off was polled %d times", n)
	}
	// Once the gate opens, a is polled again.
	p.mu.Lock()
	p.until["a"] = time.Time{}
	p.mu.Unlock()
	waitFor(t, "a poll of a", func() bool { return p.count("a") >= 1 })
}
