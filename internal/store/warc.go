package store

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	kgzip "github.com/klauspost/compress/gzip"
	"github.com/nlnwa/gowarc/v3"
)

const openSuffix = ".open"

// warcPair is a response record and its request record, each already a
// complete gzip member, built before the writer goroutine needs them.
type warcPair struct {
	response      []byte
	request       []byte // nil when the page carried no raw request
	meta          []byte // the snapshot's metadata record (warcmeta.go); nil in tests of old archives
	target        string // WARC-Target-URI
	recordID      string // of the response, "<urn:uuid:…>"
	payloadDigest string
	// more holds the records of a paginated article's later pages (each
	// response then its request, every record its own gzip member),
	// written right after the pair.
	more []byte
}

// gowarcMu serialises gowarc's constructors: each calls
// uuid.EnableRandPool, which writes a package variable of google/uuid
// without synchronisation (a data race under concurrent use). Our record
// IDs come from newRecordID, so uuid.New is never called while it runs.
var gowarcMu sync.Mutex

func newRecordBuilder(typ gowarc.RecordType) gowarc.WarcRecordBuilder {
	gowarcMu.Lock()
	defer gowarcMu.Unlock()
	return gowarc.NewRecordBuilder(typ, recordOptions()...)
}

func newUnmarshaler(opts ...gowarc.WarcRecordOption) gowarc.Unmarshaler {
	gowarcMu.Lock()
	defer gowarcMu.Unlock()
	return gowarc.NewUnmarshaler(opts...)
}

func newWARCFileReader(path string, offset int64, opts ...gowarc.WarcRecordOption) (*gowarc.WarcFileReader, error) {
	gowarcMu.Lock()
	defer gowarcMu.Unlock()
	return gowarc.NewWarcFileReader(path, offset, opts...)
}

// newRecordID returns a random (version 4) UUID URN in angle brackets.
func newRecordID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return "<urn:uuid:" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:] + ">"
}

// recordOptions are used for every record we build: SHA-1 digests in
// Base32 as other WARC tools expect, computed by gowarc.
func recordOptions() []gowarc.WarcRecordOption {
	return []gowarc.WarcRecordOption{
		gowarc.WithAddMissingDigest(true),
		gowarc.WithDefaultDigestAlgorithm("sha1"),
		gowarc.WithBufferMaxMemBytes(64 << 20),
	}
}

// buildPair builds the WARC records of one fetch.
func buildPair(p *Page) (*warcPair, error) {
	target := p.FinalURL
	if target == "" {
		target = p.FetchURL
	}
	resp, err := buildRecord(gowarc.Response, target, p.CapturedAt, "application/http; msgtype=response", "", "",
		responseBlock(p))
	if err != nil {
		return nil, fmt.Errorf("build warc response: %w", err)
	}
	pair := &warcPair{response: resp.gz, target: target, recordID: resp.id, payloadDigest: resp.payloadDigest}
	if len(p.RawRequest) > 0 {
		req, err := buildRecord(gowarc.Request, target, p.CapturedAt, "application/http; msgtype=request", resp.id, "",
			p.RawRequest)
		if err != nil {
			return nil, fmt.Errorf("build warc request: %w", err)
		}
		pair.request = req.gz
	}
	for i := range p.MorePages {
		recs, err := buildMore(&p.MorePages[i], p.CapturedAt)
		if err != nil {
			return nil, fmt.Errorf("build warc records of page %d: %w", i+2, err)
		}
		pair.more = append(pair.more, recs...)
	}
	return pair, nil
}

// buildMore builds the response and request records of a later page.
func buildMore(r *Response, captured time.Time) ([]byte, error) {
	at := r.FetchedAt
	if at.IsZero() {
		at = captured
	}
	resp, err := buildRecord(gowarc.Response, r.URL, at, "application/http; msgtype=response", "", "",
		responseBlock(&Page{Proto: r.Proto, StatusCode: r.StatusCode, Header: r.Header, Body: r.Body}))
	if err != nil {
		return nil, fmt.Errorf("response: %w", err)
	}
	out := resp.gz
	if len(r.RawRequest) > 0 {
		req, err := buildRecord(gowarc.Request, r.URL, at, "application/http; msgtype=request", resp.id, "", r.RawRequest)
		if err != nil {
			return nil, fmt.Errorf("request: %w", err)
		}
		out = append(out, req.gz...)
	}
	return out, nil
}

// responseBlock is the HTTP response as stored: status line, headers, blank
// line, body. Body is the decoded entity, so headers describing an encoding
// that is no longer there are kept under X-Archive-Orig- names (as pywb
// does), where a replay tool will not act on them.
func responseBlock(p *Page) []byte {
	proto := p.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	code := p.StatusCode
	if code == 0 {
		code = http.StatusOK
	}
	h := p.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Del("Transfer-Encoding")
	if ce := h.Values("Content-Encoding"); len(ce) > 0 {
		h.Del("Content-Encoding")
		h["X-Archive-Orig-Content-Encoding"] = ce
	}
	if cl := h.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(p.Body)) {
		h.Del("Content-Length")
		h.Set("X-Archive-Orig-Content-Length", cl)
	}
	var b bytes.Buffer
	b.Grow(len(p.Body) + 1024)
	fmt.Fprintf(&b, "%s %d %s\r\n", proto, code, http.StatusText(code))
	_ = h.Write(&b)
	b.WriteString("\r\n")
	b.Write(p.Body)
	return b.Bytes()
}

type builtRecord struct {
	gz            []byte
	id            string
	payloadDigest string
}

// buildRecord builds one record and gzips it as its own member.
// concurrentTo and refersTo name a related record ("" for none).
func buildRecord(typ gowarc.RecordType, target string, date time.Time, contentType, concurrentTo, refersTo string, block []byte) (*builtRecord, error) {
	b := newRecordBuilder(typ)
	b.AddWarcHeader(gowarc.WarcRecordID, newRecordID())
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
	if _, err := b.Write(block); err != nil {
		b.Close()
		return nil, err
	}
	rec, _, err := b.Build()
	if err != nil {
		return nil, err
	}
	defer rec.Close()
	var buf bytes.Buffer
	buf.Grow(len(block)/3 + 512)
	zw := gzippers.Get().(*kgzip.Writer)
	defer gzippers.Put(zw)
	zw.Reset(&buf)
	if _, _, err := gowarc.NewMarshaler().Marshal(zw, rec, 0); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return &builtRecord{
		gz:            buf.Bytes(),
		id:            rec.WarcHeader().Get(gowarc.WarcRecordID),
		payloadDigest: rec.WarcHeader().Get(gowarc.WarcPayloadDigest),
	}, nil
}

// warcLevel is the gzip level of WARC records: klauspost's level 5 costs
// 1.3% more bytes than its level 6 on the extraction-dev pages (store/raw
// 0.2506 vs 0.2474) for a fifth less CPU (BenchmarkPrepareRealPages,
// medians of 3 side by side: 2.45 vs 3.01 ms a page); level 6 cost 0.7%
// more than the lazy level 7 for a third less. Level 4 costs 5.6% more
// bytes for little more speed. The page body is most of what is compressed.
const warcLevel = 5

// gzippers reuses gzip writers, whose tables cost more to build than a
// record costs to compress.
var gzippers = sync.Pool{New: func() any {
	w, err := kgzip.NewWriterLevel(io.Discard, warcLevel)
	if err != nil {
		panic(err) // only for an invalid level
	}
	return w
}}

// warcWriter appends records to this process's current WARC file. It is
// used by the one writer goroutine of a Store (and by Close after it ends);
// mu only guards against a late close.
type warcWriter struct {
	dir     string
	maxSize int64
	noSync  bool
	now     func() time.Time
	log     *slog.Logger

	mu   sync.Mutex
	f    *os.File
	name string // final name, without .open
	size int64
}

func newWARCWriter(dir string, maxSize int64, noSync bool, now func() time.Time, log *slog.Logger) *warcWriter {
	return &warcWriter{dir: dir, maxSize: maxSize, noSync: noSync, now: now, log: log}
}

// appendPair writes a pair (request and metadata after response, then the
// records of any later pages) into one file, never
// splitting it across a rotation. It returns the file's final name, the
// response's offset and the bytes written. A failed write is cut back so
// the file stays a clean sequence of records.
func (w *warcWriter) appendPair(p *warcPair) (name string, offset, n int64, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f != nil && w.size >= w.maxSize {
		if err := w.closeLocked(); err != nil {
			return "", 0, 0, err
		}
	}
	if w.f == nil {
		if err := w.createLocked(); err != nil {
			return "", 0, 0, err
		}
	}
	start := w.size
	_, err = w.f.WriteAt(p.response, start)
	if err == nil && p.request != nil {
		_, err = w.f.WriteAt(p.request, start+int64(len(p.response)))
	}
	if err == nil && p.meta != nil {
		_, err = w.f.WriteAt(p.meta, start+int64(len(p.response)+len(p.request)))
	}
	if err == nil && p.more != nil {
		_, err = w.f.WriteAt(p.more, start+int64(len(p.response)+len(p.request)+len(p.meta)))
	}
	if err != nil {
		if terr := w.f.Truncate(start); terr != nil {
			// The file now ends in garbage: leave it to repair and start afresh.
			w.log.Error("cannot cut back failed warc write; abandoning file", "file", w.name, "err", terr)
			w.f.Close()
			w.f = nil
		}
		return "", 0, 0, fmt.Errorf("write warc %s: %w", w.name, err)
	}
	n = int64(len(p.response) + len(p.request) + len(p.meta) + len(p.more))
	w.size += n
	return w.name, start, n, nil
}

// sync makes what appendPair wrote durable.
func (w *warcWriter) sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil || w.noSync {
		return nil
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync warc %s: %w", w.name, err)
	}
	return nil
}

// fileSeq numbers the WARC files of this process, so two Stores in one
// process (same pid) never pick the same name.
var fileSeq atomic.Int64

// createLocked starts a new file with a warcinfo record. The file is built
// under a hidden temporary name and locked before it appears as .open, so
// repairOpenWARCs never sees a live file unlocked; link(2) fails rather
// than replace an existing name.
func (w *warcWriter) createLocked() error {
	pid := os.Getpid()
	for range 100 {
		name := fmt.Sprintf("annalist-%s-%d-%d.warc.gz", w.now().UTC().Format("20060102150405"), pid, fileSeq.Add(1))
		final := filepath.Join(w.dir, name)
		if _, err := os.Lstat(final); err == nil {
			continue
		}
		tmp := filepath.Join(w.dir, "."+name+".tmp")
		f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("create warc: %w", err)
		}
		fail := func(err error) error {
			f.Close()
			os.Remove(tmp)
			return fmt.Errorf("create warc %s: %w", name, err)
		}
		if ok, err := tryLock(f); !ok && lockSupported {
			return fail(fmt.Errorf("lock: %v", err))
		}
		info, err := buildWarcinfo(name, w.now(), newRecordID())
		if err != nil {
			return fail(err)
		}
		if _, err := f.Write(info); err != nil {
			return fail(err)
		}
		err = os.Link(tmp, final+openSuffix)
		if errors.Is(err, fs.ErrExist) {
			f.Close()
			os.Remove(tmp)
			continue
		}
		if err != nil {
			return fail(err)
		}
		os.Remove(tmp)
		// The new name must be durable before any snapshot points at it.
		if err := syncDir(w.dir); err != nil {
			return fail(err)
		}
		w.f, w.name, w.size = f, name, int64(len(info))
		return nil
	}
	return errors.New("create warc: no free file name")
}

func buildWarcinfo(name string, now time.Time, recordID string) ([]byte, error) {
	b := newRecordBuilder(gowarc.Warcinfo)
	b.AddWarcHeader(gowarc.WarcRecordID, recordID)
	b.AddWarcHeaderTime(gowarc.WarcDate, now.UTC())
	b.AddWarcHeader(gowarc.WarcFilename, name)
	b.AddWarcHeader(gowarc.ContentType, gowarc.ApplicationWarcFields)
	if _, err := b.WriteString("software: annalist\r\nformat: WARC File Format 1.1\r\n" +
		"conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"); err != nil {
		return nil, err
	}
	rec, _, err := b.Build()
	if err != nil {
		return nil, err
	}
	defer rec.Close()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, _, err := gowarc.NewMarshaler().Marshal(zw, rec, 0); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// close finishes the current file, if any.
func (w *warcWriter) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closeLocked()
}

// closeLocked syncs the file, renames it to drop .open and syncs the
// directory so the rename survives a crash.
func (w *warcWriter) closeLocked() error {
	if w.f == nil {
		return nil
	}
	f := w.f
	w.f = nil
	var errs []error
	if !w.noSync {
		if err := f.Sync(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := f.Close(); err != nil {
		errs = append(errs, err)
	}
	final := filepath.Join(w.dir, w.name)
	if err := os.Rename(final+openSuffix, final); err != nil {
		errs = append(errs, err)
	}
	if !w.noSync {
		if err := syncDir(w.dir); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close warc %s: %w", w.name, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// validWARCName reports whether name is a plain file name in the WARC
// directory: no separators, no "..", a .warc or .warc.gz ending.
func validWARCName(name string) bool {
	if name == "" || strings.HasPrefix(name, ".") || !(strings.HasSuffix(name, ".warc.gz") || strings.HasSuffix(name, ".warc")) {
		return false
	}
	for _, r := range name {
		ok := r == '.' || r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return !strings.Contains(name, "..")
}
