package harvest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"annalist/internal/harvest"
	"annalist/internal/store"
	"annalist/internal/web"
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

// TestReliabilityStorageDiskFullStillReadable: "Disk full → the archive
// can still be read (no write transaction to read)." A poll fills the
// disk; with it still full, the read-only paths (list, search, sources,
// history, show, serve) work.
func TestReliabilityStorageDiskFullStillReadable(t *testing.T) {
	ctx := context.Background()
	fsDir := mountSmallFS(t, "6m")
	dataDir := filepath.Join(fsDir, "archive")
	r := newRig(t, rigOptions{dataDir: dataDir})
	if res := r.h.PollSource(ctx, r.good, harvest.PollOptions{Recheck: harvest.RecheckDue}); res.Failed() {
		t.Fatalf("first poll: %v %v", res.Err, res.PageErrors)
	}
	fill(t, fsDir)
	slug := r.demo.Slugs()[0]
	r.demo.Revise(slug, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), func(p []string) []string {
		return append(p, strings.Repeat("A long new paragraph. ", 200))
	})
	if res := r.h.PollSource(ctx, r.good, harvest.PollOptions{Recheck: harvest.RecheckAll}); !res.Failed() {
		t.Fatal("a poll on a full disk succeeded")
	}

	st := openReadOnly(t, dataDir)
	arts, err := st.Articles(ctx, store.ArticleFilter{})
	if err != nil || len(arts) != len(r.demo.Slugs()) {
		t.Fatalf("list on a full disk: %d articles, %v", len(arts), err)
	}
	if hits, err := st.Search(ctx, "Mongolia", store.SearchOptions{}); err != nil || len(hits) == 0 {
		t.Errorf("search on a full disk: %d hits, %v", len(hits), err)
	}
	if srcs, err := st.Sources(ctx); err != nil || len(srcs) == 0 {
		t.Errorf("sources on a full disk: %v, %v", srcs, err)
	}
	if infos, err := st.SnapshotInfos(ctx, arts[0].ID); err != nil || len(infos) == 0 {
		t.Errorf("history on a full disk: %v", err)
	}
	if sn, err := st.LatestSnapshot(ctx, arts[0].ID); err != nil || sn.Text == "" {
		t.Errorf("show on a full disk: %v", err)
	}
	srv, err := web.New(web.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/api/articles", "/a/" + arts[0].ID, "/feed.atom", "/search?q=Mongolia"} {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		if rec.Code != http.StatusOK {
			body, _ := io.ReadAll(rec.Body)
			t.Errorf("serve %s on a full disk: %d %.200s", p, rec.Code, body)
		}
	}
}
