package demosite

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

const sampleSlug = "chiang-ching-kuo-outer-mongolia"

func startServer(t *testing.T, s *Site) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// get fetches url with optional request headers (name, value pairs).
func get(t *testing.T, srv *httptest.Server, url string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return resp, body
}

func getOK(t *testing.T, srv *httptest.Server, path string) []byte {
	t.Helper()
	resp, body := get(t, srv, srv.URL+path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	return body
}

func parseHTML(t *testing.T, page []byte) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// pageParts splits an article page into the pieces the mutators touch.
func pageParts(t *testing.T, page []byte) map[string]string {
	t.Helper()
	doc := parseHTML(t, page)
	html := func(sel string) string {
		h, err := doc.Find(sel).Html()
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	attr := func(sel, name string) string {
		v, _ := doc.Find(sel).Attr(name)
		return v
	}
	return map[string]string{
		"title":     doc.Find("h1.article-title").Text(),
		"body":      html("div.article-content"),
		"stamp":     doc.Find(".update-time").Text(),
		"modified":  attr(`meta[property="article:modified_time"]`, "content"),
		"published": attr("time.pub", "datetime"),
		"views":     doc.Find(".views").Text(),
		"byline":    doc.Find(".author").Text(),
		"related":   html(".related-pages"),
		"ad":        doc.Find(".ad").Text(),
		"share":     html(".share"),
		"canonical": attr(`link[rel="canonical"]`, "href"),
		"v2":        html("div.content-v2"),
	}
}

func changedParts(before, after map[string]string) []string {
	var out []string
	for _, k := range []string{"title", "body", "stamp", "modified", "published", "views", "byline", "related", "ad", "share", "canonical", "v2"} {
		if before[k] != after[k] {
			out = append(out, k)
		}
	}
	return out
}

func paragraphsOf(t *testing.T, page []byte, sel string) []string {
	t.Helper()
	var out []string
	parseHTML(t, page).Find(sel + " p").Each(func(_ int, p *goquery.Selection) {
		out = append(out, strings.TrimSpace(p.Text()))
	})
	return out
}
