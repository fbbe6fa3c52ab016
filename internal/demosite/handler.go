package demosite

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"time"
)

const robotsTxt = "User-agent: *\nAllow: /\n"

// Handler serves the site: / (index), /robots.txt (allow all), /rss.xml
// (RSS 2.0, absolute links built from the request's Host) and
// /history/{slug}.html. Paths are matched case-insensitively and query
// strings are ignored, so /History/{slug}.html?utm_source=rss is the same
// page with the same canonical link. Only GET and HEAD are allowed.
func (s *Site) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

func (s *Site) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := strings.ToLower(r.URL.Path)
	slug, isArticle := strings.CutPrefix(p, "/history/")
	if isArticle {
		slug, isArticle = strings.CutSuffix(slug, ".html")
		isArticle = isArticle && slug != "" && !strings.Contains(slug, "/")
	}
	if r.Method == http.MethodGet {
		s.mu.Lock()
		s.requests[r.URL.Path]++
		if isArticle {
			if _, ok := s.articles[slug]; ok {
				s.bySlug[slug]++
			}
		}
		s.mu.Unlock()
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	switch {
	case isArticle:
		s.serveArticle(w, r, slug, scheme)
	case p == "/rss.xml":
		s.serveFeed(w, r, scheme)
	case p == "/robots.txt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(robotsTxt))
	case p == "/" || p == "/index.html":
		s.serveIndex(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Site) serveArticle(w http.ResponseWriter, r *http.Request, slug, scheme string) {
	s.mu.Lock()
	ap, ok := s.articles[slug]
	if !ok {
		// A moved article's new path.
		for _, m := range s.articles {
			if m.movedTo == slug {
				ap, ok = m, true
			}
		}
	} else if ap.movedTo != "" {
		to := ap.path()
		s.mu.Unlock()
		http.Redirect(w, r, to, http.StatusMovedPermanently)
		return
	}
	var a article
	if ok {
		a = *ap
	}
	titles := s.titlesLocked()
	cond := s.conditional
	s.mu.Unlock()
	if ok && a.removed {
		http.Error(w, "This article has been removed.", http.StatusGone)
		return
	}
	if !ok || a.gone {
		http.NotFound(w, r)
		return
	}
	page, err := renderPage(a, scheme, r.Host, titles)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ctype := "text/html; charset=utf-8"
	if a.gbk {
		// The charset is declared only in the page's late <meta>.
		ctype = "text/html"
	}
	serveBytes(w, r, page, ctype, a.lastMod, cond)
}

func (s *Site) serveFeed(w http.ResponseWriter, r *http.Request, scheme string) {
	s.mu.Lock()
	f := feedSnapshot{titles: s.titlesLocked(), extras: slices.Clone(s.extras), lastMod: s.feedMod}
	for _, slug := range s.order {
		if !s.articles[slug].unlisted {
			f.articles = append(f.articles, *s.articles[slug])
		}
	}
	cond := s.conditional
	s.mu.Unlock()
	slices.SortStableFunc(f.articles, func(a, b article) int { return b.published.Compare(a.published) })
	body, err := renderFeed(f, scheme, r.Host)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	serveBytes(w, r, body, "application/rss+xml; charset=utf-8", f.lastMod, cond)
}

func (s *Site) serveIndex(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var entries []indexEntry
	for _, slug := range s.order {
		a := s.articles[slug]
		if a.gone || a.removed {
			continue
		}
		entries = append(entries, indexEntry{
			Href:      a.path(),
			Title:     a.title,
			Published: a.published.UTC().Format(time.RFC3339),
			PubDate:   a.published.UTC().Format("January 2, 2006"),
		})
	}
	s.mu.Unlock()
	body, err := renderIndex(entries)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(body)
}

// titlesLocked maps slugs to titles; s.mu must be held.
func (s *Site) titlesLocked() map[string]string {
	m := make(map[string]string, len(s.articles))
	for slug, a := range s.articles {
		m[slug] = a.title
	}
	return m
}

// serveBytes writes body; when cond is set it adds an ETag (a hash of the
// bytes) and Last-Modified and lets http.ServeContent answer If-None-Match
// and If-Modified-Since with 304.
func serveBytes(w http.ResponseWriter, r *http.Request, body []byte, ctype string, lastMod time.Time, cond bool) {
	w.Header().Set("Content-Type", ctype)
	if !cond {
		// ServeContent would still answer "If-None-Match: *" with 304.
		r = r.Clone(r.Context())
		for _, h := range []string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range"} {
			r.Header.Del(h)
		}
		lastMod = time.Time{} // ServeContent then sends no Last-Modified
	} else {
		sum := sha256.Sum256(body)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	}
	http.ServeContent(w, r, "", lastMod, bytes.NewReader(body))
}
