package extract

import (
	"bytes"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// blockTags are the elements that start a new block of text.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true,
	"caption": true, "center": true, "dd": true, "details": true, "dialog": true,
	"div": true, "dl": true, "dt": true, "fieldset": true, "figcaption": true,
	"figure": true, "footer": true, "form": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "header": true,
	"hgroup": true, "hr": true, "li": true, "main": true, "nav": true,
	"ol": true, "p": true, "pre": true, "section": true, "summary": true,
	"table": true, "tbody": true, "td": true, "tfoot": true, "th": true,
	"thead": true, "tr": true, "ul": true,
}

// invisibleTags never contribute text.
var invisibleTags = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true,
	"head": true, "title": true, "svg": true, "math": true, "iframe": true,
	"object": true, "embed": true, "canvas": true, "select": true,
	"textarea": true, "button": true, "input": true, "link": true, "meta": true,
}

// invisible is invisibleTags[tag] as a switch: the choice of the body asks
// it of every element several times, and a switch on the name costs a
// fraction of a map lookup (TestInvisibleSameAsTags keeps the two in step).
func invisible(tag string) bool {
	switch tag {
	case "script", "style", "noscript", "template", "head", "title", "svg", "math", "iframe",
		"object", "embed", "canvas", "select", "textarea", "button", "input", "link", "meta":
		return true
	}
	return false
}

// nextField splits the first white-space separated field off s, as
// strings.Fields splits (unicode.IsSpace), without building a slice:
// "" when none is left.
//
//	for tok, rest := nextField(s); tok != ""; tok, rest = nextField(rest) {…}
func nextField(s string) (tok, rest string) {
	// ASCII bytes, most of a class list, are judged here rather than by
	// a call of spaceAt each.
	i := 0
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if !isASCIISpace(c) {
				break
			}
			i++
			continue
		}
		size, space := spaceAt(s, i)
		if !space {
			break
		}
		i += size
	}
	j := i
	for j < len(s) {
		if c := s[j]; c < utf8.RuneSelf {
			if isASCIISpace(c) {
				break
			}
			j++
			continue
		}
		size, space := spaceAt(s, j)
		if space {
			break
		}
		j += size
	}
	return s[i:j], s[j:]
}

// spaceAt reads the rune at s[i]: its size, and whether unicode.IsSpace.
func spaceAt(s string, i int) (size int, space bool) {
	if c := s[i]; c < utf8.RuneSelf {
		return 1, c == ' ' || '\t' <= c && c <= '\r'
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	return size, unicode.IsSpace(r)
}

// allText is n's text as goquery's Selection.Text gives it: every text
// node under n, scripts and styles included ("" for nil).
func allText(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var add func(*html.Node)
	add = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			add(c)
		}
	}
	add(n)
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func isElement(n *html.Node, tag string) bool {
	return n.Type == html.ElementNode && n.Data == tag
}

func isHeading(n *html.Node) bool {
	if n.Type != html.ElementNode || len(n.Data) != 2 || n.Data[0] != 'h' {
		return false
	}
	return n.Data[1] >= '1' && n.Data[1] <= '6'
}

// rename changes an element's tag, keeping atom and name in step.
func rename(n *html.Node, tag string) {
	n.Data = tag
	n.DataAtom = atom.Lookup([]byte(tag))
}

// rawText appends every text node under n, as the source has it.
func rawText(b *strings.Builder, n *html.Node) {
	if n.Type == html.TextNode {
		b.WriteString(n.Data)
		return
	}
	if n.Type == html.ElementNode && invisibleTags[n.Data] {
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		rawText(b, c)
	}
}

// appendRawText is rawText appending to a byte slice.
func appendRawText(b []byte, n *html.Node) []byte {
	if n.Type == html.TextNode {
		return append(b, n.Data...)
	}
	if n.Type == html.ElementNode && invisibleTags[n.Data] {
		return b
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b = appendRawText(b, c)
	}
	return b
}

// rawBufs holds the buffers foldedText and foldedLen gather a subtree's
// text in: the scoring asks for the text of most elements of a page, and a
// new buffer for each was a large share of extraction's allocation.
var rawBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, 4<<10)
	return &b
}}

// maxRawBuf bounds the buffers kept in rawBufs.
const maxRawBuf = 1 << 20

// foldRaw gathers the text under n into a reused buffer and folds it into
// b (nil: only counts), returning the folded length.
func foldRaw(b *strings.Builder, n *html.Node) int {
	bp := rawBufs.Get().(*[]byte)
	raw := appendRawText((*bp)[:0], n)
	if b != nil {
		b.Grow(len(raw))
	}
	l := foldInto(b, raw)
	if cap(raw) <= maxRawBuf {
		*bp = raw[:0]
		rawBufs.Put(bp)
	}
	return l
}

// foldedText is the visible text under n with white space folded.
func foldedText(n *html.Node) string {
	var b strings.Builder
	foldRaw(&b, n)
	return b.String()
}

// foldedLen is len(foldedText(n)), without building the text.
func foldedLen(n *html.Node) int {
	return foldRaw(nil, n)
}

// foldedLenCommas is len(foldedText(n)) and the commas (ASCII and
// full-width) in it, without building the text: folding changes white
// space and invalid bytes only, never a comma.
func foldedLenCommas(n *html.Node) (l, commas int) {
	bp := rawBufs.Get().(*[]byte)
	raw := appendRawText((*bp)[:0], n)
	l = foldInto(nil, raw)
	commas = bytes.Count(raw, []byte(",")) + bytes.Count(raw, []byte("，"))
	if cap(raw) <= maxRawBuf {
		*bp = raw[:0]
		rawBufs.Put(bp)
	}
	return l, commas
}

// hasText is foldSpace(allText(n)) != "" (some text under n, scripts
// included, that is not white space) without building the text, which
// for a page's body is all of it.
func hasText(n *html.Node) bool {
	found, invalid := false, false
	walkText(n, func(s string) bool {
		if !utf8.ValidString(s) {
			// Invalid bytes of neighbouring text nodes may join into
			// a space: only the whole text tells.
			invalid = true
			return false
		}
		for _, r := range s {
			if !unicode.IsSpace(r) {
				found = true
				return false
			}
		}
		return true
	})
	if invalid {
		return foldSpace(allText(n)) != ""
	}
	return found
}

// walkText calls fn on the text nodes under n in document order (as
// allText reads them) until fn returns false.
func walkText(n *html.Node, fn func(string) bool) bool {
	if n.Type == html.TextNode && !fn(n.Data) {
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !walkText(c, fn) {
			return false
		}
	}
	return true
}

// removeNode detaches n from its parent, if it has one.
func removeNode(n *html.Node) {
	if n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}

// walk calls fn on n and its descendants in document order; when fn returns
// false the node's children are skipped. The next sibling is read before fn
// runs, so fn may remove the node it is given.
func walk(n *html.Node, fn func(*html.Node) bool) {
	if !fn(n) {
		return
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		walk(c, fn)
		c = next
	}
}
