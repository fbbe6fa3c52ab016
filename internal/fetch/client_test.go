package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func TestGetSendsUserAgentAndReturnsBody(t *testing.T) {
	var gotUA, gotAE string
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotAE = r.Header.Get("User-Agent"), r.Header.Get("Accept-Encoding")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<p>hello</p>")
	})
	c := testClient(t, Options{UserAgent: "annalist-test/9"})
	res, err := c.Get(context.Background(), Request{URL: srv.URL + "/a?b=1"})
	if err != nil {
		t.Fatal(err)
	}
	if gotUA != "annalist-test/9" {
		t.Errorf("User-Agent = %q", gotUA)
	}
	if gotAE != "gzip, br" {
		t.Errorf("Accept-Encoding = %q", gotAE)
	}
	if string(res.Body) != "<p>hello</p>" || res.StatusCode != 200 || res.Proto != "HTTP/1.1" {
		t.Errorf("res = %d %s %q", res.StatusCode, res.Proto, res.Body)
	}
	if res.URL != srv.URL+"/a?b=1" || res.RequestURL != srv.URL+"/a?b=1" {
		t.Errorf("URL %q RequestURL %q", res.URL, res.RequestURL)
	}
	if !res.IsHTML() {
		t.Error("IsHTML = false")
	}
	if res.FetchedAt.IsZero() {
		t.Error("FetchedAt not set")
	}
}

func TestGetDefaultUserAgent(t *testing.T) {
	var gotUA string
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) { gotUA = r.UserAgent() })
	if _, err := testClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if gotUA != "annalist/0.1" {
		t.Errorf("User-Agent = %q", gotUA)
	}
}

func TestRawRequestIsWireForm(t *testing.T) {
	var got http.Header
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() })
	c := testClient(t, Options{})
	res, err := c.Get(context.Background(), Request{URL: srv.URL + "/p?q=1", ETag: `"e1"`, LastModified: "Mon, 01 Jan 2024 00:00:00 GMT", Accept: "text/html"})
	if err != nil {
		t.Fatal(err)
	}
	raw := string(res.RawRequest)
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, want := range []string{
		"GET /p?q=1 HTTP/1.1\r\n",
		"Host: " + host + "\r\n",
		"User-Agent: annalist/0.1\r\n",
		"Accept-Encoding: gzip, br\r\n",
		"Accept: text/html\r\n",
		"If-None-Match: \"e1\"\r\n",
		"If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT\r\n",
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("RawRequest lacks %q:\n%s", want, raw)
		}
	}
	if !strings.HasPrefix(raw, "GET ") || !strings.HasSuffix(raw, "\r\n\r\n") {
		t.Errorf("RawRequest not in wire form:\n%q", raw)
	}
	for name := range got {
		if !strings.Contains(raw, name+": ") {
			t.Errorf("server saw header %s missing from RawRequest", name)
		}
	}
}

func TestConditionalGet(t *testing.T) {
	const etag, lastMod = `"v1"`, "Tue, 02 Jan 2024 10:00:00 GMT"
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		io.WriteString(w, "fresh")
	})
	c := testClient(t, Options{})
	ctx := context.Background()

	first, err := c.Get(ctx, Request{URL: srv.URL})
	if err != nil || first.NotModified || string(first.Body) != "fresh" {
		t.Fatalf("first: %v %+v", err, first)
	}
	for _, req := range []Request{
		{URL: srv.URL, ETag: first.Header.Get("ETag")},
		{URL: srv.URL, LastModified: first.Header.Get("Last-Modified")},
	} {
		res, err := c.Get(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if !res.NotModified || res.StatusCode != 304 || len(res.Body) != 0 {
			t.Errorf("%+v: NotModified=%v status=%d body=%q", req, res.NotModified, res.StatusCode, res.Body)
		}
	}
}

func TestContentEncodingDecoded(t *testing.T) {
	page := strings.Repeat("<p>Annals of the realm.</p>\n", 200)
	encoders := map[string]func(io.Writer) io.WriteCloser{
		"gzip": func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		"br":   func(w io.Writer) io.WriteCloser { return brotli.NewWriter(w) },
	}
	for name, enc := range encoders {
		t.Run(name, func(t *testing.T) {
			var compressed bytes.Buffer
			zw := enc(&compressed)
			io.WriteString(zw, page)
			zw.Close()
			srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", name)
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("Content-Length", strconv.Itoa(compressed.Len()))
				w.Write(compressed.Bytes())
			})
			res, err := testClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Body) != page {
				t.Fatalf("body not decoded: %d bytes", len(res.Body))
			}
			if ce := res.Header.Get("Content-Encoding"); ce != "" {
				t.Errorf("Content-Encoding still %q", ce)
			}
			if cl := res.Header.Get("Content-Length"); cl != strconv.Itoa(len(page)) {
				t.Errorf("Content-Length = %q, want %d", cl, len(page))
			}
			if o := res.Header.Get(HeaderOriginalContentEncoding); o != name {
				t.Errorf("original encoding = %q", o)
			}
		})
	}
}

func TestChunkedHeaderFixed(t *testing.T) {
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "part one, ")
		w.(http.Flusher).Flush() // forces chunked transfer coding
		io.WriteString(w, "part two")
	})
	res, err := testClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("Transfer-Encoding") != "" || res.Header.Get("Content-Length") != "18" {
		t.Errorf("header = %v", res.Header)
	}
	if res.Header.Get(HeaderOriginalTransferEncoding) != "chunked" {
		t.Errorf("original transfer-encoding = %q", res.Header.Get(HeaderOriginalTransferEncoding))
	}
}

func TestUnsupportedContentEncoding(t *testing.T) {
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "zstd")
		io.WriteString(w, "(\xb5/\xfd")
	})
	_, err := testClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL})
	if !errors.Is(err, ErrContentEncoding) {
		t.Fatalf("err = %v", err)
	}
}

func TestStackedContentEncodingRefused(t *testing.T) {
	page := strings.Repeat("<p>Annals of the realm.</p>\n", 200)
	var inner, outer bytes.Buffer
	bw := brotli.NewWriter(&inner)
	io.WriteString(bw, page)
	bw.Close()
	gw := gzip.NewWriter(&outer)
	gw.Write(inner.Bytes())
	gw.Close()
	serve := func(codings string, body []byte) *httptest.Server {
		return testServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", codings)
			w.Header().Set("Content-Type", "text/html")
			w.Write(body)
		})
	}
	// Two codings (br, then gzip over it) are still decoded.
	two := serve("br, gzip", outer.Bytes())
	res, err := testClient(t, Options{}).Get(context.Background(), Request{URL: two.URL})
	if err != nil || string(res.Body) != page {
		t.Fatalf("two codings: err = %v, body %d bytes", err, len(res.Body))
	}
	// A third is refused before any decoder is built; "identity" does not count.
	for _, codings := range []string{"br, identity, br, br", strings.TrimSuffix(strings.Repeat("br,", 60000), ",")} {
		srv := serve(codings, inner.Bytes())
		_, err := testClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL})
		if !errors.Is(err, ErrTooManyCodings) {
			t.Fatalf("%.20s…: err = %v, want ErrTooManyCodings", codings, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, srv.URL) || !strings.Contains(msg, "Content-Encoding \"br,") || len(msg) > 300 {
			t.Errorf("error should name the URL and (a clipped) header: %q", msg)
		}
	}
}

// allocatedDuring reports bytes allocated by f, to show memory stays bounded.
func allocatedDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

const testCap = 1 << 20

func TestGzipBombStopsAtCap(t *testing.T) {
	// One gzip member of 1 MiB of zeros, sent 1024 times: a 1 GiB stream
	// (gzip readers join members) from about 1 MB on the wire.
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		for range 1024 {
			if _, err := w.Write(member.Bytes()); err != nil {
				return
			}
		}
	})
	c := testClient(t, Options{MaxBody: testCap})
	var err error
	alloc := allocatedDuring(func() { _, err = c.Get(context.Background(), Request{URL: srv.URL}) })
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("error does not name the URL: %v", err)
	}
	if alloc > 64<<20 {
		t.Errorf("allocated %d MiB reading a capped bomb", alloc>>20)
	}
}

func TestBrotliBombStopsAtCap(t *testing.T) {
	// 16 times the cap in zeros; brotli streams can't be concatenated like
	// gzip members, and compressing more would only slow the test.
	var bomb bytes.Buffer
	bw := brotli.NewWriterLevel(&bomb, 0)
	bw.Write(make([]byte, 16*testCap))
	bw.Close()
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "br")
		w.Write(bomb.Bytes())
	})
	c := testClient(t, Options{MaxBody: testCap})
	var err error
	alloc := allocatedDuring(func() { _, err = c.Get(context.Background(), Request{URL: srv.URL}) })
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if alloc > 64<<20 {
		t.Errorf("allocated %d MiB reading a capped bomb", alloc>>20)
	}
}

func TestEndlessChunkedBodyStopsAtCap(t *testing.T) {
	var sent atomic.Int64
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		buf := bytes.Repeat([]byte("x"), 32<<10)
		for sent.Load() < 2<<30 { // 2 GiB, unless the client goes away first
			n, err := w.Write(buf)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	c := testClient(t, Options{MaxBody: testCap})
	var err error
	alloc := allocatedDuring(func() { _, err = c.Get(context.Background(), Request{URL: srv.URL}) })
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if alloc > 64<<20 {
		t.Errorf("allocated %d MiB reading a capped stream", alloc>>20)
	}
	srv.Close() // waits for the handler, which stops once the client hangs up
	if sent.Load() >= 2<<30 {
		t.Errorf("server sent the whole 2 GiB; client should have hung up")
	}
}

func TestBodyAtCapIsAccepted(t *testing.T) {
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 1000))
	})
	res, err := testClient(t, Options{MaxBody: 1000}).Get(context.Background(), Request{URL: srv.URL})
	if err != nil || len(res.Body) != 1000 {
		t.Fatalf("err %v", err)
	}
	_, err = testClient(t, Options{MaxBody: 999}).Get(context.Background(), Request{URL: srv.URL})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

// hijack serves a raw HTTP response so the Content-Length can lie.
func hijack(t *testing.T, head string, bodyBytes int) string {
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		buf.WriteString(head)
		chunk := bytes.Repeat([]byte("y"), 32<<10)
		for n := 0; n < bodyBytes; n += len(chunk) {
			if _, err := buf.Write(chunk); err != nil {
				return
			}
		}
		buf.Flush()
	})
	return srv.URL
}

func TestLyingContentLength(t *testing.T) {
	c := testClient(t, Options{MaxBody: testCap})
	ctx := context.Background()

	t.Run("smaller than body", func(t *testing.T) {
		u := hijack(t, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n", 32<<20)
		res, err := c.Get(ctx, Request{URL: u})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Body) != 100 {
			t.Errorf("read %d bytes, want the declared 100", len(res.Body))
		}
	})
	t.Run("larger than cap", func(t *testing.T) {
		u := hijack(t, "HTTP/1.1 200 OK\r\nContent-Length: 5000000000\r\nConnection: close\r\n\r\n", 64<<10)
		if _, err := c.Get(ctx, Request{URL: u}); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
	t.Run("no length, endless", func(t *testing.T) {
		u := hijack(t, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", 32<<20)
		if _, err := c.Get(ctx, Request{URL: u}); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
	t.Run("larger than body", func(t *testing.T) {
		u := hijack(t, "HTTP/1.1 200 OK\r\nContent-Length: 900000\r\nConnection: close\r\n\r\n", 10)
		_, err := c.Get(ctx, Request{URL: u})
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("err = %v, want unexpected EOF", err)
		}
	})
}

func TestDripServerCutByTotalTimeout(t *testing.T) {
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		for {
			w.Write([]byte("."))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	c := testClient(t, Options{Timeout: 300 * time.Millisecond})
	_, err := c.Get(context.Background(), Request{URL: srv.URL})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if !strings.Contains(err.Error(), "total timeout 300ms") || !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("error should name the timeout and URL: %v", err)
	}
}

func TestCallerCancellationIsNotReportedAsTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, err := testClient(t, Options{}).Get(ctx, Request{URL: srv.URL})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestRedirectsFollowed(t *testing.T) {
	var srvURL string
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if n < 3 {
			http.Redirect(w, r, fmt.Sprintf("/%d", n+1), http.StatusFound)
			return
		}
		io.WriteString(w, "arrived")
	})
	srvURL = srv.URL
	res, err := testClient(t, Options{}).Get(context.Background(), Request{URL: srvURL + "/0"})
	if err != nil {
		t.Fatal(err)
	}
	if res.URL != srvURL+"/3" || res.RequestURL != srvURL+"/0" || string(res.Body) != "arrived" {
		t.Errorf("URL %q RequestURL %q body %q", res.URL, res.RequestURL, res.Body)
	}
	if !strings.HasPrefix(string(res.RawRequest), "GET /3 HTTP/1.1") {
		t.Errorf("RawRequest is not the final hop's: %q", res.RawRequest)
	}
}

func TestRedirectLoop(t *testing.T) {
	var hits atomic.Int32
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/loop", http.StatusMovedPermanently)
	})
	_, err := testClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL + "/loop"})
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("err = %v, want ErrTooManyRedirects", err)
	}
	if got := hits.Load(); got != 11 {
		t.Errorf("server hit %d times, want 11 (the request and 10 redirects)", got)
	}
	if !strings.Contains(err.Error(), srv.URL+"/loop") {
		t.Errorf("error does not name the URL: %v", err)
	}
}

func TestSchemeRefused(t *testing.T) {
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.org/file", http.StatusFound)
	})
	c := testClient(t, Options{})
	for _, u := range []string{srv.URL, "ftp://example.org/x", "file:///etc/passwd", "gopher://x/"} {
		_, err := c.Get(context.Background(), Request{URL: u})
		if !errors.Is(err, ErrScheme) {
			t.Errorf("%s: err = %v, want ErrScheme", u, err)
		}
	}
}

func TestStatusError(t *testing.T) {
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	_, err := testClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL + "/gone"})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 404 {
		t.Fatalf("err = %v", err)
	}
	if want := "fetch: GET " + srv.URL + "/gone: 404 Not Found"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

// TestChunkedBodyAllocatesAboutItsSize: a body of unknown length (chunked,
// as most dynamic pages come) is read into a reused buffer, kept across
// collections, and copied once, rather than into a buffer doubling from
// 32 KB, which allocated about three times the body (collector work on
// every page fetched).
func TestChunkedBodyAllocatesAboutItsSize(t *testing.T) {
	page := bytes.Repeat([]byte("<p>Some words of a page.</p>\n"), 6000) // 174 KB
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush() // no Content-Length: chunked
		w.Write(page)
	})
	c := testClient(t, Options{})
	least := uint64(1 << 62)
	for range 3 { // the first fills the reused buffer
		// Collections between pages (a sync.Pool would be emptied).
		runtime.GC()
		alloc := allocatedDuring(func() {
			res, err := c.Get(context.Background(), Request{URL: srv.URL})
			if err != nil || !bytes.Equal(res.Body, page) {
				t.Fatalf("err %v, body of %d bytes", err, len(res.Body))
			}
		})
		least = min(least, alloc)
	}
	if limit := uint64(len(page)) * 3 / 2; least > limit {
		t.Errorf("a %d-byte chunked body allocated at least %d bytes, want at most %d", len(page), least, limit)
	}
}
