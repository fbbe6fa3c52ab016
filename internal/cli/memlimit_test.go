package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"

	"annalist/internal/cli"
)

// TestFetchLimitsMemory: `annalist fetch` runs under a soft memory limit
// (the collector returns freed pages sooner) and restores the one before
// it afterwards; a limit already set, or GOMEMLIMIT in the environment,
// is left alone.
func TestFetchLimitsMemory(t *testing.T) {
	var during atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/article" {
			http.NotFound(w, r)
			return
		}
		during.Store(debug.SetMemoryLimit(-1)) // this server runs in the process fetching
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html><html><head><title>The Peace of Westphalia</title></head><body><article><h1>The Peace of Westphalia</h1>"+
			strings.Repeat("<p>In 1648 the treaties signed at Osnabrück and Münster ended the Thirty Years' War.</p>", 12)+
			"</article></body></html>")
	}))
	defer srv.Close()
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)

	debug.SetMemoryLimit(math.MaxInt64) // none, the runtime's default
	f := newFixture(t)
	if _, stderr, code := f.run("fetch", "--url", srv.URL+"/article", "--json"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s", code, stderr)
	}
	if got := during.Load(); got == math.MaxInt64 || got < 16<<20 {
		t.Errorf("memory limit during fetch = %d, want a limit of some MiB", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit after fetch = %d, want none again", got)
	}

	// GOMEMLIMIT=off in the environment: the user's word, no limit.
	var out, errb bytes.Buffer
	m := &cli.Main{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""),
		Getenv: func(k string) string {
			switch k {
			case "ANNALIST_CONFIG":
				return f.cfg
			case "GOMEMLIMIT":
				return "off"
			}
			return ""
		}}
	if code := m.Run(context.Background(), []string{"fetch", "--url", srv.URL + "/article?off", "--json"}); code != 0 {
		t.Fatalf("fetch: exit %d\n%s", code, errb.String())
	}
	if got := during.Load(); got != math.MaxInt64 {
		t.Errorf("memory limit during fetch with GOMEMLIMIT=off = %d, want none", got)
	}

	const set = 1 << 40
	debug.SetMemoryLimit(set)
	if _, stderr, code := f.run("fetch", "--url", srv.URL+"/article?again", "--json"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s", code, stderr)
	}
	if got := during.Load(); got != set {
		t.Errorf("memory limit during fetch = %d, want the one already set, %d", got, set)
	}
}
