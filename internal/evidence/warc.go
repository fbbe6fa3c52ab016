package evidence

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

const OpenSuffix = ".open"

// Pair is a response record and its request record, each already a
// complete gzip member, built before the writer goroutine needs them.
type Pair struct {
	Response      []byte
	Request       []byte // nil when the page carried no raw request
	Meta          []byte // the snapshot's metadata record (warcmeta.go); nil in tests of old archives
	Target        string // WARC-Target-URI
	RecordID      string // of the response, "<urn:uuid:…>"
	PayloadDigest string
	// more holds the records of a paginated article's later pages (each
	// response then its request, every record its own gzip member),
	// written right after the pair.
	More []byte
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

func NewFileReader(path string, offset int64, opts ...gowarc.WarcRecordOption) (*gowarc.WarcFileReader, error) {
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

// recordOptions are used for the records gowarc builds (warcinfo; the
// others are written by buildRecord): SHA-1 digests in Base32 as other
// WARC tools expect, computed by gowarc.
func recordOptions() []gowarc.WarcRecordOption {
	return []gowarc.WarcRecordOption{
		gowarc.WithAddMissingDigest(true),
		gowarc.WithDefaultDigestAlgorithm("sha1"),
		gowarc.WithBufferMaxMemBytes(64 << 20),
	}
}

// BuildPair builds the WARC records of one fetch.
func BuildPair(p *Page) (*Pair, error) {
	target := p.FinalURL
	if target == "" {
		target = p.FetchURL
	}
	resp, err := buildRecord(gowarc.Response, target, p.CapturedAt, "application/http; msgtype=response", "", "",
		responseHead(p), p.Body)
	if err != nil {
		return nil, fmt.Errorf("build warc response: %w", err)
	}
	pair := &Pair{Response: resp.gz, Target: target, RecordID: resp.id, PayloadDigest: resp.payloadDigest}
	if len(p.RawRequest) > 0 {
		req, err := buildRecord(gowarc.Request, target, p.CapturedAt, "application/http; msgtype=request", resp.id, "",
			p.RawRequest)
		if err != nil {
			return nil, fmt.Errorf("build warc request: %w", err)
		}
		pair.Request = req.gz
	}
	for i := range p.MorePages {
		recs, err := buildMore(&p.MorePages[i], p.CapturedAt)
		if err != nil {
			return nil, fmt.Errorf("build warc records of page %d: %w", i+2, err)
		}
		pair.More = append(pair.More, recs...)
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
		responseHead(&Page{Proto: r.Proto, StatusCode: r.StatusCode, Header: r.Header, Body: r.Body}), r.Body)
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

// responseHead is the start of the HTTP response as stored: status line,
// headers, blank line; the body follows it in the record (written after it
// rather than copied into one block with it: one copy of each page less). Body is the decoded entity, so headers describing an encoding
// that is no longer there are kept under X-Archive-Orig- names (as pywb
// does), where a replay tool will not act on them.
func responseHead(p *Page) []byte {
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
	b.Grow(1024)
	fmt.Fprintf(&b, "%s %d %s\r\n", proto, code, http.StatusText(code))
	_ = h.Write(&b)
	b.WriteString("\r\n")
	return b.Bytes()
}

// warcLevel is the gzip level of WARC records, chosen on the
// extraction-dev pages (gzipped body over raw, µs of CPU a page on one
// thread, interleaved rounds): level 1 0.228, 859 µs; level 2 0.221,
// 1000 µs; level 5 0.198, 1344 µs. Compression was the largest cost of
// ingest after parsing; level 1 keeps the whole archive near 0.3 of the
// raw HTML (issue 10's bound: 0.35) for a third less of that CPU.
const warcLevel = 1

// gzippers reuses gzip writers, whose tables cost more to build than a
// record costs to compress.
var gzippers = sync.Pool{New: func() any {
	w, err := kgzip.NewWriterLevel(io.Discard, warcLevel)
	if err != nil {
		panic(err) // only for an invalid level
	}
	return w
}}

// Writer appends records to this process's current WARC file. It is
// used by the one writer goroutine of a Store (and by Close after it ends);
// mu only guards against a late close.
type Writer struct {
	dir     string
	maxSize int64
	noSync  bool
	now     func() time.Time
	log     *slog.Logger
	// Worker, when set, goes into every file name, so that workers sharing
	// one WARC directory (on a shared file system) name their files apart
	// even when their pids and clocks agree. Set before the first Append.
	Worker string

	mu   sync.Mutex
	f    *os.File
	name string // final name, without .open
	size int64
}

func NewWriter(dir string, maxSize int64, noSync bool, now func() time.Time, log *slog.Logger) *Writer {
	return &Writer{dir: dir, maxSize: maxSize, noSync: noSync, now: now, log: log}
}

// appendPair writes a pair (request and metadata after response, then the
// records of any later pages) into one file, never
// splitting it across a rotation. It returns the file's final name, the
// response's offset and the bytes written. A failed write is cut back so
// the file stays a clean sequence of records.
func (w *Writer) Append(p *Pair) (name string, offset, n int64, err error) {
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
	_, err = w.f.WriteAt(p.Response, start)
	if err == nil && p.Request != nil {
		_, err = w.f.WriteAt(p.Request, start+int64(len(p.Response)))
	}
	if err == nil && p.Meta != nil {
		_, err = w.f.WriteAt(p.Meta, start+int64(len(p.Response)+len(p.Request)))
	}
	if err == nil && p.More != nil {
		_, err = w.f.WriteAt(p.More, start+int64(len(p.Response)+len(p.Request)+len(p.Meta)))
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
	n = int64(len(p.Response) + len(p.Request) + len(p.Meta) + len(p.More))
	w.size += n
	return w.name, start, n, nil
}

// sync makes what appendPair wrote durable.
func (w *Writer) Sync() error {
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
// RepairOpen never sees a live file unlocked; link(2) fails rather
// than replace an existing name.
func (w *Writer) createLocked() error {
	pid := os.Getpid()
	for range 100 {
		name := fmt.Sprintf("annalist-%s-%d-%d.warc.gz", w.now().UTC().Format("20060102150405"), pid, fileSeq.Add(1))
		if w.Worker != "" {
			name = fmt.Sprintf("annalist-%s-%s-%d-%d.warc.gz", w.Worker, w.now().UTC().Format("20060102150405"), pid, fileSeq.Add(1))
		}
		if !ValidName(name) {
			return fmt.Errorf("create warc: worker ID %q does not make a plain file name", w.Worker)
		}
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
		if ok, err := TryLock(f); !ok && LockSupported {
			return fail(fmt.Errorf("lock: %v", err))
		}
		info, err := BuildWarcinfo(name, w.now(), newRecordID())
		if err != nil {
			return fail(err)
		}
		if _, err := f.Write(info); err != nil {
			return fail(err)
		}
		err = os.Link(tmp, final+OpenSuffix)
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
		if err := SyncDir(w.dir); err != nil {
			return fail(err)
		}
		w.f, w.name, w.size = f, name, int64(len(info))
		return nil
	}
	return errors.New("create warc: no free file name")
}

// BuildWarcinfo builds a warcinfo record for the start of the WARC file
// named name, gzipped as its own member, with the given record ID ("" =
// a random one).
func BuildWarcinfo(name string, now time.Time, recordID string) ([]byte, error) {
	if recordID == "" {
		recordID = newRecordID()
	}
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
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closeLocked()
}

// closeLocked syncs the file, renames it to drop .open and syncs the
// directory so the rename survives a crash.
func (w *Writer) closeLocked() error {
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
	if err := os.Rename(final+OpenSuffix, final); err != nil {
		errs = append(errs, err)
	}
	if !w.noSync {
		if err := SyncDir(w.dir); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close warc %s: %w", w.name, err)
	}
	return nil
}

func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ValidName reports whether name is a plain file name in the WARC
// directory: no separators, no "..", a .warc or .warc.gz ending.
func ValidName(name string) bool {
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
