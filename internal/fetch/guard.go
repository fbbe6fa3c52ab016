package fetch

import (
	"net"
	"net/netip"
	"syscall"
)

// blockedRanges are refused at dial time unless AllowPrivateNetworks is set.
// Order matters only for the rule named in the error.
var blockedRanges = []struct {
	prefix netip.Prefix
	rule   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified address"},
	{netip.MustParsePrefix("::/128"), "unspecified address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback address"},
	{netip.MustParsePrefix("::1/128"), "loopback address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private address"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private address"},
	{netip.MustParsePrefix("fc00::/7"), "private address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local address"},
	{netip.MustParsePrefix("fe80::/10"), "link-local address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast address"},
	{netip.MustParsePrefix("ff00::/8"), "multicast address"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast address"},
}

// nat64 embeds an IPv4 address in its low 32 bits; the embedded address is
// what the packet finally reaches, so it is classified instead.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// classifyIP returns the rule that refuses ip, or "" when ip is public.
func classifyIP(ip netip.Addr) string {
	ip = ip.Unmap()
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	for _, r := range blockedRanges {
		if r.prefix.Contains(ip) {
			return r.rule
		}
	}
	return ""
}

// guardControl returns a net.Dialer.Control that refuses blocked addresses.
// It runs after DNS resolution on every address the dialer tries, so a name
// that resolves (or rebinds) to a private address is caught too, not only
// literal IPs in URLs. exempt, if non-nil, lets addresses through (tests).
func guardControl(exempt func(netip.AddrPort) bool) func(network, address string, _ syscall.RawConn) error {
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
		if rule := classifyIP(ip); rule != "" {
			return &privateNetworkError{Addr: ip.Unmap().String(), Rule: rule}
		}
		return nil
	}
}
