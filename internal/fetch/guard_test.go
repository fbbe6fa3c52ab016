package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

func TestClassifyIP(t *testing.T) {
	tests := []struct {
		addr string
		rule string // "" = allowed
	}{
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"2606:4700:4700::1111", ""},
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"127.0.0.1", "loopback address"},
		{"127.255.255.254", "loopback address"},
		{"::1", "loopback address"},
		{"::ffff:127.0.0.1", "loopback address"},
		{"10.1.2.3", "private address"},
		{"172.16.0.1", "private address"},
		{"172.31.255.255", "private address"},
		{"192.168.1.1", "private address"},
		{"fd00::1", "private address"},
		{"169.254.1.1", "link-local address"},
		{"169.254.169.254", "link-local address"},
		{"fe80::1", "link-local address"},
		{"100.64.0.1", "carrier-grade NAT address"},
		{"100.127.255.255", "carrier-grade NAT address"},
		{"224.0.0.1", "multicast address"},
		{"ff02::1", "multicast address"},
		{"0.0.0.0", "unspecified address"},
		{"::", "unspecified address"},
		{"255.255.255.255", "broadcast address"},
		{"64:ff9b::7f00:1", "loopback address"},
		{"64:ff9b::808:808", ""},
	}
	for _, tt := range tests {
		if got := classifyIP(netip.MustParseAddr(tt.addr)); got != tt.rule {
			t.Errorf("classifyIP(%s) = %q, want %q", tt.addr, got, tt.rule)
		}
	}
}

func TestGuardRefusesLoopbackServer(t *testing.T) {
	var hits int
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) { hits++ })
	c := New(Options{}) // AllowPrivateNetworks false
	_, err := c.Get(context.Background(), Request{URL: srv.URL})
	if !errors.Is(err, ErrPrivateNetwork) {
		t.Fatalf("err = %v, want ErrPrivateNetwork", err)
	}
	want := "fetch: GET " + srv.URL + ": refused 127.0.0.1: loopback address (set allow_private_networks to allow)"
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if hits != 0 {
		t.Errorf("server was reached %d times", hits)
	}
}

func TestGuardRefusesLocalhostName(t *testing.T) {
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {})
	u, _ := url.Parse(srv.URL)
	u.Host = "localhost:" + u.Port() // a name, resolved before the check
	_, err := New(Options{}).Get(context.Background(), Request{URL: u.String()})
	if !errors.Is(err, ErrPrivateNetwork) || !strings.Contains(err.Error(), "loopback address") {
		t.Fatalf("err = %v, want loopback refusal", err)
	}
}

func TestGuardRefusesRedirectToPrivate(t *testing.T) {
	var inner int
	private := testServer(t, func(w http.ResponseWriter, r *http.Request) { inner++ })
	public := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, private.URL+"/admin", http.StatusFound)
	})
	pub, _ := url.Parse(public.URL)
	pubAddr := netip.MustParseAddrPort(pub.Host)
	// Only the redirecting server is exempt, standing in for a public host.
	c := newClient(Options{}, func(ap netip.AddrPort) bool { return ap == pubAddr })
	_, err := c.Get(context.Background(), Request{URL: public.URL})
	if !errors.Is(err, ErrPrivateNetwork) {
		t.Fatalf("err = %v, want ErrPrivateNetwork", err)
	}
	if !strings.Contains(err.Error(), "redirected to "+private.URL+"/admin") || !strings.Contains(err.Error(), "loopback address") {
		t.Errorf("error should name the redirect target and rule: %v", err)
	}
	if inner != 0 {
		t.Errorf("private server reached %d times", inner)
	}
}
