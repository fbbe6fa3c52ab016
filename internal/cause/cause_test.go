package cause_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"annalist/internal/cause"
	"annalist/internal/feed"
	"annalist/internal/fetch"
)

// TestOfRealFailures: each failure is produced for real (loopback servers,
// a closed port, a name that cannot resolve, an untrusted certificate) and
// its short cause read both from the error and from its text, as the
// archive stores it, also wrapped the way the harvester words a feed.
func TestOfRealFailures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
		case "/500":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/404":
			http.NotFound(w, r)
		case "/slow":
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	closed := httptest.NewServer(nil)
	closedURL := closed.URL
	closed.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer tlsSrv.Close()

	robotsDown := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer robotsDown.Close()

	// A generous timeout for all but the timeout case: the race detector
	// slows a TLS handshake down a lot.
	open := fetch.New(fetch.Options{AllowPrivateNetworks: true, RespectRobots: true, Timeout: 10 * time.Second})
	short := fetch.New(fetch.Options{AllowPrivateNetworks: true, Timeout: 300 * time.Millisecond})
	guarded := fetch.New(fetch.Options{Timeout: time.Second})
	for _, tc := range []struct {
		name string
		c    *fetch.Client
		url  string
		want string
	}{
		{"status 500", open, srv.URL + "/500", "HTTP 500"},
		{"status 404", open, srv.URL + "/404", "HTTP 404"},
		{"connection refused", open, closedURL + "/", cause.Refused},
		{"no such host", open, "http://no-such-host.invalid/feed", cause.DNS},
		{"robots.txt", open, srv.URL + "/private/page", cause.Robots},
		{"robots.txt answers 503", open, robotsDown.URL + "/page", cause.RobotsDown},
		{"loopback refused", guarded, srv.URL + "/", cause.PrivateNetwork},
		{"timeout", short, srv.URL + "/slow", cause.Timeout},
		{"untrusted certificate", open, tlsSrv.URL + "/", cause.TLS},
		{"scheme", open, "ftp://example.org/x", cause.Scheme},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.Get(context.Background(), fetch.Request{URL: tc.url})
			if err == nil {
				t.Fatal("no error")
			}
			if got := cause.Of(err); got != tc.want {
				t.Errorf("Of(%q) = %q, want %q", err, got, tc.want)
			}
			if got := cause.OfText(err.Error()); got != tc.want {
				t.Errorf("OfText(%q) = %q, want %q", err, got, tc.want)
			}
			worded := "feed " + tc.url + " could not be fetched: " + fetch.Reason(tc.url, err)
			if got := cause.OfText(worded); got != tc.want {
				t.Errorf("OfText(%q) = %q, want %q", worded, got, tc.want)
			}
		})
	}

	_, err := feed.Parse([]byte("<html><body>not a feed</body></html>"), srv.URL, time.Now)
	if !errors.Is(err, feed.ErrNoFeed) || cause.Of(err) != cause.NotAFeed || cause.OfText("feed x could not be read: "+err.Error()) != cause.NotAFeed {
		t.Errorf("not a feed: %v → %q", err, cause.Of(err))
	}
	if got := cause.Of(fmt.Errorf("wrapped: %w", &fetch.DeferredError{Host: "a.example", Until: time.Now().Add(time.Hour)})); got != cause.Deferred {
		t.Errorf("deferred: %q", got)
	}
	long := "store: something nobody foresaw: " + string(make([]byte, 0)) + "a very long explanation of a rare failure that goes on and on past sixty characters"
	if got := cause.OfText(long); len([]rune(got)) != 60 {
		t.Errorf("unknown text cut to %d runes: %q", len([]rune(got)), got)
	}
	if cause.Of(nil) != "" || cause.OfText("") != "" {
		t.Error("no error has a cause")
	}
}

// TestOfTextStoredErrors reads causes from errors as the archive stores
// them (a source's last error, a capture's error), the text the web UI
// and the sources table shorten.
func TestOfTextStoredErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"feed: fetch: GET https://nosuch.example/rss.xml: dial tcp: lookup nosuch.example on 127.0.0.53:53: no such host", cause.DNS},
		{"feed: fetch: GET https://x.example/rss.xml: 500 Internal Server Error", "HTTP 500"},
		{"fetch: GET https://x.example/a/404-page: status 599", "HTTP 599"},
		{"feed: fetch: GET http://127.0.0.1:9/rss: dial tcp 127.0.0.1:9: connect: connection refused", cause.Refused},
		{"fetch: GET https://x.example/private/a: disallowed by robots.txt", cause.Robots},
		{"fetch: GET https://x.example/a: fetch: robots.txt unavailable: https://x.example/robots.txt answered 503 Service Unavailable; nothing is fetched from this host until it answers (RFC 9309 says to assume disallow)", cause.RobotsDown},
		{"fetch: GET https://x.example/a: fetch: robots.txt unavailable: https://x.example/robots.txt timed out; nothing is fetched from this host until it answers (RFC 9309 says to assume disallow)", cause.RobotsDown},
		{"feed: fetch: GET https://x.example/rss: context deadline exceeded (Client.Timeout exceeded while awaiting headers)", cause.Timeout},
		{"feed: fetch: GET http://127.0.0.1:8/rss.xml: GET http://127.0.0.1:8/robots.txt: refused 127.0.0.1: loopback address (set allow_private_networks to allow)", cause.PrivateNetwork},
		{"feed: fetch: GET https://x.example/rss: tls: failed to verify certificate: x509: certificate signed by unknown authority", cause.TLS},
		{"feed: parse: XML syntax error on line 3: unexpected EOF in element", "unexpected EOF in element"},
		{"extract: the source's selectors no longer match this article", cause.SelectorsFailed},
		// Words in a URL are no cause: an article about a timeout or a
		// certificate fails for what the message says after it.
		{"fetch: GET https://history.example/the-timeout-of-empires.html: unexpected EOF", "unexpected EOF"},
		{"fetch: GET https://history.example/a-birth-certificate-of-1066/: response is not HTML", "response is not HTML"},
		{"feed: fetch: GET https://x.example/tls:/dns:%20lookup/rss: 503 Service Unavailable", "HTTP 503"},
	} {
		if got := cause.OfText(c.in); got != c.want {
			t.Errorf("OfText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := "parse: " + strings.Repeat("x", 200)
	if got := cause.OfText(long); len([]rune(got)) != 60 || !strings.HasSuffix(got, "…") {
		t.Errorf("a long unknown cause is not cut to 60 characters: %q", got)
	}
}
