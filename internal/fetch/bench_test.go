package fetch

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkGet fetches a 50 KB page over loopback through the whole client:
// pacing, guard-free dial (keep-alive), body cap and header rewrite.
func BenchmarkGet(b *testing.B) {
	page := []byte(strings.Repeat("<p>The annals record the year in brief.</p>\n", 50_000/45))
	srv := testServer(b, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	c := testClient(b, Options{})
	ctx := context.Background()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.Get(ctx, Request{URL: srv.URL + "/article"})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Body) != len(page) {
			b.Fatalf("got %d bytes", len(res.Body))
		}
	}
}

// BenchmarkToUTF8 decodes a 50 KB windows-1251 page declared in <meta>.
func BenchmarkToUTF8(b *testing.B) {
	html := "<html><head><meta charset=windows-1251></head><body>" +
		strings.Repeat("<p>Летопись временных лет.</p>\n", 50_000/40) + "</body></html>"
	raw := []byte(html)
	if enc, _ := lookup("windows-1251"); enc != nil {
		raw, _ = enc.NewEncoder().Bytes(raw)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, name := ToUTF8(raw, "text/html"); name != "windows-1251" {
			b.Fatal(name)
		}
	}
}
