package harvest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"annalist/internal/harvest"
	"annalist/internal/store"
	"annalist/internal/web"
)

// archivedSite polls the demo site, revises one article and polls again
// (every article re-checked); the rig's store is then closed.
func archivedSite(t *testing.T, o rigOptions) *rig {
	t.Helper()
	r := newRig(t, o)
	ctx := context.Background()
	if res := r.h.PollSource(ctx, r.good, harvest.PollOptions{Recheck: harvest.RecheckDue}); res.Failed() {
		t.Fatalf("first poll: %v %v", res.Err, res.PageErrors)
	}
	slug := r.demo.Slugs()[0]
	r.demo.Revise(slug, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), func(p []string) []string {
		return append(p, "A paragraph added in the revision, about the Treaty of Nerchinsk.")
	})
	if res := r.h.PollSource(ctx, r.good, harvest.PollOptions{Recheck: harvest.RecheckAll}); res.Failed() || res.Revised != 1 {
		t.Fatalf("second poll: revised %d, %v %v", res.Revised, res.Err, res.PageErrors)
	}
	if err := r.st.Close(); err != nil {
		t.Fatal(err)
	}
	return r
}

// archiveContents is every snapshot in full, and search results.
type archiveContents struct {
	snaps  map[string]store.Snapshot
	search map[string][]string
}

var evidenceQueries = []string{"Mongolia", "Nerchinsk", `"Yalta Agreement"`, "title:grain", "canal OR treaty"}

func readContents(t *testing.T, st *store.Store) archiveContents {
	t.Helper()
	ctx := context.Background()
	arts, err := st.Articles(ctx, store.ArticleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	c := archiveContents{snaps: map[string]store.Snapshot{}, search: map[string][]string{}}
	for _, a := range arts {
		snaps, err := st.Snapshots(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, sn := range snaps {
			c.snaps[sn.ID] = sn
		}
	}
	for _, q := range evidenceQueries {
		hits, err := st.Search(ctx, q, store.SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			c.search[q] = append(c.search[q], h.SnapshotID+" "+h.Snippet)
		}
	}
	return c
}

func openReadOnly(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.OpenReadOnly(context.Background(), dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestReliabilityStorageTwoCopies: "The database alone can show every
// snapshot's text; the WARC files alone can rebuild the database
// (reindex --from-warc); verify finds every damaged record." Archive a
// site (with a revision), then read every snapshot with warc/ moved away,
// then delete annalist.db, rebuild it from WARC and compare every
// snapshot's ID, fingerprint, text, Markdown, HTML, dates and WARC pointer,
// and the search results, with the original.
func TestReliabilityStorageTwoCopies(t *testing.T) {
	ctx := context.Background()
	r := archivedSite(t, rigOptions{})
	orig := readContents(t, openReadOnly(t, r.dir))
	if len(orig.snaps) != len(r.demo.Slugs())+1 || len(orig.search["Nerchinsk"]) != 1 {
		t.Fatalf("archive: %d snapshots, search %v", len(orig.snaps), orig.search)
	}
	if rep, err := openReadOnly(t, r.dir).Verify(ctx, nil); err != nil || len(rep.Damaged) != 0 || rep.Snapshots != len(orig.snaps) {
		t.Fatalf("verify: %+v, %v", rep, err)
	}

	// The database alone.
	warc := filepath.Join(r.dir, "warc")
	if err := os.Rename(warc, warc+".away"); err != nil {
		t.Fatal(err)
	}
	if got := readContents(t, openReadOnly(t, r.dir)); !reflect.DeepEqual(got, orig) {
		t.Error("the database without its WARC files does not show every snapshot as before")
	}
	if err := os.Rename(warc+".away", warc); err != nil {
		t.Fatal(err)
	}

	// The WARC files alone.
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(r.dir, "annalist.db"+s))
	}
	rep, err := store.Reindex(ctx, r.dir, store.Options{}, store.ReindexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Snapshots != len(orig.snaps) || rep.NoMetadata != 0 || rep.Damaged != 0 {
		t.Errorf("reindex: %+v", rep)
	}
	got := readContents(t, openReadOnly(t, r.dir))
	for id, want := range orig.snaps {
		g, ok := got.snaps[id]
		if !ok {
			t.Errorf("snapshot %s not rebuilt", id)
			continue
		}
		if g.Fingerprint != want.Fingerprint || g.Text != want.Text || !reflect.DeepEqual(g, want) {
			t.Errorf("snapshot %s rebuilt differently:\n got %+v\nwant %+v", id, g, want)
		}
	}
	if len(got.snaps) != len(orig.snaps) {
		t.Errorf("%d snapshots rebuilt, want %d", len(got.snaps), len(orig.snaps))
	}
	if !reflect.DeepEqual(got.search, orig.search) {
		t.Errorf("search after reindex:\n got %v\nwant %v", got.search, orig.search)
	}
}

// TestReliabilityStorageDamagedRecord: "A damaged WARC record → costs at
// most that record: repair only in a writing process and never below an
// offset a committed snapshot references; read-only commands never modify
// the archive; the pages that list it show the rest." Issue 9's
// reproduction: two flipped bytes early in an abandoned .open file.
func TestReliabilityStorageDamagedRecord(t *testing.T) {
	ctx := context.Background()
	r := archivedSite(t, rigOptions{})
	orig := readContents(t, openReadOnly(t, r.dir))
	var victim store.Snapshot
	for _, sn := range orig.snaps {
		if victim.ID == "" || sn.WARCOffset < victim.WARCOffset {
			victim = sn // the first: every other record comes after it
		}
	}
	path := filepath.Join(r.dir, "warc", victim.WARCFile)
	if err := os.Rename(path, path+".open"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path + ".open")
	b[victim.WARCOffset+40] ^= 0xff
	b[victim.WARCOffset+41] ^= 0xff
	os.WriteFile(path+".open", b, 0o644)

	// Read-only: everything listed, nothing changed.
	ro := openReadOnly(t, r.dir)
	got := readContents(t, ro)
	if !reflect.DeepEqual(got, orig) {
		t.Error("a read-only reader does not show every snapshot")
	}
	srv, err := web.New(web.Options{Store: ro})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/feed.atom", "/feed.json", "/a/" + victim.ArticleID, "/api/articles"} {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: %d", p, rec.Code)
		}
	}
	ro.Close()
	if after, _ := os.ReadFile(path + ".open"); !reflect.DeepEqual(after, b) {
		t.Fatal("a read-only open modified the abandoned WARC file")
	}

	// A writing process repairs: renamed, nothing cut.
	w, err := store.Open(ctx, r.dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if after, err := os.ReadFile(path); err != nil || !reflect.DeepEqual(after, b) {
		t.Fatalf("repair changed the file's bytes (%d → %d) or did not close it: %v", len(b), len(after), err)
	}
	ro = openReadOnly(t, r.dir)
	rep, err := ro.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Damaged) != 1 || !reflect.DeepEqual(rep.Damaged[0].Snapshots, []string{victim.ID}) || rep.Damaged[0].Offset != victim.WARCOffset {
		t.Errorf("verify: %+v, want one damaged record costing %s", rep.Damaged, victim.ID)
	}
	for _, sn := range orig.snaps {
		_, err := ro.ReadWARCRecord(ctx, sn.WARCFile, sn.WARCOffset)
		if (err != nil) != (sn.ID == victim.ID) {
			t.Errorf("raw record of %s: %v", sn.ID, err)
		}
	}
}
