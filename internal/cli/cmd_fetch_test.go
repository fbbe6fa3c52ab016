package cli_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// robotsSite disallows everything in robots.txt and serves an article at
// /article.
func robotsSite(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /\n")
		case "/article":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!DOCTYPE html><html><head><title>The Treaty of Nerchinsk</title></head><body><article><h1>The Treaty of Nerchinsk</h1>"+
				strings.Repeat("<p>In 1689 the envoys of the Kangxi Emperor and of Tsar Peter met on the Shilka river to fix a border.</p>", 12)+
				"</article></body></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestFetchURLFollowsRespectRobots: `fetch --url` without --source honours
// http.respect_robots, both ways (it used to be hard-coded on).
func TestFetchURLFollowsRespectRobots(t *testing.T) {
	srv := robotsSite(t)
	for _, respect := range []bool{false, true} {
		t.Run(fmt.Sprintf("respect_robots_%v", respect), func(t *testing.T) {
			f := newFixture(t)
			cfg := fmt.Sprintf("data_dir: archive\nhttp:\n  per_host_interval: 0s\n  allow_private_networks: true\n  respect_robots: %v\n", respect)
			if err := os.WriteFile(f.cfg, []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			out, stderr, code := f.run("fetch", "--url", srv.URL+"/article", "--json")
			var r map[string]any
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s\nstderr: %s", err, out, stderr)
			}
			if respect {
				if code != 1 || r["outcome"] != "error" || !strings.Contains(r["error"].(string), "robots.txt") {
					t.Fatalf("respect_robots: true: exit %d, %v; want refused by robots.txt", code, r)
				}
				return
			}
			if code != 0 || r["outcome"] != "new" {
				t.Fatalf("respect_robots: false: exit %d, %v, stderr %s; want the page archived", code, r, stderr)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(f.cfg), "archive", "annalist.db")); err != nil {
				t.Fatal(err)
			}
		})
	}
}
