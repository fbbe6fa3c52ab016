package evidence

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/base32"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlnwa/gowarc/v3"
)

// encodedPage is a page fetched gzip-encoded and chunked: the body is
// stored decoded, so those headers must not describe it any more.
func encodedPage(body string) *Page {
	p := testPage(body)
	p.Header = http.Header{
		"Content-Type":      {"text/html; charset=utf-8"},
		"Content-Encoding":  {"gzip"},
		"Transfer-Encoding": {"chunked"},
		"Content-Length":    {"12"},
	}
	return p
}

// bigBody is a page body larger than gzip's window and the writers'
// buffers, with separators and blank lines inside it.
func bigBody() string {
	var b strings.Builder
	b.WriteString("\r\n<html>\r\n\r\n<body>\n\n")
	for i := range 20000 {
		b.WriteString("<p>paragraph " + strconv.Itoa(i*7919%10007) + "</p>\r\n")
	}
	return b.String()
}

func gunzip(t *testing.T, gz []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if rest, _ := io.ReadAll(zr); len(rest) != 0 {
		t.Fatal("more than one gzip member")
	}
	return out
}

// gowarcRecord builds a record with gowarc's builder and marshaler, as
// annalist did before it wrote records itself: the reference.
func gowarcRecord(t *testing.T, typ gowarc.RecordType, id, target string, date time.Time, contentType, concurrentTo, refersTo string, block ...[]byte) []byte {
	t.Helper()
	b := newRecordBuilder(typ)
	b.AddWarcHeader(gowarc.WarcRecordID, id)
	if target != "" {
		b.AddWarcHeader(gowarc.WarcTargetURI, target)
	}
	b.AddWarcHeaderTime(gowarc.WarcDate, date.UTC())
	b.AddWarcHeader(gowarc.ContentType, contentType)
	if concurrentTo != "" {
		b.AddWarcHeader(gowarc.WarcConcurrentTo, concurrentTo)
	}
	if refersTo != "" {
		b.AddWarcHeader(gowarc.WarcRefersTo, refersTo)
	}
	for _, part := range block {
		if _, err := b.Write(part); err != nil {
			t.Fatal(err)
		}
	}
	rec, _, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	var buf bytes.Buffer
	if _, _, err := gowarc.NewMarshaler().Marshal(&buf, rec, 0); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Our records are byte for byte the ones gowarc's builder made (same
// header fields, order, date and digest formats), for every kind we write.
func TestBuildRecordMatchesGowarc(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("x", 3600))
	enc := encodedPage(bigBody())
	empty := testPage("")
	post := []byte("POST /form HTTP/1.1\r\nHost: example.test\r\nContent-Length: 7\r\n\r\na=1&b=2")
	cases := []struct {
		name             string
		typ              gowarc.RecordType
		ctype, conc, ref string
		block            [][]byte
	}{
		{"gzip chunked response", gowarc.Response, "application/http; msgtype=response", "", "", [][]byte{responseHead(enc), enc.Body}},
		{"empty response", gowarc.Response, "application/http; msgtype=response", "", "", [][]byte{responseHead(empty), empty.Body}},
		{"request", gowarc.Request, "application/http; msgtype=request", "<urn:uuid:1>", "", [][]byte{enc.RawRequest}},
		{"request with body", gowarc.Request, "application/http; msgtype=request", "<urn:uuid:1>", "", [][]byte{post}},
		{"metadata", gowarc.Metadata, "application/json", "<urn:uuid:1>", "<urn:uuid:1>", [][]byte{[]byte(`{"format":"annalist-snapshot/1","text":"a\r\n\r\nb"}`)}},
		{"empty metadata", gowarc.Metadata, "application/json", "", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, err := buildRecord(c.typ, "http://example.test/a?x=1", at, c.ctype, c.conc, c.ref, c.block...)
			if err != nil {
				t.Fatal(err)
			}
			got := gunzip(t, rec.gz)
			want := gowarcRecord(t, c.typ, rec.id, "http://example.test/a?x=1", at, c.ctype, c.conc, c.ref, c.block...)
			if !bytes.Equal(got, want) {
				t.Fatalf("record differs from gowarc's:\n%.600q\nwant\n%.600q", got, want)
			}
			if rec.payloadDigest != "" && !bytes.Contains(got, []byte("WARC-Payload-Digest: "+rec.payloadDigest+"\r\n")) {
				t.Errorf("payload digest %q not in the record", rec.payloadDigest)
			}
		})
	}
}

func TestBuildRecordRefusesLineBreaks(t *testing.T) {
	if _, err := buildRecord(gowarc.Metadata, "http://example.test/a\r\nWARC-Type: x", time.Now(), "application/json", "", "", []byte("{}")); err == nil {
		t.Fatal("target with a line break accepted")
	}
	if _, err := buildRecord(gowarc.Response, "http://example.test/", time.Now(), "application/http; msgtype=response", "", "", []byte("HT")); err == nil {
		t.Fatal("http block shorter than a status line accepted")
	}
}

// The HTTP header ends where gowarc's reader ends it, whichever part the
// blank line falls in.
func TestHTTPPayload(t *testing.T) {
	join := func(parts [][]byte) string { return string(bytes.Join(parts, nil)) }
	for _, c := range []struct {
		parts []string
		want  string
	}{
		{[]string{"HTTP/1.1 200 OK\r\nA: b\r\n\r\n", "body\r\n\r\nmore"}, "body\r\n\r\nmore"},
		{[]string{"HTTP/1.1 200 OK\r\nA: b\r\n", "\r\nbody"}, "body"},
		{[]string{"HTTP/1.1 200 OK\r\nA: b\r", "\n\r\nbody"}, "body"},
		{[]string{"HTTP/1.1 200 OK\r\nA: b\r\n\r\n", ""}, ""},
		{[]string{"GET / HTTP/1.1\nHost: x\n\nq=1"}, "q=1"},
		{[]string{"GET / HTTP/1.1\r\nHost: x\r\n"}, ""},
	} {
		var parts [][]byte
		for _, p := range c.parts {
			parts = append(parts, []byte(p))
		}
		if got := join(httpPayload(parts)); got != c.want {
			t.Errorf("httpPayload(%q) = %q, want %q", c.parts, got, c.want)
		}
	}
}

// Every record written is read back by gowarc with strict validation,
// and its block and payload digests, recomputed here from the bytes read,
// are the ones in its header: for a gzip-encoded chunked response, an
// empty body, a later page, a request with and without body, metadata.
func TestWrittenRecordsReadBackWithDigests(t *testing.T) {
	dir := t.TempDir()
	w := NewWriter(dir, 1<<30, true, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	pages := []*Page{encodedPage(bigBody()), testPage(""), encodedPage("")}
	pages[1].RawRequest = []byte("POST /form HTTP/1.1\r\nHost: example.test\r\nContent-Length: 3\r\n\r\na=1")
	var name string
	for i, p := range pages {
		pair, err := BuildPair(p)
		if err != nil {
			t.Fatal(err)
		}
		meta := &SnapshotMeta{Format: MetaFormat, SnapshotID: "s" + strconv.Itoa(i), Text: "t\r\n\r\nu"}
		if pair.Meta, err = BuildMetaRecord(meta, pair.Target, p.CapturedAt, pair.RecordID); err != nil {
			t.Fatal(err)
		}
		if name, _, _, err = w.Append(pair); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := NewFileReader(filepath.Join(dir, name), 0, gowarc.WithStrictValidation())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	counts := map[string]int{}
	for rec, err := range r.Records() {
		if err != nil {
			t.Fatalf("record %d: %v", rec.Offset, err)
		}
		checkRecord(t, rec)
		counts[rec.WarcRecord.Type().String()]++
	}
	want := map[string]int{"warcinfo": 1, "response": 6, "request": 3, "metadata": 3} // later pages carry no request here
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("%d %s records, want %d (all: %v)", counts[k], k, v, counts)
		}
	}
}

func checkRecord(t *testing.T, rec gowarc.Record) {
	t.Helper()
	wr := rec.WarcRecord
	defer wr.Close()
	if len(rec.Validation) != 0 {
		t.Errorf("%s at %d: %v", wr.Type(), rec.Offset, rec.Validation)
	}
	raw, err := wr.Block().RawBytes()
	if err != nil {
		t.Fatal(err)
	}
	block, err := io.ReadAll(raw)
	if err != nil {
		t.Fatal(err)
	}
	h := wr.WarcHeader()
	where := wr.Type().String() + " at " + strconv.FormatInt(rec.Offset, 10)
	if h.Get(gowarc.ContentLength) != strconv.Itoa(len(block)) {
		t.Errorf("%s: Content-Length %s, block %d bytes", where, h.Get(gowarc.ContentLength), len(block))
	}
	if got, want := h.Get(gowarc.WarcBlockDigest), sha1Base32(block); got != want {
		t.Errorf("%s: block digest %s, recomputed %s", where, got, want)
	}
	if strings.HasPrefix(h.Get(gowarc.ContentType), "application/http") {
		i := bytes.Index(block, []byte("\r\n\r\n"))
		if i < 0 {
			t.Fatalf("%s: no end of HTTP header", where)
		}
		if got, want := h.Get(gowarc.WarcPayloadDigest), sha1Base32(block[i+4:]); got != want {
			t.Errorf("%s: payload digest %s, recomputed %s", where, got, want)
		}
	}
	if v, err := wr.ValidateDigest(); err != nil || len(v) != 0 {
		t.Errorf("%s: gowarc's digest check: %v %v", where, v, err)
	}
}

func sha1Base32(b []byte) string {
	sum := sha1.Sum(b)
	return "sha1:" + base32.StdEncoding.EncodeToString(sum[:])
}

// The metadata record keeps markup unescaped (a smaller block), and reads
// back to the same snapshot.
func TestMetaRecordKeepsMarkup(t *testing.T) {
	m := &SnapshotMeta{Format: MetaFormat, SnapshotID: "a/1", Text: "a & b", HTML: "<p>a &amp; b</p>", Markdown: "a & b"}
	gz, err := BuildMetaRecord(m, "http://example.test/a", time.Now(), "<urn:uuid:1>")
	if err != nil {
		t.Fatal(err)
	}
	rec := gunzip(t, gz)
	_, block, ok := bytes.Cut(rec, []byte("\r\n\r\n"))
	if !ok {
		t.Fatal("no end of WARC header")
	}
	block = bytes.TrimSuffix(block, []byte("\r\n\r\n"))
	if !bytes.Contains(block, []byte(`"html":"<p>a &amp; b</p>"`)) || bytes.HasSuffix(block, []byte("\n")) {
		t.Errorf("block %q", block)
	}
	got, ok := ParseSnapshotMeta(block)
	if !ok || !reflect.DeepEqual(got, m) {
		t.Errorf("read back %+v, want %+v", got, m)
	}
}

// TestPayloadEndsWhereTheWriterEndsIt: the payload a check reads is the
// one the writer digested (httpPayload's rule, gowarc's), also for a
// header that ends with bare line feeds, whose payload digest a search for
// "\r\n\r\n" never found and so never checked.
func TestPayloadEndsWhereTheWriterEndsIt(t *testing.T) {
	block := []byte("HTTP/1.1 200 OK\nContent-Type: text/plain\n\nthe body")
	_, payloadDigest := digests(true, [][]byte{block})
	r := &ScannedRecord{ContentType: "application/http; msgtype=response", Block: block, PayloadDigest: payloadDigest}
	if got := string(r.Payload()); got != "the body" {
		t.Fatalf("Payload() = %q, want %q", got, "the body")
	}
	if bad := r.CheckDigests(); bad != "" {
		t.Errorf("CheckDigests() = %q for the digest the writer computed", bad)
	}
	r.PayloadDigest = sha1Label(make([]byte, 20))
	if bad := r.CheckDigests(); bad != "payload digest mismatch" {
		t.Errorf("CheckDigests() = %q for a wrong payload digest, want a mismatch", bad)
	}
}
