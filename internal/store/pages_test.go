package store

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nlnwa/gowarc/v3"
)

// A paginated article's later pages are written to WARC after page 1's
// records; the snapshot points at page 1 and records the page count.
func TestMorePagesWrittenToWARC(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	p := page("long", "Long", "page one text page two text page three text", t0)
	for i, u := range []string{"https://example.com/long?page=2", "https://example.com/long?page=3"} {
		p.MorePages = append(p.MorePages, Response{URL: u, StatusCode: 200, Proto: "HTTP/1.1",
			Header:     http.Header{"Content-Type": {"text/html"}},
			Body:       []byte("<p>page " + string(rune('2'+i)) + "</p>"),
			RawRequest: []byte("GET /long?page=" + string(rune('2'+i)) + " HTTP/1.1\r\nHost: example.com\r\n\r\n")})
	}
	res := mustSave(t, s, p)
	sn, err := s.Snapshot(ctx, res.SnapshotID)
	if err != nil {
		t.Fatal(err)
	}
	if sn.Pages != 3 || sn.Text != p.Text {
		t.Fatalf("snapshot pages = %d, text %q", sn.Pages, sn.Text)
	}
	infos, err := s.SnapshotInfos(ctx, sn.ArticleID)
	if err != nil || len(infos) != 1 || infos[0].Pages != 3 {
		t.Fatalf("infos = %+v, %v", infos, err)
	}
	rec, err := s.ReadWARCRecord(ctx, sn.WARCFile, sn.WARCOffset)
	if err != nil || !bytes.Equal(rec.Payload, p.Body) {
		t.Fatalf("snapshot record is not page 1: %v", err)
	}
	// A one-page article says 1.
	one := mustSave(t, s, page("short", "Short", "just one page", t0))
	if sn1, err := s.Snapshot(ctx, one.SnapshotID); err != nil || sn1.Pages != 1 {
		t.Fatalf("one-page snapshot pages = %v, %v", sn1, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	names := warcFiles(t, filepath.Join(dir, "warc"))
	recs := readAllRecords(t, filepath.Join(dir, "warc", names[0]))
	var got []string
	for _, r := range recs {
		got = append(got, r.WarcRecord.Type().String()+" "+r.WarcRecord.WarcHeader().Get(gowarc.WarcTargetURI))
	}
	// Each snapshot's metadata record follows page 1's pair, before the
	// later pages' records.
	want := "warcinfo ,response https://example.com/long,request https://example.com/long,metadata https://example.com/long," +
		"response https://example.com/long?page=2,request https://example.com/long?page=2," +
		"response https://example.com/long?page=3,request https://example.com/long?page=3," +
		"response https://example.com/short,request https://example.com/short,metadata https://example.com/short"
	if strings.Join(got, ",") != want {
		t.Fatalf("records:\n%s\nwant\n%s", strings.Join(got, ","), want)
	}
}

// A snapshot's captured_at is the time its ID names, even when the ID had
// to move on a second because another snapshot of the article took it.
func TestSnapshotIDAndCaptureTimeAgree(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir(), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := mustSave(t, s, page("same-second", "A", "the first wording", t0.Add(300*time.Millisecond)))
	b := mustSave(t, s, page("same-second", "A", "the second wording", t0.Add(700*time.Millisecond)))
	if b.Outcome != OutcomeRevised {
		t.Fatalf("second save: %s", b.Outcome)
	}
	caps, err := s.Captures(ctx, CaptureFilter{ArticleID: a.ArticleID})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]time.Time{}
	for _, c := range caps {
		byID[c.SnapshotID] = c.CapturedAt
	}
	for _, id := range []string{a.SnapshotID, b.SnapshotID} {
		sn, err := s.Snapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		stamp := sn.CapturedAt.UTC().Format("20060102150405")
		if !strings.HasSuffix(id, "/"+stamp) || sn.CapturedAt.Nanosecond() != 0 {
			t.Errorf("snapshot %s captured at %s", id, sn.CapturedAt.Format(time.RFC3339Nano))
		}
		if !byID[id].Equal(sn.CapturedAt) {
			t.Errorf("capture of %s at %s, snapshot at %s", id, byID[id], sn.CapturedAt)
		}
	}
	if !strings.HasSuffix(b.SnapshotID, "/20240131080001") {
		t.Errorf("second ID %s did not move on a second", b.SnapshotID)
	}
}

// A check made earlier in the second a new snapshot's ID names is listed
// before that snapshot's capture, although the capture is dated at the
// ID's whole second: one article's checks come in the order they were made.
func TestArticleCapturesInOrderWithinASecond(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir(), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := mustSave(t, s, page("within-second", "A", "the first wording", t0))
	if err := s.RecordCapture(ctx, Capture{ArticleID: a.ArticleID, Source: "example", URL: "https://example.com/within-second",
		CapturedAt: t0.Add(time.Minute + 100*time.Millisecond), Outcome: OutcomeError, Error: "503 Service Unavailable"}); err != nil {
		t.Fatal(err)
	}
	b := mustSave(t, s, page("within-second", "A", "the second wording", t0.Add(time.Minute+600*time.Millisecond)))
	caps, err := s.Captures(ctx, CaptureFilter{ArticleID: a.ArticleID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range caps {
		got = append(got, c.Outcome)
	}
	if want := []string{OutcomeRevised, OutcomeError, OutcomeNew}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("captures newest first: %v, want %v", got, want)
	}
	if caps[0].SnapshotID != b.SnapshotID {
		t.Errorf("newest capture names %q, want %q", caps[0].SnapshotID, b.SnapshotID)
	}
}
