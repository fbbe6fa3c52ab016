package faultsite

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/text/encoding/htmlindex"
)

func get(t *testing.T, srv *httptest.Server, path string) (*http.Response, []byte) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, b
}

func TestCharsetPagesDecodeBack(t *testing.T) {
	srv := httptest.NewServer(New().Handler())
	defer srv.Close()
	for _, p := range CharsetPages() {
		resp, body := get(t, srv, p.Path)
		enc, err := htmlindex.Get(p.Charset)
		if err != nil {
			t.Fatal(err)
		}
		dec, _ := enc.NewDecoder().Bytes(body)
		if !strings.Contains(string(dec), p.Text) {
			t.Errorf("%s does not decode back to its text", p.Path)
		}
		if hasHeader := strings.Contains(resp.Header.Get("Content-Type"), "charset"); hasHeader != (p.Declare == DeclareHeader) {
			t.Errorf("%s: Content-Type %q", p.Path, resp.Header.Get("Content-Type"))
		}
		if p.Declare == DeclareMetaLate && strings.Index(string(body), "charset=") < 1024 {
			t.Errorf("%s: <meta> within the first 1024 bytes", p.Path)
		}
	}
}

func TestFaultsRespondAsDescribed(t *testing.T) {
	s := New()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	for path, want := range map[string]int{
		FeedGood: 200, FeedHTML: 200, HTTP429: 429, HTTP503Date: 503, HTTPRedirectLoop: 302,
		Redirect("http://10.0.0.1/"): 302, PageOffsite: 302, PagePDF: 200, "/nope": 404,
	} {
		if resp, _ := get(t, srv, path); resp.StatusCode != want {
			t.Errorf("%s: status %d, want %d", path, resp.StatusCode, want)
		}
	}
	if resp, _ := get(t, srv, HTTP429); resp.Header.Get("Retry-After") != "120" {
		t.Errorf("429 Retry-After = %q", resp.Header.Get("Retry-After"))
	}
	if resp, _ := get(t, srv, PageOffsite); !strings.HasPrefix(resp.Header.Get("Location"), "http://localhost:") {
		t.Errorf("offsite redirect to %q", resp.Header.Get("Location"))
	}
	// The endless body is streamed: reading 1 MiB and hanging up stops it.
	get(t, srv, HTTP2GB)
	srv.Close()
	if sent := s.BodyBytesSent(); sent >= EndlessSize {
		t.Errorf("sent %d bytes after the client hung up", sent)
	}
}
