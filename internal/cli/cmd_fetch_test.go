package cli_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"annalist/internal/demosite"
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

// slowSite is a synthetic demo site of n articles whose pages each take
// delay to answer; it counts the page requests started and finished.
type slowSite struct {
	site              *demosite.Site
	url               string
	started, finished atomic.Int32
}

func newSlowSite(t *testing.T, n int, delay time.Duration) *slowSite {
	t.Helper()
	s := &slowSite{site: demosite.NewSynthetic(n, 8<<10, 7)}
	inner := s.site.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/rss.xml" || r.URL.Path == "/robots.txt" {
			inner.ServeHTTP(w, r)
			return
		}
		s.started.Add(1)
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return // the client went away: not finished
		}
		inner.ServeHTTP(w, r)
		s.finished.Add(1)
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// fetchArchive writes a config with one source on site and returns its path.
func fetchArchive(t *testing.T, site *slowSite) (cfg, dataDir string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "feeds"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg = filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("data_dir: archive\nhttp:\n  per_host_interval: 0s\n  per_host_concurrency: 2\n  allow_private_networks: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "feeds", "slow.yaml"), demosite.SourceYAML(site.url+"/rss.xml"), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, filepath.Join(dir, "archive")
}

// startFetch starts `annalist fetch` on cfg and waits until at least n
// pages were requested.
func startFetch(t *testing.T, cfg string, site *slowSite, n int32, extra ...string) (*exec.Cmd, *bytes.Buffer, *logLines, chan struct{}) {
	t.Helper()
	cmd := exec.Command(annalistBinary(t), append([]string{"fetch", "--config", cfg, "--log-format", "json"}, extra...)...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	var logs logLines
	logsDone := make(chan struct{})
	go func() { logs.read(stderr); close(logsDone) }()
	deadline := time.Now().Add(60 * time.Second)
	for site.started.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d pages requested in a minute:\n%s", site.started.Load(), logs.raw.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cmd, &stdout, &logs, logsDone
}

// waitExit waits for cmd and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd, logs *logLines, logsDone chan struct{}) int {
	t.Helper()
	exited := make(chan error, 1)
	go func() { <-logsDone; exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(60 * time.Second):
		t.Fatalf("annalist fetch still running a minute after the signal:\n%s", logs.raw.String())
		return -1
	}
}

// checkConsistent: a later `annalist list` works and the database passes
// PRAGMA integrity_check; it returns the number of articles listed.
func checkConsistent(t *testing.T, cfg, dataDir string) int {
	t.Helper()
	out, err := exec.Command(annalistBinary(t), "list", "--json", "--config", cfg).Output()
	if err != nil {
		t.Fatalf("annalist list after the interrupt: %v\n%s", err, out)
	}
	var list []map[string]any
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("list: %v\n%s", err, out)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "annalist.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	return len(list)
}

// TestReliabilityStorageCtrlCDuringFetch: the first SIGINT during `annalist
// fetch` stops taking new pages, stores the pages in flight, records the
// poll as interrupted, closes the store (no .open WARC left) and prints the
// summary; exit 1.
func TestReliabilityStorageCtrlCDuringFetch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	for _, asJSON := range []bool{false, true} {
		t.Run(map[bool]string{false: "text", true: "json"}[asJSON], func(t *testing.T) { testCtrlCDuringFetch(t, asJSON) })
	}
}

func testCtrlCDuringFetch(t *testing.T, asJSON bool) {
	const pages = 40
	site := newSlowSite(t, pages, 300*time.Millisecond)
	cfg, dataDir := fetchArchive(t, site)
	var extra []string
	if asJSON {
		extra = []string{"--json"}
	}
	cmd, stdout, logs, logsDone := startFetch(t, cfg, site, 5, extra...)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, logs, logsDone); code != 1 {
		t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, stdout, logs.raw.String())
	}
	requested, finished := site.started.Load(), site.finished.Load()
	if requested != finished {
		t.Fatalf("%d pages requested, %d answered: a page in flight was abandoned", requested, finished)
	}
	if requested >= pages {
		t.Fatalf("all %d pages were fetched: the interrupt did not stop the poll", pages)
	}
	want := fmt.Sprintf("interrupted: %d of %d archived", requested, pages)
	summaryIn := stdout.String()
	if asJSON {
		summaryIn = logs.raw.String()
		var doc struct {
			Sources     []map[string]any `json:"sources"`
			Interrupted bool             `json:"interrupted"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || !doc.Interrupted || len(doc.Sources) != 1 || doc.Sources[0]["new"] != float64(requested) {
			t.Fatalf("fetch --json after Ctrl-C = %s (%v), want interrupted with %d new", stdout, err, requested)
		}
	}
	if !strings.Contains(summaryIn, want) {
		t.Fatalf("no %q:\nstdout: %s\nstderr: %s", want, stdout, logs.raw.String())
	}
	if !logs.has("interrupted: finishing the pages in flight; interrupt again to quit now") {
		t.Fatalf("no word of the interrupt on stderr:\n%s", logs.raw.String())
	}
	open, _ := filepath.Glob(filepath.Join(dataDir, "warc", "*.open"))
	if len(open) != 0 {
		t.Fatalf("WARC files left open: %v", open)
	}
	if n := checkConsistent(t, cfg, dataDir); n != int(requested) {
		t.Fatalf("%d articles listed, want the %d fetched", n, requested)
	}
	out, err := exec.Command(annalistBinary(t), "sources", "--json", "--config", cfg).Output()
	if err != nil {
		t.Fatal(err)
	}
	var srcs []struct {
		Name        string  `json:"name"`
		LastPollAt  *string `json:"last_poll_at"`
		LastOutcome string  `json:"last_outcome"`
		LastError   string  `json:"last_error"`
	}
	if err := json.Unmarshal(out, &srcs); err != nil || len(srcs) != 1 {
		t.Fatalf("sources: %v\n%s", err, out)
	}
	if s := srcs[0]; s.LastPollAt == nil || s.LastOutcome != "interrupted" || !strings.Contains(s.LastError, fmt.Sprintf("interrupted: %d of %d pages archived", requested, pages)) {
		t.Fatalf("sources = %+v, want the poll recorded as interrupted", s)
	}
}

// TestReliabilityStorageSecondCtrlCDuringFetch: a second SIGINT quits at
// once, without waiting for the pages in flight, and the archive is still
// consistent.
func TestReliabilityStorageSecondCtrlCDuringFetch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	site := newSlowSite(t, 10, time.Minute) // a page in flight never finishes in time
	cfg, dataDir := fetchArchive(t, site)
	cmd, stdout, logs, logsDone := startFetch(t, cfg, site, 1)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	logs.wait(t, "interrupted: finishing the pages in flight; interrupt again to quit now")
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, logs, logsDone); code != 1 {
		t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, stdout, logs.raw.String())
	}
	if site.finished.Load() != 0 {
		t.Fatal("a page was answered: the second interrupt waited for it")
	}
	if !logs.has("interrupted again: quitting now") {
		t.Fatalf("no word of the second interrupt:\n%s", logs.raw.String())
	}
	checkConsistent(t, cfg, dataDir)
}
