// Package fetch is annalist's one HTTP client.
package fetch

import (
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// Options configure a Client.
type Options struct {
	UserAgent            string
	Timeout              time.Duration // total, body included
	MaxBody              int64         // after decompression
	PerHostInterval      time.Duration // minimum gap between request starts to one host
	PerHostConcurrency   int
	RespectRobots        bool
	AllowPrivateNetworks bool
	Now                  func() time.Time
	// Logger receives warnings (robots.txt unreachable) and debug events
	// (redirects, Retry-After push-backs); nil discards them.
	Logger *slog.Logger
	// RobotsAgent is the name matched against robots.txt User-agent lines;
	// empty means "annalist".
	RobotsAgent string
	// GuardExempt, if set, lets the addresses it accepts through the
	// private-network guard. It is not configurable: tests use it to stand a
	// loopback server in for a public host while the guard refuses every
	// other private address.
	GuardExempt func(netip.AddrPort) bool
	// InterfaceAddrs lists this host's addresses, which the guard refuses
	// (re-read every minute); nil means net.InterfaceAddrs. Tests inject it.
	InterfaceAddrs func() ([]net.Addr, error)
}

// Request is one GET.
type Request struct {
	URL           string
	ETag          string // sent as If-None-Match when set
	LastModified  string // sent as If-Modified-Since when set
	Accept        string // optional Accept header
	RespectRobots *bool  // overrides Options.RespectRobots when non-nil
	// Stop, when closed while the request still waits for its host's
	// slot (robots.txt included), gives it up with ErrStopped: a Ctrl-C
	// sends nothing new. A request already sent is not affected.
	Stop <-chan struct{}
}

// Response is a completed GET. Body is the entity after content-decoding,
// capped at MaxBody; Header describes Body as stored (Content-Encoding and
// Transfer-Encoding removed, Content-Length matching Body).
type Response struct {
	RequestURL  string // the URL asked for
	URL         string // the final URL after redirects
	StatusCode  int
	Proto       string // "HTTP/1.1"
	Header      http.Header
	Body        []byte
	RawRequest  []byte // the request as sent on the wire (for WARC request records)
	NotModified bool   // 304
	FetchedAt   time.Time
	Duration    time.Duration
}

// UTF8 returns Body decoded to UTF-8 and the charset name used.
// Order: BOM, Content-Type charset (unless the bytes are valid UTF-8 and the
// header says a Latin-1 family charset), <meta charset> anywhere in <head>,
// then detection; invalid sequences are replaced, never an error.
// (implemented in charset.go)
