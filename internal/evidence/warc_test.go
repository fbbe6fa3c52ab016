package evidence

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testPage(body string) *Page {
	return &Page{
		FetchURL: "http://example.test/a", FinalURL: "http://example.test/a?x=1",
		CapturedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), StatusCode: 200, Proto: "HTTP/1.1",
		Header:     http.Header{"Content-Type": {"text/html"}},
		Body:       []byte(body),
		RawRequest: []byte("GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n"),
		MorePages:  []Response{{URL: "http://example.test/a?page=2", StatusCode: 200, Body: []byte("<p>two</p>")}},
	}
}

// The evidence side alone: a pair and its metadata are written, read back
// by offset, found by the scanner with their digests intact, and the file
// is named by its worker.
func TestWriterReadScan(t *testing.T) {
	dir := t.TempDir()
	w := NewWriter(dir, 1<<20, false, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.Worker = "w7"
	pair, err := BuildPair(testPage("<p>one</p>"))
	if err != nil {
		t.Fatal(err)
	}
	meta := &SnapshotMeta{Format: MetaFormat, SnapshotID: "abc/20260301120000", ArticleID: "abc", Text: "one"}
	if pair.Meta, err = BuildMetaRecord(meta, pair.Target, time.Now(), pair.RecordID); err != nil {
		t.Fatal(err)
	}
	name, off, n, err := w.Append(pair)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(name, "annalist-w7-") || !ValidName(name) || n <= 0 {
		t.Fatalf("file %q, %d bytes", name, n)
	}
	rec, err := ReadRecord(context.Background(), dir, name, off) // still .open
	if err != nil {
		t.Fatal(err)
	}
	if rec.Type != "response" || string(rec.Payload) != "<p>one</p>" || rec.TargetURI != "http://example.test/a?x=1" {
		t.Fatalf("read back %s %q %q", rec.Type, rec.Payload, rec.TargetURI)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, total, err := ListFiles(dir)
	if err != nil || len(files) != 1 || files[0].Name != name || total != files[0].Size {
		t.Fatalf("ListFiles = %+v, %d, %v", files, total, err)
	}
	var types []string
	var found *SnapshotMeta
	err = ScanFile(filepath.Join(dir, name), func(m *Member) error {
		if m.Err != nil {
			t.Errorf("damage at %d: %v", m.Offset, m.Err)
			return nil
		}
		if bad := m.Rec.CheckDigests(); bad != "" {
			t.Errorf("%s at %d: %s", m.Rec.Type, m.Offset, bad)
		}
		types = append(types, m.Rec.Type)
		if sm, ok := ParseSnapshotMeta(m.Rec.Block); ok {
			found = sm
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(types, " "); got != "warcinfo response request metadata response" {
		t.Errorf("records %q", got)
	}
	if found == nil || found.SnapshotID != meta.SnapshotID {
		t.Errorf("metadata record %+v", found)
	}
	if _, err := ReadRecord(context.Background(), dir, "../"+name, off); !errors.Is(err, ErrNotFound) {
		t.Errorf("path in name: %v", err)
	}
}

func TestWriterRejectsBadWorkerID(t *testing.T) {
	w := NewWriter(t.TempDir(), 1<<20, true, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.Worker = "a/b"
	pair, err := BuildPair(testPage("x"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := w.Append(pair); err == nil || !strings.Contains(err.Error(), "a/b") {
		t.Fatalf("Append with worker a/b: %v", err)
	}
}

// A writer that died leaves a torn .open file: RepairOpen cuts it back to
// its last whole record and gives it its final name.
func TestRepairOpenCutsTornTail(t *testing.T) {
	dir := t.TempDir()
	w := NewWriter(dir, 1<<20, true, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	pair, err := BuildPair(testPage("<p>one</p>"))
	if err != nil {
		t.Fatal(err)
	}
	name, _, n, err := w.Append(pair)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, name+OpenSuffix))
	if err != nil {
		t.Fatal(err)
	}
	w.f.Close() // the writer "dies": its lock goes, the file stays .open
	w.f = nil
	good := int64(len(data))
	torn := filepath.Join(dir, "annalist-torn.warc.gz"+OpenSuffix)
	if err := os.WriteFile(torn, append(data, pair.Response[:len(pair.Response)/2]...), 0o644); err != nil {
		t.Fatal(err)
	}
	none := func(string) (int64, bool, error) { return 0, false, nil }
	if err := RepairOpen(dir, none, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "annalist-torn.warc.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != good || n >= good {
		t.Errorf("repaired size %d, want %d", st.Size(), good)
	}
}
