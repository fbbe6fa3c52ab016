package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"annalist/internal/evidence"
)

// SnapshotRecords returns exactly a snapshot's records, as the gzip
// members they are in the archive: a paginated article's later pages
// included, the next capture's records not.
func TestSnapshotRecordsOfAPaginatedArticle(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	p := page("long", "Long", "page one text page two text", t0)
	p.MorePages = append(p.MorePages, Response{URL: "https://example.com/long?page=2", StatusCode: 200, Proto: "HTTP/1.1",
		Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<p>page 2</p>"),
		RawRequest: []byte("GET /long?page=2 HTTP/1.1\r\nHost: example.com\r\n\r\n")})
	long := mustSave(t, s, p)
	short := mustSave(t, s, page("short", "Short", "just one page", t0))

	sr, err := s.SnapshotRecords(ctx, long.SnapshotID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range sr.Records {
		got = append(got, r.Type+" "+r.TargetURI)
		zr, err := gzip.NewReader(bytes.NewReader(r.Member))
		if err != nil {
			t.Fatalf("%s record: its member is not gzip: %v", r.Type, err)
		}
		zr.Multistream(false)
		raw, err := io.ReadAll(zr)
		if err != nil || !bytes.HasPrefix(raw, []byte("WARC/1.1\r\n")) || !bytes.Contains(raw, r.Block) {
			t.Fatalf("%s record: its member does not hold the record (%v)", r.Type, err)
		}
	}
	want := "response https://example.com/long,request https://example.com/long,metadata https://example.com/long," +
		"response https://example.com/long?page=2,request https://example.com/long?page=2"
	if strings.Join(got, ",") != want {
		t.Fatalf("records:\n%s\nwant\n%s", strings.Join(got, ","), want)
	}
	if sr.Title != "Long" || sr.Records[0].RecordID == "" {
		t.Errorf("snapshot records = %+v", sr)
	}
	sr2, err := s.SnapshotRecords(ctx, short.SnapshotID)
	if err != nil || len(sr2.Records) != 3 {
		t.Fatalf("one-page snapshot: %v records, %v", sr2, err)
	}

	if _, err := s.SnapshotRecords(ctx, "nope/20240101000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown snapshot: %v, want ErrNotFound", err)
	}
	// A WARC file cut short inside the later page: an error naming the
	// snapshot, the page and the file, never a part of the snapshot.
	sn, err := s.Snapshot(ctx, long.SnapshotID)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(s.WARCDir(), sn.WARCFile)
	if _, err := os.Stat(path); err != nil {
		path += evidence.OpenSuffix
	}
	end := sn.WARCOffset
	for _, r := range sr.Records[:3] {
		end += int64(len(r.Member))
	}
	if err := os.Truncate(path, end+10); err != nil {
		t.Fatal(err)
	}
	_, err = s.SnapshotRecords(ctx, long.SnapshotID)
	if err == nil || !strings.Contains(err.Error(), long.SnapshotID) || !strings.Contains(err.Error(), sn.WARCFile) || !strings.Contains(err.Error(), "page 2 of 2") {
		t.Errorf("truncated later page: %v", err)
	}
}

// The request record right after a snapshot's response is the
// snapshot's: when it is damaged the export fails naming the file and
// offset, instead of leaving the snapshot's request and metadata out.
func TestSnapshotRecordsDamagedRequestFails(t *testing.T) {
	ctx := context.Background()
	s := MustOpenDir(t, t.TempDir(), Options{NoSync: true})
	res := mustSave(t, s, page("one", "One", "just one page", t0))
	sr, err := s.SnapshotRecords(ctx, res.SnapshotID)
	if err != nil || len(sr.Records) != 3 || sr.Records[1].Type != "request" {
		t.Fatalf("records %+v, %v", sr, err)
	}
	path := filepath.Join(s.WARCDir(), sr.WARCFile)
	if _, err := os.Stat(path); err != nil {
		path += evidence.OpenSuffix
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	reqOff := sr.WARCOffset + int64(len(sr.Records[0].Member))
	if _, err := f.WriteAt([]byte("garbage!"), reqOff+int64(len(sr.Records[1].Member))/2); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = s.SnapshotRecords(ctx, res.SnapshotID)
	if err == nil || !strings.Contains(err.Error(), sr.WARCFile) || !strings.Contains(err.Error(), fmt.Sprint(reqOff)) {
		t.Fatalf("damaged request record: %v; want an error naming %s at offset %d", err, sr.WARCFile, reqOff)
	}
}
