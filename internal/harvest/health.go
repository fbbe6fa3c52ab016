package harvest

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"annalist/internal/fetch"
)

// Defaults for the Harvester's backoff and freshness fields.
const (
	DefaultBackoffBase = 5 * time.Minute
	DefaultBackoffMax  = 24 * time.Hour
	DefaultMaxFresh    = 12 * time.Hour
)

// SourceHealth is a source's feed-poll state as seen by this process.
type SourceHealth struct {
	// ConsecutiveFailures counts feed polls that failed in a row; a
	// successful poll (200 parsed, or 304) resets it.
	ConsecutiveFailures int
	LastError           string
	// BackoffUntil: no scheduled poll or watch of the source before then —
	// exponential backoff with jitter after failures, at least a feed's
	// Retry-After.
	BackoffUntil time.Time
	// FreshUntil: the feed declared itself fresh until then (Cache-Control
	// max-age, Expires, RSS <ttl>), capped at MaxFresh after the poll.
	FreshUntil time.Time
}

// Failing reports whether the last feed poll failed.
func (s SourceHealth) Failing() bool { return s.ConsecutiveFailures > 0 }

// NextPollAllowed is the earliest a scheduled poll of the source should run:
// the later of BackoffUntil and FreshUntil.
func (s SourceHealth) NextPollAllowed() time.Time {
	if s.FreshUntil.After(s.BackoffUntil) {
		return s.FreshUntil
	}
	return s.BackoffUntil
}

// Health returns the source's poll state (zero if never polled here).
func (h *Harvester) Health(source string) SourceHealth {
	h.healthMu.Lock()
	defer h.healthMu.Unlock()
	if s, ok := h.health[source]; ok {
		return *s
	}
	return SourceHealth{}
}

// NextPollAllowed is Health(source).NextPollAllowed(); the scheduler skips
// scheduled polls before it. `annalist fetch` ignores it.
func (h *Harvester) NextPollAllowed(source string) time.Time {
	return h.Health(source).NextPollAllowed()
}

// NextWatchAllowed is Health(source).BackoffUntil: a source whose feed is
// failing or pushed back is not re-checked page by page either.
func (h *Harvester) NextWatchAllowed(source string) time.Time {
	return h.Health(source).BackoffUntil
}

// noteFeedPoll updates the source's health after a feed poll that started
// at started: fresh is the freshness the feed declared (0 for none).
func (h *Harvester) noteFeedPoll(ctx context.Context, source string, started time.Time, feedErr error, fresh time.Duration) {
	if feedErr != nil && ctx.Err() != nil && errors.Is(feedErr, ctx.Err()) {
		return // a shutdown is not the source's fault
	}
	var fe *feedError
	if feedErr != nil && !errors.As(feedErr, &fe) {
		// Nor is an index that cannot be read or written (a PostgreSQL
		// server restarting under the workers): the site was not asked,
		// or answered; backing it off would hold its next poll for minutes.
		return
	}
	h.healthMu.Lock()
	defer h.healthMu.Unlock()
	if h.health == nil {
		h.health = map[string]*SourceHealth{}
	}
	s := h.health[source]
	if s == nil {
		s = &SourceHealth{}
		h.health[source] = s
	}
	now := h.now()
	if feedErr == nil {
		s.ConsecutiveFailures, s.LastError, s.BackoffUntil = 0, "", time.Time{}
		s.FreshUntil = time.Time{}
		if fresh > 0 {
			s.FreshUntil = started.Add(min(fresh, h.maxFresh()))
		}
		return
	}
	s.ConsecutiveFailures++
	s.LastError = feedErr.Error()
	s.BackoffUntil = now.Add(h.backoff(s.ConsecutiveFailures))
	var se *fetch.StatusError
	if errors.As(feedErr, &se) && se.RetryAfter > 0 {
		if t := now.Add(se.RetryAfter); t.After(s.BackoffUntil) {
			s.BackoffUntil = t
		}
	}
}

// backoff is the pause after n failures in a row: BackoffBase doubled for
// each failure after the first, capped at BackoffMax, then jittered to a
// uniform draw in [d/2, d) so sources that failed together drift apart.
func (h *Harvester) backoff(n int) time.Duration {
	base, ceiling := h.BackoffBase, h.BackoffMax
	if base <= 0 {
		base = DefaultBackoffBase
	}
	if ceiling <= 0 {
		ceiling = DefaultBackoffMax
	}
	d := base
	for i := 1; i < n && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	half := d / 2
	if half <= 0 {
		return d
	}
	jitter := h.Jitter
	if jitter == nil {
		jitter = func(d time.Duration) time.Duration { return rand.N(d) }
	}
	return half + min(max(jitter(half), 0), half-1)
}

func (h *Harvester) maxFresh() time.Duration {
	if h.MaxFresh > 0 {
		return h.MaxFresh
	}
	return DefaultMaxFresh
}

// freshness is how long the feed response says it stays fresh: the
// Cache-Control max-age (less Age), else Expires minus Date, and at least
// the RSS <ttl>. no-cache, no-store and max-age=0 declare nothing.
func freshness(hdr http.Header, ttl time.Duration, now time.Time) time.Duration {
	var fresh time.Duration
	if maxAge, ok := maxAge(hdr.Get("Cache-Control")); ok {
		fresh = maxAge
		if age, err := strconv.ParseInt(strings.TrimSpace(hdr.Get("Age")), 10, 64); err == nil && age > 0 {
			fresh -= time.Duration(age) * time.Second
		}
	} else if exp := hdr.Get("Expires"); exp != "" {
		if t, err := http.ParseTime(exp); err == nil {
			date := now
			if d, err := http.ParseTime(hdr.Get("Date")); err == nil {
				date = d
			}
			fresh = t.Sub(date)
		}
	}
	return max(fresh, ttl, 0)
}

// maxAge reads max-age from a Cache-Control value; ok is false when there
// is none (no-cache and no-store count as max-age=0).
func maxAge(cc string) (time.Duration, bool) {
	var d time.Duration
	found := false
	for _, dir := range strings.Split(cc, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(dir), "=")
		switch strings.ToLower(k) {
		case "no-cache", "no-store":
			return 0, true
		case "max-age":
			n, err := strconv.ParseInt(strings.Trim(v, `" `), 10, 64)
			if err != nil || n < 0 {
				continue
			}
			if n > int64(365*24*time.Hour/time.Second) {
				n = int64(365 * 24 * time.Hour / time.Second)
			}
			d, found = time.Duration(n)*time.Second, true
		}
	}
	return d, found
}
