package evidence

// Reading WARC files member by member, past damage: each record is its own
// gzip member, so a damaged member is skipped by looking for the next gzip
// header that starts a whole record. Used by repair, verify and reindex;
// knows no SQL.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"

	"github.com/nlnwa/gowarc/v3"
)

// Member is one stretch of a WARC file: a gzip member holding a whole
// record, or (Err set) bytes that are not one: a damaged member, or a torn
// tail after the last whole record.
type Member struct {
	Offset, End int64
	Err         error
	Rec         *ScannedRecord // nil when Err is set
}

// ScannedRecord is a record as read by the scanner.
type ScannedRecord struct {
	Type, RecordID, TargetURI, Date, ContentType string
	ConcurrentTo, RefersTo                       string
	BlockDigest, PayloadDigest                   string
	Block                                        []byte
}

// payload is the HTTP body of a request or response record's block.
func (r *ScannedRecord) Payload() []byte {
	if !strings.HasPrefix(r.ContentType, "application/http") {
		return nil
	}
	return httpBody(r.Block)
}

// checkDigests compares the record's block and payload digests with its
// bytes; "" when they match or are absent.
func (r *ScannedRecord) CheckDigests() string {
	var bad []string
	if r.BlockDigest != "" && !digestMatches(r.BlockDigest, r.Block) {
		bad = append(bad, "block digest mismatch")
	}
	if r.PayloadDigest != "" {
		if p := r.Payload(); p != nil && !digestMatches(r.PayloadDigest, p) {
			bad = append(bad, "payload digest mismatch")
		}
	}
	return strings.Join(bad, ", ")
}

// digestMatches checks a WARC digest ("sha1:BASE32", "sha256:…", base32 or hex).
func digestMatches(digest string, data []byte) bool {
	alg, want, ok := strings.Cut(digest, ":")
	if !ok {
		return false
	}
	var h hash.Hash
	switch strings.ToLower(alg) {
	case "sha1":
		h = sha1.New()
	case "sha256":
		h = sha256.New()
	default:
		return true // an algorithm we cannot check is not damage
	}
	h.Write(data)
	sum := h.Sum(nil)
	return strings.EqualFold(want, base32.StdEncoding.EncodeToString(sum)) || strings.EqualFold(want, hex.EncodeToString(sum))
}

// ScanFile calls fn for every member of the file at path, in order,
// damaged stretches included; it stops early when fn returns an error.
func ScanFile(path string, fn func(m *Member) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	var pos int64
	for pos < size {
		rec, end, err := ReadMemberAt(f, pos)
		if err == nil {
			if err := fn(&Member{Offset: pos, End: end, Rec: rec}); err != nil {
				return err
			}
			pos = end
			continue
		}
		// Damaged: the stretch runs to the next whole record, if any.
		next, nrec, nend := NextWholeMember(f, pos+1, size)
		if next < 0 {
			return fn(&Member{Offset: pos, End: size, Err: err})
		}
		if err := fn(&Member{Offset: pos, End: next, Err: err}); err != nil {
			return err
		}
		if err := fn(&Member{Offset: next, End: nend, Rec: nrec}); err != nil {
			return err
		}
		pos = nend
	}
	return nil
}

// ReadMemberAt reads the gzip member at off and parses it as one whole
// WARC record; it returns the record and the offset just past the member.
func ReadMemberAt(f *os.File, off int64) (*ScannedRecord, int64, error) {
	cr := &countingReader{r: bufio.NewReader(io.NewSectionReader(f, off, 1<<62))}
	var zr gzip.Reader
	if err := zr.Reset(cr); err != nil {
		return nil, 0, fmt.Errorf("no gzip member: %w", err)
	}
	zr.Multistream(false)
	data, err := io.ReadAll(&zr)
	if err != nil {
		return nil, 0, fmt.Errorf("gzip member does not decompress: %w", err)
	}
	rec, err := parseRecord(data)
	if err != nil {
		return nil, 0, err
	}
	return rec, off + cr.n, nil
}

// NextWholeMember looks from off for a gzip header that starts a whole
// record; next is -1 when there is none before size.
func NextWholeMember(f *os.File, off, size int64) (next int64, rec *ScannedRecord, end int64) {
	magic := []byte{0x1f, 0x8b, 0x08}
	buf := make([]byte, 64<<10)
	for off < size {
		n, _ := f.ReadAt(buf, off)
		if n <= 0 {
			return -1, nil, 0
		}
		chunk := buf[:n]
		from := 0
		for {
			i := bytes.Index(chunk[from:], magic)
			if i < 0 {
				break
			}
			cand := off + int64(from+i)
			if r, e, err := ReadMemberAt(f, cand); err == nil {
				return cand, r, e
			}
			from += i + 1
		}
		if n < len(magic) {
			return -1, nil, 0
		}
		off += int64(n - (len(magic) - 1)) // a header may straddle chunks
	}
	return -1, nil, 0
}

// parseRecord parses one whole WARC record (header and complete block).
func parseRecord(data []byte) (*ScannedRecord, error) {
	u := newUnmarshaler(gowarc.WithSkipParseBlock())
	wr, _, _, err := u.Unmarshal(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		return nil, fmt.Errorf("not a WARC record: %w", err)
	}
	defer wr.Close()
	h := wr.WarcHeader()
	want, err := h.GetInt64(gowarc.ContentLength)
	if err != nil {
		return nil, fmt.Errorf("WARC record without Content-Length: %w", err)
	}
	raw, err := wr.Block().RawBytes()
	if err != nil {
		return nil, fmt.Errorf("WARC record block: %w", err)
	}
	block, err := io.ReadAll(raw)
	if err != nil {
		return nil, fmt.Errorf("WARC record block: %w", err)
	}
	if int64(len(block)) != want {
		return nil, errors.New("WARC record block shorter than its Content-Length")
	}
	return &ScannedRecord{
		Type:          wr.Type().String(),
		RecordID:      h.Get(gowarc.WarcRecordID),
		TargetURI:     h.Get(gowarc.WarcTargetURI),
		Date:          h.Get(gowarc.WarcDate),
		ContentType:   h.Get(gowarc.ContentType),
		ConcurrentTo:  h.Get(gowarc.WarcConcurrentTo),
		RefersTo:      h.Get(gowarc.WarcRefersTo),
		BlockDigest:   h.Get(gowarc.WarcBlockDigest),
		PayloadDigest: h.Get(gowarc.WarcPayloadDigest),
		Block:         block,
	}, nil
}
