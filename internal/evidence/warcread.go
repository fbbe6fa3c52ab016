package evidence

import (
	"bufio"
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

// Record is one record read back from a WARC file.
type Record struct {
	Type          string // "response", "request", "warcinfo", …
	TargetURI     string
	Date          string // WARC-Date as written
	RecordID      string
	ContentType   string
	PayloadDigest string
	Block         []byte // the record's content block (for a response: status line, headers, body)
	Payload       []byte // for HTTP request and response records: the body after the headers
}

// ReadRecord reads the record at offset in file, a name relative to the
// WARC directory dir, as a snapshot stores it. A file still being written (with
// its .open suffix) is found too. Names with path elements are rejected
// with ErrNotFound.
func ReadRecord(ctx context.Context, dir, file string, offset int64) (*Record, error) {
	if !ValidName(file) || offset < 0 {
		return nil, fmt.Errorf("%w: WARC file %q", ErrNotFound, file)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var r *gowarc.WarcFileReader
	var err error
	// The .open file may be renamed between the two tries: look again.
	for _, name := range []string{file, file + OpenSuffix, file} {
		r, err = NewFileReader(filepath.Join(dir, name), offset)
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
		payload = httpBody(block)
	}
	h := wr.WarcHeader()
	return &Record{
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

// RefOffset reports the highest offset in a WARC file (by its final name)
// that a committed snapshot points at; ok is false when none does.
type RefOffset func(final string) (max int64, ok bool, err error)

// RepairOpen finishes the .open files of writers that died: a file we
// can lock has no live writer. Only a torn tail after its last whole record
// is cut, and never below an offset a snapshot points at; a damaged member
// in the middle stays where it is (WARC files are never rewritten). A file
// without a whole record that no snapshot points at is removed. Only a
// writing process repairs (Open, never OpenReadOnly).
func RepairOpen(dir string, refs RefOffset, log *slog.Logger) error {
	if !LockSupported {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("repair warc: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, OpenSuffix):
			if err := repairOpenWARC(dir, name, refs, log); err != nil {
				return err
			}
		case strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".warc.gz.tmp"):
			removeAbandonedTmp(filepath.Join(dir, name), log)
		}
	}
	return nil
}

func repairOpenWARC(dir, name string, refs RefOffset, log *slog.Logger) error {
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // another process repaired it first
	}
	if err != nil {
		return fmt.Errorf("repair warc %s: %w", name, err)
	}
	defer f.Close()
	if ok, _ := TryLock(f); !ok {
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
	final := strings.TrimSuffix(name, OpenSuffix)
	maxRef, referenced, err := refs(final)
	if err != nil {
		return fmt.Errorf("repair warc %s: %w", name, err)
	}
	good, damaged, err := LastWholeRecordEnd(path)
	if err != nil {
		return fmt.Errorf("repair warc %s: %w", name, err)
	}
	for _, d := range damaged {
		log.Error("damaged WARC record left in place (run 'annalist verify')", "file", name, "offset", d.Offset, "end", d.End, "err", d.Err)
	}
	switch {
	case good == 0 && !referenced:
		log.Warn("removing abandoned WARC file without a whole record", "file", name, "size", fst.Size())
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("repair warc %s: %w", name, err)
		}
		return nil
	case good < fst.Size() && referenced && maxRef >= good:
		log.Error("abandoned WARC file ends in damage at a record a snapshot points at; not cut",
			"file", name, "size", fst.Size(), "last_whole_end", good, "referenced_offset", maxRef)
	case good < fst.Size():
		log.Warn("cutting abandoned WARC file back to its last whole record",
			"file", name, "size", fst.Size(), "kept", good)
		if err := f.Truncate(good); err != nil {
			return fmt.Errorf("repair warc %s: %w", name, err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("repair warc %s: %w", name, err)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, final)); err == nil {
		log.Error("cannot close abandoned WARC file: final name taken", "file", name)
		return nil
	}
	if err := os.Rename(path, filepath.Join(dir, final)); err != nil {
		return fmt.Errorf("repair warc %s: %w", name, err)
	}
	log.Info("closed abandoned WARC file", "file", final)
	return SyncDir(dir)
}

// removeAbandonedTmp removes a file a writer died creating.
func removeAbandonedTmp(path string, log *slog.Logger) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	if ok, _ := TryLock(f); ok {
		os.Remove(path)
		log.Info("removed abandoned temporary WARC file", "file", filepath.Base(path))
	}
}

// LastWholeRecordEnd returns the offset just after the last gzip member
// that holds a whole WARC record (damaged members before it do not stop
// the search), and the damaged stretches before that point.
func LastWholeRecordEnd(path string) (int64, []Member, error) {
	var good int64
	var damaged []Member
	err := ScanFile(path, func(m *Member) error {
		if m.Err == nil {
			good = m.End
		} else {
			damaged = append(damaged, *m)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	// The stretch after the last whole record is the torn tail, not damage.
	kept := damaged[:0]
	for _, d := range damaged {
		if d.Offset < good {
			kept = append(kept, d)
		}
	}
	return good, kept, nil
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
