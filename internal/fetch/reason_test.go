package fetch

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestUnresolvableHostReadsForPeople (issue 12, point 7): a host that does
// not resolve is said so once, naming the host, not the resolver, and the
// robots.txt request that met it first adds no warning of its own.
func TestUnresolvableHostReadsForPeople(t *testing.T) {
	var logs bytes.Buffer
	c := New(Options{RespectRobots: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	u := "http://no-such-host.invalid/feed"
	_, err := c.Get(context.Background(), Request{URL: u})
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) {
		t.Fatalf("err = %v, want a DNS error", err)
	}
	if got, want := Reason(u, err), "DNS lookup of no-such-host.invalid failed: "+dnsErr.Err; got != want {
		t.Errorf("Reason = %q, want %q", got, want)
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("the unreachable robots.txt was logged as a warning:\n%s", logs.String())
	}
}

// TestRedirectAndGzipReasonsReadForPeople: a redirect loop and a body that
// says it is gzip but is not read as sentences, without a bracket left
// after the cut URL ("could not be archived:  (redirected to …): …") or a
// doubled "gzip: gzip:".
func TestRedirectAndGzipReasonsReadForPeople(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop2", http.StatusFound) })
	mux.HandleFunc("/loop2", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/badgzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write([]byte("this is not gzip at all"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := New(Options{AllowPrivateNetworks: true})
	u := srv.URL + "/loop"
	_, err := c.Get(context.Background(), Request{URL: u})
	if err == nil {
		t.Fatal("a redirect loop was fetched")
	}
	if got, want := Reason(u, err), "redirected to "+srv.URL+"/loop: too many redirects"; !strings.HasPrefix(got, want) {
		t.Errorf("Reason = %q, want it to start %q", got, want)
	}
	u = srv.URL + "/badgzip"
	_, err = c.Get(context.Background(), Request{URL: u})
	if err == nil {
		t.Fatal("a body that is not gzip was read as gzip")
	}
	if got := Reason(u, err); got != "Content-Encoding gzip: invalid header" {
		t.Errorf("Reason = %q", got)
	}
}
