package harvest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"annalist/internal/harvest"
)

// mountSmallFS mounts a tmpfs of size bytes on a new directory and unmounts
// it when the test ends; it skips the test where mounting is not allowed.
func mountSmallFS(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file until the file system is full and returns its path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			return path
		}
	}
}

// TestReliabilityStorageDiskFull: on a full disk a poll fails with a clear
// error, keeps nothing half-written (the database passes integrity_check,
// every WARC file decompresses whole, no snapshot lacks its record), and the
// same harvester's next poll, once space is freed, archives everything.
func TestReliabilityStorageDiskFull(t *testing.T) {
	fsDir := mountSmallFS(t, "4m")
	dataDir := filepath.Join(fsDir, "archive")
	r := newRig(t, rigOptions{dataDir: dataDir})
	filler := fill(t, fsDir)

	res := r.h.PollSource(context.Background(), r.good, harvest.PollOptions{Recheck: harvest.RecheckDue})
	if !res.Failed() {
		t.Fatalf("poll on a full disk succeeded: %+v", res.Counts)
	}
	all := strings.Join(res.PageErrors, "\n")
	if res.Err != nil {
		all += "\n" + res.Err.Error()
	}
	if !strings.Contains(all, "no space left on device") && !strings.Contains(all, "disk is full") {
		t.Fatalf("errors do not say the disk is full:\n%s", all)
	}
	t.Logf("errors on a full disk (first): %s", strings.SplitN(all, "\n", 2)[0])

	t.Logf("after the failed poll: %d snapshots, %d WARC bytes",
		countRows(t, dataDir, "SELECT count(*) FROM snapshots"), warcBytes(t, filepath.Join(dataDir, "warc")))

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	checkArchive(t, dataDir, "after the disk-full poll", true)

	// The daemon goes on: the next poll of the same harvester archives all.
	again := r.h.PollSource(context.Background(), r.good, harvest.PollOptions{Recheck: harvest.RecheckDue})
	if again.Failed() {
		t.Fatalf("poll after space was freed: %v %v", again.Err, again.PageErrors)
	}
	r.checkGoodArchived()
	checkArchive(t, dataDir, "after the retry", true)
}
