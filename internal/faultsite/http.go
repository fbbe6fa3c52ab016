package faultsite

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
)

// EndlessSize is the size of the 2 GiB bodies, after decompression for the bombs.
const EndlessSize = 2 << 30

// countingWriter counts what reaches the client, so a test can show the
// server was hung up on long before EndlessSize.
type countingWriter struct {
	w    io.Writer
	site *Site
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.site.sent.Add(int64(n))
	return n, err
}

// streamFiller writes n bytes of chunk, repeated, to w in chunks, stopping at the
// first write error (the client went away). Memory: one chunk.
func streamFiller(w io.Writer, n int64, chunk []byte) {
	for n > 0 {
		c := chunk
		if int64(len(c)) > n {
			c = c[:n]
		}
		if _, err := w.Write(c); err != nil {
			return
		}
		n -= int64(len(c))
	}
}

func (s *Site) serve2GB(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// No Content-Length: chunked, so only counting can stop it.
	cw := countingWriter{w, s}
	_, _ = io.WriteString(cw, "<!DOCTYPE html><html><head><title>Endless</title></head><body><p>")
	streamFiller(cw, EndlessSize, bytes.Repeat([]byte("all work and no play "), 3<<10))
}

func (s *Site) serveGzipBomb(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Encoding", "gzip")
	zw, _ := gzip.NewWriterLevel(countingWriter{w, s}, gzip.BestSpeed)
	streamFiller(zw, EndlessSize, make([]byte, 256<<10))
	_ = zw.Close()
}

func (s *Site) serveBrotliBomb(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Encoding", "br")
	bw := brotli.NewWriterLevel(countingWriter{w, s}, 0)
	streamFiller(bw, EndlessSize, make([]byte, 256<<10))
	_ = bw.Close()
}

// serveLyingLength claims 5 GB and sends 64 KiB: a client must not trust
// the header to size a buffer, and must stop at its cap.
func (s *Site) serveLyingLength(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000000000\r\nConnection: close\r\n\r\n")
	_, _ = buf.Write(bytes.Repeat([]byte("y"), 64<<10))
	_ = buf.Flush()
}

func (s *Site) serveDrip(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Header().Set("Content-Length", "1000")
	w.WriteHeader(http.StatusOK)
	every := s.DripEvery
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for range 1000 {
		if _, err := w.Write([]byte("<")); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
	}
}

func (s *Site) serveRedirect(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if to == "" {
		http.Error(w, "redirect needs ?to=", http.StatusBadRequest)
		return
	}
	// Not http.Redirect: it would clean a file: or ftp: URL into a path.
	w.Header().Set("Location", to)
	w.WriteHeader(http.StatusFound)
}

// Redirect returns the path that redirects to target.
func Redirect(target string) string { return HTTPRedirect + "?to=" + urlQueryEscape(target) }

// RetryAfter429 is the Retry-After of HTTP429.
const RetryAfter429 = 120 * time.Second

// RetryAfter503 is how far ahead HTTP503Date's Retry-After date is.
const RetryAfter503 = 2 * time.Hour

func (s *Site) serve429(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", strconv.Itoa(int(RetryAfter429/time.Second)))
	http.Error(w, "slow down", http.StatusTooManyRequests)
}

func (s *Site) serve503(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", s.Now().UTC().Add(RetryAfter503).Format(http.TimeFormat))
	http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
}

// StackedCodings and StackedBodySize shape HTTPCodingStack: the response
// that took a client 3 GB and 16 s when it built one decoder per listed
// coding.
const (
	StackedCodings  = 60_000
	StackedBodySize = 284 << 10
)

var (
	stackedOnce   sync.Once
	stackedHeader string
	stackedBody   []byte
)

// serveStackedCoding sends a brotli stream of StackedBodySize bytes (one
// real coding) under a Content-Encoding that lists br StackedCodings times.
func (s *Site) serveStackedCoding(w http.ResponseWriter, r *http.Request) {
	stackedOnce.Do(func() {
		stackedHeader = strings.TrimSuffix(strings.Repeat("br,", StackedCodings), ",")
		var buf bytes.Buffer
		bw := brotli.NewWriterLevel(&buf, 0)
		// Pseudo-random text, so that the compressed body stays near its size.
		x := uint32(2463534242)
		for buf.Len() < StackedBodySize {
			var b [4 << 10]byte
			for i := range b {
				x ^= x << 13
				x ^= x >> 17
				x ^= x << 5
				b[i] = byte(x)
			}
			_, _ = bw.Write(b[:])
			_ = bw.Flush()
		}
		_ = bw.Close()
		stackedBody = buf.Bytes()
	})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Encoding", stackedHeader)
	w.Header().Set("Content-Length", strconv.Itoa(len(stackedBody)))
	_, _ = countingWriter{w, s}.Write(stackedBody)
}

// RetryAfterHour is the Retry-After of HTTP429Hour.
const RetryAfterHour = time.Hour

func (s *Site) serve429Hour(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", strconv.Itoa(int(RetryAfterHour/time.Second)))
	http.Error(w, "come back in an hour", http.StatusTooManyRequests)
}
