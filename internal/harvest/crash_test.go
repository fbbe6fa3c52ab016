package harvest_test

import (
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/base32"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/demosite"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// The crash child is this test binary run again with these variables set.
const (
	envCrashConfig = "ANNALIST_TEST_CRASH_CONFIG"
)

// TestCrashChild is the process killed by TestReliabilityStorageKill9: it
// polls the configured source once, as the daemon does, with real fsyncs.
func TestCrashChild(t *testing.T) {
	cfgPath := os.Getenv(envCrashConfig)
	if cfgPath == "" {
		t.Skip("run by TestReliabilityStorageKill9")
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.DataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fc := fetch.New(fetch.Options{Timeout: 20 * time.Second, MaxBody: cfg.HTTP.MaxBody, PerHostConcurrency: 4, AllowPrivateNetworks: true})
	h := &harvest.Harvester{Fetch: fc, Store: st, Watch: cfg.Defaults.Watch, Workers: 4}
	res := h.PollSource(ctx, cfg.Sources[0], harvest.PollOptions{Recheck: harvest.RecheckDue})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if res.Failed() {
		t.Fatalf("poll: %v %v", res.Err, res.PageErrors)
	}
}

// TestReliabilityStorageKill9: a process archiving a site is killed with
// SIGKILL at a random moment, 20 times over (the site revising a few
// articles before each run, so every run has pages to write). After each
// kill the database passes PRAGMA integrity_check, no snapshot is half
// there, every WARC file decompresses whole and every snapshot's record
// reads back with its digest. A last, uninterrupted run archives everything.
func TestReliabilityStorageKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 20 child processes")
	}
	const articles, kills = 40, 20
	site := demosite.NewSynthetic(articles, 30<<10, 11)
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	dir := t.TempDir()
	writeConfig(t, dir, "unused")
	if err := os.WriteFile(filepath.Join(dir, "feeds", "mondo-history.yaml"), demosite.SourceYAML(srv.URL+"/rss.xml"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	dataDir := filepath.Join(dir, "archive")

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	slugs := site.Slugs()
	killedMidRun := 0
	for i := range kills {
		if i > 0 {
			for range 6 {
				slug := slugs[rng.IntN(len(slugs))]
				site.Revise(slug, time.Date(2024, 2, 1+i, 0, 0, 0, 0, time.UTC), func(p []string) []string {
					return append(p, fmt.Sprintf("Revision %d adds a closing paragraph about the merchant council.", i))
				})
			}
		}
		cmd := crashChild(t, cfgPath)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case <-time.After(time.Duration(rng.IntN(300)) * time.Millisecond):
			_ = cmd.Process.Kill() // SIGKILL
			<-exited
			killedMidRun++
		case <-exited: // finished before the kill: still checked
		}
		checkArchive(t, dataDir, fmt.Sprintf("after kill %d", i+1))
	}
	t.Logf("%d of %d runs killed mid-run", killedMidRun, kills)

	// The next run picks up where the killed ones left off.
	cmd := crashChild(t, cfgPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("run after the kills: %v\n%s", err, out)
	}
	checkArchive(t, dataDir, "after the final run")
	st := openStore(t, dataDir, nil)
	for _, slug := range slugs {
		a, err := st.ResolveArticle(context.Background(), srv.URL+demosite.Path(slug))
		if err != nil {
			t.Fatalf("%s not archived after the final run: %v", slug, err)
		}
		latest, err := st.LatestSnapshot(context.Background(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		body := site.Body(slug)
		if want := body[len(body)-1]; !strings.Contains(latest.Text, want) {
			t.Fatalf("%s: latest snapshot lacks the site's current last paragraph %q", slug, want)
		}
	}
}

func crashChild(t *testing.T, cfgPath string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashConfig+"="+cfgPath)
	return cmd
}

// checkArchive checks what a killed process left, as a restart would find
// it. With a live store still writing in this process, its .open file is
// expected (and must decompress whole too).
func checkArchive(t *testing.T, dataDir, when string, live ...bool) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dataDir, "annalist.db")); os.IsNotExist(err) {
		return // killed before the database was created
	}
	db := openDB(t, dataDir)
	var ok string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("%s: integrity_check = %q, %v", when, ok, err)
	}
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatalf("%s: user_version: %v", when, err)
	}
	if version == 0 {
		// Killed before the schema migration committed: the file is
		// empty, as a transaction guarantees; the next Open migrates it.
		db.Close()
		st, err := store.Open(context.Background(), dataDir, store.Options{})
		if err != nil {
			t.Fatalf("%s: reopen of a database killed before its migration: %v", when, err)
		}
		st.Close()
		return
	}
	for q, what := range map[string]string{
		`SELECT count(*) FROM snapshots s WHERE NOT EXISTS (SELECT 1 FROM captures c WHERE c.snapshot_id = s.id)`:                               "snapshots without their capture",
		`SELECT count(*) FROM captures c WHERE c.snapshot_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.id = c.snapshot_id)`: "captures of a missing snapshot",
		`SELECT count(*) FROM snapshots s WHERE s.warc_file = '' OR s.payload_digest = ''`:                                                      "snapshots without a WARC record",
		`SELECT count(*) FROM snapshots s WHERE NOT EXISTS (SELECT 1 FROM snapshots_fts f WHERE f.rowid = s.seq)`:                               "snapshots missing from the search index",
	} {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %s: %v", when, what, err)
		}
		if n != 0 {
			t.Fatalf("%s: %d %s", when, n, what)
		}
	}
	db.Close()

	// Opening the store, as a restart does, repairs the WARC files the dead
	// writer left open; then every file decompresses whole.
	st, err := store.Open(context.Background(), dataDir, store.Options{})
	if err != nil {
		t.Fatalf("%s: reopen: %v", when, err)
	}
	defer st.Close()
	files, _ := filepath.Glob(filepath.Join(dataDir, "warc", "*"))
	for _, f := range files {
		if strings.HasSuffix(f, ".open") && len(live) == 0 {
			t.Fatalf("%s: %s still open after repair", when, filepath.Base(f))
		}
		if err := gunzipWhole(f); err != nil {
			t.Fatalf("%s: %s: %v", when, filepath.Base(f), err)
		}
	}
	rows, err := openDB(t, dataDir).Query(`SELECT id, warc_file, warc_offset, payload_digest FROM snapshots`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, file, digest string
		var off int64
		if err := rows.Scan(&id, &file, &off, &digest); err != nil {
			t.Fatal(err)
		}
		rec, err := st.ReadWARCRecord(context.Background(), file, off)
		if err != nil {
			t.Fatalf("%s: snapshot %s: WARC record: %v", when, id, err)
		}
		sum := sha1.Sum(rec.Payload)
		if got := "sha1:" + base32.StdEncoding.EncodeToString(sum[:]); rec.Type != "response" || got != digest {
			t.Fatalf("%s: snapshot %s: record %s with digest %s, want response %s", when, id, rec.Type, got, digest)
		}
		if _, err := st.Snapshot(context.Background(), id); err != nil {
			t.Fatalf("%s: snapshot %s does not read back: %v", when, id, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// gunzipWhole reads every gzip member of path to its end.
func gunzipWhole(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, zr)
	return err
}
