package export_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"annalist/internal/export"
	"annalist/internal/store"
)

// The keys are what warcio.js's getSurt (the function ReplayWeb.page looks
// URLs up with) returns for the same URLs, printed by node.
func TestSURTAsReplayWebPageComputesIt(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"https://www.Example.com/Path/Page.html?b=2&a=1", "com,example)/path/page.html?a=1&b=2"},
		{"http://example.com", "com,example)/"},
		{"http://www2.example.co.uk:8080/a?", "uk,co,example:8080)/a"},
		{"http://127.0.0.1:34001/history/x.html", "1,0,0,127:34001)/history/x.html"},
		{"https://example.com:443/x", "com,example)/x"},
		{"urn:uuid:1234", "urn:uuid:1234"},
		{"https://example.com/a%20b?q=x%2Fy", "com,example)/a%20b?q=x%2fy"},
		{"http://example.com/?z&a=1", "com,example)/?a=1&z"},
	} {
		if got := export.SURT(c.url); got != c.want {
			t.Errorf("SURT(%q) = %q, want %q", c.url, got, c.want)
		}
	}
}

func savePage(t *testing.T, st *store.Store, url, title string, at time.Time) string {
	t.Helper()
	body := "<html><head><title>" + title + "</title></head><body><p>" + title + " text</p></body></html>"
	res, err := st.SaveCapture(context.Background(), &store.Page{
		Source: "s", FetchURL: url, FinalURL: url, Canonical: url, CapturedAt: at,
		StatusCode: 200, Proto: "HTTP/1.1", Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
		Body: []byte(body), RawRequest: []byte("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n"),
		Title: title, HTML: "<p>" + title + " text</p>", Text: title + " text", Markdown: title + " text",
		Fingerprint: "n1:" + title, Extractor: "selectors/1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.SnapshotID
}

// Progress is reported after every snapshot, with the bytes written so far.
func TestProgressAndEmptySelection(t *testing.T) {
	st := store.MustOpen(t)
	at := time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC)
	ids := []string{
		savePage(t, st, "https://example.org/a", "Alpha", at),
		savePage(t, st, "https://example.org/b", "Beta", at.Add(time.Hour)),
	}
	var seen []export.Progress
	var buf bytes.Buffer
	sum, err := export.WriteWARC(context.Background(), &buf, "x.warc.gz", st, ids, export.Options{
		Progress: func(p export.Progress) { seen = append(seen, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Snapshots != 2 || sum.Records != 6 || sum.WARCBytes != int64(buf.Len()) {
		t.Errorf("summary %+v for %d bytes", sum, buf.Len())
	}
	if len(seen) != 2 || seen[0].Done != 1 || seen[1].Done != 2 || seen[1].Total != 2 || seen[1].Snapshot != ids[1] ||
		seen[0].Bytes <= 0 || seen[1].Bytes != int64(buf.Len()) {
		t.Errorf("progress %+v", seen)
	}
	if _, err := export.WriteWACZ(context.Background(), &buf, st, nil, export.Options{}); !errors.Is(err, export.ErrNothing) {
		t.Errorf("empty selection: %v, want ErrNothing", err)
	}
	_, err = export.WriteWARC(context.Background(), &buf, "x", st, []string{"zz/20240101000000"}, export.Options{})
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "zz/20240101000000") {
		t.Errorf("unknown snapshot: %v", err)
	}
}

// A file name with a CR/LF (the user's -o) cannot forge warcinfo headers.
func TestWARCFileNameCannotForgeHeaders(t *testing.T) {
	st := store.MustOpen(t)
	id := savePage(t, st, "https://example.org/a", "Alpha", time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC))
	var buf bytes.Buffer
	if _, err := export.WriteWARC(context.Background(), &buf, "evil\r\nWARC-Type: forged\n.warc.gz", st, []string{id}, export.Options{}); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	info, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(info), "\r\n\r\n")
	if n := strings.Count(head, "\r\nWARC-Type:"); n != 1 || !strings.Contains(head, "WARC-Filename: evil__WARC-Type: forged_.warc.gz\r\n") {
		t.Errorf("warcinfo headers:\n%s", head)
	}
}
