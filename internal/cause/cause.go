// Package cause turns a failure into a short cause a person reads at a
// glance — "DNS lookup failed", "HTTP 500", "connection refused",
// "robots.txt disallows" — for tables and summaries that show the whole
// error only on demand. Of returns it from an error chain; OfText from an
// error's text, as the archive stores it (a source's last error, a
// capture's error).
package cause

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"annalist/internal/feed"
	"annalist/internal/fetch"
)

// The causes, as shown.
const (
	DNS             = "DNS lookup failed"
	Refused         = "connection refused"
	Reset           = "connection reset"
	Unreachable     = "host unreachable"
	Timeout         = "timed out"
	TLS             = "TLS certificate error"
	Robots          = "robots.txt disallows"
	RobotsDown      = "robots.txt unavailable"
	PrivateNetwork  = "private address refused"
	Deferred        = "host asked to wait (Retry-After)"
	TooLarge        = "response too large"
	Redirects       = "too many redirects"
	Encoding        = "unsupported Content-Encoding"
	Scheme          = "unsupported URL scheme"
	NotAFeed        = "not a feed"
	Interrupted     = "interrupted"
	ExtractDeadline = "extraction took too long"
	SelectorsFailed = "selectors no longer match"
)

// Of returns err's short cause: one of the constants above, "HTTP 404"
// for a status, or, for an error it does not know, OfText's answer.
func Of(err error) string {
	if err == nil {
		return ""
	}
	var se *fetch.StatusError
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var netErr net.Error
	switch {
	case errors.As(err, &se):
		return httpCause(se.Code)
	case errors.Is(err, fetch.ErrRobots):
		return Robots
	case errors.Is(err, fetch.ErrRobotsUnavailable):
		return RobotsDown
	case errors.Is(err, fetch.ErrPrivateNetwork):
		return PrivateNetwork
	case errors.Is(err, fetch.ErrDeferred):
		return Deferred
	case errors.Is(err, fetch.ErrTooLarge):
		return TooLarge
	case errors.Is(err, fetch.ErrTooManyRedirects):
		return Redirects
	case errors.Is(err, fetch.ErrContentEncoding), errors.Is(err, fetch.ErrTooManyCodings):
		return Encoding
	case errors.Is(err, fetch.ErrScheme):
		return Scheme
	case errors.Is(err, fetch.ErrStopped), errors.Is(err, context.Canceled):
		return Interrupted
	case errors.Is(err, feed.ErrNoFeed):
		return NotAFeed
	case errors.As(err, &dnsErr):
		return DNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return Refused
	case errors.Is(err, syscall.ECONNRESET):
		return Reset
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return Unreachable
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalidCert):
		return TLS
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return Timeout
	}
	return OfText(err.Error())
}

func httpCause(code int) string {
	return "HTTP " + strconv.Itoa(code)
}

// textRules map the wording of stored errors to causes, first match
// first. They follow the messages of internal/fetch, net and crypto/tls.
var textRules = []struct {
	re    *regexp.Regexp
	cause string
}{
	{regexp.MustCompile(`disallowed by robots\.txt`), Robots},
	{regexp.MustCompile(`robots\.txt unavailable`), RobotsDown},
	{regexp.MustCompile(`refused \S+ \(.*address.*\)|refused private network address|allow_private_networks`), PrivateNetwork},
	{regexp.MustCompile(`asked to wait until|Retry-After`), Deferred},
	{regexp.MustCompile(`no such host|server misbehaving|lookup \S+( on \S+)?: `), DNS},
	{regexp.MustCompile(`connection refused`), Refused},
	{regexp.MustCompile(`connection reset`), Reset},
	{regexp.MustCompile(`no route to host|network is unreachable`), Unreachable},
	{regexp.MustCompile(`x509: |tls: |certificate`), TLS},
	{regexp.MustCompile(`extraction exceeded its deadline`), ExtractDeadline},
	{regexp.MustCompile(`timeout|deadline exceeded|timed out`), Timeout},
	{regexp.MustCompile(`response body too large`), TooLarge},
	{regexp.MustCompile(`too many redirects`), Redirects},
	{regexp.MustCompile(`Content-Encoding|content codings`), Encoding},
	{regexp.MustCompile(`unsupported URL scheme`), Scheme},
	{regexp.MustCompile(`no feed format detected`), NotAFeed},
	{regexp.MustCompile(`selectors no longer match`), SelectorsFailed},
	{regexp.MustCompile(`^interrupted`), Interrupted},
}

// statusRE finds an HTTP status as fetch.StatusError writes it
// ("GET https://…: 503 Service Unavailable", "…: status 599").
var statusRE = regexp.MustCompile(`: (?:status )?([1-5]\d\d)(?: [A-Z][A-Za-z' -]*)?$`)

// urlRE finds the URLs in a message: their words ("timeout",
// "certificate" in an article's slug) are no cause.
var urlRE = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://\S+`)

// OfText returns the short cause of an error's text; for text it does not
// recognise, its last clause (after the last ": "), cut to 60 characters.
func OfText(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return ""
	}
	if m := statusRE.FindStringSubmatch(msg); m != nil {
		return "HTTP " + m[1]
	}
	words := urlRE.ReplaceAllString(msg, "URL")
	for _, r := range textRules {
		if r.re.MatchString(words) {
			return r.cause
		}
	}
	last := msg
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		last = msg[i+2:]
	}
	if r := []rune(last); len(r) > 60 {
		last = string(r[:59]) + "…"
	}
	return last
}
