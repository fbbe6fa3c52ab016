package extract

import (
	"bytes"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The HTML tokenizer reads the bodies of <script> and <style> elements one
// byte at a time, and on real pages they are a third or more of the bytes.
// parseHTML hands the parser a copy of the page in which those bodies are
// replaced by short markers, then puts each body back into its element:
// the tree is the one html.Parse builds from the page itself, at the cost
// of a copy and a walk instead of the byte-by-byte read.
//
// Exactness does not rest on the scan below knowing the tokenizer's state
// (comments, attributes, foreign content, <template>...): a cut is kept
// only when its marker comes back as the whole and only text of an HTML
// <script> or <style> element. The tokenizer's state where a body starts
// depends only on the bytes before it, so that can only happen when the
// page's own bytes put the tokenizer in the same raw text state at the
// same place; the body then ends where the scan ended it (the first
// "</script" or "</style" followed by white space, "/" or ">", with no
// "<!--" in a script body, which could enter the escaped states). When any
// marker is missing the page is parsed again, uncut.

// cutMark starts every marker; a page that holds it is parsed uncut.
const cutMark = "\x1bannalist-cut:"

// minCut is the shortest body worth a marker and its restoring.
const minCut = 64

// parseHTML is html.Parse of page, reading script and style bodies in
// bulk (above).
func parseHTML(page []byte) (*html.Node, error) {
	buf := cutBufs.Get().(*[]byte)
	defer putCutBuf(buf)
	cut, bodies := cutRawBodies((*buf)[:0], page)
	if bodies == nil {
		return html.Parse(bytes.NewReader(page))
	}
	*buf = cut
	doc, err := html.Parse(bytes.NewReader(cut))
	if err == nil && restoreRawBodies(doc, bodies) {
		return doc, nil
	}
	return html.Parse(bytes.NewReader(page))
}

// cutBufs holds the buffers parseHTML cuts pages into: the tree keeps no
// reference to them (the parser copies what it keeps).
var cutBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledCut bounds a pooled buffer, so that one huge page does not
// keep its copy alive between parses.
const maxPooledCut = 1 << 20

func putCutBuf(buf *[]byte) {
	if cap(*buf) <= maxPooledCut {
		cutBufs.Put(buf)
	}
}

// cutRawBodies appends to out page with the script and style bodies it can cut
// replaced by markers (cutMark and the body's index), and those bodies;
// nil bodies when it cut none.
func cutRawBodies(out, page []byte) ([]byte, [][]byte) {
	if bytes.Contains(page, []byte(cutMark)) {
		return nil, nil
	}
	var bodies [][]byte
	last := 0 // page[last:] is not yet copied to out
	for i := 0; ; {
		j := bytes.IndexByte(page[i:], '<')
		if j < 0 {
			break
		}
		p := i + j
		next, start, end := skipMarkup(page, p)
		if next < 0 {
			break // past what the scan can follow: leave the rest as it is
		}
		if end-start >= minCut {
			if cap(out) < len(page) {
				out = make([]byte, 0, len(page))
			}
			out = append(out, page[last:start]...)
			out = append(out, cutMark...)
			out = strconv.AppendInt(out, int64(len(bodies)), 10)
			bodies = append(bodies, page[start:end])
			last = end
		}
		i = next
	}
	if bodies == nil {
		return nil, nil
	}
	return append(out, page[last:]...), bodies
}

// skipMarkup looks at the '<' at page[p]: it returns where scanning goes
// on, and page[start:end], the body of a script or style element that may
// be cut (start == end when none). next < 0 when the rest of the page is
// best left alone (an unclosed comment or raw text element, <plaintext>,
// a script body that may be double-escaped).
func skipMarkup(page []byte, p int) (next, start, end int) {
	rest := page[p:]
	if bytes.HasPrefix(rest, []byte("<!--")) {
		// "<!-->" and "<!--->" end the comment too.
		k := bytes.Index(page[p+2:], []byte("-->"))
		if k < 0 {
			return -1, 0, 0
		}
		return p + 2 + k + 3, 0, 0
	}
	name := rawTagAt(rest)
	switch name {
	case "":
		return p + 1, 0, 0
	case "plaintext":
		return -1, 0, 0
	}
	t := startTagEnd(page, p+1+len(name))
	if t < 0 {
		return -1, 0, 0
	}
	e := rawEndTag(page, t, name)
	if e < 0 {
		return -1, 0, 0
	}
	switch name {
	case "script":
		body := page[t:e]
		if k := bytes.Index(body, []byte("<!--")); k >= 0 {
			if indexFold(body[k:], "<script") >= 0 {
				return -1, 0, 0
			}
			// Escaped but not double-escaped: it ends at the same
			// "</script"; keep it whole.
			return e, 0, 0
		}
		return e, t, e
	case "style":
		return e, t, e
	}
	return e, 0, 0
}

// rawTagAt is the name that s ("<name...") opens when it is one of the
// start tags after which the tokenizer reads raw text or RCDATA up to the
// matching end tag, or svg or math, whose foreign content the scan skips
// whole (a <script> in it is not raw); "" for any other.
func rawTagAt(s []byte) string {
	if len(s) < 2 {
		return ""
	}
	var names []string
	switch s[1] | 0x20 {
	case 's':
		names = []string{"script", "style", "svg"}
	case 't':
		names = []string{"textarea", "title"}
	case 'n':
		names = []string{"noscript", "noembed", "noframes"}
	case 'i':
		names = []string{"iframe"}
	case 'x':
		names = []string{"xmp"}
	case 'p':
		names = []string{"plaintext"}
	case 'm':
		names = []string{"math"}
	default:
		return ""
	}
	for _, name := range names {
		if len(s) >= len(name)+2 && bytes.EqualFold(s[1:1+len(name)], []byte(name)) && tagNameEnds(s[1+len(name)]) {
			return name
		}
	}
	return ""
}

// tagNameEnds says whether c ends a tag name as the tokenizer reads it.
func tagNameEnds(c byte) bool {
	switch c {
	case ' ', '\n', '\r', '\t', '\f', '/', '>':
		return true
	}
	return false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

// startTagEnd is the index just past the '>' that ends the start tag whose
// attributes begin at page[i], following x/net/html's readTag (quoted
// values may hold '>'); -1 when the page ends first.
func startTagEnd(page []byte, i int) int {
	n := len(page)
	for {
		for i < n && isSpace(page[i]) {
			i++
		}
		if i >= n {
			return -1
		}
		if page[i] == '>' {
			return i + 1
		}
		if page[i] == '/' {
			i++ // an empty name, then '/' read as self-closing
			continue
		}
		// Attribute name: a leading '=' belongs to it.
		k := i + 1
		for k < n && !isSpace(page[k]) && page[k] != '/' && page[k] != '>' && page[k] != '=' {
			k++
		}
		i = k
		for i < n && isSpace(page[i]) {
			i++
		}
		if i >= n {
			return -1
		}
		if page[i] == '/' {
			i++
			continue
		}
		if page[i] != '=' {
			continue
		}
		i++
		for i < n && isSpace(page[i]) {
			i++
		}
		if i >= n {
			return -1
		}
		switch q := page[i]; q {
		case '>':
			continue
		case '"', '\'':
			k := bytes.IndexByte(page[i+1:], q)
			if k < 0 {
				return -1
			}
			i += 1 + k + 1
		default:
			for i < n && !isSpace(page[i]) && page[i] != '>' {
				i++
			}
		}
	}
}

// rawEndTag is the index of the first "</name" (any case) at or after
// page[i] that is followed by white space, '/' or '>'; -1 if none.
func rawEndTag(page []byte, i int, name string) int {
	for {
		k := bytes.Index(page[i:], []byte("</"))
		if k < 0 {
			return -1
		}
		e := i + k
		s := page[e+2:]
		if len(s) > len(name) && bytes.EqualFold(s[:len(name)], []byte(name)) && tagNameEnds(s[len(name)]) {
			return e
		}
		i = e + 2
	}
}

// indexFold is bytes.Index of lower-case ASCII sub in s, any case.
func indexFold(s []byte, sub string) int {
	for i := 0; ; {
		k := bytes.IndexByte(s[i:], sub[0])
		if k < 0 {
			return -1
		}
		i += k
		if len(s)-i < len(sub) {
			return -1
		}
		if bytes.EqualFold(s[i:i+len(sub)], []byte(sub)) {
			return i
		}
		i++
	}
}

// restoreRawBodies puts each cut body back in place of its marker, as the
// tokenizer would have read it (line ends folded to "\n", NUL to U+FFFD),
// and says whether every marker was found as the whole and only text of
// an HTML script or style element.
func restoreRawBodies(doc *html.Node, bodies [][]byte) bool {
	found := make([]bool, len(bodies))
	for n := doc; n != nil; {
		if n.Type == html.ElementNode && n.Namespace == "" && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
			if c := n.FirstChild; c != nil && c.NextSibling == nil && c.Type == html.TextNode && strings.HasPrefix(c.Data, cutMark) {
				i, ok := markerIndex(c.Data, len(bodies))
				if !ok || found[i] {
					return false
				}
				c.Data = tokenizedRaw(bodies[i])
				found[i] = true
			}
		} else if n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		for n != nil && n.NextSibling == nil {
			n = n.Parent
		}
		if n != nil {
			n = n.NextSibling
		}
	}
	for _, f := range found {
		if !f {
			return false
		}
	}
	return true
}

// markerIndex is the index in cutMark+index, when s is exactly such a
// marker with an index below n.
func markerIndex(s string, n int) (int, bool) {
	d := s[len(cutMark):]
	i, err := strconv.Atoi(d)
	if err != nil || i < 0 || i >= n || strconv.Itoa(i) != d {
		return 0, false
	}
	return i, true
}

// tokenizedRaw is body as x/net/html's tokenizer returns raw text.
func tokenizedRaw(body []byte) string {
	s := string(body)
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\ufffd")
	}
	return s
}
