package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestEveryResponseCarriesSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	paths := []string{"/", "/s/mondo-history", "/a/" + f.grain, "/a/" + f.grainS[0], "/a/" + f.grain + "/diff",
		"/search?q=grain", "/feed.atom", "/feed.json", "/api/sources", "/api/a/" + f.grain + "/history",
		"/timemap/" + f.grain, "/timegate/" + f.grain, "/healthz", "/metrics", "/static/style.css", "/nope",
		"/a/zzz", "/a/" + f.grain + "/20000101000000", "/a/" + f.hostS + "/warc"}
	for _, p := range paths {
		resp := f.get(p)
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if strings.HasSuffix(p, "/warc") {
			if !strings.HasPrefix(csp, "sandbox; default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("%s: download CSP %q", p, csp)
			}
			continue
		}
		for _, d := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
			"frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "https:") {
			t.Errorf("%s: CSP allows too much: %q", p, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: nosniff %q, referrer %q", p, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
		}
	}
}

func TestReadOnly(t *testing.T) {
	f := newFixture(t)
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		for _, p := range []string{"/", "/a/" + f.grain, "/timegate/" + f.grain} {
			rec := httptest.NewRecorder()
			f.srv.Handler().ServeHTTP(rec, httptest.NewRequest(m, p, strings.NewReader("x=1")))
			if rec.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d, want 405", m, p, rec.Code)
			}
		}
	}
}

func TestHostileArchivedHTMLIsNeutralised(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/a/" + f.hostS, "/a/" + f.hostile} {
		page := body(t, f.get(p))
		i := strings.Index(page, `<main id="main">`)
		main := strings.ToLower(page[i:])
		for _, bad := range []string{"<script", "onerror", "onload", "onclick", "onmouseover", "onfocus", "javascript:",
			"<svg", "<meta", "expression(", "<style", "style=", "<iframe", "<object", "<form", "<input", "<link", "<base",
			"evil.example", "<img"} {
			if strings.Contains(main, bad) {
				t.Errorf("%s: archived %q reaches the page", p, bad)
			}
		}
		for _, good := range []string{"plain paragraph survives.", `href="https://en.wikipedia.org/wiki/grand_canal_(china)"`,
			"[image: tracking pixel]", `rel="nofollow noreferrer"`, "hostile &lt;script&gt;"} {
			if !strings.Contains(main, good) {
				t.Errorf("%s: expected %q in the page", p, good)
			}
		}
		// The only script is the UI's own, from its own origin.
		if n := strings.Count(strings.ToLower(page), "<script"); n != 1 || !strings.Contains(page, `<script src="/static/keys.js" defer></script>`) {
			t.Errorf("%s: %d script tags", p, n)
		}
	}
	// A remote image becomes a link to it: nothing loads unasked.
	page := body(t, f.get("/a/"+f.kontor))
	if strings.Contains(page, "<img") || !strings.Contains(page, `href="https://cdn.example/kontor.jpg"`) ||
		!strings.Contains(page, "[image: The Steelyard in London]") {
		t.Errorf("remote image not replaced by a link")
	}
}

func TestRawResponseIsADownloadNotAPage(t *testing.T) {
	f := newFixture(t)
	resp := f.get("/a/" + f.hostS + "/warc")
	b := body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/warc" {
		t.Errorf("raw response served as %q, want application/warc", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.HasSuffix(cd, `.warc.gz"`) {
		t.Errorf("Content-Disposition %q, want an attachment NAME.warc.gz", cd)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox") {
		t.Errorf("raw response CSP %q", csp)
	}
	zr, err := gzip.NewReader(strings.NewReader(b))
	if err != nil {
		t.Fatalf("the WARC file is not gzipped: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("the WARC file does not decompress: %v", err)
	}
	b = string(raw)
	if !strings.Contains(b, "HTTP/1.1 200") || !strings.Contains(b, "<script>alert('xss-script')") {
		t.Errorf("raw response is not the archived exchange: %.200s", b)
	}
}

func TestPathParametersAreValidated(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/a/..%2F..%2Fetc%2Fpasswd", "/a/' OR 1=1 --", "/a/" + f.grain + "%00", "/s/..", "/s/%27%3B%20DROP%20TABLE%20articles",
		"/api/a/zz/history", "/api/a/" + f.grain + "/abc", "/timemap/'; DROP TABLE snapshots; --", "/timegate/file:///etc/passwd",
		"/a/" + f.grain + "/..%2F..%2Fwarc/warc"} {
		resp := f.get(strings.ReplaceAll(p, " ", "%20"))
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusMovedPermanently && resp.StatusCode != http.StatusTemporaryRedirect {
			t.Errorf("%s: status %d", p, resp.StatusCode)
		}
	}
	// Still all there.
	f.page("/a/"+f.grain, http.StatusOK)
}
