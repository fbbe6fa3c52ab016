package harvest_test

import (
	"context"
	"testing"
	"time"

	"annalist/internal/faultsite"
	"annalist/internal/harvest"
)

// TestBackoffAfterRepeatedFailures: each failed feed poll doubles the pause
// before the next scheduled one (jittered into [d/2, d), capped), the
// failures are counted for `annalist sources`, and one success resets all.
func TestBackoffAfterRepeatedFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		jitter func(time.Duration) time.Duration
		want   []time.Duration // pause after failure 1, 2, …
	}{
		{"least jitter", func(time.Duration) time.Duration { return 0 },
			[]time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute}},
		{"most jitter", func(d time.Duration) time.Duration { return d - 1 },
			[]time.Duration{time.Minute - 1, 2*time.Minute - 1, 4*time.Minute - 1, 8*time.Minute - 1, 10*time.Minute - 1, 10*time.Minute - 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, rigOptions{})
			now := time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC)
			r.h.Now = func() time.Time { return now }
			r.h.BackoffBase, r.h.BackoffMax, r.h.Jitter = time.Minute, 10*time.Minute, tc.jitter
			src := r.source("flaky", faultsite.FeedFlaky)
			r.fault.SetFailing(true)
			for i, want := range tc.want {
				res := r.pollWithGood(src)
				r.wantPollError(res, "flaky", "500")
				h := r.h.Health("flaky")
				if h.ConsecutiveFailures != i+1 || !h.Failing() || h.LastError == "" {
					t.Fatalf("after failure %d: health %+v", i+1, h)
				}
				if got := h.BackoffUntil.Sub(now); got != want {
					t.Fatalf("after failure %d: backoff %v, want %v", i+1, got, want)
				}
				if r.h.NextPollAllowed("flaky") != h.BackoffUntil || r.h.NextWatchAllowed("flaky") != h.BackoffUntil {
					t.Fatal("the scheduler's gates do not follow the backoff")
				}
			}
			r.fault.SetFailing(false)
			if res := r.pollWithGood(src); res.Failed() {
				t.Fatalf("recovered poll: %v", res.Err)
			}
			if h := r.h.Health("flaky"); h.ConsecutiveFailures != 0 || h.Failing() || !h.BackoffUntil.IsZero() || !r.h.NextPollAllowed("flaky").IsZero() {
				t.Fatalf("a success did not reset the backoff: %+v", h)
			}
		})
	}
}

// TestFeedFreshnessIsALowerBound: Cache-Control max-age, Expires and RSS
// <ttl> hold off the next scheduled poll, capped at MaxFresh.
func TestFeedFreshnessIsALowerBound(t *testing.T) {
	for _, tc := range []struct {
		path string
		want time.Duration
	}{
		{faultsite.FeedMaxAge, 2 * time.Hour},
		{faultsite.FeedExpires, 3 * time.Hour},
		{faultsite.FeedTTL, 4 * time.Hour},
		{faultsite.FeedMaxAgeHuge, 12 * time.Hour}, // capped
		{faultsite.FeedGood, 0},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := newRig(t, rigOptions{})
			now := time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC)
			r.h.Now = func() time.Time { return now }
			r.fault.Now = r.h.Now
			res := r.pollWithGood(r.source("cached", tc.path))
			if res.Failed() {
				t.Fatalf("poll: %v %v", res.Err, res.PageErrors)
			}
			got := r.h.NextPollAllowed("cached")
			if tc.want == 0 {
				if !got.IsZero() {
					t.Fatalf("next poll allowed at %v for a feed without cache headers", got)
				}
				return
			}
			if got.Sub(now) != tc.want {
				t.Fatalf("next poll allowed after %v, want %v", got.Sub(now), tc.want)
			}
		})
	}
}

// TestIndexFailureIsNotTheSourcesFault: when the index cannot be read (a
// PostgreSQL server restarting under several workers, a closed archive),
// the poll fails but the source's health is left as it was: no backoff
// that would hold off its next scheduled poll for minutes, no failure
// counted against a site that answered.
func TestIndexFailureIsNotTheSourcesFault(t *testing.T) {
	r := newRig(t, rigOptions{})
	src := r.source("steady", faultsite.FeedGood)
	if res := r.pollWithGood(src); res.Failed() {
		t.Fatalf("first poll: %v", res.Err)
	}
	if err := r.st.Close(); err != nil {
		t.Fatal(err)
	}
	res := r.h.PollSource(context.Background(), src, harvest.PollOptions{Recheck: harvest.RecheckDue})
	if res.Err == nil {
		t.Fatal("a poll on a closed index did not fail")
	}
	if h := r.h.Health("steady"); h.Failing() || !h.BackoffUntil.IsZero() || !r.h.NextPollAllowed("steady").IsZero() {
		t.Errorf("an index failure (%v) counted against the source: %+v", res.Err, h)
	}
}
