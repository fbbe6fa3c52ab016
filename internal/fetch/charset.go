package fetch

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// metaScanLimit bounds the search for <meta charset>. x/net/html/charset
// stops at 1024 bytes, which misses pages with long heads (Miniflux #255).
const metaScanLimit = 64 << 10

// UTF8 returns Body decoded to UTF-8 and the charset name used; see ToUTF8.
func (r *Response) UTF8() (body []byte, charset string) {
	return ToUTF8(r.Body, r.Header.Get("Content-Type"))
}

// IsHTML reports whether the Content-Type is text/html or
// application/xhtml+xml, or, when there is no Content-Type, whether the body
// sniffs as HTML.
func (r *Response) IsHTML() bool {
	ct := r.Header.Get("Content-Type")
	if strings.TrimSpace(ct) == "" {
		return strings.HasPrefix(http.DetectContentType(r.Body), "text/html")
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// ToUTF8 decodes body to UTF-8 and returns the lower-case canonical (WHATWG)
// name of the charset used. Order: a byte-order mark; the Content-Type
// charset, except that valid UTF-8 wins over a Latin-1 family label; when
// there is no usable header label, valid UTF-8; then <meta charset>, <meta
// http-equiv> or an XML declaration in the first 64 KiB before </head>;
// then windows-1252. Invalid sequences become U+FFFD; it never fails. The
// result may share memory with body.
func ToUTF8(body []byte, contentType string) ([]byte, string) {
	if enc, name, n := bomEncoding(body); enc != nil {
		return decode(enc, name, body[n:])
	}
	valid := utf8.Valid(body)
	if enc, name := lookup(headerCharset(contentType)); enc != nil {
		if valid && name == "windows-1252" {
			return body, "utf-8" // "latin1" headers on UTF-8 pages are common misconfiguration
		}
		return decode(enc, name, body)
	}
	enc, name := lookup(declaredCharset(body))
	if valid && !(enc != nil && sevenBit(name) && bytes.IndexByte(body, 0x1b) >= 0) {
		return body, "utf-8"
	}
	if enc != nil {
		if strings.HasPrefix(name, "utf-16") {
			// A UTF-16 page can't declare itself in ASCII; WHATWG reads this as UTF-8.
			enc, name = encoding.Nop, "utf-8"
		}
		return decode(enc, name, body)
	}
	return decode(charmap.Windows1252, "windows-1252", body)
}

// sevenBit names encodings whose bytes are all ASCII, hence always valid UTF-8.
func sevenBit(name string) bool { return name == "iso-2022-jp" }

func bomEncoding(b []byte) (encoding.Encoding, string, int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return encoding.Nop, "utf-8", 3
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		enc, name := lookup("utf-16be")
		return enc, name, 2
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		enc, name := lookup("utf-16le")
		return enc, name, 2
	}
	return nil, "", 0
}

// lookup maps a label to its WHATWG encoding and canonical name; nil when
// the label is unknown.
func lookup(label string) (encoding.Encoding, string) {
	label = strings.TrimSpace(label)
	if label == "" {
		return nil, ""
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, ""
	}
	name, err := htmlindex.Name(enc)
	if err != nil {
		return nil, ""
	}
	name = strings.ToLower(name)
	if name == "utf-8" {
		enc = encoding.Nop // decode validates; the UTF-8 decoder would copy anyway
	}
	return enc, name
}

// decode never fails: anything the decoder leaves invalid becomes U+FFFD.
func decode(enc encoding.Encoding, name string, b []byte) ([]byte, string) {
	if enc == encoding.Nop {
		if utf8.Valid(b) {
			return b, name
		}
		return bytes.ToValidUTF8(b, []byte("\uFFFD")), name
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		out, _ = charmap.Windows1252.NewDecoder().Bytes(b)
		name = "windows-1252"
	}
	if !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	return out, name
}

func headerCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		return params["charset"]
	}
	return charsetFromContent(contentType) // tolerate malformed headers
}

// declaredCharset finds the charset a document declares in its <head> or in
// an XML declaration.
func declaredCharset(body []byte) string {
	if len(body) > metaScanLimit {
		body = body[:metaScanLimit]
	}
	if label := xmlDeclEncoding(body); label != "" {
		return label
	}
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "head" {
				return ""
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return ""
			case "meta":
				if label := metaLabel(z, hasAttr); label != "" {
					if enc, _ := lookup(label); enc != nil {
						return label
					}
				}
			}
		}
	}
}

func metaLabel(z *html.Tokenizer, hasAttr bool) string {
	var charset, content string
	var httpEquivCT bool
	for hasAttr {
		var key, val []byte
		key, val, hasAttr = z.TagAttr()
		switch string(key) {
		case "charset":
			charset = string(val)
		case "content":
			content = string(val)
		case "http-equiv":
			httpEquivCT = strings.EqualFold(strings.TrimSpace(string(val)), "content-type")
		}
	}
	if charset != "" {
		return charset
	}
	if httpEquivCT {
		return charsetFromContent(content)
	}
	return ""
}

// charsetFromContent extracts charset=... from a content attribute, following
// the WHATWG algorithm (quotes optional, ends at ; or white space).
func charsetFromContent(s string) string {
	lower := strings.ToLower(s)
	for i := 0; ; {
		j := strings.Index(lower[i:], "charset")
		if j < 0 {
			return ""
		}
		i += j + len("charset")
		k := i
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if k >= len(s) || s[k] != '=' {
			continue
		}
		k++
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if k >= len(s) {
			return ""
		}
		if q := s[k]; q == '"' || q == '\'' {
			end := strings.IndexByte(s[k+1:], q)
			if end < 0 {
				return ""
			}
			return s[k+1 : k+1+end]
		}
		end := k
		for end < len(s) && !isSpace(s[end]) && s[end] != ';' {
			end++
		}
		return s[k:end]
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// xmlDeclEncoding reads encoding="..." from a leading <?xml ...?>.
func xmlDeclEncoding(b []byte) string {
	if !bytes.HasPrefix(b, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(b, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(b[:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if !strings.HasPrefix(rest, "=") {
		return ""
	}
	rest = strings.TrimLeft(rest[1:], " \t\r\n")
	if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	label, _, ok := strings.Cut(rest[1:], rest[:1])
	if !ok {
		return ""
	}
	return label
}
