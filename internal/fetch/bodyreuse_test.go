package fetch

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"testing"
)

// bodySite serves /chunked/N and /length/N: N bytes, sent chunked (no
// Content-Length) or with their length.
func bodySite(t *testing.T) string {
	t.Helper()
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		var n int
		var sized bool
		if v, ok := cutPath(r.URL.Path, "/length/"); ok {
			n, sized = v, true
		} else if v, ok := cutPath(r.URL.Path, "/chunked/"); ok {
			n = v
		} else {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		if sized {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		w.Write(bytes.Repeat([]byte("x"), n))
	})
	return srv.URL
}

func cutPath(p, prefix string) (int, bool) {
	if len(p) <= len(prefix) || p[:len(prefix)] != prefix {
		return 0, false
	}
	n, err := strconv.Atoi(p[len(prefix):])
	return n, err == nil
}

// drainPools empties the kept bodies and scratch buffers.
func drainPools() {
	bodies.mu.Lock()
	bodies.bufs, bodies.bytes = nil, 0
	bodies.mu.Unlock()
	for {
		select {
		case <-scratch:
		default:
			return
		}
	}
}

// TestReleasedBodyIsReused: a body given back (Response.Release) holds the
// next body that fits, whether sent with its length or chunked, instead of
// a new allocation; Release leaves the response without a body.
func TestReleasedBodyIsReused(t *testing.T) {
	base := bodySite(t)
	c := testClient(t, Options{})
	get := func(path string) *Response {
		t.Helper()
		resp, err := c.Get(context.Background(), Request{URL: base + path})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for _, mode := range []string{"length", "chunked"} {
		drainPools()
		first := get("/" + mode + "/200000")
		held := &first.Body[0]
		first.Release()
		if first.Body != nil {
			t.Fatalf("%s: Body after Release: %d bytes, want nil", mode, len(first.Body))
		}
		second := get("/" + mode + "/150000")
		if len(second.Body) != 150000 || &second.Body[0] != held {
			t.Errorf("%s: the next body (%d bytes) is not in the released buffer", mode, len(second.Body))
		}
		if !bytes.Equal(second.Body, bytes.Repeat([]byte("x"), 150000)) {
			t.Errorf("%s: the reused buffer does not hold the next body", mode)
		}
		unreleased := get("/" + mode + "/150000")
		if &unreleased.Body[0] == held {
			t.Errorf("%s: a body not released is handed out again", mode)
		}
	}
}

// TestOversizedBodyKeepsScratch: a chunked body that outgrows the scratch
// buffer it was read into (over maxScratch) is handed over, and that
// scratch buffer is kept for the next body: each such page used to cost
// the next ones a buffer grown again from 64 KB.
func TestOversizedBodyKeepsScratch(t *testing.T) {
	base := bodySite(t)
	c := testClient(t, Options{})
	drainPools()
	putScratch(make([]byte, 0, maxScratch))
	resp, err := c.Get(context.Background(), Request{URL: base + "/chunked/" + strconv.Itoa(maxScratch+100000)})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body) != maxScratch+100000 {
		t.Fatalf("body of %d bytes, want %d", len(resp.Body), maxScratch+100000)
	}
	if n := len(scratch); n != 1 {
		t.Fatalf("%d scratch buffers kept after the large body, want 1", n)
	}
	if b := <-scratch; cap(b) != maxScratch {
		t.Errorf("kept scratch buffer of %d bytes, want the %d it was", cap(b), maxScratch)
	}
}

// TestKeptBodiesBounded: the bodies kept for reuse are at most keptBodies
// and maxKeptBytes in all (a daemon holds them between polls), the largest
// given back, and none over maxScratch.
func TestKeptBodiesBounded(t *testing.T) {
	drainPools()
	defer drainPools()
	for i := range 3 * keptBodies {
		putBody(make([]byte, 10, (i%8+1)*64<<10))
	}
	putBody(make([]byte, 0, maxScratch+1))
	bodies.mu.Lock()
	n, kept := len(bodies.bufs), 0
	smallest := maxScratch
	for _, b := range bodies.bufs {
		kept += cap(b)
		smallest = min(smallest, cap(b))
		if len(b) != 0 {
			t.Errorf("a kept body of length %d, want 0", len(b))
		}
	}
	bytes := bodies.bytes
	bodies.mu.Unlock()
	if n > keptBodies || kept > maxKeptBytes || kept != bytes {
		t.Errorf("%d bodies kept, %d bytes (counted %d); want at most %d and %d", n, kept, bytes, keptBodies, maxKeptBytes)
	}
	if smallest < 7*64<<10 {
		t.Errorf("a kept body of %d bytes: the largest given back were not kept", smallest)
	}
}
