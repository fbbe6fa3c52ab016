package extract

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// textRenderer turns a DOM into block-aware plain text: each block
// (paragraph, heading, list item, quotation, caption, table row) becomes one
// string, with white space folded inside it and <br> kept as a line break.
type textRenderer struct {
	blocks []string
	out    *strings.Builder      // where the top renderer writes its blocks, blank lines between; nil: to blocks
	wrote  bool                  // out holds a block
	line   []byte                // the block being written, reused from block to block
	space  bool                  // a space is owed before the next visible rune
	skip   func(*html.Node) bool // nodes to leave out entirely; may be nil
}

// plainText renders nodes as blocks separated by blank lines.
func plainText(nodes []*html.Node, skip func(*html.Node) bool) string {
	return plainTextSized(nodes, skip, 0)
}

// plainTextSized is plainText written into room for size bytes, made at
// once: a body's text grown by doubling allocated about twice its length.
func plainTextSized(nodes []*html.Node, skip func(*html.Node) bool, size int) string {
	var out strings.Builder
	out.Grow(size)
	r := &textRenderer{skip: skip, out: &out}
	for _, n := range nodes {
		r.node(n)
	}
	r.flush()
	return out.String()
}

func (r *textRenderer) sub() *textRenderer { return &textRenderer{skip: r.skip} }

// addBlock adds one finished block.
func (r *textRenderer) addBlock(s string) {
	if r.out == nil {
		r.blocks = append(r.blocks, s)
		return
	}
	r.startBlock()
	r.out.WriteString(s)
}

// startBlock writes the blank line that separates a block from the one
// before it in out.
func (r *textRenderer) startBlock() {
	if r.wrote {
		r.out.WriteString("\n\n")
	}
	r.wrote = true
}

// text adds s with its white space folded. Runs of visible ASCII are
// copied whole: this runs over every text node of the page.
func (r *textRenderer) text(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if isASCIISpace(c) {
				r.space = true
				i++
				continue
			}
			j := i + 1
			for j < len(s) && s[j] < utf8.RuneSelf && !isASCIISpace(s[j]) {
				j++
			}
			r.owedSpace()
			r.line = append(r.line, s[i:j]...)
			i = j
			continue
		}
		c2, size := utf8.DecodeRuneInString(s[i:]) // an invalid byte: U+FFFD, as ranging gives
		i += size
		if unicode.IsSpace(c2) {
			r.space = true
			continue
		}
		r.owedSpace()
		r.line = utf8.AppendRune(r.line, c2)
	}
}

// isASCIISpace is unicode.IsSpace for an ASCII byte.
func isASCIISpace(c byte) bool { return c == ' ' || '\t' <= c && c <= '\r' }

// owedSpace writes the space owed before a visible rune, if any.
func (r *textRenderer) owedSpace() {
	if r.space && len(r.line) > 0 && r.line[len(r.line)-1] != '\n' {
		r.line = append(r.line, ' ')
	}
	r.space = false
}

// flush ends the block being written: its lines trimmed, blank ones
// dropped, nothing if nothing is left.
func (r *textRenderer) flush() {
	line := r.line
	r.line = r.line[:0]
	r.space = false
	if bytes.IndexByte(line, '\n') < 0 { // most blocks: one line, no split needed
		if line = bytes.TrimSpace(line); len(line) > 0 {
			if r.out == nil {
				r.blocks = append(r.blocks, string(line))
				return
			}
			r.startBlock()
			r.out.Write(line)
		}
		return
	}
	var b strings.Builder
	for l := range bytes.SplitSeq(line, []byte("\n")) {
		if l = bytes.TrimSpace(l); len(l) > 0 {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.Write(l)
		}
	}
	if b.Len() > 0 {
		r.addBlock(b.String())
	}
}

func (r *textRenderer) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.node(c)
	}
}

func (r *textRenderer) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		r.text(n.Data)
		return
	case html.DocumentNode:
		r.children(n)
		return
	case html.ElementNode:
	default:
		return
	}
	if invisibleTags[n.Data] || (r.skip != nil && r.skip(n)) {
		return
	}
	switch n.Data {
	case "br":
		r.line = append(r.line, '\n')
		r.space = false
	case "pre":
		r.flush()
		var b strings.Builder
		rawText(&b, n)
		if s := strings.Trim(b.String(), "\n"); strings.TrimSpace(s) != "" {
			r.addBlock(s)
		}
	case "li":
		r.flush()
		s := r.sub()
		s.children(n)
		s.flush()
		if len(s.blocks) > 0 {
			item := "- " + strings.ReplaceAll(strings.Join(s.blocks, "\n"), "\n", "\n  ")
			r.addBlock(item)
		}
	case "tr":
		r.flush()
		r.row(n)
	default:
		if blockTags[n.Data] {
			r.flush()
			r.children(n)
			r.flush()
			return
		}
		r.children(n)
	}
}

// row writes a table row as one line of cells joined by " | ", unless a cell
// holds blocks (a layout table), in which case each cell is rendered as
// blocks of its own.
func (r *textRenderer) row(tr *html.Node) {
	var cells []string
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || (c.Data != "td" && c.Data != "th") {
			continue
		}
		s := r.sub()
		s.children(c)
		s.flush()
		if len(s.blocks) > 1 {
			r.children(tr)
			r.flush()
			return
		}
		cells = append(cells, strings.Join(s.blocks, " "))
	}
	if strings.TrimSpace(strings.Join(cells, "")) != "" {
		r.addBlock(strings.Join(cells, " | "))
	}
}
