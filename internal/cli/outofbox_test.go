package cli_test

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"annalist/internal/cli"
	"annalist/internal/config"
)

// placeholderHost reports a host that cannot be a real site: the names
// RFC 2606 and RFC 6761 reserve.
func placeholderHost(host string) bool {
	host = strings.ToLower(host)
	for _, suffix := range []string{".example", ".invalid", ".test", ".localhost", ".local"} {
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	switch host {
	case "localhost", "example.com", "example.org", "example.net", "www.example.com", "www.example.org", "www.example.net":
		return true
	}
	return false
}

// TestShippedConfigurationWorksOutOfTheBox (issue 12, point 3): the
// repository's own config.yaml and feeds/ load, no enabled source points
// at a placeholder host or a site nobody tried, every example source in
// feeds/examples/ is valid, and `annalist daemon` on them starts and stops
// without a warning or an error.
func TestShippedConfigurationWorksOutOfTheBox(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(root, "config.yaml"))
	if err != nil {
		t.Fatalf("the shipped config.yaml does not load: %v", err)
	}
	for _, s := range cfg.Sources {
		u, err := url.Parse(s.Feed)
		if err != nil || placeholderHost(u.Hostname()) {
			t.Errorf("enabled source %s (%s) points at a placeholder: %s", s.Name, s.File, s.Feed)
		}
	}
	examples, _ := filepath.Glob(filepath.Join(root, "feeds", "examples", "*.yaml"))
	if len(examples) == 0 {
		t.Fatal("no example sources in feeds/examples/")
	}
	for _, path := range examples {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		if _, err := config.ParseSource(f, filepath.Join("feeds", "examples", filepath.Base(path)), name); err != nil {
			t.Errorf("example source %s: %v", name, err)
		}
		f.Close()
	}

	// The daemon on a copy of the shipped files (its archive in the copy).
	dir := t.TempDir()
	copyFile(t, filepath.Join(root, "config.yaml"), filepath.Join(dir, "config.yaml"))
	if err := os.MkdirAll(filepath.Join(dir, "feeds", "examples"), 0o755); err != nil {
		t.Fatal(err)
	}
	shipped, _ := filepath.Glob(filepath.Join(root, "feeds", "*.yaml"))
	for _, path := range append(shipped, examples...) {
		rel, _ := filepath.Rel(root, path)
		copyFile(t, path, filepath.Join(dir, rel))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var out, errb bytes.Buffer
	m := &cli.Main{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := m.Run(ctx, []string{"--config", filepath.Join(dir, "config.yaml"), "daemon", "--no-web"}); code != 0 {
		t.Fatalf("daemon on the shipped config: exit %d\n%s", code, errb.String())
	}
	logs := errb.String()
	if strings.Contains(logs, "level=WARN") || strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "annalist daemon started") {
		t.Errorf("daemon on the shipped config logged a warning or an error:\n%s", logs)
	}
	if len(cfg.Sources) == 0 && !strings.Contains(logs, "copy one of feeds/examples/*.yaml into feeds/") &&
		!strings.Contains(logs, filepath.Join("feeds", "examples", "*.yaml")) {
		t.Errorf("daemon with no source does not say how to enable one:\n%s", logs)
	}

	// The archive the daemon made is empty: list says so, not a bare header.
	out.Reset()
	errb.Reset()
	if code := m.Run(context.Background(), []string{"--config", filepath.Join(dir, "config.yaml"), "list"}); code != 0 ||
		!strings.HasPrefix(out.String(), "no articles in the archive yet") {
		t.Errorf("list on the new empty archive: exit %d\n%s%s", code, out.String(), errb.String())
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
