package fetch

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
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
