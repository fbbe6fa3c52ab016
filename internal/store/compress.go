package store

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	kflate "github.com/klauspost/compress/flate"
)

// Stored text columns start with one format byte. Deflate with a preset
// dictionary stores what the dictionary already holds almost for free:
// the article text is a slice of the page's raw HTML (which the WARC file
// keeps anyway), and Markdown and HTML repeat the text word for word (HTML
// is stored against the page instead when that is smaller: often it is the
// page's own markup).
const (
	formatDeflate     = 1 // raw deflate
	formatDeflateDict = 2 // raw deflate, dictionary = the snapshot's text
	formatDeflateBody = 3 // uvarint offset, uvarint length, raw deflate with dictionary = payload[offset:offset+length]
)

// errNeedBody is returned by decompressText for formatDeflateBody blobs
// when no payload was given.
var errNeedBody = errors.New("store: stored text needs the WARC payload")

// maxDict is deflate's window: a longer dictionary is not used.
const maxDict = 32 << 10

// dictFor returns the last maxDict bytes of text, or nil for "".
func dictFor(text string) []byte {
	b := []byte(text)
	if len(b) > maxDict {
		b = b[len(b)-maxDict:]
	}
	if len(b) == 0 {
		return nil
	}
	return b
}

// bodyWindow picks the slice of body to use as dictionary for text: the
// stretch from where the text starts to where it ends, at most maxDict.
// Text longer than about 30 KB gains only on its first 30 KB.
func bodyWindow(text string, body []byte) (off, n int) {
	probe := func(s string) []byte {
		b := []byte(s)
		if len(b) > 24 {
			b = b[:24]
		}
		return b
	}
	trimmed := bytes.TrimSpace([]byte(text))
	start := 0
	if len(trimmed) >= 8 {
		if i := bytes.Index(body, probe(string(trimmed))); i >= 0 {
			start = i
		}
	}
	end := len(body)
	if len(trimmed) >= 24 {
		tail := trimmed[len(trimmed)-24:]
		if i := bytes.LastIndex(body, tail); i >= start {
			end = i + len(tail)
		}
	}
	// Anchor a long stretch at its start: deflate reaches back only 32 KB,
	// so the text's beginning is what the dictionary can serve.
	if end-start > maxDict {
		end = start + maxDict
	}
	return start, end - start
}

// compressText compresses s; dict may be nil. An empty s is stored as nil.
func compressText(s string, dict []byte) ([]byte, error) {
	format := byte(formatDeflate)
	if dict != nil {
		format = formatDeflateDict
	}
	return deflate(s, []byte{format}, dict)
}

// compressWithBody compresses text against the part of body it came from.
func compressWithBody(text string, body []byte) ([]byte, error) {
	if len(body) == 0 {
		return compressText(text, nil)
	}
	off, n := bodyWindow(text, body)
	hdr := []byte{formatDeflateBody}
	hdr = binary.AppendUvarint(hdr, uint64(off))
	hdr = binary.AppendUvarint(hdr, uint64(n))
	return deflate(text, hdr, body[off:off+n])
}

// compressBest compresses s against the snapshot's text dictionary or
// against the part of body it matches, whichever is smaller: extracted
// HTML is often the page's own markup, which the text dictionary lacks.
func compressBest(s string, dict, body []byte) ([]byte, error) {
	z, err := compressText(s, dict)
	if err != nil || len(body) == 0 || len(z) == 0 {
		return z, err
	}
	zb, err := compressWithBody(s, body)
	if err != nil || len(zb) >= len(z) {
		return z, err
	}
	return zb, nil
}

// textLevel is the deflate level of stored texts: on the extraction-dev
// pages klauspost's level 2 stores text, Markdown and HTML in 1.2% of the
// raw page against level 6's 1.1%, for about 60% of its CPU (124 vs 202
// µs a page, one thread, interleaved rounds); level 1 is no faster.
const textLevel = 2

// deflaters reuses compressors: building one allocates ~1 MB of tables,
// which cost more than compressing a page.
var deflaters = sync.Pool{New: func() any {
	w, err := kflate.NewWriter(io.Discard, textLevel)
	if err != nil {
		panic(err) // only for an invalid level
	}
	return w
}}

// deflate compresses s (raw deflate, readable by compress/flate) after hdr,
// with dict as the preset dictionary when not nil.
func deflate(s string, hdr, dict []byte) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	var buf bytes.Buffer
	buf.Grow(len(hdr) + len(s)/3 + 64)
	buf.Write(hdr)
	w := deflaters.Get().(*kflate.Writer)
	defer deflaters.Put(w)
	w.ResetDict(&buf, dict)
	if _, err := io.WriteString(w, s); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// needsBody reports whether decompressText needs the WARC payload for b.
func needsBody(b []byte) bool { return len(b) > 0 && b[0] == formatDeflateBody }

// decompressText reverses compressText and compressWithBody: dict is the
// text dictionary for formatDeflateDict, body the WARC payload for
// formatDeflateBody.
func decompressText(b []byte, dict, body []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	var r io.ReadCloser
	switch b[0] {
	case formatDeflate:
		r = flate.NewReader(bytes.NewReader(b[1:]))
	case formatDeflateDict:
		r = flate.NewReaderDict(bytes.NewReader(b[1:]), dict)
	case formatDeflateBody:
		if body == nil {
			return "", errNeedBody
		}
		rest := b[1:]
		off, k := binary.Uvarint(rest)
		if k <= 0 {
			return "", errors.New("decompress: bad header")
		}
		rest = rest[k:]
		n, k := binary.Uvarint(rest)
		if k <= 0 || off+n > uint64(len(body)) {
			return "", errors.New("decompress: bad header or payload too short")
		}
		r = flate.NewReaderDict(bytes.NewReader(rest[k:]), body[off:off+n])
	default:
		return "", fmt.Errorf("decompress: unknown format %d", b[0])
	}
	defer r.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("decompress: %w", err)
	}
	return string(out), nil
}
