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

// TestFetchLimitRaisedForLargePage: while a large page is in hand (here
// page 1 of a paginated article, held while page 2 is fetched) the soft
// limit is raised by about ten times its body, so that the collector does
// not run without pause through its extraction; after it, it is back.
func TestFetchLimitRaisedForLargePage(t *testing.T) {
	para := "<p>In 1648 the treaties signed at Osnabrück and Münster ended the Thirty Years' War.</p>"
	page1 := "<!DOCTYPE html><html><head><title>The Peace of Westphalia</title><link rel=\"next\" href=\"/article/2\"></head><body><article><h1>The Peace of Westphalia</h1>" +
		strings.Repeat(para, 1_300_000/len(para)) + "</article></body></html>"
	var first, second atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/article":
			first.Store(debug.SetMemoryLimit(-1))
			fmt.Fprint(w, page1)
		case "/article/2":
			second.Store(debug.SetMemoryLimit(-1))
			fmt.Fprint(w, "<!DOCTYPE html><html><head><title>The Peace of Westphalia</title></head><body><article><h1>The Peace of Westphalia</h1>"+
				strings.Repeat("<p>Page two: the settlement of the Empire's constitution and of its confessions.</p>", 10)+"</article></body></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)

	debug.SetMemoryLimit(math.MaxInt64)
	f := newFixture(t)
	if _, stderr, code := f.run("fetch", "--url", srv.URL+"/article", "--json"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s", code, stderr)
	}
	if second.Load() == 0 {
		t.Fatal("page 2 was not fetched")
	}
	if got, want := second.Load()-first.Load(), int64(10*len(page1)); got < want {
		t.Errorf("memory limit raised by %d while page 1 (%d bytes) was in hand, want at least %d", got, len(page1), want)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit after fetch = %d, want none again", got)
	}
}
