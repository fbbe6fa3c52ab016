package web

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// warcMembers splits a WARC file into its gzip members and returns each
// record's headers (lower-case names) and block.
func warcMembers(t *testing.T, data []byte) (heads []map[string]string, blocks [][]byte) {
	t.Helper()
	br := bytes.NewReader(data)
	for br.Len() > 0 {
		zr, err := gzip.NewReader(br)
		if err != nil {
			t.Fatalf("gzip member at %d: %v", len(data)-br.Len(), err)
		}
		zr.Multistream(false)
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		head, rest, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
		h := map[string]string{}
		for _, line := range strings.Split(string(head), "\r\n")[1:] {
			k, v, _ := strings.Cut(line, ":")
			h[strings.ToLower(k)] = strings.TrimSpace(v)
		}
		heads = append(heads, h)
		blocks = append(blocks, bytes.TrimSuffix(rest, []byte("\r\n\r\n")))
	}
	return heads, blocks
}

// TestSnapshotWARCDownload: the snapshot page's WARC link serves the
// snapshot's response, request and metadata records as a WARC file whose
// digests hold, and the response is the one the snapshot points at.
func TestSnapshotWARCDownload(t *testing.T) {
	f := newFixture(t)
	sn, err := f.st.Snapshot(t.Context(), f.grainS[1])
	if err != nil {
		t.Fatal(err)
	}
	doc := f.page("/a/"+f.grainS[1], http.StatusOK)
	if href, _ := doc.Find(`a[href$="/warc"]`).Attr("href"); href != "/a/"+f.grainS[1]+"/warc" {
		t.Fatalf("the snapshot page links the WARC file as %q", href)
	}
	resp := f.get("/a/" + f.grainS[1] + "/warc")
	data := []byte(body(t, resp))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/warc" {
		t.Fatalf("GET WARC: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	want := `attachment; filename="` + strings.Replace(f.grainS[1], "/", "-", 1) + `.warc.gz"`
	if cd := resp.Header.Get("Content-Disposition"); cd != want {
		t.Errorf("Content-Disposition %q, want %q", cd, want)
	}
	heads, blocks := warcMembers(t, data)
	var types []string
	for i, h := range heads {
		types = append(types, h["warc-type"])
		if h["warc-type"] == "warcinfo" {
			continue
		}
		sum := sha1.Sum(blocks[i])
		if d := "sha1:" + base32.StdEncoding.EncodeToString(sum[:]); h["warc-block-digest"] != d {
			t.Errorf("%s record: block digest %s, its block has %s", h["warc-type"], h["warc-block-digest"], d)
		}
	}
	if want := []string{"warcinfo", "response", "request", "metadata"}; !reflect.DeepEqual(types, want) {
		t.Fatalf("record types %v, want %v", types, want)
	}
	if heads[1]["warc-record-id"] != sn.WARCRecordID || heads[1]["warc-payload-digest"] != sn.PayloadDigest {
		t.Errorf("response %s (%s), the snapshot's is %s (%s)", heads[1]["warc-record-id"], heads[1]["warc-payload-digest"], sn.WARCRecordID, sn.PayloadDigest)
	}
	if !strings.Contains(string(blocks[3]), sn.ID) {
		t.Errorf("the metadata record does not name snapshot %s", sn.ID)
	}
}

// TestArticleWACZDownload: the article page links a WACZ of all its
// snapshots, served whole or by byte range as replay tools read it.
func TestArticleWACZDownload(t *testing.T) {
	f := newFixture(t)
	doc := f.page("/a/"+f.grain, http.StatusOK)
	if href, _ := doc.Find(`a[href$=".wacz"]`).Attr("href"); href != "/a/"+f.grain+"/export.wacz" {
		t.Fatalf("the article page links the WACZ as %q", href)
	}
	resp := f.get("/a/" + f.grain + "/export.wacz")
	data := []byte(body(t, resp))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/wacz" {
		t.Fatalf("GET WACZ: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="`+f.grain+`.wacz"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the WACZ is not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[zf.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	var dp struct {
		WACZVersion string `json:"wacz_version"`
		Title       string `json:"title"`
		Resources   []struct{ Path, Hash string }
	}
	if err := json.Unmarshal(files["datapackage.json"], &dp); err != nil || dp.WACZVersion != "1.1.1" || len(dp.Resources) != 3 {
		t.Fatalf("datapackage.json = %s (%v)", files["datapackage.json"], err)
	}
	for _, r := range dp.Resources {
		sum := sha256.Sum256(files[r.Path])
		if r.Hash != "sha256:"+hex.EncodeToString(sum[:]) {
			t.Errorf("%s: hash %s does not match its bytes", r.Path, r.Hash)
		}
	}
	pages := strings.Split(strings.TrimSpace(string(files["pages/pages.jsonl"])), "\n")
	if len(pages) != 1+len(f.grainS) {
		t.Errorf("pages.jsonl has %d lines, want a header and %d pages", len(pages), len(f.grainS))
	}
	if n := strings.Count(string(files["indexes/index.cdxj"]), "\n"); n != len(f.grainS) {
		t.Errorf("index.cdxj has %d lines, want %d", n, len(f.grainS))
	}

	resp = f.get("/a/"+f.grain+"/export.wacz", "Range", "bytes=0-3")
	if part := body(t, resp); resp.StatusCode != http.StatusPartialContent || part != "PK\x03\x04" {
		t.Errorf("a range request got %d %q, want 206 and the zip's first bytes", resp.StatusCode, part)
	}
	if resp := f.get("/a/zzz/export.wacz"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("WACZ of an unknown article: %d", resp.StatusCode)
	}
}

// TestArticleWACZSameBytesEveryRequest: a replay tool reads a WACZ by
// many range requests, each of which builds the package again; every
// build must be the same bytes (the length and the central directory at
// the end included), or its offsets point into another file.
func TestArticleWACZSameBytesEveryRequest(t *testing.T) {
	f := newFixture(t)
	first := f.get("/a/" + f.grain + "/export.wacz")
	whole := body(t, first)
	etag := first.Header.Get("ETag")
	if etag == "" {
		t.Error("no ETag: a range reader cannot tell the file changed (If-Range)")
	}
	for i := range 3 {
		resp := f.get("/a/" + f.grain + "/export.wacz")
		if again := body(t, resp); again != whole {
			t.Fatalf("request %d: %d bytes, differing from the first request's %d", i+2, len(again), len(whole))
		}
		if resp.Header.Get("ETag") != etag {
			t.Errorf("request %d: ETag %q, first %q", i+2, resp.Header.Get("ETag"), etag)
		}
	}
	// The end of central directory, read on its own as a zip reader does.
	resp := f.get("/a/"+f.grain+"/export.wacz", "Range", "bytes=-22", "If-Range", etag)
	if tail := body(t, resp); resp.StatusCode != http.StatusPartialContent || tail != whole[len(whole)-22:] {
		t.Errorf("the last 22 bytes by range: %d %q, want 206 and %q", resp.StatusCode, tail, whole[len(whole)-22:])
	}
}

// TestArticleWACZExportsWaitForASlot: while every export slot is taken a
// request builds nothing (no temporary file) until one frees; a client
// that gives up meanwhile costs nothing.
func TestArticleWACZExportsWaitForASlot(t *testing.T) {
	f := newFixture(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for range cap(f.srv.exports) {
		f.srv.exports <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req := httptest.NewRequest(http.MethodGet, "http://archive.test/a/"+f.grain+"/export.wacz", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	if rec.Code == http.StatusOK && rec.Body.Len() > 0 {
		t.Errorf("with every slot taken, the WACZ was built and sent (%d bytes)", rec.Body.Len())
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	for range cap(f.srv.exports) {
		<-f.srv.exports
	}
	if resp := f.get("/a/" + f.grain + "/export.wacz"); resp.StatusCode != http.StatusOK {
		t.Errorf("with a free slot: %d", resp.StatusCode)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left after a download: %v", left)
	}
}
