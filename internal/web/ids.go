package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Patterns every path parameter must match before it goes anywhere.
var (
	articleIDRE = regexp.MustCompile(`^[0-9a-f]{12}$`)
	timestampRE = regexp.MustCompile(`^[0-9]{14}$`)
	sourceRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,99}$`)
)

const tsLayout = "20060102150405"

// articleParam returns the {article} path value if it is 12 lowercase hex
// digits.
func articleParam(r *http.Request) (string, bool) {
	id := r.PathValue("article")
	return id, articleIDRE.MatchString(id)
}

// timestampParam parses a 14-digit UTC timestamp (YYYYMMDDhhmmss).
func timestampParam(v string) (time.Time, bool) {
	if !timestampRE.MatchString(v) {
		return time.Time{}, false
	}
	t, err := time.Parse(tsLayout, v)
	return t.UTC(), err == nil
}

func stamp(t time.Time) string { return t.UTC().Format(tsLayout) }

// snapshotTS is the 14-digit part of a snapshot ID.
func snapshotTS(id string) string {
	_, ts, _ := strings.Cut(id, "/")
	return ts
}

// dateParam parses an optional YYYY-MM-DD form value; ok is false for a
// value that is present but malformed.
func dateParam(v string) (*time.Time, bool) {
	if v == "" {
		return nil, true
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, false
	}
	return &t, true
}

// refAfter returns what follows prefix in the request target, unescaped
// once: an article ID or an original URL (with its query, which belongs to
// it, not to us).
func refAfter(r *http.Request, prefix string) string {
	raw := r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		raw += "?" + r.URL.RawQuery
	}
	rest := strings.TrimPrefix(raw, prefix)
	if u, err := url.PathUnescape(rest); err == nil {
		rest = u
	}
	// Some clients and proxies squeeze "http://" to "http:/".
	for _, sch := range []string{"http:/", "https:/"} {
		if strings.HasPrefix(rest, sch) && !strings.HasPrefix(rest, sch+"/") {
			rest = sch + "/" + rest[len(sch):]
		}
	}
	return rest
}

// base returns the absolute URL prefix of the UI.
func (s *Server) base(r *http.Request) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func articlePath(id string) string          { return "/a/" + id }
func snapshotPath(snapshotID string) string { return "/a/" + snapshotID }
