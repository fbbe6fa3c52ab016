package canonical

import (
	"net/url"
	"testing"
)

func TestURL(t *testing.T) {
	base, _ := url.Parse("https://Example.com/feed/rss.xml")
	cases := []struct{ in, want string }{
		{"HTTPS://Example.COM:443/a?utm_source=x&b=2&a=1#frag", "https://example.com/a?a=1&b=2"},
		{"http://example.com", "http://example.com/"},
		{"/history/article-1?fbclid=abc", "https://example.com/history/article-1"},
		{"article-2.html?gclid=1&utm_medium=rss", "https://example.com/feed/article-2.html"},
		{"http://example.com:8080/x?", "http://example.com:8080/x"},
		{"https://user:pw@example.com/p", "https://example.com/p"},
		{"/p/1848?xtor=RSS-3&ito=1490&smid=tw-share&ncid=rss&at_medium=rss", "https://example.com/p/1848"},
		{"/p?id=5&ns_mchannel=rss&ns_source=feed&_hsenc=x&WT.mc_id=y", "https://example.com/p?id=5"},
		// A page's own key, which tracking lists do not name: a
		// MusicBrainz identifier (mbid) picks a recording, an artist.
		{"/artist?mbid=b10bbbfc-cf9e-42e0-be17-e2c3e1d2600d", "https://example.com/artist?mbid=b10bbbfc-cf9e-42e0-be17-e2c3e1d2600d"},
	}
	for _, c := range cases {
		got, err := URL(c.in, base)
		if err != nil {
			t.Fatalf("URL(%q): %v", c.in, err)
		}
		if got != c.want {
			t.Errorf("URL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, bad := range []string{"", "javascript:alert(1)", "ftp://example.com/x", "mailto:a@b"} {
		if _, err := URL(bad, nil); err == nil {
			t.Errorf("URL(%q): want error", bad)
		}
	}
}
