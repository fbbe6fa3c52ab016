package cli_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"annalist/internal/store"
)

func (f *fixture) archiveDir() string { return filepath.Join(filepath.Dir(f.cfg), "archive") }

// TestReadOnlyCommandsOnAMissingArchive: a reader creates nothing and says
// what is missing.
func TestReadOnlyCommandsOnAMissingArchive(t *testing.T) {
	f := newFixture(t)
	for _, args := range [][]string{{"list"}, {"history", "x"}, {"show", "x"}, {"diff", "x"}, {"search", "x"}, {"verify"}} {
		_, stderr, code := f.run(args...)
		if code != 1 || !strings.Contains(stderr, "no archive in "+f.archiveDir()) || strings.Contains(stderr, "migrated") ||
			!strings.Contains(stderr, "yet") || strings.Contains(stderr, "store: ") {
			t.Errorf("annalist %v on no archive: exit %d, %s", args, code, stderr)
		}
	}
	// sources lists the configured ones, never polled.
	out, stderr, code := f.run("sources")
	if code != 0 || !strings.Contains(out, "never polled") {
		t.Errorf("sources on no archive: exit %d\n%s%s", code, out, stderr)
	}
	if _, err := os.Stat(f.archiveDir()); !os.IsNotExist(err) {
		t.Errorf("a read-only command created %s", f.archiveDir())
	}
}

// TestVerifyAndReindexCommands: verify passes on a fresh archive and fails
// (exit 1, naming file, offset and snapshot) on a damaged one; reindex
// refuses over a database, rebuilds one that was deleted, and list, history
// and search answer as before.
func TestVerifyAndReindexCommands(t *testing.T) {
	f := newFixture(t)
	if _, stderr, code := f.run("fetch"); code != 0 {
		t.Fatalf("fetch: %s", stderr)
	}
	var v struct {
		OK      bool `json:"ok"`
		Records int  `json:"records"`
		Damaged []struct {
			File      string   `json:"file"`
			Offset    int64    `json:"offset"`
			RecordID  string   `json:"record_id"`
			Problem   string   `json:"problem"`
			Snapshots []string `json:"snapshots"`
		} `json:"damaged"`
	}
	f.runJSON(&v, "verify", "--json")
	if !v.OK || v.Records == 0 || len(v.Damaged) != 0 {
		t.Fatalf("verify of a fresh archive: %+v", v)
	}
	var list, history []map[string]any
	f.runJSON(&list, "list", "--json")
	id := list[0]["id"].(string)
	f.runJSON(&history, "history", id, "--json")
	searchOut, _, _ := f.run("search", "Mongolia", "--json")

	// Rebuild.
	if _, stderr, code := f.run("reindex", "--from-warc"); code != 1 || !strings.Contains(stderr, "--force") {
		t.Errorf("reindex over a database: exit %d, %s", code, stderr)
	}
	if _, stderr, code := f.run("reindex"); code != 2 || !strings.Contains(stderr, "--from-warc") {
		t.Errorf("reindex without --from-warc: exit %d, %s", code, stderr)
	}
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(f.archiveDir(), "annalist.db"+s))
	}
	out, stderr, code := f.run("reindex", "--from-warc")
	if code != 0 || !strings.Contains(out, "rebuilt 1 sources") {
		t.Fatalf("reindex: exit %d\n%s%s", code, out, stderr)
	}
	var list2, history2 []map[string]any
	f.runJSON(&list2, "list", "--json")
	f.runJSON(&history2, "history", id, "--json")
	// Poll state (last_captured_at of unchanged re-checks) is not in WARC;
	// what snapshots say is.
	for _, l := range [][]map[string]any{list, list2} {
		for _, a := range l {
			delete(a, "last_captured_at")
		}
	}
	if !reflect.DeepEqual(list, list2) || !reflect.DeepEqual(history, history2) {
		t.Errorf("after reindex:\nlist %v\nwant %v\nhistory %v\nwant %v", list2, list, history2, history)
	}
	if searchOut2, _, _ := f.run("search", "Mongolia", "--json"); searchOut2 != searchOut {
		t.Errorf("search after reindex:\n%s\nwant\n%s", searchOut2, searchOut)
	}

	// Damage one response record: verify names it and its snapshot, exit 1.
	var show struct {
		ID         string `json:"id"`
		WARCFile   string `json:"-"`
		WARCOffset int64  `json:"-"`
		WARC       struct {
			File   string `json:"file"`
			Offset int64  `json:"offset"`
		} `json:"warc"`
	}
	showOut, _, _ := f.run("show", id, "--format", "json")
	json.Unmarshal([]byte(showOut), &show)
	if show.WARC.File == "" {
		t.Fatalf("show --format json has no WARC pointer: %.300s", showOut)
	}
	show.WARCFile, show.WARCOffset = show.WARC.File, show.WARC.Offset
	path := filepath.Join(f.archiveDir(), "warc", show.WARCFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gzip.NewReader(bytes.NewReader(b[show.WARCOffset:])); err != nil {
		t.Fatalf("no gzip member at the snapshot's offset: %v", err)
	}
	b[show.WARCOffset+40] ^= 0xff
	b[show.WARCOffset+41] ^= 0xff
	os.WriteFile(path, b, 0o644)
	out, _, code = f.run("verify")
	if code != 1 || !strings.Contains(out, "DAMAGED warc/"+show.WARCFile) || !strings.Contains(out, "affects snapshot "+show.ID) {
		t.Errorf("verify of a damaged archive: exit %d\n%s", code, out)
	}
	// The rest still reads, the damaged snapshot's text included.
	if out, stderr, code := f.run("show", id); code != 0 || out == "" {
		t.Errorf("show of the damaged snapshot: exit %d %s", code, stderr)
	}
}

// TestDamagedLegacySnapshotInTheCLI: a snapshot of an old archive whose
// text was stored against its now damaged WARC record: list and history
// show every article and snapshot, show says "damaged" (exit 1), show
// --format json carries the metadata and a "damaged" key.
func TestDamagedLegacySnapshotInTheCLI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	w, err := store.Open(ctx, f.archiveDir(), store.Options{NoSync: true, LegacyTextFormat: true})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, slug := range []string{"kept", "damaged", "also-kept"} {
		text := "Text of the " + slug + " article, long enough to matter."
		p := &store.Page{Source: "old", FetchURL: "https://old.example/" + slug, FinalURL: "https://old.example/" + slug,
			Canonical: "https://old.example/" + slug, CapturedAt: time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC), StatusCode: 200,
			Body:  []byte("<html><body><article><p>" + text + "</p></article></body></html>"),
			Title: slug, Text: text, HTML: "<p>" + text + "</p>", Markdown: text, Fingerprint: "n1:" + slug, Extractor: "generic/2"}
		res, err := w.SaveCapture(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.SnapshotID)
	}
	// A later revision of the damaged article, whole.
	if _, err := w.SaveCapture(ctx, &store.Page{Source: "old", FetchURL: "https://old.example/damaged", FinalURL: "https://old.example/damaged",
		Canonical: "https://old.example/damaged", CapturedAt: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), StatusCode: 200,
		Body:  []byte("<html><body><p>Revised text.</p></body></html>"),
		Title: "damaged", Text: "Revised text.", HTML: "<p>Revised text.</p>", Markdown: "Revised text.", Fingerprint: "n1:revised", Extractor: "generic/2"}); err != nil {
		t.Fatal(err)
	}
	sn, _ := w.Snapshot(ctx, ids[1])
	w.Close()
	path := filepath.Join(f.archiveDir(), "warc", sn.WARCFile)
	b, _ := os.ReadFile(path)
	b[sn.WARCOffset+40] ^= 0xff
	b[sn.WARCOffset+41] ^= 0xff
	os.WriteFile(path, b, 0o644)

	var list []map[string]any
	f.runJSON(&list, "list", "--json")
	if len(list) != 3 {
		t.Errorf("list shows %d articles, want 3", len(list))
	}
	art := strings.Split(ids[1], "/")[0]
	var history []map[string]any
	f.runJSON(&history, "history", art, "--json")
	if len(history) != 2 {
		t.Errorf("history of the damaged article: %v", history)
	}
	if _, stderr, code := f.run("diff", art); code != 1 || !strings.Contains(stderr, "snapshot "+ids[1]+" is damaged") {
		t.Errorf("diff with the damaged snapshot: exit %d, %s", code, stderr)
	}
	if out, stderr, code := f.run("show", art); code != 0 || !strings.Contains(out, "Revised text.") {
		t.Errorf("show of the intact latest snapshot: exit %d, %s", code, stderr)
	}
	_, stderr, code := f.run("show", art, "--snapshot", ids[1])
	if code != 1 || !strings.Contains(stderr, "snapshot "+ids[1]+" is damaged") {
		t.Errorf("show of the damaged snapshot: exit %d, %s", code, stderr)
	}
	var js map[string]any
	f.runJSON(&js, "show", art, "--snapshot", ids[1], "--format", "json")
	if d, _ := js["damaged"].(string); d == "" || js["title"] != "damaged" {
		t.Errorf("show --format json of the damaged snapshot: %v", js)
	}
	for _, id := range []string{ids[0], ids[2]} {
		out, stderr, code := f.run("show", strings.Split(id, "/")[0])
		if code != 0 || !strings.Contains(out, "Text of the") {
			t.Errorf("show of intact %s: exit %d %s", id, code, stderr)
		}
	}
}
