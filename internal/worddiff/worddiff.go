// Package worddiff compares two texts word by word.
package worddiff

import (
	"strings"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Op is what happened to a run of text.
type Op int

const (
	Equal Op = iota
	Delete
	Insert
)

func (o Op) String() string {
	switch o {
	case Delete:
		return "delete"
	case Insert:
		return "insert"
	}
	return "equal"
}

// Chunk is a run of text with one Op.
type Chunk struct {
	Op   Op
	Text string
}

// Stats counts the words on each side of a diff.
type Stats struct {
	Removed, Added, Unchanged int
}

// Diff returns the word-level differences between a and b: words and the
// white space between them are the units, so a changed word never shows
// as a changed letter.
func Diff(a, b string) []Chunk {
	ta, tb := tokens(a), tokens(b)
	index := map[string]rune{}
	var table []string
	encode := func(toks []string) []rune {
		rs := make([]rune, len(toks))
		for i, t := range toks {
			r, ok := index[t]
			if !ok {
				// Private-use and beyond: any rune value works as a symbol.
				r = rune(len(table) + 0xF0000)
				index[t] = r
				table = append(table, t)
			}
			rs[i] = r
		}
		return rs
	}
	ra, rb := encode(ta), encode(tb)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	diffs := dmp.DiffMainRunes(ra, rb, false)
	diffs = dmp.DiffCleanupSemantic(diffs)
	var out []Chunk
	for _, d := range diffs {
		var sb strings.Builder
		for _, r := range d.Text {
			sb.WriteString(table[r-0xF0000])
		}
		op := Equal
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = Delete
		case diffmatchpatch.DiffInsert:
			op = Insert
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += sb.String()
			continue
		}
		out = append(out, Chunk{Op: op, Text: sb.String()})
	}
	return out
}

// Count returns how many words each side of chunks has.
func Count(chunks []Chunk) Stats {
	var s Stats
	for _, c := range chunks {
		n := len(strings.Fields(c.Text))
		switch c.Op {
		case Delete:
			s.Removed += n
		case Insert:
			s.Added += n
		default:
			s.Unchanged += n
		}
	}
	return s
}

// tokens splits s into words, single punctuation marks and white-space runs.
func tokens(s string) []string {
	var out []string
	start := -1
	kind := 0 // 1 word, 2 space
	flush := func(i int) {
		if start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
	}
	for i, r := range s {
		k := 3
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '\'' || r == '’':
			k = 1
		case unicode.IsSpace(r):
			k = 2
		}
		if k == 3 || k != kind {
			flush(i)
		}
		if start < 0 {
			start = i
		}
		kind = k
		if k == 3 {
			flush(i + len(string(r)))
			kind = 0
		}
	}
	flush(len(s))
	return out
}
