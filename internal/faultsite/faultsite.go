// Package faultsite is a web site that misbehaves on purpose: each path is
// one of the bad inputs and faults of RELIABILITY.md (an HTML page where a
// feed should be, truncated XML, bombs, endless and dripping bodies,
// redirect loops, redirects to private addresses, Retry-After, PDFs, pages
// in legacy charsets …), next to a well-behaved feed and articles. It is a
// plain http.Handler for httptest servers on loopback.
//
// Endless bodies are streamed, never held in memory: a handler stops as soon
// as the client goes away.
package faultsite

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Paths of the faults. Feeds are meant as a source's feed URL; pages as the
// target of a feed item (wrap them with WrapPath); the /http/ faults work as
// either.
const (
	// Feeds.
	FeedGood        = "/feed/good"         // RSS 2.0, three good articles (GoodSlugs)
	FeedHTML        = "/feed/html"         // an HTML page instead of a feed
	FeedTruncated   = "/feed/truncated"    // RSS cut off mid-item
	FeedControl     = "/feed/control"      // U+0008 and U+001C in titles; one good article
	FeedDoctypeBomb = "/feed/doctype-bomb" // "billion laughs" entity bomb in a DOCTYPE
	FeedOddItems    = "/feed/odd-items"    // duplicate GUIDs, no link, no date, odd dates, an ftp link
	FeedHuge        = "/feed/huge"         // HugeItems items, each linking to /item/{n}
	FeedCharsets    = "/feed/charsets"     // one item per page of CharsetPages
	FeedMaxAge      = "/feed/max-age"      // good feed with Cache-Control: max-age=7200
	FeedMaxAgeHuge  = "/feed/max-age-huge" // good feed with Cache-Control: max-age of a year
	FeedExpires     = "/feed/expires"      // good feed with Expires three hours after Date
	FeedTTL         = "/feed/ttl"          // good feed with <ttl>240</ttl>
	FeedFlaky       = "/feed/flaky"        // good feed, or 500 while SetFailing(true)

	// HTTP faults.
	HTTP2GB          = "/http/2gb"          // 2 GiB chunked text/html body
	HTTPGzipBomb     = "/http/gzip-bomb"    // 2 GiB of zeros behind Content-Encoding: gzip
	HTTPBrotliBomb   = "/http/brotli-bomb"  // 2 GiB of zeros behind Content-Encoding: br
	HTTPLyingLength  = "/http/lying-length" // Content-Length: 5000000000, 64 KiB sent
	HTTPDrip         = "/http/drip"         // Content-Length: 1000, one byte per DripEvery
	HTTPRedirectLoop = "/http/loop"         // redirects to itself
	HTTPRedirect     = "/http/redirect"     // redirects to the URL in ?to=
	HTTP429          = "/http/429"          // 429, Retry-After: 120 (seconds)
	HTTP503Date      = "/http/503-date"     // 503, Retry-After: an HTTP date two hours ahead
	HTTPCodingStack  = "/http/codings"      // Content-Encoding: br,br,… ×StackedCodings over a StackedBodySize body
	HTTP429Hour      = "/http/429-hour"     // 429, Retry-After: 3600

	// Pages.
	PagePDF         = "/page/pdf"          // application/pdf
	PageImage       = "/page/image"        // image/png
	PageInvalidUTF8 = "/page/invalid-utf8" // charset=utf-8 header, invalid bytes in the text
	PageLatin1UTF8  = "/page/latin1-utf8"  // charset=iso-8859-1 header over valid UTF-8
	PageOffsite     = "/page/offsite"      // redirects to PageLanding on the other host name
	PageLanding     = "/page/landing"      // an article in the good layout
	ArticlePrefix   = "/article/"          // /article/{slug}: a good article
	ItemPrefix      = "/item/"             // /item/{n}: a small good article
	WrapPath        = "/wrap"              // RSS with one item per ?u= (a path or URL)
	RobotsPath      = "/robots.txt"
)

// HugeItems is the number of items of FeedHuge.
const HugeItems = 100_000

// GoodSlugs are the articles of FeedGood and the cache-header feeds.
var GoodSlugs = []string{"good-1", "good-2", "good-3"}

// Site is the fault server. The zero value is not usable; call New.
type Site struct {
	// DripEvery is the gap between two bytes of HTTPDrip (default 1s).
	DripEvery time.Duration
	// Now is the server's clock for Date, Expires and Retry-After dates.
	Now func() time.Time

	failing atomic.Bool
	sent    atomic.Int64 // body bytes written by the endless handlers

	mu   sync.Mutex
	hits map[string]int
}

// New returns a fault site.
func New() *Site {
	return &Site{DripEvery: time.Second, Now: time.Now, hits: map[string]int{}}
}

// SetFailing makes FeedFlaky answer 500 (true) or the good feed (false).
func (s *Site) SetFailing(on bool) { s.failing.Store(on) }

// Hits returns how many GET requests reached path.
func (s *Site) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// HitsWithPrefix returns how many GET requests reached paths starting with prefix.
func (s *Site) HitsWithPrefix(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range s.hits {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

// BodyBytesSent is how many body bytes the endless handlers (2 GiB, bombs)
// have written so far, compressed bytes for the bombs.
func (s *Site) BodyBytesSent() int64 { return s.sent.Load() }

// Handler serves the site.
func (s *Site) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Site) serveHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	s.mu.Lock()
	s.hits[p]++
	s.mu.Unlock()
	if h, ok := s.routes()[p]; ok {
		h(w, r)
		return
	}
	switch {
	case strings.HasPrefix(p, ArticlePrefix):
		s.serveArticle(w, r, strings.TrimPrefix(p, ArticlePrefix))
	case strings.HasPrefix(p, ItemPrefix):
		s.serveItem(w, r, strings.TrimPrefix(p, ItemPrefix))
	case strings.HasPrefix(p, charsetPrefix):
		s.serveCharset(w, r, strings.TrimPrefix(p, charsetPrefix))
	default:
		http.NotFound(w, r)
	}
}

func (s *Site) routes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		RobotsPath:       func(w http.ResponseWriter, r *http.Request) { text(w, "text/plain", "User-agent: *\nAllow: /\n") },
		FeedGood:         s.serveGoodFeed,
		FeedHTML:         s.serveFeedHTML,
		FeedTruncated:    s.serveTruncated,
		FeedControl:      s.serveControl,
		FeedDoctypeBomb:  s.serveDoctypeBomb,
		FeedOddItems:     s.serveOddItems,
		FeedHuge:         s.serveHuge,
		FeedCharsets:     s.serveCharsetFeed,
		FeedMaxAge:       s.serveCachedFeed("Cache-Control", "max-age=7200"),
		FeedMaxAgeHuge:   s.serveCachedFeed("Cache-Control", "public, max-age=31536000"),
		FeedExpires:      s.serveExpiresFeed,
		FeedTTL:          s.serveTTLFeed,
		FeedFlaky:        s.serveFlaky,
		HTTP2GB:          s.serve2GB,
		HTTPGzipBomb:     s.serveGzipBomb,
		HTTPBrotliBomb:   s.serveBrotliBomb,
		HTTPLyingLength:  s.serveLyingLength,
		HTTPDrip:         s.serveDrip,
		HTTPRedirectLoop: func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, HTTPRedirectLoop, http.StatusFound) },
		HTTPRedirect:     s.serveRedirect,
		HTTP429:          s.serve429,
		HTTP503Date:      s.serve503,
		HTTPCodingStack:  s.serveStackedCoding,
		HTTP429Hour:      s.serve429Hour,
		PagePDF:          s.servePDF,
		PageImage:        s.serveImage,
		PageInvalidUTF8:  s.serveInvalidUTF8,
		PageLatin1UTF8:   s.serveLatin1UTF8,
		PageOffsite:      s.serveOffsite,
		PageLanding:      s.serveLanding,
		WrapPath:         s.serveWrap,
	}
}

func text(w http.ResponseWriter, ctype, body string) {
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write([]byte(body))
}

// base is the scheme and host the client used, for absolute links.
func base(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
