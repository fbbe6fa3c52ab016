package store

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
)

// Stored text columns start with one format byte. Markdown and HTML are
// compressed with the article text as a preset dictionary: they repeat it
// almost word for word, so they shrink to little more than their markup.
const (
	formatDeflate     = 1 // raw deflate
	formatDeflateDict = 2 // raw deflate, dictionary = the snapshot's text
)

// maxDict is deflate's window: a longer dictionary is not used.
const maxDict = 32 << 10

func dictFor(text string) []byte {
	b := []byte(text)
	if len(b) > maxDict {
		b = b[len(b)-maxDict:]
	}
	return b
}

// compressText compresses s; dict may be nil. An empty s is stored as nil.
func compressText(s string, dict []byte) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	var buf bytes.Buffer
	format := byte(formatDeflate)
	if dict != nil {
		format = formatDeflateDict
	}
	buf.WriteByte(format)
	var w *flate.Writer
	var err error
	if dict != nil {
		w, err = flate.NewWriterDict(&buf, flate.BestCompression, dict)
	} else {
		w, err = flate.NewWriter(&buf, flate.BestCompression)
	}
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, s); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decompressText reverses compressText; dict must be the same dictionary.
func decompressText(b []byte, dict []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	var r io.ReadCloser
	switch b[0] {
	case formatDeflate:
		r = flate.NewReader(bytes.NewReader(b[1:]))
	case formatDeflateDict:
		r = flate.NewReaderDict(bytes.NewReader(b[1:]), dict)
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
