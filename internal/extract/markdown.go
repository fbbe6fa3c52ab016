package extract

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// markdown renders sanitised body nodes as CommonMark with GFM tables. It is
// written over the small set of elements the sanitiser lets through; any
// other element is rendered by its content.
func markdown(nodes []*html.Node) string {
	m := &mdRenderer{}
	for _, n := range nodes {
		m.node(n)
	}
	m.flush()
	return strings.Join(m.blocks, "\n\n")
}

type mdRenderer struct {
	blocks []string
	line   mdInline
}

// mdInline accumulates one block's inline Markdown with white space folded.
// lead and trail record white space at the edges, so that an element's
// markers can be placed inside it: "a <em> b </em>c" → "a *b* c".
type mdInline struct {
	b     mdBuf
	space bool
	lead  bool
}

// mdBuf is the bytes of an mdInline. Unlike a strings.Builder its room can
// be kept from block to block (mdRenderer.flush): grown anew for every
// paragraph, it was most of the Markdown's allocation.
type mdBuf struct{ buf []byte }

func (b *mdBuf) writeString(s string) { b.buf = append(b.buf, s...) }
func (b *mdBuf) writeByte(c byte)     { b.buf = append(b.buf, c) }
func (b *mdBuf) writeRune(r rune)     { b.buf = utf8.AppendRune(b.buf, r) }
func (b *mdBuf) Len() int             { return len(b.buf) }

// String is a copy of the bytes.
func (b *mdBuf) String() string { return string(b.buf) }

func (w *mdInline) text(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if isASCIISpace(c) {
				w.spaceRune()
				i++
				continue
			}
			w.owe()
			if mdEscaped[c] {
				w.b.writeByte('\\')
				w.b.writeByte(c)
				i++
				continue
			}
			// A run of plain visible ASCII is copied whole.
			j := i + 1
			for j < len(s) && s[j] < utf8.RuneSelf && !isASCIISpace(s[j]) && !mdEscaped[s[j]] {
				j++
			}
			w.b.writeString(s[i:j])
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:]) // an invalid byte: U+FFFD, as ranging gives
		i += size
		if unicode.IsSpace(r) {
			w.spaceRune()
			continue
		}
		w.owe()
		w.b.writeRune(r)
	}
}

// mdEscaped marks the ASCII characters that Markdown would read as syntax.
var mdEscaped = func() (t [utf8.RuneSelf]bool) {
	for _, c := range []byte("\\*_`[]<") {
		t[c] = true
	}
	return t
}()

// spaceRune records a white-space rune of the text.
func (w *mdInline) spaceRune() {
	if w.b.Len() == 0 {
		w.lead = true
	}
	w.space = true
}

// owe writes the space owed before the next visible content.
func (w *mdInline) owe() {
	if w.space && w.b.Len() > 0 && w.b.buf[len(w.b.buf)-1] != '\n' {
		w.b.writeByte(' ')
	}
	w.space = false
}

func (w *mdInline) raw(s string) {
	w.owe()
	w.b.writeString(s)
}

// wrap writes inner between open and close markers, keeping inner's edge
// white space outside them.
func (w *mdInline) wrap(open string, inner *mdInline, close string) {
	body := inner.b.buf
	if inner.lead {
		w.space = true
	}
	if len(bytes.TrimSpace(body)) > 0 {
		w.owe()
		w.b.writeString(open)
		w.b.buf = append(w.b.buf, body...)
		w.b.writeString(close)
	}
	if inner.space {
		w.space = true
	}
}

func (m *mdRenderer) flush() {
	s := m.line.b.String()
	m.line = mdInline{b: mdBuf{m.line.b.buf[:0]}}
	m.addBlock(escapeBlockStart(trimLines(s)))
}

func (m *mdRenderer) addBlock(s string) {
	if strings.TrimSpace(s) != "" {
		m.blocks = append(m.blocks, s)
	}
}

func trimLines(s string) string {
	if strings.IndexByte(s, '\n') < 0 { // most blocks: one line
		if s = strings.TrimSpace(s); s == `\` {
			return ""
		}
		return strings.TrimSuffix(s, `\`)
	}
	lines := strings.Split(s, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" && l != `\` {
			kept = append(kept, l)
		}
	}
	// A hard break (trailing backslash) must not end the block.
	if n := len(kept); n > 0 {
		kept[n-1] = strings.TrimSuffix(kept[n-1], `\`)
	}
	return strings.Join(kept, "\n")
}

// mayStartBlock marks the bytes blockStartRe's matches start with.
var mayStartBlock = func() (t [256]bool) {
	for _, c := range []byte("#>-+=0123456789") {
		t[c] = true
	}
	return t
}()

var blockStartRe = lazyRegexp(`^(?:#|>|[-+=]\s|\d+[.)]\s)`)

// escapeBlockStart keeps a paragraph that starts like a heading, quote or
// list item from being read as one.
func escapeBlockStart(s string) string {
	if s == "" || !mayStartBlock[s[0]] {
		return s // the pattern's every branch starts with one of these
	}
	if blockStartRe().MatchString(s) {
		if d := strings.IndexAny(s, ".)"); d > 0 && s[0] >= '0' && s[0] <= '9' {
			return s[:d] + `\` + s[d:]
		}
		return `\` + s
	}
	return s
}

func (m *mdRenderer) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		m.node(c)
	}
}

func (m *mdRenderer) sub(n *html.Node) []string {
	s := &mdRenderer{}
	s.children(n)
	s.flush()
	return s.blocks
}

func (m *mdRenderer) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		m.line.text(n.Data)
		return
	case html.DocumentNode:
		m.children(n)
		return
	case html.ElementNode:
	default:
		return
	}
	if invisibleTags[n.Data] {
		return
	}
	switch {
	case isHeading(n):
		m.flush()
		var w mdInline
		inlineChildren(&w, n)
		if t := trimLines(strings.ReplaceAll(w.b.String(), "\\\n", " ")); t != "" {
			m.addBlock(strings.Repeat("#", int(n.Data[1]-'0')) + " " + strings.ReplaceAll(t, "\n", " "))
		}
	case n.Data == "blockquote":
		m.flush()
		inner := strings.Join(m.sub(n), "\n\n")
		if inner != "" {
			lines := strings.Split(inner, "\n")
			for i, l := range lines {
				if l == "" {
					lines[i] = ">"
				} else {
					lines[i] = "> " + l
				}
			}
			m.addBlock(strings.Join(lines, "\n"))
		}
	case n.Data == "ul" || n.Data == "ol":
		m.flush()
		m.list(n)
	case n.Data == "li": // outside a list
		m.flush()
		m.addBlock(indentItem("- ", m.sub(n)))
	case n.Data == "pre":
		m.flush()
		m.pre(n)
	case n.Data == "hr":
		m.flush()
		m.addBlock("---")
	case n.Data == "table":
		m.flush()
		if !m.table(n) {
			m.children(n)
			m.flush()
		}
	case n.Data == "br":
		m.line.raw("\\\n")
	case blockTags[n.Data]:
		m.flush()
		m.children(n)
		m.flush()
	default:
		inlineNode(&m.line, n, m)
	}
}

// inlineChildren renders n's children as inline Markdown; block elements in
// them are flattened to their content.
func inlineChildren(w *mdInline, n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			w.text(c.Data)
		case html.ElementNode:
			if c.Data == "br" {
				w.raw("\\\n")
			} else if !invisibleTags[c.Data] {
				if blockTags[c.Data] {
					w.space = true
				}
				inlineNode(w, c, nil)
			}
		}
	}
}

// inlineNode writes one inline element. If m is set and the element holds
// blocks, it is handed back to m so the blocks survive.
func inlineNode(w *mdInline, n *html.Node, m *mdRenderer) {
	if m != nil && hasBlock(n) {
		m.children(n)
		return
	}
	inner := func() *mdInline {
		var s mdInline
		inlineChildren(&s, n)
		return &s
	}
	switch n.Data {
	case "em", "i", "cite":
		w.wrap("*", inner(), "*")
	case "strong", "b":
		w.wrap("**", inner(), "**")
	case "s", "del", "strike":
		w.wrap("~~", inner(), "~~")
	case "code", "kbd", "samp":
		code := foldSpace(textOf(n))
		if code == "" {
			return
		}
		fence := strings.Repeat("`", longestRun(code, '`')+1)
		pad := ""
		if strings.HasPrefix(code, "`") || strings.HasSuffix(code, "`") {
			pad = " "
		}
		w.raw(fence + pad + code + pad + fence)
	case "a":
		href := attr(n, "href")
		in := inner()
		if href == "" {
			w.wrap("", in, "")
			return
		}
		w.wrap("[", in, "]("+mdURL(href)+")")
	case "img":
		if src := attr(n, "src"); src != "" {
			var alt mdInline
			alt.text(attr(n, "alt"))
			w.raw("![" + alt.b.String() + "](" + mdURL(src) + ")")
		}
	case "q":
		w.wrap("“", inner(), "”")
	default:
		w.wrap("", inner(), "")
	}
}

func hasBlock(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (blockTags[c.Data] || hasBlock(c)) {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	rawText(&b, n)
	return b.String()
}

func longestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// mdURLEscaper is built once: a Replacer costs kilobytes to set up, and
// every link and image of a body goes through it.
var mdURLEscaper = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29")

// mdURL makes a URL safe inside (…): spaces and parentheses are escaped.
func mdURL(u string) string {
	if !strings.ContainsAny(u, " ()") {
		return u
	}
	return mdURLEscaper.Replace(u)
}

func indentItem(marker string, blocks []string) string {
	lines := strings.Split(strings.Join(blocks, "\n\n"), "\n")
	pad := strings.Repeat(" ", len(marker))
	for i := 1; i < len(lines); i++ {
		if lines[i] != "" {
			lines[i] = pad + lines[i]
		}
	}
	return marker + strings.Join(lines, "\n")
}

func (m *mdRenderer) list(n *html.Node) {
	var items []string
	num := 1
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		var blocks []string
		if c.Data == "li" {
			blocks = m.sub(c)
		} else {
			s := &mdRenderer{}
			s.node(c)
			s.flush()
			blocks = s.blocks
		}
		if len(blocks) == 0 {
			continue
		}
		marker := "- "
		if n.Data == "ol" {
			marker = strconv.Itoa(num) + ". "
			num++
		}
		items = append(items, indentItem(marker, blocks))
	}
	m.addBlock(strings.Join(items, "\n"))
}

func (m *mdRenderer) pre(n *html.Node) {
	code := strings.Trim(textOf(n), "\n")
	if strings.TrimSpace(code) == "" {
		return
	}
	lang := ""
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if isElement(c, "code") {
			if cls := attr(c, "class"); strings.HasPrefix(cls, "language-") {
				lang = strings.TrimPrefix(cls, "language-")
			}
		}
	}
	fence := strings.Repeat("`", max(3, longestRun(code, '`')+1))
	m.addBlock(fence + lang + "\n" + code + "\n" + fence)
}

// table writes a GFM table and reports true if the table is simple: no
// spanning cells and no blocks inside cells. Otherwise the caller renders
// its content as text.
func (m *mdRenderer) table(t *html.Node) bool {
	var rows [][]string
	var caption string
	simple := true
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		for c := n.FirstChild; c != nil && simple; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.Data {
			case "caption":
				var w mdInline
				inlineChildren(&w, c)
				caption = trimLines(w.b.String())
			case "thead", "tbody", "tfoot":
				visit(c)
			case "tr":
				var row []string
				for td := c.FirstChild; td != nil; td = td.NextSibling {
					if td.Type != html.ElementNode || (td.Data != "td" && td.Data != "th") {
						continue
					}
					if span(td, "colspan") || span(td, "rowspan") || hasBlock(td) {
						simple = false
						return
					}
					var w mdInline
					inlineChildren(&w, td)
					cell := strings.ReplaceAll(w.b.String(), "\\\n", " ")
					cell = strings.ReplaceAll(strings.TrimSpace(cell), "|", `\|`)
					row = append(row, cell)
				}
				if len(row) > 0 {
					rows = append(rows, row)
				}
			default:
				simple = false
			}
		}
	}
	visit(t)
	if !simple || len(rows) == 0 {
		return false
	}
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i := 0; i < cols; i++ {
			cell := ""
			if i < len(cells) {
				cell = cells[i]
			}
			b.WriteString(" " + cell + " |")
		}
		b.WriteString("\n")
	}
	line(rows[0])
	sep := make([]string, cols)
	for i := range sep {
		sep[i] = "---"
	}
	line(sep)
	for _, r := range rows[1:] {
		line(r)
	}
	if caption != "" {
		m.addBlock(caption)
	}
	m.addBlock(strings.TrimSuffix(b.String(), "\n"))
	return true
}

func span(n *html.Node, key string) bool {
	v := strings.TrimSpace(attr(n, key))
	return v != "" && v != "1"
}
