package evidence

import (
	"bytes"
	"crypto/sha1"
	"encoding/base32"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	kgzip "github.com/klauspost/compress/gzip"
	"github.com/nlnwa/gowarc/v3"
)

// Records are written here rather than with gowarc's record builder
// (issue 10): its Build copies the block into a buffer, parses it and
// reads it again to compute the digests, and its marshaler copies it once
// more, about a fifth of the CPU of storing a page, while a record is a
// dozen header lines before bytes we already hold. The header is the one
// gowarc wrote (same fields, order and formats); reading stays gowarc's,
// and the tests read every record back with it and recompute the digests.

type builtRecord struct {
	gz            []byte
	id            string
	payloadDigest string
}

// buildRecord builds one WARC/1.1 record and gzips it as its own member.
// concurrentTo and refersTo name a related record ("" for none). The
// block is the parts one after the other; an application/http block gets
// a payload digest of what follows its HTTP header.
func buildRecord(typ gowarc.RecordType, target string, date time.Time, contentType, concurrentTo, refersTo string, block ...[]byte) (*builtRecord, error) {
	size := 0
	for _, part := range block {
		size += len(part)
	}
	isHTTP := strings.HasPrefix(contentType, "application/http")
	if isHTTP && size < 4 {
		return nil, errors.New("build warc record: not an http block")
	}
	blockDigest, payloadDigest := digests(isHTTP, block)
	id := newRecordID()
	fields := [...][2]string{
		{gowarc.WarcType, typ.String()},
		{gowarc.WarcRecordID, id},
		{gowarc.WarcTargetURI, target},
		{gowarc.WarcDate, date.UTC().Format(time.RFC3339Nano)},
		{gowarc.ContentType, contentType},
		{gowarc.WarcConcurrentTo, concurrentTo},
		{gowarc.WarcRefersTo, refersTo},
		{gowarc.ContentLength, strconv.Itoa(size)},
		{gowarc.WarcBlockDigest, blockDigest},
		{gowarc.WarcPayloadDigest, payloadDigest},
	}
	head := make([]byte, 0, 512)
	head = append(head, "WARC/1.1\r\n"...)
	for _, f := range fields {
		if f[1] == "" {
			continue
		}
		// A line break in a value would end the header early.
		if strings.ContainsAny(f[1], "\r\n") {
			return nil, fmt.Errorf("build warc record: line break in %s %q", f[0], f[1])
		}
		head = append(head, f[0]...)
		head = append(head, ": "...)
		head = append(head, f[1]...)
		head = append(head, "\r\n"...)
	}
	head = append(head, "\r\n"...)

	var buf bytes.Buffer
	buf.Grow(size/3 + len(head) + 64)
	zw := gzippers.Get().(*kgzip.Writer)
	defer gzippers.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(head); err != nil {
		return nil, err
	}
	for _, part := range block {
		if _, err := zw.Write(part); err != nil {
			return nil, err
		}
	}
	if _, err := zw.Write([]byte("\r\n\r\n")); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return &builtRecord{gz: buf.Bytes(), id: id, payloadDigest: payloadDigest}, nil
}

// digests returns the block's SHA-1 digest and, for an HTTP block, its
// payload's, labelled and in Base32 as WARC tools expect.
func digests(isHTTP bool, block [][]byte) (blockDigest, payloadDigest string) {
	h := sha1.New()
	for _, part := range block {
		h.Write(part)
	}
	blockDigest = sha1Label(h.Sum(nil))
	if !isHTTP {
		return blockDigest, ""
	}
	h.Reset()
	for _, part := range httpPayload(block) {
		h.Write(part)
	}
	return blockDigest, sha1Label(h.Sum(nil))
}

func sha1Label(sum []byte) string {
	return "sha1:" + base32.StdEncoding.EncodeToString(sum)
}

// httpBody is the payload of an HTTP block held whole: what follows its
// header, ended as httpPayload ends it (so a payload digest is checked on
// the bytes it was computed on); nil when the header never ends.
func httpBody(block []byte) []byte {
	if p := httpPayload([][]byte{block}); p != nil {
		return p[0]
	}
	return nil
}

// httpPayload returns the parts of an HTTP block after its header. The
// header ends as gowarc's reader ends it, so that the payload digest is
// the one it checks: after the first line shorter than 3 bytes ("\r\n");
// with no such line the whole block is header.
func httpPayload(block [][]byte) [][]byte {
	line := 0 // bytes of the current line seen so far
	for i, part := range block {
		for j := 0; j < len(part); {
			k := bytes.IndexByte(part[j:], '\n')
			if k < 0 {
				line += len(part) - j
				break
			}
			line += k + 1
			j += k + 1
			if line < 3 {
				return append([][]byte{part[j:]}, block[i+1:]...)
			}
			line = 0
		}
	}
	return nil
}
