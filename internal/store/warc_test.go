package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"annalist/internal/evidence"
	"github.com/nlnwa/gowarc/v3"
)

// readAllRecords reads a WARC file record by record with gowarc's reader,
// validating syntax, spec, block and payload digests strictly.
func readAllRecords(t *testing.T, path string) []gowarc.Record {
	t.Helper()
	r, err := evidence.NewFileReader(path, 0, gowarc.WithStrictValidation(), gowarc.WithBlockErrorPolicy(gowarc.ErrFail))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []gowarc.Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: record %d: %v", filepath.Base(path), len(out), err)
		}
		if len(rec.Validation) > 0 {
			t.Errorf("%s: record %d: %v", filepath.Base(path), len(out), rec.Validation)
		}
		if _, err := rec.WarcRecord.ValidateDigest(); err != nil {
			t.Errorf("%s: record %d digest: %v", filepath.Base(path), len(out), err)
		}
		out = append(out, rec)
	}
	return out
}

func warcFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestWARCRecordsReadBack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	pages := []*Page{
		page("w1", "One", "first article", t0),
		page("w2", "Two", "second article", t0.Add(time.Minute)),
	}
	pages[1].RawRequest = nil // a page without a request record
	var snaps []*Snapshot
	for _, p := range pages {
		res := mustSave(t, s, p)
		sn, err := s.Snapshot(ctx, res.SnapshotID)
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, sn)

		// ReadWARCRecord works while the file is still .open.
		rec, err := s.ReadWARCRecord(ctx, sn.WARCFile, sn.WARCOffset)
		if err != nil {
			t.Fatalf("ReadWARCRecord while open: %v", err)
		}
		if rec.Type != "response" || rec.TargetURI != p.FinalURL || rec.RecordID != sn.WARCRecordID ||
			rec.PayloadDigest != sn.PayloadDigest || !bytes.Equal(rec.Payload, p.Body) ||
			!strings.HasPrefix(rec.ContentType, "application/http") || !strings.HasPrefix(rec.Date, "2024-01-31T08:0") {
			t.Errorf("record = %+v", rec)
		}
		if !bytes.HasPrefix(rec.Block, []byte("HTTP/1.1 200 OK\r\n")) || !bytes.Contains(rec.Block, []byte("X-Archive-Orig-Content-Encoding: gzip\r\n")) ||
			bytes.Contains(rec.Block, []byte("\r\nContent-Encoding:")) {
			t.Errorf("response block head: %q", rec.Block[:min(200, len(rec.Block))])
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	names := warcFiles(t, filepath.Join(dir, "warc"))
	if len(names) != 1 || strings.HasSuffix(names[0], evidence.OpenSuffix) || names[0] != snaps[0].WARCFile {
		t.Fatalf("WARC files after Close: %v (snapshot says %s)", names, snaps[0].WARCFile)
	}
	recs := readAllRecords(t, filepath.Join(dir, "warc", names[0]))
	var types []string
	for _, r := range recs {
		types = append(types, r.WarcRecord.Type().String())
	}
	if got := strings.Join(types, ","); got != "warcinfo,response,request,metadata,response,metadata" {
		t.Fatalf("records: %s", got)
	}
	if recs[0].WarcRecord.WarcHeader().Get(gowarc.WarcFilename) != names[0] {
		t.Errorf("warcinfo names %q", recs[0].WarcRecord.WarcHeader().Get(gowarc.WarcFilename))
	}
	resp, req := recs[1], recs[2]
	if resp.Offset != snaps[0].WARCOffset || recs[4].Offset != snaps[1].WARCOffset {
		t.Errorf("offsets %d, %d; snapshots say %d, %d", resp.Offset, recs[4].Offset, snaps[0].WARCOffset, snaps[1].WARCOffset)
	}
	// The metadata record beside the response holds the snapshot.
	meta := recs[3].WarcRecord
	respID := resp.WarcRecord.WarcHeader().Get(gowarc.WarcRecordID)
	if meta.WarcHeader().Get(gowarc.WarcConcurrentTo) != respID || meta.WarcHeader().Get(gowarc.WarcRefersTo) != respID ||
		meta.WarcHeader().Get(gowarc.ContentType) != "application/json" {
		t.Errorf("metadata record headers: %v (response %s)", meta.WarcHeader(), respID)
	}
	raw, err := meta.Block().RawBytes()
	if err != nil {
		t.Fatal(err)
	}
	mb, _ := io.ReadAll(raw)
	m, ok := evidence.ParseSnapshotMeta(mb)
	if !ok || m.SnapshotID != snaps[0].ID || m.ArticleID != snaps[0].ArticleID || m.Source != pages[0].Source ||
		m.CanonicalURL != pages[0].Canonical || m.Fingerprint != pages[0].Fingerprint || m.Title != pages[0].Title ||
		m.Byline != pages[0].Byline || m.Extractor != pages[0].Extractor || m.Text != pages[0].Text ||
		m.Markdown != pages[0].Markdown || m.HTML != pages[0].HTML || m.CapturedAt != fmtTime(pages[0].CapturedAt) {
		t.Errorf("metadata record: %+v", m)
	}
	if req.WarcRecord.WarcHeader().Get(gowarc.WarcConcurrentTo) != resp.WarcRecord.RecordId() &&
		req.WarcRecord.WarcHeader().Get(gowarc.WarcConcurrentTo) != "<"+resp.WarcRecord.RecordId()+">" {
		t.Errorf("request Concurrent-To %q, response ID %q", req.WarcRecord.WarcHeader().Get(gowarc.WarcConcurrentTo), resp.WarcRecord.RecordId())
	}
	block, ok := resp.WarcRecord.Block().(gowarc.PayloadBlock)
	if !ok {
		t.Fatalf("response block is %T", resp.WarcRecord.Block())
	}
	payload, err := block.PayloadBytes()
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := io.ReadAll(payload); !bytes.Equal(body, pages[0].Body) {
		t.Errorf("payload differs from body")
	}
	for _, h := range []string{gowarc.WarcBlockDigest, gowarc.WarcPayloadDigest} {
		if v := resp.WarcRecord.WarcHeader().Get(h); !strings.HasPrefix(v, "sha1:") || len(v) != 5+32 {
			t.Errorf("%s = %q, want sha1 in base32", h, v)
		}
	}
}

func TestWARCRotationKeepsPairsTogether(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{NoSync: true, WARCMaxSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	var snaps []string
	for i := range 3 {
		res := mustSave(t, s, page(fmt.Sprintf("r%d", i), "R", fmt.Sprintf("rotation %d", i), t0.Add(time.Duration(i)*time.Minute)))
		snaps = append(snaps, res.SnapshotID)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	names := warcFiles(t, filepath.Join(dir, "warc"))
	if len(names) != 3 {
		t.Fatalf("files %v, want one per pair", names)
	}
	for _, n := range names {
		if strings.HasSuffix(n, evidence.OpenSuffix) {
			t.Errorf("%s left open", n)
		}
		var types []string
		for _, r := range readAllRecords(t, filepath.Join(dir, "warc", n)) {
			types = append(types, r.WarcRecord.Type().String())
		}
		if got := strings.Join(types, ","); got != "warcinfo,response,request,metadata" {
			t.Errorf("%s: %s", n, got)
		}
	}
	s2 := MustOpenDir(t, dir, Options{NoSync: true})
	for _, id := range snaps {
		sn, err := s2.Snapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sn.Text, "rotation") {
			t.Errorf("snapshot %s text %q", id, sn.Text)
		}
	}
}

func TestReadWARCRecordRejectsPaths(t *testing.T) {
	s := MustOpen(t)
	for _, name := range []string{"../annalist.db", "/etc/passwd", "..%2f..%2fx.warc.gz", "a/b.warc.gz", "..warc.gz", "x.txt", ""} {
		if _, err := s.ReadWARCRecord(context.Background(), name, 0); !errors.Is(err, ErrNotFound) {
			t.Errorf("ReadWARCRecord(%q) = %v, want ErrNotFound", name, err)
		}
	}
}

// TestRepairAbandonedOpenWARC: a .open file whose writer died mid-record is
// cut back to its last whole record and closed; a live writer's file is not
// touched.
func TestRepairAbandonedOpenWARC(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	warcDir := filepath.Join(dir, "warc")
	live := MustOpenDir(t, dir, Options{NoSync: true})
	for i := range 3 {
		mustSave(t, live, page(fmt.Sprintf("d%d", i), "D", fmt.Sprintf("dead writer %d", i), t0))
	}
	liveName := warcFiles(t, warcDir)[0]
	data, err := os.ReadFile(filepath.Join(warcDir, liveName))
	if err != nil {
		t.Fatal(err)
	}
	whole := readAllRecords(t, filepath.Join(warcDir, liveName))
	last := whole[len(whole)-1]

	// A dead process's file: the same records, cut in the middle of the last one.
	dead := "annalist-20240131080000-999999-1.warc.gz"
	cut := last.Offset + last.Size/2
	if err := os.WriteFile(filepath.Join(warcDir, dead+evidence.OpenSuffix), data[:cut], 0o644); err != nil {
		t.Fatal(err)
	}
	// And one that died inside its warcinfo record.
	empty := "annalist-20240131080000-999999-2.warc.gz"
	if err := os.WriteFile(filepath.Join(warcDir, empty+evidence.OpenSuffix), data[:whole[0].Size/2], 0o644); err != nil {
		t.Fatal(err)
	}

	MustOpenDir(t, dir, Options{NoSync: true})

	st, err := os.Stat(filepath.Join(warcDir, dead))
	if err != nil {
		t.Fatalf("repaired file not renamed: %v (files %v)", err, warcFiles(t, warcDir))
	}
	if st.Size() != last.Offset {
		t.Errorf("repaired size %d, want %d (end of the last whole record)", st.Size(), last.Offset)
	}
	if got := len(readAllRecords(t, filepath.Join(warcDir, dead))); got != len(whole)-1 {
		t.Errorf("repaired file has %d records, want %d", got, len(whole)-1)
	}
	for _, n := range []string{empty, empty + evidence.OpenSuffix} {
		if _, err := os.Stat(filepath.Join(warcDir, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: file without a whole record should be removed (%v)", n, err)
		}
	}
	// The live writer's file was left alone and still takes records.
	if _, err := os.Stat(filepath.Join(warcDir, liveName)); err != nil {
		t.Errorf("live file touched: %v", err)
	}
	res := mustSave(t, live, page("after", "A", "after repair", t0))
	if sn, err := live.Snapshot(ctx, res.SnapshotID); err != nil || sn.Text != "after repair" {
		t.Errorf("live store after another Open: %v, %v", sn, err)
	}
}

// TestConcurrentStoresNoDuplicates: two Stores on one directory (as the
// daemon and a one-off command) save the same 50 articles at once.
func TestConcurrentStoresNoDuplicates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := MustOpenDir(t, dir, Options{NoSync: true})
	b := MustOpenDir(t, dir, Options{NoSync: true})
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for _, s := range []*Store{a, b} {
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range n {
					k := (i + w*n/2) % n
					p := page(fmt.Sprintf("c%d", k), "C", fmt.Sprintf("concurrent %d", k), t0.Add(time.Duration(w)*time.Second))
					if _, err := s.SaveCapture(ctx, p); err != nil {
						errs <- err
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("save: %v", err)
	}
	var snaps, caps int
	if err := a.rdb.QueryRow(`SELECT count(*) FROM snapshots`).Scan(&snaps); err != nil {
		t.Fatal(err)
	}
	if err := a.rdb.QueryRow(`SELECT count(*) FROM captures`).Scan(&caps); err != nil {
		t.Fatal(err)
	}
	if snaps != n || caps != 4*n {
		t.Errorf("%d snapshots and %d captures, want %d and %d", snaps, caps, n, 4*n)
	}
	var dup int
	a.rdb.QueryRow(`SELECT count(*) FROM (SELECT article_id FROM snapshots GROUP BY article_id HAVING count(*) > 1)`).Scan(&dup)
	if dup != 0 {
		t.Errorf("%d articles with duplicate snapshots", dup)
	}
	var check string
	if err := a.rdb.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check %q, %v", check, err)
	}
	// Each snapshot's text reads back, wherever its WARC record went.
	for i := range n {
		sn, err := b.LatestSnapshot(ctx, ArticleID(fmt.Sprintf("https://example.com/c%d", i)))
		if err != nil || sn.Text != fmt.Sprintf("concurrent %d", i) {
			t.Errorf("article %d: %v, %v", i, sn, err)
		}
	}
}
