package cli_test

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// The daemon delivers the events of its polls to the configured webhook.
func TestDaemonNotifiesWebhook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	f := newFixture(t)
	rcv := newHookReceiver(t, "daemon-secret")
	cfg := fmt.Sprintf("data_dir: archive\nhttp:\n  per_host_interval: 0s\n  allow_private_networks: true\nweb:\n  listen: 127.0.0.1:0\nnotify:\n  - url: %s/hook\n    secret: daemon-secret\n", rcv.URL)
	if err := os.WriteFile(f.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(annalistBinary(t), "daemon", "--config", f.cfg, "--log-format", "json", "--no-web")
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

	n := len(f.site.Slugs())
	deadline := time.Now().Add(60 * time.Second)
	for len(rcv.accepted()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("receiver got %d of %d notifications in 60 s\n%s", len(rcv.accepted()), n, logs.raw.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	<-done
	if err := cmd.Wait(); err != nil {
		t.Fatalf("daemon exit after SIGTERM: %v", err)
	}
	if got := len(rcv.accepted()); got != n {
		t.Fatalf("receiver got %d notifications, want %d", got, n)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bad) > 0 {
		t.Fatalf("receiver rejected: %v", rcv.bad)
	}
}
