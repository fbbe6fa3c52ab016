package fetch

import (
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// rangeRule is one refused block and the rule named in the error.
type rangeRule struct {
	prefix netip.Prefix
	rule   string
}

func rules(rule string, prefixes ...string) []rangeRule {
	out := make([]rangeRule, len(prefixes))
	for i, p := range prefixes {
		out[i] = rangeRule{netip.MustParsePrefix(p), rule}
	}
	return out
}

func concat(lists ...[]rangeRule) []rangeRule {
	var out []rangeRule
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// The tables below are the entries of the IANA IPv4 and IPv6 Special-Purpose
// Address Registries whose "Globally Reachable" is False (or N/A: the
// deprecated 6to4 relay anycast and ORCHID blocks, Teredo), as of 2025,
// plus multicast. Entries marked globally reachable (AS112, AMT, the PCP
// and TURN anycast addresses, ORCHIDv2, DETs) are public and let through.
// The first matching entry names the rule, so the narrower come first.
var (
	blockedV4 = concat(
		rules("broadcast address", "255.255.255.255/32"),
		rules("unspecified address", "0.0.0.0/8"), // "this network"
		rules("private address", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
		rules("carrier-grade NAT address", "100.64.0.0/10"),
		rules("loopback address", "127.0.0.0/8"),
		rules("link-local address", "169.254.0.0/16"),
		rules("IETF protocol assignment address", "192.0.0.0/24"), // incl. 192.0.0.0/29, .8, .170, .171
		rules("documentation address", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"),
		rules("deprecated 6to4 relay anycast address", "192.88.99.0/24"),
		rules("benchmarking address", "198.18.0.0/15"),
		rules("multicast address", "224.0.0.0/4"),
		rules("reserved address", "240.0.0.0/4"),
	)
	// Globally reachable exceptions inside blockedV4.
	globalV4 = []netip.Prefix{
		netip.MustParsePrefix("192.0.0.9/32"),  // Port Control Protocol anycast
		netip.MustParsePrefix("192.0.0.10/32"), // TURN anycast
	}

	blockedV6 = concat(
		rules("unspecified address", "::/128"),
		rules("loopback address", "::1/128"),
		rules("local-use NAT64 address", "64:ff9b:1::/48"),
		rules("discard-only address", "100::/64"),
		rules("Teredo address", "2001::/32"),
		rules("benchmarking address", "2001:2::/48"),
		rules("deprecated ORCHID address", "2001:10::/28"),
		rules("IETF protocol assignment address", "2001::/23"),
		rules("documentation address", "2001:db8::/32", "3fff::/20"),
		rules("segment routing SID address", "5f00::/16"),
		rules("private address", "fc00::/7"), // unique local
		rules("link-local address", "fe80::/10"),
		rules("site-local address", "fec0::/10"),
		rules("multicast address", "ff00::/8"),
	)
	// Globally reachable exceptions inside blockedV6 (all in 2001::/23).
	globalV6 = []netip.Prefix{
		netip.MustParsePrefix("2001:1::1/128"),   // Port Control Protocol anycast
		netip.MustParsePrefix("2001:1::2/128"),   // TURN anycast
		netip.MustParsePrefix("2001:1::3/128"),   // DNS-SD service registration protocol anycast
		netip.MustParsePrefix("2001:3::/32"),     // AMT
		netip.MustParsePrefix("2001:4:112::/48"), // AS112-v6
		netip.MustParsePrefix("2001:20::/28"),    // ORCHIDv2
		netip.MustParsePrefix("2001:30::/28"),    // drone remote ID entity tags
	}
	// globalUnicastV6 is the only IPv6 space IANA allocates for global
	// unicast; everything outside it (bar NAT64, handled first) is reserved.
	globalUnicastV6 = netip.MustParsePrefix("2000::/3")

	// Prefixes whose packets finally reach an embedded IPv4 address, which
	// is classified instead: NAT64 (RFC 6052, low 32 bits) and 6to4
	// (RFC 3056, bits 16–47).
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// reached returns the address a packet sent to ip finally reaches: the IPv4
// address of an IPv4-mapped, NAT64 or 6to4 address, else ip itself.
func reached(ip netip.Addr) netip.Addr {
	ip = ip.WithZone("").Unmap()
	if !ip.Is6() {
		return ip
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
	}
	return ip
}

// classifyIP returns the rule that refuses ip, or "" when ip is globally
// reachable.
func classifyIP(ip netip.Addr) string {
	ip = reached(ip)
	blocked, global := blockedV4, globalV4
	if ip.Is6() {
		blocked, global = blockedV6, globalV6
	}
	for _, p := range global {
		if p.Contains(ip) {
			return ""
		}
	}
	for _, r := range blocked {
		if r.prefix.Contains(ip) {
			return r.rule
		}
	}
	if ip.Is6() && !globalUnicastV6.Contains(ip) {
		return "reserved address (outside 2000::/3)"
	}
	return ""
}

// ownAddressRule names the refusal of an address of this host's interfaces:
// a service bound to 0.0.0.0 answers on them as it does on 127.0.0.1.
const ownAddressRule = "this host's own address"

// hostAddrsTTL is how long the list of this host's addresses is trusted;
// interfaces come and go (DHCP, VPNs, containers).
const hostAddrsTTL = time.Minute

// hostAddrs caches the addresses of this host's interfaces.
type hostAddrs struct {
	list func() ([]net.Addr, error)
	now  func() time.Time
	log  *slog.Logger

	mu      sync.Mutex
	addrs   map[netip.Addr]bool
	fetched time.Time
}

func newHostAddrs(list func() ([]net.Addr, error), now func() time.Time, log *slog.Logger) *hostAddrs {
	if list == nil {
		list = net.InterfaceAddrs
	}
	return &hostAddrs{list: list, now: now, log: log}
}

// contains reports whether ip is an address of one of this host's
// interfaces, re-reading them when the list is older than hostAddrsTTL. If
// they cannot be read, the last list read is kept.
func (h *hostAddrs) contains(ip netip.Addr) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if now := h.now(); h.addrs == nil || now.Sub(h.fetched) >= hostAddrsTTL || now.Before(h.fetched) {
		h.fetched = now
		list, err := h.list()
		if err != nil {
			h.log.Warn("fetch: cannot list this host's addresses; keeping the last list", "error", err)
			if h.addrs == nil {
				h.addrs = map[netip.Addr]bool{}
			}
		} else {
			h.addrs = make(map[netip.Addr]bool, len(list))
			for _, a := range list {
				var ip net.IP
				switch v := a.(type) {
				case *net.IPNet:
					ip = v.IP
				case *net.IPAddr:
					ip = v.IP
				}
				if addr, ok := netip.AddrFromSlice(ip); ok {
					h.addrs[addr.Unmap()] = true
				}
			}
		}
	}
	ip = ip.WithZone("").Unmap()
	return h.addrs[ip] || h.addrs[reached(ip)]
}

// guardControl returns a net.Dialer.Control that refuses blocked addresses
// and this host's own. It runs after DNS resolution on every address the
// dialer tries, so a name that resolves (or rebinds) to a private address is
// caught too, not only literal IPs in URLs. exempt, if non-nil, lets
// addresses through (tests).
func guardControl(exempt func(netip.AddrPort) bool, own *hostAddrs) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			host, _, _ := net.SplitHostPort(address)
			return &privateNetworkError{Addr: host, Rule: "unparseable address"}
		}
		if exempt != nil && exempt(ap) {
			return nil
		}
		ip := ap.Addr().WithZone("")
		// This host's addresses first, so the error says why a private or
		// public address was refused; loopback is named as such.
		if own != nil && !reached(ip).IsLoopback() && own.contains(ip) {
			return &privateNetworkError{Addr: ip.Unmap().String(), Rule: ownAddressRule}
		}
		if rule := classifyIP(ip); rule != "" {
			return &privateNetworkError{Addr: ip.Unmap().String(), Rule: rule}
		}
		return nil
	}
}
