package feed

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
)

// prepare returns data in a form gofeed parses: UTF-16 transcoded, byte order
// mark removed, illegal C0 control bytes dropped, and the text either valid
// UTF-8 (with an XML declaration saying so) or left in the legacy charset
// its XML declaration names.
func prepare(data []byte) []byte {
	data = decodeBOM(data)
	data = stripControl(data)
	return settleEncoding(data)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeBOM strips a UTF-8 BOM and transcodes UTF-16 (with a BOM, or
// recognisable from a leading "<?" or "<r") to UTF-8: encoding/xml reads only
// ASCII-compatible bytes, and json.Unmarshal rejects a BOM.
func decodeBOM(data []byte) []byte {
	if bytes.HasPrefix(data, utf8BOM) {
		return data[len(utf8BOM):]
	}
	var enc *unicode.Endianness
	be, le := unicode.BigEndian, unicode.LittleEndian
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0x00, '<'}):
		enc = &be
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{'<', 0x00}):
		enc = &le
	default:
		return data
	}
	out, err := unicode.UTF16(*enc, unicode.UseBOM).NewDecoder().Bytes(data)
	if err != nil {
		return data
	}
	return out
}

// stripControl drops bytes U+0000–U+001F other than tab, LF and CR. They are
// illegal in XML 1.0 and raw in JSON strings, and feeds carry them anyway
// (gofeed #180). These byte values never occur inside a multi-byte UTF-8
// sequence nor in the single-byte charsets feeds use, so the raw stream can
// be filtered whatever its encoding.
func stripControl(data []byte) []byte {
	first := bytes.IndexFunc(data, isIllegalControl)
	if first < 0 {
		return data
	}
	out := make([]byte, first, len(data))
	copy(out, data[:first])
	for _, b := range data[first:] {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
			continue
		}
		out = append(out, b)
	}
	return out
}

func isIllegalControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r'
}

// xmlDecl matches the XML declaration at the start of a document and
// captures its encoding label.
var xmlDecl = regexp.MustCompile(`^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']`)

// settleEncoding makes the declared charset agree with the bytes. Bytes that
// are valid UTF-8 are read as UTF-8 whatever the declaration says, because
// the fetcher may already have converted them (decoding them again as
// Latin-1 would garble every accent), and legacy-charset text with high
// bytes is practically never valid UTF-8. An unknown label is treated as
// UTF-8. Invalid UTF-8 in a UTF-8 document is replaced with U+FFFD rather
// than failing the whole feed.
func settleEncoding(data []byte) []byte {
	head := data[:min(len(data), 1024)]
	m := xmlDecl.FindSubmatchIndex(head)
	if m == nil {
		return validUTF8(data)
	}
	label := strings.ToLower(strings.TrimSpace(string(data[m[2]:m[3]])))
	if label == "utf-8" || label == "utf8" {
		return validUTF8(data)
	}
	if enc, _ := charset.Lookup(label); enc != nil && !utf8.Valid(data) {
		return data // a real legacy charset: gofeed's charset reader decodes it
	}
	out := make([]byte, 0, len(data)+5)
	out = append(out, data[:m[2]]...)
	out = append(out, "UTF-8"...)
	out = append(out, data[m[3]:]...)
	return validUTF8(out)
}

func validUTF8(data []byte) []byte {
	if utf8.Valid(data) {
		return data
	}
	return bytes.ToValidUTF8(data, []byte("\uFFFD"))
}
