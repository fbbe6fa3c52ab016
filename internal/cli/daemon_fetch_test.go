package cli_test

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"annalist/internal/demosite"
)

// TestReliabilityStorageDaemonAndFetch: a daemon and a one-off `annalist
// fetch`, two processes, archive the same site into the same archive at the
// same time: both succeed, and no article gets a duplicate snapshot.
func TestReliabilityStorageDaemonAndFetch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	site := demosite.NewSynthetic(30, 20<<10, 5)
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "feeds"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("data_dir: archive\nhttp:\n  per_host_interval: 0s\n  allow_private_networks: true\nweb:\n  listen: 127.0.0.1:0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "feeds", "synthetic.yaml"), demosite.SourceYAML(srv.URL+"/rss.xml"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := annalistBinary(t)

	daemon := exec.Command(bin, "daemon", "--config", cfg, "--log-format", "json")
	stderr, err := daemon.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs logLines
	fetch := exec.Command(bin, "fetch", "--config", cfg, "--json")
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { daemon.Process.Kill() })
	done := make(chan struct{})
	go func() { logs.read(stderr); close(done) }()
	var fetchErr strings.Builder
	fetch.Stderr = &fetchErr
	out, err := fetch.Output() // starts while the daemon's first poll runs
	if err != nil {
		t.Fatalf("annalist fetch beside the daemon: %v\n%s\n%s", err, out, fetchErr.String())
	}
	logs.wait(t, "poll done")
	daemon.Process.Signal(syscall.SIGTERM)
	<-done
	if err := daemon.Wait(); err != nil {
		t.Fatalf("daemon: %v\n%s", err, logs.raw.String())
	}
	if logs.has("page failed") || logs.has("feed failed") {
		t.Fatalf("the daemon had failures:\n%s", logs.raw.String())
	}

	listOut, err := exec.Command(bin, "list", "--json", "--config", cfg).Output()
	if err != nil {
		t.Fatal(err)
	}
	var list []struct {
		ID        string `json:"id"`
		Snapshots int    `json:"snapshots"`
	}
	if err := json.Unmarshal(listOut, &list); err != nil {
		t.Fatalf("%v\n%s", err, listOut)
	}
	if len(list) != len(site.Slugs()) {
		t.Fatalf("%d articles archived, want %d", len(list), len(site.Slugs()))
	}
	for _, a := range list {
		if a.Snapshots != 1 {
			t.Fatalf("article %s has %d snapshots, want 1 (no duplicates)", a.ID, a.Snapshots)
		}
	}
}
