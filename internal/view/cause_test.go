package view

import (
	"strings"
	"testing"
)

func TestShortCause(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"feed: fetch: GET https://nosuch.example/rss.xml: dial tcp: lookup nosuch.example on 127.0.0.53:53: no such host", "DNS lookup failed"},
		{"feed: fetch: GET https://x.example/rss.xml: 500 Internal Server Error", "HTTP 500"},
		{"fetch: GET https://x.example/a/404-page: status 599", "HTTP 599"},
		{"feed: fetch: GET http://127.0.0.1:9/rss: dial tcp 127.0.0.1:9: connect: connection refused", "connection refused"},
		{"fetch: GET https://x.example/private/a: disallowed by robots.txt", "robots.txt disallows"},
		{"feed: fetch: GET https://x.example/rss: context deadline exceeded (Client.Timeout exceeded while awaiting headers)", "timed out"},
		{"feed: fetch: GET http://127.0.0.1:8/rss.xml: GET http://127.0.0.1:8/robots.txt: refused 127.0.0.1: loopback address (set allow_private_networks to allow)", "private address refused"},
		{"feed: fetch: GET https://x.example/rss: tls: failed to verify certificate: x509: certificate signed by unknown authority", "TLS certificate problem"},
		{"feed: parse: XML syntax error on line 3: unexpected EOF in element", "unexpected EOF in element"},
		{"extract: the source's selectors no longer match this article", "the source's selectors no longer match this article"},
		// Words in a URL are no cause: an article about a timeout or a
		// certificate fails for what the message says after it.
		{"fetch: GET https://history.example/the-timeout-of-empires.html: unexpected EOF", "unexpected EOF"},
		{"fetch: GET https://history.example/a-birth-certificate-of-1066/: response is not HTML", "response is not HTML"},
		{"feed: fetch: GET https://x.example/tls:/dns:%20lookup/rss: 503 Service Unavailable", "HTTP 503"},
	} {
		if got := ShortCause(c.in); got != c.want {
			t.Errorf("ShortCause(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := "parse: " + strings.Repeat("x", 200)
	if got := ShortCause(long); len([]rune(got)) != maxCause || !strings.HasSuffix(got, "…") {
		t.Errorf("a long unknown cause is not cut: %q", got)
	}
}
