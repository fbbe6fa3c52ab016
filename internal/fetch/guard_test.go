package fetch

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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

		// The rest of the IANA IPv4 special-purpose registry.
		{"0.1.2.3", "unspecified address"},
		{"192.0.0.1", "IETF protocol assignment address"},
		{"192.0.0.8", "IETF protocol assignment address"},
		{"192.0.0.170", "IETF protocol assignment address"},
		{"192.0.0.9", ""},  // PCP anycast: globally reachable
		{"192.0.0.10", ""}, // TURN anycast: globally reachable
		{"192.0.2.1", "documentation address"},
		{"198.51.100.7", "documentation address"},
		{"203.0.113.9", "documentation address"},
		{"192.31.196.1", ""}, // AS112-v4: globally reachable
		{"192.52.193.1", ""}, // AMT: globally reachable
		{"192.175.48.1", ""}, // AS112 direct delegation: globally reachable
		{"192.88.99.1", "deprecated 6to4 relay anycast address"},
		{"198.18.0.1", "benchmarking address"},
		{"198.19.255.255", "benchmarking address"},
		{"198.20.0.1", ""},
		{"240.0.0.1", "reserved address"},
		{"254.1.2.3", "reserved address"},
		{"239.255.255.250", "multicast address"},
		{"192.0.1.1", ""},
		{"203.0.114.1", ""},

		// IPv6: mapped, translated and tunnelled IPv4 is judged by that address.
		{"::ffff:10.0.0.1", "private address"},
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::a00:1", "private address"},
		{"64:ff9b::c0a8:101", "private address"},
		{"64:ff9b:1::808:808", "local-use NAT64 address"},
		{"2002:7f00:1::1", "loopback address"},      // 6to4 of 127.0.0.1
		{"2002:a9fe:a9fe::1", "link-local address"}, // 6to4 of 169.254.169.254
		{"2002:c000:22a::1", "documentation address"},
		{"2002:808:808::1", ""},
		// The rest of the IANA IPv6 special-purpose registry.
		{"100::1", "discard-only address"},
		{"2001::1", "Teredo address"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo address"},
		{"2001:2::1", "benchmarking address"},
		{"2001:10::1", "deprecated ORCHID address"},
		{"2001:100::1", "IETF protocol assignment address"},
		{"2001:1::4", "IETF protocol assignment address"},
		{"2001:1::1", ""},     // PCP anycast
		{"2001:1::2", ""},     // TURN anycast
		{"2001:1::3", ""},     // DNS-SD SRP anycast
		{"2001:3::1", ""},     // AMT
		{"2001:4:112::1", ""}, // AS112-v6
		{"2001:20::1", ""},    // ORCHIDv2
		{"2001:30::1", ""},    // drone remote ID
		{"2001:200::1", ""},   // just past 2001::/23: ordinary global unicast
		{"2001:db8::1", "documentation address"},
		{"3fff::1", "documentation address"},
		{"3fff:fff::1", "documentation address"},
		{"2620:4f:8000::1", ""}, // AS112 direct delegation
		{"5f00::1", "segment routing SID address"},
		{"fc00::1", "private address"},
		{"febf::1", "link-local address"},
		{"fec0::1", "site-local address"},
		{"ff0e::1", "multicast address"},
		{"::2", "reserved address (outside 2000::/3)"},
		{"::10.0.0.1", "reserved address (outside 2000::/3)"}, // IPv4-compatible, deprecated
		{"4000::1", "reserved address (outside 2000::/3)"},
		{"2a00:1450:4001::1", ""},
		{"fe80::1%eth0", "link-local address"},
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
	want := "fetch: GET " + srv.URL + ": refused 127.0.0.1 (loopback address); to allow, set http.allow_private_networks: true in config.yaml"
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if hits != 0 {
		t.Errorf("server was reached %d times", hits)
	}
}

// With robots.txt honoured, the refusal still names the page and the
// address, not the robots.txt request that met it first (issue 12).
func TestGuardRefusalUnderRobotsNamesThePage(t *testing.T) {
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c := New(Options{RespectRobots: true})
	_, err := c.Get(context.Background(), Request{URL: srv.URL + "/rss.xml"})
	if !errors.Is(err, ErrPrivateNetwork) {
		t.Fatalf("err = %v, want ErrPrivateNetwork", err)
	}
	want := "fetch: GET " + srv.URL + "/rss.xml: refused 127.0.0.1 (loopback address); to allow, set http.allow_private_networks: true in config.yaml"
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if got, want := Reason(srv.URL+"/rss.xml", err), "refused 127.0.0.1 (loopback address); to allow, set http.allow_private_networks: true in config.yaml"; got != want {
		t.Errorf("Reason = %q, want %q", got, want)
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

// nonLoopbackAddr returns an address of one of this machine's interfaces
// that is not loopback (IPv4 preferred), or skips the test.
func nonLoopbackAddr(t *testing.T) netip.Addr {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skipf("cannot list this machine's interface addresses: %v", err)
	}
	var v6 netip.Addr
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(n.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		switch {
		case ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsUnspecified():
		case ip.Is4():
			return ip
		case !v6.IsValid():
			v6 = ip
		}
	}
	if !v6.IsValid() {
		t.Skip("this machine has no non-loopback interface address to reach a 0.0.0.0 server through")
	}
	return v6
}

// TestGuardRefusesOwnInterfaceAddress: a service bound to 0.0.0.0 (all
// interfaces) is not reachable through this machine's own interface
// address, whatever range that address is in, directly or via a redirect.
func TestGuardRefusesOwnInterfaceAddress(t *testing.T) {
	own := nonLoopbackAddr(t)
	var hits atomic.Int32
	ln, err := net.Listen("tcp", ":0") // all interfaces
	if err != nil {
		t.Fatal(err)
	}
	secret := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	secret.Listener.Close()
	secret.Listener = ln
	secret.Start()
	t.Cleanup(secret.Close)
	target := "http://" + netip.AddrPortFrom(own, uint16(ln.Addr().(*net.TCPAddr).Port)).String() + "/admin"

	// The address is reachable: without the guard the request gets through.
	if _, err := testClient(t, Options{}).Get(context.Background(), Request{URL: target}); err != nil {
		t.Fatalf("control request through %s: %v", target, err)
	}
	hits.Store(0)

	public := testServer(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target, http.StatusFound) })
	pubAddr := netip.MustParseAddrPort(strings.TrimPrefix(public.URL, "http://"))
	c := newClient(Options{}, func(ap netip.AddrPort) bool { return ap == pubAddr })
	for _, u := range []string{target, public.URL} {
		_, err := c.Get(context.Background(), Request{URL: u})
		if !errors.Is(err, ErrPrivateNetwork) || !strings.Contains(err.Error(), "refused "+own.String()+" ("+ownAddressRule+")") {
			t.Errorf("GET %s: err = %v, want %s refused as %s", u, err, own, ownAddressRule)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the 0.0.0.0 server was reached %d times through %s", n, own)
	}
}

// TestHostAddrsRefreshed: the guard refuses whatever the interface list
// says, even a public address, and re-reads the list after hostAddrsTTL,
// keeping the last good list when reading fails.
func TestHostAddrsRefreshed(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	list := []net.Addr{&net.IPNet{IP: net.ParseIP("198.20.0.1"), Mask: net.CIDRMask(24, 32)}}
	var listErr error
	reads := 0
	h := newHostAddrs(func() ([]net.Addr, error) { reads++; return list, listErr }, func() time.Time { return now }, slog.New(slog.DiscardHandler))
	control := guardControl(nil, h)
	dial := func(addr string) error { return control("tcp", addr, nil) }

	if err := dial("198.20.0.1:80"); !errors.Is(err, ErrPrivateNetwork) || !strings.Contains(err.Error(), ownAddressRule) {
		t.Fatalf("own public address: err = %v", err)
	}
	if err := dial("[::ffff:198.20.0.1]:80"); !errors.Is(err, ErrPrivateNetwork) {
		t.Fatalf("own address, IPv4-mapped: err = %v", err)
	}
	if err := dial("198.20.0.2:80"); err != nil {
		t.Fatalf("another public address: %v", err)
	}
	// The interface gets a new address: seen after the TTL, not before.
	list = []net.Addr{&net.IPAddr{IP: net.ParseIP("2a00:1450:4001::1")}}
	now = now.Add(hostAddrsTTL / 2)
	if err := dial("198.20.0.1:80"); err == nil || reads != 1 {
		t.Fatalf("list re-read before the TTL (reads %d)", reads)
	}
	now = now.Add(hostAddrsTTL)
	if err := dial("198.20.0.1:80"); err != nil {
		t.Fatalf("old address still refused after a refresh: %v", err)
	}
	if err := dial("[2a00:1450:4001::1]:443"); !errors.Is(err, ErrPrivateNetwork) {
		t.Fatalf("new address: err = %v", err)
	}
	// A failed read keeps the last list.
	listErr = errors.New("netlink: permission denied")
	now = now.Add(2 * hostAddrsTTL)
	if err := dial("[2a00:1450:4001::1]:443"); !errors.Is(err, ErrPrivateNetwork) {
		t.Fatalf("after a failed read: err = %v", err)
	}
}
