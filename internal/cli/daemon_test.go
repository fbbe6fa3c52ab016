package cli_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds cmd/annalist once per test run.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func annalistBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "annalist-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "annalist")
		args := []string{"build", "-o", binPath}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, "annalist/cmd/annalist")...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build annalist: %v\n%s", buildErr, binPath)
	}
	return binPath
}

// logLines collects a process's JSON log lines.
type logLines struct {
	mu    sync.Mutex
	lines []map[string]any
	raw   strings.Builder
}

func (l *logLines) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		l.mu.Lock()
		l.raw.WriteString(sc.Text() + "\n")
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			l.lines = append(l.lines, m)
		}
		l.mu.Unlock()
	}
}

func (l *logLines) has(msg string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.lines {
		if m["msg"] == msg {
			return true
		}
	}
	return false
}

// field returns a field of the first log line with message msg.
func (l *logLines) field(msg, key string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.lines {
		if m["msg"] == msg {
			s, _ := m[key].(string)
			return s
		}
	}
	return ""
}

func (l *logLines) wait(t *testing.T, msg string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !l.has(msg) {
		if time.Now().After(deadline) {
			l.mu.Lock()
			defer l.mu.Unlock()
			t.Fatalf("no %q in the daemon's log:\n%s", msg, l.raw.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDaemonPollsReloadsAndStops(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	f := newFixture(t)
	bin := annalistBinary(t)
	cmd := exec.Command(bin, "daemon", "--config", f.cfg, "--log-format", "json")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs logLines
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { logs.read(stderr); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill() })

	logs.wait(t, "annalist daemon started")
	// Each commit survives a power loss: the daemon has no end to sync at.
	if got := logs.field("annalist daemon started", "durable"); got != "each commit" {
		t.Errorf("daemon started with durable=%q, want each commit", got)
	}
	logs.wait(t, "poll done") // the never-polled source is polled at start-up

	// The daemon serves the web UI on web.listen.
	logs.wait(t, "web UI serving")
	resp, err := http.Get(logs.field("web UI serving", "url") + "/healthz")
	if err != nil {
		t.Fatalf("web UI: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("web UI /healthz: %s", resp.Status)
	}

	// An invalid configuration is refused on SIGHUP, the old one kept.
	good, err := os.ReadFile(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.cfg, append(good, []byte("no_such_key: 1\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	logs.wait(t, "reload refused: the new configuration is invalid; keeping the old one")

	// A valid one is taken.
	if err := os.WriteFile(f.cfg, good, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	logs.wait(t, "configuration reloaded")

	cmd.Process.Signal(syscall.SIGTERM)
	<-done
	if err := cmd.Wait(); err != nil {
		t.Fatalf("daemon exit after SIGTERM: %v\n%s", err, logs.raw.String())
	}
	if !logs.has("stopped") {
		t.Fatalf("no clean stop logged:\n%s", logs.raw.String())
	}

	// What the daemon archived is there for the browse commands.
	var list []map[string]any
	f.runJSON(&list, "list", "--json")
	if len(list) != len(f.site.Slugs()) {
		t.Fatalf("daemon archived %d articles, want %d", len(list), len(f.site.Slugs()))
	}
	// The daemon closed its WARC file: no .open left behind.
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(f.cfg), "archive", "warc", "*.open"))
	if len(matches) != 0 {
		t.Fatalf("WARC files left open after a clean stop: %v", matches)
	}
}

func TestServeIsReadOnlyAndStops(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	f := newFixture(t)
	f.runJSON(&struct{}{}, "fetch", "--json")
	cmd := exec.Command(annalistBinary(t), "serve", "--config", f.cfg, "--listen", "127.0.0.1:0", "--log-format", "json")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs logLines
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	done := make(chan struct{})
	go func() { logs.read(stderr); close(done) }()
	logs.wait(t, "annalist serving the archive read-only")
	base := logs.field("annalist serving the archive read-only", "url")
	resp, err := http.Get(base + "/api/sources")
	if err != nil {
		t.Fatal(err)
	}
	var srcs []map[string]any
	err = json.NewDecoder(resp.Body).Decode(&srcs)
	resp.Body.Close()
	if err != nil || len(srcs) != 1 || srcs[0]["articles"].(float64) != float64(len(f.site.Slugs())) {
		t.Fatalf("/api/sources = %v, %v", srcs, err)
	}
	resp, err = http.Post(base+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST / = %s, want 405 (read-only)", resp.Status)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	<-done
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exit after SIGTERM: %v", err)
	}
}

// TestDaemonPollsASourceAddedOnReload: the daemon's own advice is "copy
// one of feeds/examples/*.yaml into feeds/ … then send SIGHUP"; the source
// so added waited for its first scheduled run (an hour by default) before
// anything was archived. It is now polled at once, as at start-up.
func TestDaemonPollsASourceAddedOnReload(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	f := newFixture(t)
	feeds := filepath.Join(filepath.Dir(f.cfg), "feeds")
	aside := filepath.Join(t.TempDir(), "mondo-history.yaml")
	if err := os.Rename(filepath.Join(feeds, "mondo-history.yaml"), aside); err != nil {
		t.Fatal(err)
	}
	bin := annalistBinary(t)
	cmd := exec.Command(bin, "daemon", "--config", f.cfg, "--log-format", "json", "--no-web")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs logLines
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { logs.read(stderr); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill() })
	logs.wait(t, "annalist daemon started")

	if err := os.Rename(aside, filepath.Join(feeds, "mondo-history.yaml")); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	logs.wait(t, "configuration reloaded")
	logs.wait(t, "poll done")

	cmd.Process.Signal(syscall.SIGTERM)
	<-done
	if err := cmd.Wait(); err != nil {
		t.Fatalf("daemon exit after SIGTERM: %v\n%s", err, logs.raw.String())
	}
	var list []map[string]any
	f.runJSON(&list, "list", "--json")
	if len(list) != len(f.site.Slugs()) {
		t.Fatalf("daemon archived %d articles after the reload, want %d", len(list), len(f.site.Slugs()))
	}
}
