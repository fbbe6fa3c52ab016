package view

import (
	"regexp"
	"strings"
)

// Errors reach the archive as strings (a source's last error, a capture's
// detail), so their cause is read from the text: these are the wordings of
// the standard library and of internal/fetch.
var (
	statusRE = regexp.MustCompile(`(?:GET \S+: |status |HTTP )(\d{3})\b`)
	// urlRE finds the URLs in a message: their words ("timeout",
	// "certificate" in an article's slug) are no cause.
	urlRE  = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://\S+`)
	causes = []struct {
		any   []string
		cause string
	}{
		// before DNS and robots: its message names robots.txt's URL when
		// that was the request refused.
		{[]string{"refused private network", "allow_private_networks"}, "private address refused"},
		{[]string{"disallowed by robots.txt"}, "robots.txt disallows"},
		{[]string{"no such host", "server misbehaving", "dns: ", "lookup "}, "DNS lookup failed"},
		{[]string{"connection refused"}, "connection refused"},
		{[]string{"connection reset"}, "connection reset"},
		{[]string{"deadline exceeded", "timeout", "timed out", "i/o timeout"}, "timed out"},
		{[]string{"x509:", "tls:", "certificate"}, "TLS certificate problem"},
		{[]string{"too large"}, "response too large"},
		{[]string{"too many redirects"}, "too many redirects"},
		{[]string{"Retry-After"}, "host asked to wait"},
		{[]string{"network is unreachable", "no route to host"}, "network unreachable"},
	}
)

// maxCause is the most of an unrecognised error's last link shown as its
// short form.
const maxCause = 60

// ShortCause is a few words for a people-facing list ("DNS lookup failed",
// "HTTP 500", "connection refused", "robots.txt disallows", "timed out")
// that stand for a long Go error chain; the chain itself is for a
// <details> or a --verbose. An error it does not recognise is cut to its
// last link, the innermost cause, at most maxCause characters. "" stays "".
func ShortCause(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return ""
	}
	// A status names the failure most directly.
	if !strings.Contains(msg, "disallowed by robots.txt") {
		if m := statusRE.FindStringSubmatch(msg); m != nil {
			return "HTTP " + m[1]
		}
	}
	words := urlRE.ReplaceAllString(msg, "URL")
	for _, c := range causes {
		for _, s := range c.any {
			if strings.Contains(words, s) {
				return c.cause
			}
		}
	}
	last := msg
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		last = msg[i+2:]
	}
	if r := []rune(last); len(r) > maxCause {
		last = strings.TrimSpace(string(r[:maxCause-1])) + "…"
	}
	return last
}
