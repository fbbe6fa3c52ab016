package fetch

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// robotsServer serves robots.txt with the given status and body and counts
// its fetches; every other path answers 200.
type robotsServer struct {
	hits        atomic.Int32
	pageHits    atomic.Int32
	mu          sync.Mutex
	userAgents  []string
	conditional []string
	url         string
}

func newRobotsServer(t *testing.T, status int, body string) *robotsServer {
	rs := &robotsServer{}
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			rs.pageHits.Add(1)
			io.WriteString(w, "page")
			return
		}
		rs.hits.Add(1)
		rs.mu.Lock()
		rs.userAgents = append(rs.userAgents, r.UserAgent())
		rs.conditional = append(rs.conditional, r.Header.Get("If-None-Match"))
		rs.mu.Unlock()
		if r.Header.Get("If-None-Match") == `"r1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"r1"`)
		w.WriteHeader(status)
		io.WriteString(w, body)
	})
	rs.url = srv.URL
	return rs
}

const robotsRules = "User-agent: *\nDisallow: /everyone-out\n\nUser-agent: annalist\nDisallow: /private\nAllow: /private/ok\n"

func TestRobotsDisallowAndCache(t *testing.T) {
	rs := newRobotsServer(t, 200, robotsRules)
	c := testClient(t, Options{RespectRobots: true, UserAgent: "annalist/0.1 (+https://example.org)"})
	ctx := context.Background()

	_, err := c.Get(ctx, Request{URL: rs.url + "/private/page"})
	if !errors.Is(err, ErrRobots) {
		t.Fatalf("err = %v, want ErrRobots", err)
	}
	for _, path := range []string{"/public", "/private/ok", "/everyone-out"} {
		// /everyone-out is allowed: our own group replaces the * group.
		if _, err := c.Get(ctx, Request{URL: rs.url + path}); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	if got := rs.hits.Load(); got != 1 {
		t.Errorf("robots.txt fetched %d times, want 1 (cached)", got)
	}
	if rs.pageHits.Load() != 3 {
		t.Errorf("page hits = %d, want 3 (the disallowed page is never fetched)", rs.pageHits.Load())
	}
	if rs.userAgents[0] != "annalist/0.1 (+https://example.org)" {
		t.Errorf("robots.txt fetched with User-Agent %q", rs.userAgents[0])
	}
}

func TestRobotsOverriddenPerRequest(t *testing.T) {
	rs := newRobotsServer(t, 200, "User-agent: *\nDisallow: /\n")
	no, yes := false, true
	ctx := context.Background()

	c := testClient(t, Options{RespectRobots: true})
	if _, err := c.Get(ctx, Request{URL: rs.url + "/x", RespectRobots: &no}); err != nil {
		t.Errorf("override off: %v", err)
	}
	if rs.hits.Load() != 0 {
		t.Errorf("robots.txt fetched although not respected")
	}
	c2 := testClient(t, Options{RespectRobots: false})
	if _, err := c2.Get(ctx, Request{URL: rs.url + "/x", RespectRobots: &yes}); !errors.Is(err, ErrRobots) {
		t.Errorf("override on: err = %v, want ErrRobots", err)
	}
}

func TestRobotsMissingAllows(t *testing.T) {
	for _, status := range []int{404, 410} {
		rs := newRobotsServer(t, status, "User-agent: *\nDisallow: /\n")
		c := testClient(t, Options{RespectRobots: true})
		if _, err := c.Get(context.Background(), Request{URL: rs.url + "/page"}); err != nil {
			t.Errorf("robots.txt %d: %v, want allowed", status, err)
		}
	}
}

// RFC 9309 §2.3.1.4: a robots.txt answering a server error leaves the
// rules undefined and the crawler must assume complete disallow; the page
// is not requested, and the error names robots.txt and its status.
func TestRobotsServerErrorDisallows(t *testing.T) {
	for _, status := range []int{500, 503, 429} {
		rs := newRobotsServer(t, status, "User-agent: *\nAllow: /\n")
		c := testClient(t, Options{RespectRobots: true})
		_, err := c.Get(context.Background(), Request{URL: rs.url + "/page"})
		var ru *RobotsUnavailableError
		if !errors.As(err, &ru) || !errors.Is(err, ErrRobotsUnavailable) || errors.Is(err, ErrRobots) {
			t.Fatalf("robots.txt %d: err = %v, want a RobotsUnavailableError (not ErrRobots)", status, err)
		}
		if ru.Code != status || !strings.Contains(err.Error(), rs.url+"/robots.txt") {
			t.Errorf("robots.txt %d: error %q does not name robots.txt and its status", status, err)
		}
		if rs.pageHits.Load() != 0 {
			t.Errorf("robots.txt %d: page requested %d times, want none", status, rs.pageHits.Load())
		}
		// Cached for robotsErrorTTL: a second page does not ask again.
		_, _ = c.Get(context.Background(), Request{URL: rs.url + "/other"})
		if rs.hits.Load() != 1 {
			t.Errorf("robots.txt %d: fetched %d times, want 1", status, rs.hits.Load())
		}
	}
}

// A robots.txt that redirects to a server error is named with the URL
// that failed, not only /robots.txt, which did answer (with a redirect).
func TestRobotsRedirectToServerErrorNamesTheTarget(t *testing.T) {
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.Redirect(w, r, "/cdn/robots.txt", http.StatusMovedPermanently)
		case "/cdn/robots.txt":
			w.WriteHeader(http.StatusBadGateway)
		default:
			io.WriteString(w, "page")
		}
	})
	c := testClient(t, Options{RespectRobots: true})
	_, err := c.Get(context.Background(), Request{URL: srv.URL + "/page"})
	var ru *RobotsUnavailableError
	if !errors.As(err, &ru) || ru.Code != http.StatusBadGateway {
		t.Fatalf("err = %v, want a RobotsUnavailableError with 502", err)
	}
	want := srv.URL + "/robots.txt redirected to " + srv.URL + "/cdn/robots.txt, which answered 502 Bad Gateway"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q\ndoes not say %q", err, want)
	}
}

// Once robots.txt has answered, a later server error keeps the rules held
// (RFC 9309 lets a cached copy stand), and a robots.txt that answers again
// lifts the disallow.
func TestRobotsServerErrorKeepsKnownRulesAndRecovers(t *testing.T) {
	var status atomic.Int32
	status.Store(200)
	var pages atomic.Int32
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.WriteHeader(int(status.Load()))
			io.WriteString(w, "User-agent: *\nDisallow: /private\n")
			return
		}
		pages.Add(1)
	})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := testClient(t, Options{RespectRobots: true, Now: func() time.Time { return now }})
	ctx := context.Background()
	if _, err := c.Get(ctx, Request{URL: srv.URL + "/a"}); err != nil {
		t.Fatal(err)
	}
	status.Store(503)
	now = now.Add(robotsTTL + time.Minute)
	if _, err := c.Get(ctx, Request{URL: srv.URL + "/b"}); err != nil {
		t.Errorf("known rules, robots.txt now 503: %v, want allowed by the rules held", err)
	}
	if _, err := c.Get(ctx, Request{URL: srv.URL + "/private/x"}); !errors.Is(err, ErrRobots) {
		t.Errorf("known rules, robots.txt now 503: /private/x err = %v, want ErrRobots", err)
	}

	c2 := testClient(t, Options{RespectRobots: true, Now: func() time.Time { return now }})
	if _, err := c2.Get(ctx, Request{URL: srv.URL + "/c"}); !errors.Is(err, ErrRobotsUnavailable) {
		t.Fatalf("nothing known, robots.txt 503: err = %v, want ErrRobotsUnavailable", err)
	}
	status.Store(200)
	now = now.Add(robotsErrorTTL + time.Second)
	if _, err := c2.Get(ctx, Request{URL: srv.URL + "/c"}); err != nil {
		t.Errorf("robots.txt answers again: %v, want allowed", err)
	}
}

func TestRobotsTimeoutDisallows(t *testing.T) {
	// robots.txt that hangs until the per-request timeout: undefined rules,
	// so the page is not fetched (RFC 9309 §2.3.1.4).
	var pages atomic.Int32
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			<-r.Context().Done()
			return
		}
		pages.Add(1)
	})
	c := testClient(t, Options{RespectRobots: true, Timeout: 200 * time.Millisecond})
	if _, err := c.Get(context.Background(), Request{URL: srv.URL + "/page"}); !errors.Is(err, ErrRobotsUnavailable) {
		t.Fatalf("err = %v, want ErrRobotsUnavailable", err)
	}
	if pages.Load() != 0 {
		t.Errorf("page hits = %d, want 0", pages.Load())
	}
}

func TestRobotsRefreshedConditionally(t *testing.T) {
	rs := newRobotsServer(t, 200, robotsRules)
	var mu sync.Mutex
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := testClient(t, Options{RespectRobots: true, Now: clock})
	ctx := context.Background()

	if _, err := c.Get(ctx, Request{URL: rs.url + "/private"}); !errors.Is(err, ErrRobots) {
		t.Fatalf("err = %v", err)
	}
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	if _, err := c.Get(ctx, Request{URL: rs.url + "/private"}); !errors.Is(err, ErrRobots) {
		t.Fatalf("after 304 refresh: err = %v, want the cached rules kept", err)
	}
	if rs.hits.Load() != 2 {
		t.Fatalf("robots.txt fetched %d times, want 2", rs.hits.Load())
	}
	if rs.conditional[0] != "" || rs.conditional[1] != `"r1"` {
		t.Errorf("If-None-Match sent = %q, want the refresh to be conditional", rs.conditional)
	}
}

// A robots.txt over the size cap is read up to the cap, not ignored: the
// rules at its top hold (RFC 9309 §2.5), and a line cut at the cap is
// dropped rather than read as a shorter (broader) path.
func TestRobotsHugeFileKeepsRulesAtTop(t *testing.T) {
	var b strings.Builder
	b.WriteString("User-agent: *\nDisallow: /private\n")
	const cut = "\nDisallow: /pub" // what is left of the last line at the cap
	for b.Len() < robotsMaxBody-len(cut)-100 {
		b.WriteString("# padding that makes the file larger than the cap\n")
	}
	for b.Len() < robotsMaxBody-len(cut) {
		b.WriteString("#")
	}
	b.WriteString(cut + "lic-page-cut-at-the-cap\n")
	rs := newRobotsServer(t, 200, b.String())
	c := testClient(t, Options{RespectRobots: true, UserAgent: "annalist/0.1"})
	ctx := context.Background()

	if _, err := c.Get(ctx, Request{URL: rs.url + "/private/page"}); !errors.Is(err, ErrRobots) {
		t.Fatalf("/private/page: err = %v, want ErrRobots from the rules at the top", err)
	}
	if _, err := c.Get(ctx, Request{URL: rs.url + "/public"}); err != nil {
		t.Fatalf("/public: %v (the line cut at the cap must not count)", err)
	}
}

// A host whose robots.txt could not be reached at all (connection
// refused) with nothing known is asked again at its next request: when it
// is back a moment later, its rules hold at once, not after
// robotsErrorTTL of pages fetched unchecked.
func TestRobotsUnreachableHostAskedAgain(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // the host is down
	c := testClient(t, Options{RespectRobots: true, UserAgent: "annalist/0.1"})
	ctx := context.Background()
	if _, err := c.Get(ctx, Request{URL: "http://" + addr + "/private/page"}); err == nil {
		t.Fatal("a host that is down answered")
	}

	ln, err = net.Listen("tcp", addr) // back, on the same address
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			io.WriteString(w, "User-agent: *\nDisallow: /private\n")
			return
		}
		io.WriteString(w, "page")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	if _, err := c.Get(ctx, Request{URL: "http://" + addr + "/private/page"}); !errors.Is(err, ErrRobots) {
		t.Fatalf("err = %v once the host is back, want ErrRobots", err)
	}
}
