package fetch

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// Headers keeping what the server sent, since Header describes the decoded Body.
const (
	HeaderOriginalContentEncoding  = "X-Annalist-Original-Content-Encoding"
	HeaderOriginalTransferEncoding = "X-Annalist-Original-Transfer-Encoding"
	HeaderOriginalContentLength    = "X-Annalist-Original-Content-Length"
)

// readBody decodes the Content-Encoding of resp and reads at most max bytes of
// the decoded entity; the cap is applied after decompression so a
// compression bomb stops at max, and memory stays bounded by max. With
// truncate, a longer body is cut at max rather than refused.
func readBody(resp *http.Response, max int64, truncate bool) ([]byte, error) {
	codings, err := contentEncodings(resp.Header)
	if err != nil {
		return nil, err
	}
	if truncate {
		r, err := decoder(resp.Body, codings)
		if err != nil {
			return nil, err
		}
		b, err := readAllInto(make([]byte, 0, min(max, 32<<10)), io.LimitReader(r, max), max)
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		return b, nil
	}
	// An honest Content-Length over the cap saves reading anything.
	if resp.ContentLength > max && codings == nil {
		return nil, fmt.Errorf("%w (Content-Length %d, limit %d)", ErrTooLarge, resp.ContentLength, max)
	}
	r, err := decoder(resp.Body, codings)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > 0 && resp.ContentLength <= max && codings == nil {
		// +1 so ReadAll sees EOF without growing.
		body, err := readAllInto(getBody(int(resp.ContentLength+1)), io.LimitReader(r, max+1), max+1)
		return checkBody(body, err, max)
	}
	// Length unknown (chunked or encoded): read into a reused buffer and
	// copy once, rather than double a new one from 32 KB, which allocates
	// about three times the body (a 174 KB page: 32+64+128+256 KB) and
	// makes the collector run that much more often.
	s := getScratch()
	b, err := readAllInto(s, io.LimitReader(r, max+1), max+1)
	if cap(b) > maxScratch {
		// Too big to keep: hand it over. The buffer it outgrew (a copy
		// of b's start) is kept, or every page over maxScratch cost the
		// next bodies a scratch buffer grown again from 64 KB.
		putScratch(s)
		return checkBody(b, err, max)
	}
	defer putScratch(b)
	if _, err := checkBody(b, err, max); err != nil {
		return nil, err
	}
	return append(getBody(len(b)), b...), nil
}

func checkBody(body []byte, err error, max int64) ([]byte, error) {
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("%w (limit %d bytes)", ErrTooLarge, max)
	}
	return body, nil
}

// scratch keeps read buffers for bodies of unknown length. A channel, not
// a sync.Pool: the collector empties a Pool every other cycle, and with a
// cycle every few pages the buffers were regrown (64+128+256 KB) about as
// often as they were reused. Buffers grown past maxScratch (rare, large
// bodies) are dropped rather than kept.
var scratch = make(chan []byte, 4)

func getScratch() []byte {
	select {
	case b := <-scratch:
		return b[:0]
	default:
		return make([]byte, 0, 64<<10)
	}
}

func putScratch(b []byte) {
	select {
	case scratch <- b[:0]:
	default: // enough kept
	}
}

const maxScratch = 512 << 10

// bodies keeps the bodies given back by Response.Release for the bodies
// of later responses: an unchanged re-check of many pages (its bodies are
// only hashed) otherwise allocated and zeroed a body a page, and had the
// collector run about once a re-check of 72 pages of 174 KB. At most
// keptBodies of at most maxScratch each are kept, the largest, and at most
// maxKeptBytes in all: what a daemon holds on to between polls.
var bodies struct {
	mu    sync.Mutex
	bufs  [][]byte
	bytes int // of the capacities of bufs
}

const (
	keptBodies   = 16
	maxKeptBytes = 4 << 20
)

// getBody returns an empty buffer of capacity n or more: the smallest
// kept one that fits, else a new one.
func getBody(n int) []byte {
	bodies.mu.Lock()
	best := -1
	for i, b := range bodies.bufs {
		if cap(b) >= n && (best < 0 || cap(b) < cap(bodies.bufs[best])) {
			best = i
		}
	}
	if best < 0 {
		bodies.mu.Unlock()
		return make([]byte, 0, n)
	}
	b := bodies.bufs[best]
	last := len(bodies.bufs) - 1
	bodies.bufs[best], bodies.bufs[last] = bodies.bufs[last], nil
	bodies.bufs = bodies.bufs[:last]
	bodies.bytes -= cap(b)
	bodies.mu.Unlock()
	return b[:0]
}

// putBody keeps b for getBody, in place of smaller kept buffers when
// keptBodies are kept already or maxKeptBytes would be passed.
func putBody(b []byte) {
	if cap(b) == 0 || cap(b) > maxScratch {
		return
	}
	bodies.mu.Lock()
	defer bodies.mu.Unlock()
	for len(bodies.bufs) >= keptBodies || bodies.bytes+cap(b) > maxKeptBytes {
		small := 0
		for i, k := range bodies.bufs {
			if cap(k) < cap(bodies.bufs[small]) {
				small = i
			}
		}
		if cap(bodies.bufs[small]) >= cap(b) {
			return // no smaller one to give way
		}
		bodies.bytes -= cap(bodies.bufs[small])
		last := len(bodies.bufs) - 1
		bodies.bufs[small], bodies.bufs[last] = bodies.bufs[last], nil
		bodies.bufs = bodies.bufs[:last]
	}
	bodies.bufs = append(bodies.bufs, b[:0])
	bodies.bytes += cap(b)
}

// Release gives r.Body back for the bodies of later responses and sets it
// to nil. Call it only once nothing reads Body any more, nor any slice or
// string of it (not after extraction, which may keep strings pointing into
// it): a later response overwrites it. Not calling it is always safe.
func (r *Response) Release() {
	if r == nil || r.Body == nil {
		return
	}
	putBody(r.Body)
	r.Body = nil
}

// readAllInto is io.ReadAll starting from a caller-sized buffer, for an r
// that yields at most limit bytes: growth stops at limit, since doubling
// past the body cap would let one capped response hold twice the cap.
func readAllInto(b []byte, r io.Reader, limit int64) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			if int64(len(b)) >= limit {
				return b, nil // r is limited to limit bytes: nothing more can come
			}
			n := min(max(2*int64(cap(b)), 32<<10), limit)
			nb := make([]byte, len(b), n)
			copy(nb, b)
			b = nb
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// maxCodings is how many content codings a body may stack. Real servers
// send one; two (gzip over br) is already odd. Each decoder holds its own
// window (brotli: up to 16 MiB), so a long list would cost memory and time
// per listed coding, before the body cap could see a byte.
const maxCodings = 2

// contentEncodings lists the codings applied, in the order they were applied,
// without "identity"; nil when the body is not encoded. More than maxCodings
// is an error wrapping ErrTooManyCodings, found without splitting the whole
// header.
func contentEncodings(h http.Header) ([]string, error) {
	var out []string
	values := h.Values("Content-Encoding")
	for _, v := range values {
		for rest := v; rest != ""; {
			var c string
			c, rest, _ = strings.Cut(rest, ",")
			c = strings.ToLower(strings.TrimSpace(c))
			if c == "" || c == "identity" {
				continue
			}
			if len(out) == maxCodings {
				return nil, fmt.Errorf("%w: Content-Encoding %q lists more than %d",
					ErrTooManyCodings, clip(strings.Join(values, ", "), 60), maxCodings)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// clip shortens s to about n bytes for an error message, saying how long it was.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s… (%d bytes)", s[:n], len(s))
}

// codingError is a body its Content-Encoding cannot undo: "Content-Encoding
// gzip: invalid header", without the "gzip: " gzip's errors start with
// said twice.
type codingError struct {
	coding string
	err    error
}

func (e *codingError) Error() string {
	return "Content-Encoding " + e.coding + ": " + strings.TrimPrefix(e.err.Error(), "gzip: ")
}

func (e *codingError) Unwrap() error { return e.err }

// decoder undoes codings last-applied first.
func decoder(r io.Reader, codings []string) (io.Reader, error) {
	for i := len(codings) - 1; i >= 0; i-- {
		switch codings[i] {
		case "gzip", "x-gzip":
			zr, err := gzip.NewReader(r)
			if err != nil {
				return nil, &codingError{coding: codings[i], err: err}
			}
			r = zr
		case "br":
			r = brotli.NewReader(r)
		case "deflate":
			r = deflateReader(r)
		default:
			return nil, fmt.Errorf("%w %q", ErrContentEncoding, codings[i])
		}
	}
	return r, nil
}

// deflateReader accepts both zlib-wrapped deflate (what RFC 9110 means) and
// the raw deflate some servers send instead.
func deflateReader(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	head, _ := br.Peek(2)
	if len(head) == 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
		if zr, err := zlib.NewReader(br); err == nil {
			return zr
		}
	}
	return flate.NewReader(br)
}

// describeBody rewrites resp.Header to describe the decoded body of n bytes,
// keeping the originals under X-Annalist-Original-* headers.
func describeBody(resp *http.Response, n int) http.Header {
	h := resp.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if ce := h.Values("Content-Encoding"); len(ce) > 0 {
		h.Set(HeaderOriginalContentEncoding, strings.Join(ce, ", "))
		if cl := h.Get("Content-Length"); cl != "" {
			h.Set(HeaderOriginalContentLength, cl)
		}
	}
	if len(resp.TransferEncoding) > 0 {
		h.Set(HeaderOriginalTransferEncoding, strings.Join(resp.TransferEncoding, ", "))
	}
	h.Del("Content-Encoding")
	h.Del("Transfer-Encoding")
	h.Set("Content-Length", strconv.Itoa(n))
	return h
}
