package fetch

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors; Get wraps them with the URL, so test with errors.Is.
var (
	ErrTooLarge         = errors.New("fetch: response body too large")
	ErrTooManyRedirects = errors.New("fetch: too many redirects")
	ErrScheme           = errors.New("fetch: unsupported URL scheme")
	ErrPrivateNetwork   = errors.New("fetch: refused private network address")
	ErrRobots           = errors.New("fetch: disallowed by robots.txt")
	// ErrRobotsUnavailable: robots.txt answered a server error (5xx, 429)
	// or timed out, and no earlier copy is held. RFC 9309 §2.3.1.4 says to
	// assume complete disallow then, so nothing is fetched from the host
	// until robots.txt answers; unlike ErrRobots it is no lasting wish of
	// the site, and the page is tried again later. See RobotsUnavailableError.
	ErrRobotsUnavailable = errors.New("fetch: robots.txt unavailable")
	ErrContentEncoding   = errors.New("fetch: unsupported Content-Encoding")
	ErrTooManyCodings    = errors.New("fetch: too many content codings")
	// ErrDeferred: the host asked (Retry-After) to be left alone past the
	// request's deadline, so the request was not sent; see DeferredError.
	ErrDeferred = errors.New("fetch: deferred by the host's Retry-After")
	// ErrStopped: Request.Stop closed while the request waited for its
	// host's slot, so it was never sent.
	ErrStopped = errors.New("fetch: stopped before the request was sent")
)

// StatusError reports a response whose status is neither 2xx nor 304.
// RetryAfter is set from a Retry-After header on 429 and 503.
type StatusError struct {
	URL        string
	Code       int
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	text := http.StatusText(e.Code)
	if text == "" {
		return fmt.Sprintf("fetch: GET %s: status %d", e.URL, e.Code)
	}
	return fmt.Sprintf("fetch: GET %s: %d %s", e.URL, e.Code, text)
}

// RobotsUnavailableError says which robots.txt could not be read and why.
// It matches ErrRobotsUnavailable.
type RobotsUnavailableError struct {
	URL  string // the robots.txt URL
	Code int    // its HTTP status, or 0 when it timed out
	// Answered is the URL that answered Code when robots.txt redirected
	// there ("" when it is URL).
	Answered string
}

func (e *RobotsUnavailableError) Error() string {
	why := "timed out"
	if e.Code != 0 {
		why = fmt.Sprintf("answered %d %s", e.Code, http.StatusText(e.Code))
	}
	if e.Answered != "" && e.Answered != e.URL {
		why = "redirected to " + e.Answered + ", which " + why
	}
	return fmt.Sprintf("fetch: robots.txt unavailable: %s %s; nothing is fetched from this host until it answers (RFC 9309 says to assume disallow)", e.URL, why)
}

func (e *RobotsUnavailableError) Is(target error) bool { return target == ErrRobotsUnavailable }

// DeferredError reports a request not sent because its host asked, with
// Retry-After, to be left alone until Until, later than the request could
// wait. It matches ErrDeferred.
type DeferredError struct {
	Host  string // host[:port] as in the URL
	Until time.Time
	now   time.Time
}

func (e *DeferredError) Error() string {
	until := e.Until.UTC()
	layout := "15:04:05 UTC"
	if y, m, d := until.Date(); e.now.IsZero() || y != e.now.UTC().Year() || m != e.now.UTC().Month() || d != e.now.UTC().Day() {
		layout = "2006-01-02 15:04:05 UTC"
	}
	return fmt.Sprintf("fetch: host %s asked to wait until %s (Retry-After)", e.Host, until.Format(layout))
}

func (e *DeferredError) Is(target error) bool { return target == ErrDeferred }

// privateNetworkError names the refused address and the rule that refused it.
type privateNetworkError struct {
	Addr string
	Rule string
}

func (e *privateNetworkError) Error() string {
	// The key's full path and file: the user fixes it there.
	return fmt.Sprintf("fetch: refused %s (%s); to allow, set http.allow_private_networks: true in config.yaml", e.Addr, e.Rule)
}

func (e *privateNetworkError) Is(target error) bool { return target == ErrPrivateNetwork }

// urlError puts the URL into every error Get returns while keeping the cause
// reachable for errors.Is and errors.As.
type urlError struct {
	url string
	err error
}

func (e *urlError) Error() string {
	return "fetch: GET " + e.url + ": " + strings.TrimPrefix(e.err.Error(), "fetch: ")
}

func (e *urlError) Unwrap() error { return e.err }

func wrapURL(url string, err error) error {
	var se *StatusError
	if errors.As(err, &se) {
		return err // already names its URL
	}
	return &urlError{url: url, err: err}
}

// Reason is err's text for a message that already names url: without the
// package prefix and without the "GET url:" that Get puts first, so that
// "feed URL could not be fetched: 404 Not Found" names the URL once. A
// redirect stays in, as a clause of its own ("redirected to …: too many
// redirects (more than 10)"), not as a bracket left dangling after the
// URL that was cut.
func Reason(url string, err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.Name != "" {
		// "dial tcp: lookup h on 10.0.0.53:53: no such host" names the
		// resolver, which is not what failed for the user.
		return fmt.Sprintf("DNS lookup of %s failed: %s", dnsErr.Name, dnsErr.Err)
	}
	s := err.Error()
	if rest, ok := strings.CutPrefix(s, "fetch: GET "+url); ok {
		if r, ok := strings.CutPrefix(rest, " (redirected to "); ok {
			if to, why, ok := strings.Cut(r, "): "); ok {
				return "redirected to " + to + ": " + why
			}
		}
		return strings.TrimPrefix(rest, ": ")
	}
	return strings.TrimPrefix(s, "fetch: ")
}
