package web

import (
	"html/template"
	"regexp"
	"strings"

	"annalist/internal/worddiff"
)

// sideRow is one row of the side-by-side diff: a paragraph of the older
// text beside the paragraph of the newer text it became (either may be
// empty: a paragraph removed or added whole), with the changes marked
// inside them. A row with Fold > 0 stands for that many unchanged
// paragraphs, folded; Left then holds them.
type sideRow struct {
	Left, Right template.HTML
	Changed     bool
	Fold        int
}

// seg is a run of a paragraph's text with what happened to it.
type seg struct {
	op   worddiff.Op
	text string
}

type para []seg

// blank: a paragraph with nothing but white space.
func (p para) blank() bool {
	for _, s := range p {
		if strings.TrimSpace(s.text) != "" {
			return false
		}
	}
	return true
}

// whole: a paragraph removed or added whole, sharing no word with the
// other side.
func (p para) whole() bool {
	for _, s := range p {
		if s.op == worddiff.Equal && strings.TrimSpace(s.text) != "" {
			return false
		}
	}
	return !p.blank()
}

func (p para) changed() bool {
	for _, s := range p {
		if s.op != worddiff.Equal && strings.TrimSpace(s.text) != "" {
			return true
		}
	}
	return false
}

// aligned is a group of paragraphs of each side that belong together: at
// most one on each side, except where a paragraph was split or joined.
type aligned struct{ left, right []para }

func (a aligned) changed() bool {
	for _, ps := range [][]para{a.left, a.right} {
		for _, p := range ps {
			if p.changed() {
				return true
			}
		}
	}
	return false
}

// breakRE is a paragraph break: a run of white space with a line break.
var breakRE = regexp.MustCompile(`\s*\n\s*`)

// alignParagraphs cuts a word diff into aligned paragraphs. The two texts
// break paragraphs together where a break is unchanged; what lies between
// two such breaks is one group, from which paragraphs removed or added
// whole are peeled off into rows of their own (a replaced paragraph beside
// its replacement), so that the rest pairs a paragraph with its revision.
func alignParagraphs(chunks []worddiff.Chunk) []aligned {
	var out []aligned
	cur := aligned{left: []para{nil}, right: []para{nil}}
	add := func(side []para, op worddiff.Op, text string) {
		side[len(side)-1] = append(side[len(side)-1], seg{op, text})
	}
	for _, c := range chunks {
		at := 0
		pieces := breakRE.FindAllStringIndex(c.Text, -1)
		for i := 0; i <= len(pieces); i++ {
			end := len(c.Text)
			if i < len(pieces) {
				end = pieces[i][0]
			}
			if text := c.Text[at:end]; text != "" {
				if c.Op != worddiff.Insert {
					add(cur.left, c.Op, text)
				}
				if c.Op != worddiff.Delete {
					add(cur.right, c.Op, text)
				}
			}
			if i == len(pieces) {
				break
			}
			at = pieces[i][1]
			switch c.Op {
			case worddiff.Equal:
				out = append(out, peel(cur)...)
				cur = aligned{left: []para{nil}, right: []para{nil}}
			case worddiff.Delete:
				cur.left = append(cur.left, nil)
			case worddiff.Insert:
				cur.right = append(cur.right, nil)
			}
		}
	}
	return append(out, peel(cur)...)
}

// peel splits a group into rows: paragraphs removed or added whole at its
// start and end get rows of their own, paired when both sides have one.
func peel(g aligned) []aligned {
	var l, r []para
	for _, p := range g.left {
		if !p.blank() {
			l = append(l, p)
		}
	}
	for _, p := range g.right {
		if !p.blank() {
			r = append(r, p)
		}
	}
	var head, tail []aligned
	for len(l) > 0 && len(r) > 0 && l[0].whole() && r[0].whole() {
		head = append(head, aligned{l[:1], r[:1]})
		l, r = l[1:], r[1:]
	}
	for len(l) > 0 && l[0].whole() {
		head = append(head, aligned{left: l[:1]})
		l = l[1:]
	}
	for len(r) > 0 && r[0].whole() {
		head = append(head, aligned{right: r[:1]})
		r = r[1:]
	}
	for len(l) > 0 && len(r) > 0 && l[len(l)-1].whole() && r[len(r)-1].whole() {
		tail = append([]aligned{{l[len(l)-1:], r[len(r)-1:]}}, tail...)
		l, r = l[:len(l)-1], r[:len(r)-1]
	}
	for len(l) > 0 && l[len(l)-1].whole() {
		tail = append([]aligned{{left: l[len(l)-1:]}}, tail...)
		l = l[:len(l)-1]
	}
	for len(r) > 0 && r[len(r)-1].whole() {
		tail = append([]aligned{{right: r[len(r)-1:]}}, tail...)
		r = r[:len(r)-1]
	}
	if len(l) > 0 || len(r) > 0 {
		head = append(head, aligned{l, r})
	}
	return append(head, tail...)
}

// cellHTML renders paragraphs as divs (a <p> cannot hold the <details>
// that folds long unchanged text). foldHead and foldTail say which
// ends of unchanged text may fold (see equalHTML): an unchanged paragraph
// keeps the words next to the change it gives context to.
func cellHTML(ps []para, foldHead, foldTail, full bool) template.HTML {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(`<div class="para" dir="auto">`) // an Arabic or Hebrew paragraph reads right to left
		for i, s := range p {
			switch s.op {
			case worddiff.Delete:
				b.WriteString(delHTML(s.text))
			case worddiff.Insert:
				b.WriteString(insHTML(s.text))
			default:
				b.WriteString(equalHTML(s.text, foldHead && i == 0, foldTail && i == len(p)-1, full))
			}
		}
		b.WriteString("</div>")
	}
	return template.HTML(b.String()) //nolint:gosec // every piece escaped by delHTML, insHTML, equalHTML
}

// sideBySide is the side-by-side diff: one row per aligned paragraph
// pair. Unless full, a run of two or more unchanged paragraphs that are
// not next to a change folds into one row.
func sideBySide(chunks []worddiff.Chunk, full bool) []sideRow {
	groups := alignParagraphs(chunks)
	changed := make([]bool, len(groups))
	for i, g := range groups {
		changed[i] = g.changed()
	}
	near := func(i int) bool {
		return (i > 0 && changed[i-1]) || (i+1 < len(groups) && changed[i+1])
	}
	var rows []sideRow
	for i := 0; i < len(groups); i++ {
		g := groups[i]
		if changed[i] {
			rows = append(rows, sideRow{Left: cellHTML(g.left, false, false, full),
				Right: cellHTML(g.right, false, false, full), Changed: true})
			continue
		}
		j := i
		for !full && j < len(groups) && !changed[j] && !near(j) {
			j++
		}
		if j-i >= 2 {
			var ps []para
			for _, h := range groups[i:j] {
				ps = append(ps, h.left...)
			}
			rows = append(rows, sideRow{Left: cellHTML(ps, false, false, true), Fold: len(ps)})
			i = j - 1
			continue
		}
		// Context: keep the words next to the change before or after.
		foldHead := !(i > 0 && changed[i-1])
		foldTail := !(i+1 < len(groups) && changed[i+1])
		if full || (foldHead && foldTail) {
			foldHead, foldTail = false, false
		}
		h := cellHTML(g.left, foldHead, foldTail, full)
		rows = append(rows, sideRow{Left: h, Right: h})
	}
	return rows
}
