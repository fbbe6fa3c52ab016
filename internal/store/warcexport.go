package store

// Reading back a snapshot's records whole, as the gzip members they were
// written as, for export: copying the members unchanged keeps every digest
// and the one-member-per-record layout other tools index by offset.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"annalist/internal/evidence"
)

// RawRecord is one WARC record of a snapshot: its gzip member as stored,
// and the headers an index needs.
type RawRecord struct {
	Type, RecordID, TargetURI, Date, ContentType string
	ConcurrentTo, RefersTo                       string
	PayloadDigest                                string
	Block                                        []byte // the record's content block, decompressed
	Member                                       []byte // the gzip member, byte for byte as in the archive
}

// SnapshotRecords are the records stored for one snapshot, in the order
// written: page 1's response, its request and the snapshot's metadata
// record, then the response and request of each later page.
type SnapshotRecords struct {
	SnapshotID string
	ArticleID  string
	Title      string
	CapturedAt time.Time
	WARCFile   string
	WARCOffset int64
	Records    []RawRecord
}

// SnapshotRecords reads the records of the snapshot with the given ID
// from its WARC file. ErrNotFound for an unknown snapshot, or one whose
// WARC file is gone; an error naming the file and offset when the record
// there is damaged or is not the snapshot's response.
func (s *Store) SnapshotRecords(ctx context.Context, snapshotID string) (*SnapshotRecords, error) {
	out := &SnapshotRecords{SnapshotID: snapshotID}
	var captured, recordID string
	var pages int
	err := s.rdb.QueryRowContext(ctx, `SELECT article_id, title, captured_at, warc_file, warc_offset, warc_record_id, pages
		FROM snapshots WHERE id = ?`, snapshotID).Scan(&out.ArticleID, &out.Title, &captured, &out.WARCFile, &out.WARCOffset, &recordID, &pages)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: snapshot %q", ErrNotFound, snapshotID)
	}
	if err != nil {
		return nil, fmt.Errorf("read snapshot %s: %w", snapshotID, err)
	}
	if out.CapturedAt, err = parseTime(captured); err != nil {
		return nil, fmt.Errorf("read snapshot %s: %w", snapshotID, err)
	}
	if !evidence.ValidName(out.WARCFile) || out.WARCOffset < 0 {
		return nil, fmt.Errorf("%w: snapshot %s has no WARC record (file %q)", ErrNotFound, snapshotID, out.WARCFile)
	}
	f, err := s.openWARC(out.WARCFile)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", snapshotID, err)
	}
	defer f.Close()
	where := func(off int64) string { return fmt.Sprintf("WARC file %s at offset %d", out.WARCFile, off) }
	off := out.WARCOffset
	first, end, err := evidence.ReadMemberAt(f, off)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %s: %w", snapshotID, where(off), err)
	}
	if first.Type != "response" || (recordID != "" && first.RecordID != recordID) {
		return nil, fmt.Errorf("snapshot %s: %s: a %s record %s, not the snapshot's response %s",
			snapshotID, where(off), first.Type, first.RecordID, recordID)
	}
	add := func(r *evidence.ScannedRecord, from, to int64) error {
		member := make([]byte, to-from)
		if _, err := f.ReadAt(member, from); err != nil {
			return fmt.Errorf("snapshot %s: %s: %w", snapshotID, where(from), err)
		}
		out.Records = append(out.Records, RawRecord{
			Type: r.Type, RecordID: r.RecordID, TargetURI: r.TargetURI, Date: r.Date, ContentType: r.ContentType,
			ConcurrentTo: r.ConcurrentTo, RefersTo: r.RefersTo, PayloadDigest: r.PayloadDigest,
			Block: r.Block, Member: member,
		})
		return nil
	}
	if err := add(first, off, end); err != nil {
		return nil, err
	}
	// The records after the response belong to the snapshot while they
	// point at it (request, metadata) or are its later pages' responses
	// and their requests; anything else is the next capture's.
	responses, lastResponse := 1, first.RecordID
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: stat WARC file %s: %w", snapshotID, out.WARCFile, err)
	}
	for off = end; off < st.Size(); off = end {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var r *evidence.ScannedRecord
		r, end, err = evidence.ReadMemberAt(f, off)
		if err != nil {
			if responses < max(pages, 1) {
				return nil, fmt.Errorf("snapshot %s: page %d of %d: %s: %w", snapshotID, responses+1, pages, where(off), err)
			}
			// Damage after the snapshot's records is another capture's
			// concern, but not damage among them: a record of this
			// snapshot after it says the damaged one was ours too.
			if _, next, _ := evidence.NextWholeMember(f, off+1, st.Size()); next != nil &&
				(next.ConcurrentTo == lastResponse || next.RefersTo == first.RecordID) {
				return nil, fmt.Errorf("snapshot %s: a record among its own: %s: %w", snapshotID, where(off), err)
			}
			break
		}
		mine := false
		switch r.Type {
		case "request":
			mine = r.ConcurrentTo == lastResponse
		case "metadata":
			mine = r.RefersTo == first.RecordID
		case "response":
			if responses < pages {
				mine = true
				responses++
				lastResponse = r.RecordID
			}
		}
		if !mine {
			break
		}
		if err := add(r, off, end); err != nil {
			return nil, err
		}
	}
	if responses < max(pages, 1) {
		return nil, fmt.Errorf("snapshot %s: %s: %d of its %d pages' responses found", snapshotID, out.WARCFile, responses, pages)
	}
	return out, nil
}

// openWARC opens a WARC file by its final name, or under its .open name
// while it is still being written.
func (s *Store) openWARC(name string) (*os.File, error) {
	var err error
	// The .open file may be renamed between the two tries: look again.
	for _, n := range []string{name, name + evidence.OpenSuffix, name} {
		var f *os.File
		f, err = os.Open(filepath.Join(s.WARCDir(), n))
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("open WARC file %s: %w", name, err)
		}
	}
	return nil, fmt.Errorf("%w: WARC file %q", ErrNotFound, name)
}

// WarcinfoRecord builds a warcinfo record, gzipped as its own member, for
// the start of a WARC file named name (an export's). An empty recordID
// draws a random one; a given one makes the record the same bytes every
// time (an export served by byte range must not change between requests).
func WarcinfoRecord(name string, now time.Time, recordID string) ([]byte, error) {
	// The name is a header value: a CR or LF in it (a file named so by
	// the user) would end the header and forge others.
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '_'
		}
		return r
	}, name)
	return evidence.BuildWarcinfo(name, now, recordID)
}

// DerivedRecordID is a UUID URN (version 5 layout) derived from key: the
// same key gives the same record ID.
func DerivedRecordID(key string) string {
	sum := sha256.Sum256([]byte(key))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return "<urn:uuid:" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:] + ">"
}
