// Package fetch is annalist's one HTTP client.
package fetch

import (
	"context"
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
	// SharedPacing, when set, spaces request starts to each host across
	// every worker sharing it (store.Pacing on a PostgreSQL index), bounds
	// the requests in flight to a host to PerHostConcurrency across them,
	// and holds a host's Retry-After for all of them; the per-process
	// pacing still applies too.
	SharedPacing SharedPacing
	// Deferrals, when set, keeps the hosts' Retry-After beyond this
	// process (store.Deferrals on a SQLite index), so that a later
	// `annalist fetch` or a restarted daemon still leaves the host alone.
	Deferrals Deferrals
}

// Deferrals is where the hosts' Retry-After outlives the process.
type Deferrals interface {
	// Deferrals returns the hosts (as Retry-After was booked for them)
	// asked to be left alone past now, with the time each asked for.
	Deferrals(ctx context.Context, now time.Time) (map[string]time.Time, error)
	// Defer records that host asked to be left alone until until; an
	// earlier, longer wish stands.
	Defer(ctx context.Context, host string, until time.Time) error
}

// SharedPacing is the per-host pacing shared by several workers.
type SharedPacing interface {
	// Reserve books the next request start to host, at least interval
	// after the one booked before it and not before the host's
	// Retry-After, and returns it (absolute, so that the booking's round
	// trip does not shift it; workers' clocks must agree, as NTP keeps
	// them). A host blocked for longer than patience is not booked:
	// blocked is then the time it asked to be left alone until.
	Reserve(ctx context.Context, host string, interval, patience time.Duration) (start, blocked time.Time, err error)
	// Block records that host asked to be left alone until until.
	Block(ctx context.Context, host string, until time.Time) error
	// TakeSlot takes one of host's first limit request slots, counted
	// across the workers, if one is free, and returns the function that
	// gives it back when the exchange ends; ok is false when all are
	// held. A slot whose worker died frees itself when its lease ends.
	TakeSlot(ctx context.Context, host string, limit int) (release func(context.Context) error, ok bool, err error)
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
	// truncate cuts a body over the cap there instead of failing: a
	// robots.txt is read up to its cap and the rest ignored (RFC 9309
	// §2.5), so a padded file cannot hide the rules at its top.
	truncate bool
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
