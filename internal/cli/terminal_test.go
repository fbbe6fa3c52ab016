package cli_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"annalist/internal/store"
)

// hostileArchive is an archive whose article title, text and source error
// carry terminal control sequences, as a hostile or broken page could.
func hostileArchive(t *testing.T) (f *fixture, articleID string) {
	t.Helper()
	f, st := storeFixture(t)
	const u = "https://evil.example/a"
	at := time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	for i, text := range []string{"Quiet \x1b[2J text\x07 here.\n\nSecond\u009b paragraph.", "Quiet \x1b[2J words\x07 here.\n\nSecond\u009b paragraph."} {
		title := "Title \x1b]0;pwned\x07 and \x1b[2J"
		sum := sha256.Sum256([]byte(title + text))
		res, err := st.SaveCapture(context.Background(), &store.Page{
			Source: "evil", FetchURL: u, FinalURL: u, Canonical: u, CapturedAt: at.Add(time.Duration(i) * time.Hour),
			StatusCode: 200, Proto: "HTTP/1.1", Header: http.Header{"Content-Type": {"text/html"}},
			Body: []byte("<html><body>" + text + "</body></html>"), RawRequest: []byte("GET /a HTTP/1.1\r\nHost: evil.example\r\n\r\n"),
			Title: title, Byline: "By \x1b[31mred", HTML: "<p>" + text + "</p>", Text: text, Markdown: text,
			Fingerprint: "n1:" + hex.EncodeToString(sum[:]), Extractor: "generic/2",
		})
		if err != nil {
			t.Fatal(err)
		}
		articleID = res.ArticleID
	}
	if err := st.RecordPoll(context.Background(), "evil", at, store.PollError, "feed: \x1b]0;owned\x07 bad", "", ""); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return f, articleID
}

// No command prints a control character that came from the archive: they
// show as \x1b and \u009b instead.
func TestTerminalOutputEscapesControlCharacters(t *testing.T) {
	f, id := hostileArchive(t)
	cmds := [][]string{
		{"list"},
		{"history", id},
		{"history", id, "--captures"},
		{"show", id},
		{"show", id, "--format", "markdown"},
		{"show", id, "--format", "html"},
		{"show", id, "--format", "bibtex"},
		{"search", "quiet"},
		{"sources"},
		{"diff", id},
		{"diff", id, "--full", "--color", "never"},
	}
	for _, args := range cmds {
		out, stderr, code := f.run(args...)
		if code != 0 {
			t.Fatalf("annalist %v: exit %d: %s", args, code, stderr)
		}
		for _, bad := range []string{"\x1b", "\x07", "\u009b"} {
			if strings.Contains(out, bad) || strings.Contains(stderr, bad) {
				t.Errorf("annalist %v printed a raw %q:\n%s%s", args, bad, out, stderr)
			}
		}
		if !strings.Contains(out, `\x1b`) {
			t.Errorf("annalist %v: the escape does not show as \\x1b:\n%s", args, out)
		}
	}
}

// extract's report names the elements it kept and dropped by their id and
// class, which the page chose: they are escaped too.
func TestExtractReportEscapesControlCharacters(t *testing.T) {
	f, _ := hostileArchive(t)
	page := filepath.Join(t.TempDir(), "page.html")
	para := "<p>" + strings.Repeat("A long paragraph of the article about the history of the printing press. ", 8) + "</p>"
	html := `<html><body><div class="post` + "\x1b[2J" + `">` + strings.Repeat(para, 4) +
		`<div class="share` + "\x1b]0;x\x07" + `"><a href="/s">Share</a></div></div></body></html>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "markdown"} {
		out, stderr, code := f.run("extract", "--format", format, page)
		if code != 0 {
			t.Fatalf("extract --format %s: exit %d: %s", format, code, stderr)
		}
		for _, bad := range []string{"\x1b", "\x07"} {
			if strings.Contains(out, bad) || strings.Contains(stderr, bad) {
				t.Errorf("extract --format %s printed a raw %q:\n%s%s", format, bad, out, stderr)
			}
		}
		if !strings.Contains(out+stderr, `\x1b`) {
			t.Errorf("extract --format %s: the element's class does not show, escaped:\n%s%s", format, out, stderr)
		}
	}
}

// verify names a damaged record by the ID the record gives, which is
// whatever bytes the file holds: escaped too.
func TestVerifyEscapesControlCharacters(t *testing.T) {
	f, _ := hostileArchive(t)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte("WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:\x1b]0;x\x07>\r\nWARC-Block-Digest: sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\nContent-Length: 2\r\n\r\nab\r\n\r\n"))
	zw.Close()
	path := filepath.Join(filepath.Dir(f.cfg), "archive", "warc", "damaged.warc.gz")
	if err := os.WriteFile(path, z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := f.run("verify")
	if code != 1 {
		t.Fatalf("verify of a damaged archive: exit %d\n%s%s", code, out, stderr)
	}
	for _, bad := range []string{"\x1b", "\x07"} {
		if strings.Contains(out, bad) || strings.Contains(stderr, bad) {
			t.Errorf("verify printed a raw %q:\n%s%s", bad, out, stderr)
		}
	}
}
