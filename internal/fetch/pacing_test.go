package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetryAfterPushesHostBack(t *testing.T) {
	var hits atomic.Int32
	var mu sync.Mutex
	var secondAt time.Time
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		mu.Lock()
		secondAt = time.Now()
		mu.Unlock()
	})
	c := testClient(t, Options{})
	ctx := context.Background()

	t0 := time.Now()
	_, err := c.Get(ctx, Request{URL: srv.URL})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 429 || se.RetryAfter != 2*time.Second {
		t.Fatalf("err = %#v, want 429 with RetryAfter 2s", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("Get retried internally: %d hits", hits.Load())
	}
	if _, err := c.Get(ctx, Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if waited := secondAt.Sub(t0); waited < 2*time.Second {
		t.Errorf("second request started %v after the first, want >= 2s", waited)
	}
}

// TestRetryAfterBeyondTimeoutDeferred: a host that asks for an hour is not
// waited for by a request allowed 20 s, with or without a context
// deadline: it is deferred at once with the time, and other hosts go on.
func TestRetryAfterBeyondTimeoutDeferred(t *testing.T) {
	var hits atomic.Int32
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	other := testServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c := testClient(t, Options{Timeout: 20 * time.Second})
	t0 := time.Now()
	_, err := c.Get(context.Background(), Request{URL: srv.URL})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 503 || se.RetryAfter != time.Hour {
		t.Fatalf("err = %v", err)
	}
	ctxs := map[string]func() (context.Context, context.CancelFunc){
		"no deadline": func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
		"deadline": func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Minute)
		},
	}
	for name, mk := range ctxs {
		ctx, cancel := mk()
		_, err := c.Get(ctx, Request{URL: srv.URL + "/other-page"})
		cancel()
		var de *DeferredError
		if !errors.Is(err, ErrDeferred) || !errors.As(err, &de) {
			t.Fatalf("%s: err = %v, want ErrDeferred", name, err)
		}
		host := strings.TrimPrefix(srv.URL, "http://")
		if de.Host != host || de.Until.Before(t0.Add(time.Hour)) || de.Until.After(time.Now().Add(time.Hour)) {
			t.Fatalf("%s: deferred %+v, want host %s until an hour from now", name, de, host)
		}
		want := "fetch: GET " + srv.URL + "/other-page: host " + host + " asked to wait until " + de.Until.UTC().Format("15:04:05") + " UTC (Retry-After)"
		if de.Until.UTC().Day() != time.Now().UTC().Day() {
			want = "fetch: GET " + srv.URL + "/other-page: host " + host + " asked to wait until " + de.Until.UTC().Format("2006-01-02 15:04:05") + " UTC (Retry-After)"
		}
		if err.Error() != want {
			t.Errorf("%s: error = %q, want %q", name, err, want)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("the host was reached %d times, want 1", n)
	}
	if _, err := c.Get(context.Background(), Request{URL: other.URL}); err != nil {
		t.Fatalf("another host waited: %v", err)
	}
}

// TestShortRetryAfterWaitHonoursContext: a Retry-After within the timeout
// is waited out, and cancellation ends that wait.
func TestShortRetryAfterWaitHonoursContext(t *testing.T) {
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "10")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := testClient(t, Options{Timeout: 20 * time.Second})
	if _, err := c.Get(context.Background(), Request{URL: srv.URL}); err == nil {
		t.Fatal("want the 429")
	}
	// A deadline before the host's next slot fails at once.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Get(ctx, Request{URL: srv.URL}); !errors.Is(err, ErrDeferred) {
		t.Errorf("err = %v, want deferred", err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel2() }()
	if _, err := c.Get(ctx2, Request{URL: srv.URL}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want canceled", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"2", 2 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"Mon, 01 Jan 2024 12:00:30 GMT", 30 * time.Second, true},
		{"Mon, 01 Jan 2024 11:00:00 GMT", 0, true},
		{"99999999999", 24 * time.Hour, true},
		{"-5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPerHostConcurrencyLimit(t *testing.T) {
	var inFlight, maxInFlight atomic.Int32
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
	})
	c := testClient(t, Options{PerHostConcurrency: 2})
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			if _, err := c.Get(context.Background(), Request{URL: srv.URL}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if m := maxInFlight.Load(); m > 2 || m < 1 {
		t.Errorf("max in flight = %d, want <= 2", m)
	}
}

func TestPerHostInterval(t *testing.T) {
	var mu sync.Mutex
	var starts []time.Time
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
	})
	const gap = 80 * time.Millisecond
	c := testClient(t, Options{PerHostInterval: gap, PerHostConcurrency: 4})
	t0 := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := c.Get(context.Background(), Request{URL: srv.URL}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	// The fourth start can come no sooner than three gaps after the first.
	if len(starts) != 4 {
		t.Fatalf("%d requests arrived", len(starts))
	}
	if span := starts[3].Sub(t0); span < 3*gap {
		t.Errorf("4 requests spread over %v, want >= %v", span, 3*gap)
	}
}

func TestPacerSeparatesHosts(t *testing.T) {
	p := newPacer(time.Hour, 1, time.Now, nil, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, _ := url.Parse("http://a.example/")
	b, _ := url.Parse("https://b.example/")
	relA, err := p.acquire(ctx, hostKey(a), "a.example", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	relA()
	// b is not paced by a's hour-long interval.
	relB, err := p.acquire(ctx, hostKey(b), "b.example", time.Hour)
	if err != nil {
		t.Fatalf("b waited on a: %v", err)
	}
	relB()
	// a is: its next slot is after ctx's deadline.
	if _, err := p.acquire(ctx, hostKey(a), "a.example", time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second acquire of a: %v, want deadline exceeded", err)
	}
}
