package fetch

import (
	"log/slog"
	"net"
	"time"
)

// Dialer returns a net.Dialer with the same private-network guard as the
// Client's (unless opts.AllowPrivateNetworks), for the few requests that
// are not GETs of pages (webhook POSTs): they must not reach what a feed
// cannot. Only AllowPrivateNetworks, GuardExempt, InterfaceAddrs, Now and
// Logger are read.
func Dialer(opts Options) *net.Dialer {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	if opts.AllowPrivateNetworks {
		return d
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d.Control = guardControl(opts.GuardExempt, newHostAddrs(opts.InterfaceAddrs, opts.Now, log))
	return d
}
