package cli_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRetryAfterOutlivesTheRun: a host that answered 429 with
// Retry-After is left alone by the next `annalist fetch` too (each run is
// a new process with a new client), which fails at once naming the time,
// without a request to the host.
func TestRetryAfterOutlivesTheRun(t *testing.T) {
	f := newFixture(t)
	var pages atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		pages.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)

	out, _, code := f.run("fetch", "--url", srv.URL+"/busy", "--json")
	if code != 1 || !strings.Contains(out, "429") {
		t.Fatalf("first run: exit %d, %s; want a 429 failure", code, out)
	}
	if pages.Load() != 1 {
		t.Fatalf("first run: %d page requests, want 1", pages.Load())
	}
	out, _, code = f.run("fetch", "--url", srv.URL+"/other", "--json")
	if code != 1 || !strings.Contains(out, "asked to wait until") {
		t.Fatalf("second run: exit %d, %s; want it deferred by the earlier Retry-After", code, out)
	}
	if pages.Load() != 1 {
		t.Errorf("second run sent %d more requests to a host that asked to be left alone for an hour", pages.Load()-1)
	}
}
