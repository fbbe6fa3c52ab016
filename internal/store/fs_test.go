package store

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// TestNetworkFileSystemWarning: an archive on NFS (or SMB, 9p, FUSE…)
// opens, with a warning that names the directory and the file system.
func TestNetworkFileSystemWarning(t *testing.T) {
	old := detectNetworkFS
	t.Cleanup(func() { detectNetworkFS = old })
	detectNetworkFS = func(string) string { return "nfs" }
	var logs bytes.Buffer
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{NoSync: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if out := logs.String(); !strings.Contains(out, "network file system") || !strings.Contains(out, "fs=nfs") || !strings.Contains(out, dir) {
		t.Fatalf("no warning naming the directory and the file system:\n%s", out)
	}

	logs.Reset()
	detectNetworkFS = func(string) string { return "" }
	s, err = Open(context.Background(), dir, Options{NoSync: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if strings.Contains(logs.String(), "network file system") {
		t.Fatal("warned on a local file system")
	}
}
