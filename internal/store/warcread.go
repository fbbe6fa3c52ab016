package store

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/nlnwa/gowarc/v3"
)

// WARCRecord is one record read back from a WARC file.
type WARCRecord struct {
	Type          string // "response", "request", "warcinfo", …
	TargetURI     string
	Date          string // WARC-Date as written
	RecordID      string
	ContentType   string
	PayloadDigest string
	Block         []byte // the record's content block (for a response: status line, headers, body)
	Payload       []byte // for HTTP request and response records: the body after the headers
}

// ReadWARCRecord reads the record at offset in file, a name relative to
// WARCDir as stored in Snapshot.WARCFile. A file still being written (with
// its .open suffix) is found too. Names with path elements are rejected
// with ErrNotFound.
func (s *Store) ReadWARCRecord(ctx context.Context, file string, offset int64) (*WARCRecord, error) {
	if !validWARCName(file) || offset < 0 {
		return nil, fmt.Errorf("%w: WARC file %q", ErrNotFound, file)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir := s.WARCDir()
	var r *gowarc.WarcFileReader
	var err error
	// The .open file may be renamed between the two tries: look again.
	for _, name := range []string{file, file + openSuffix, file} {
		r, err = newWARCFileReader(filepath.Join(dir, name), offset)
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: WARC file %q", ErrNotFound, file)
	}
	if err != nil {
		return nil, fmt.Errorf("read warc %s: %w", file, err)
	}
	defer r.Close()
	rec, err := r.Next()
	if err != nil {
		return nil, fmt.Errorf("read warc %s@%d: %w", file, offset, err)
	}
	defer rec.Close()
	if rec.Offset != offset {
		return nil, fmt.Errorf("read warc %s@%d: no record starts there", file, offset)
	}
	wr := rec.WarcRecord
	raw, err := wr.Block().RawBytes()
	if err != nil {
		return nil, fmt.Errorf("read warc %s@%d: %w", file, offset, err)
	}
	block, err := io.ReadAll(raw)
	if err != nil {
		return nil, fmt.Errorf("read warc %s@%d: %w", file, offset, err)
	}
	var payload []byte
	if _, ok := wr.Block().(gowarc.ProtocolHeaderBlock); ok {
		if i := bytes.Index(block, []byte("\r\n\r\n")); i >= 0 {
			payload = block[i+4:]
		}
	}
	h := wr.WarcHeader()
	return &WARCRecord{
		Type:          wr.Type().String(),
		TargetURI:     h.Get(gowarc.WarcTargetURI),
		Date:          h.Get(gowarc.WarcDate),
		RecordID:      h.Get(gowarc.WarcRecordID),
		ContentType:   h.Get(gowarc.ContentType),
		PayloadDigest: h.Get(gowarc.WarcPayloadDigest),
		Block:         block,
		Payload:       payload,
	}, nil
}

// repairOpenWARCs finishes the .open files of writers that died: a file we
// can lock has no live writer. It is cut back to the end of its last whole
// record and renamed; one without a whole record is removed.
func repairOpenWARCs(dir string, log *slog.Logger) error {
	if !lockSupported {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("repair warc: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, openSuffix):
			if err := repairOpenWARC(dir, name, log); err != nil {
				return err
			}
		case strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".warc.gz.tmp"):
			removeAbandonedTmp(filepath.Join(dir, name), log)
		}
	}
	return nil
}

func repairOpenWARC(dir, name string, log *slog.Logger) error {
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // another process repaired it first
	}
	if err != nil {
		return fmt.Errorf("repair warc %s: %w", name, err)
	}
	defer f.Close()
	if ok, _ := tryLock(f); !ok {
		return nil // a live writer
	}
	// Someone may have repaired and renamed it between our open and lock.
	if st, err := os.Stat(path); err != nil {
		return nil
	} else if fst, err := f.Stat(); err != nil || !os.SameFile(st, fst) {
		return nil
	}
	fst, err := f.Stat()
	if err != nil {
		return fmt.Errorf("repair warc %s: %w", name, err)
	}
	good, err := lastWholeRecordEnd(f)
	if err != nil {
		return fmt.Errorf("repair warc %s: %w", name, err)
	}
	if good == 0 {
		log.Warn("removing abandoned WARC file without a whole record", "file", name, "size", fst.Size())
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("repair warc %s: %w", name, err)
		}
		return nil
	}
	if good < fst.Size() {
		log.Warn("cutting abandoned WARC file back to its last whole record",
			"file", name, "size", fst.Size(), "kept", good)
		if err := f.Truncate(good); err != nil {
			return fmt.Errorf("repair warc %s: %w", name, err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("repair warc %s: %w", name, err)
		}
	}
	final := strings.TrimSuffix(name, openSuffix)
	if _, err := os.Lstat(filepath.Join(dir, final)); err == nil {
		log.Error("cannot close abandoned WARC file: final name taken", "file", name)
		return nil
	}
	if err := os.Rename(path, filepath.Join(dir, final)); err != nil {
		return fmt.Errorf("repair warc %s: %w", name, err)
	}
	log.Info("closed abandoned WARC file", "file", final)
	return syncDir(dir)
}

// removeAbandonedTmp removes a file a writer died creating.
func removeAbandonedTmp(path string, log *slog.Logger) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	if ok, _ := tryLock(f); ok {
		os.Remove(path)
		log.Info("removed abandoned temporary WARC file", "file", filepath.Base(path))
	}
}

// lastWholeRecordEnd returns the offset just after the last gzip member
// that decompresses completely and holds a whole WARC record.
func lastWholeRecordEnd(f *os.File) (int64, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	cr := &countingReader{r: bufio.NewReader(f)}
	var zr gzip.Reader
	var good int64
	for {
		if err := zr.Reset(cr); err != nil {
			return good, nil
		}
		zr.Multistream(false)
		data, err := io.ReadAll(&zr)
		if err != nil || !wholeRecord(data) {
			return good, nil
		}
		good = cr.n
	}
}

// wholeRecord reports whether data is one WARC record with its whole block.
func wholeRecord(data []byte) bool {
	u := newUnmarshaler(gowarc.WithSkipParseBlock())
	rec, _, _, err := u.Unmarshal(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		return false
	}
	defer rec.Close()
	want, err := rec.WarcHeader().GetInt64(gowarc.ContentLength)
	if err != nil {
		return false
	}
	raw, err := rec.Block().RawBytes()
	if err != nil {
		return false
	}
	n, err := io.Copy(io.Discard, raw)
	return err == nil && n == want
}

// countingReader counts bytes taken from r. It is an io.ByteReader so that
// gzip and flate read from it directly and stop exactly at a member's end.
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}
