// Package worddiff compares two texts word by word.
//
// A diff is computed in two passes so that its cost stays bounded on huge
// texts: paragraphs first (each paragraph hashed to one symbol), then words
// only within the runs of paragraphs that changed. The word pass has a time
// budget; a changed run left when it is spent is shown whole (removed, then
// added), which is coarser but still a correct diff.
package worddiff

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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

// DefaultBudget is the time a diff may spend matching before it falls back
// to whole paragraphs: a diff is read by a person waiting for a page.
const DefaultBudget = 300 * time.Millisecond

// Options bound a diff.
type Options struct {
	// Budget is the wall-clock time for matching paragraphs and words;
	// 0 means DefaultBudget. When it is spent, the changed paragraphs not
	// yet compared word by word are shown as removed and added whole.
	Budget time.Duration
}

// symbolBase is where symbols start: a symbol is any rune value, but
// go-diff turns runes into strings, so only valid, non-surrogate code
// points above every real character in use survive the round trip.
const (
	symbolBase = 0xF0000
	maxSymbols = unicode.MaxRune - symbolBase + 1
)

// Diff returns the word-level differences between a and b with the default
// budget: words and the white space between them are the units, so a
// changed word never shows as a changed letter. Applying the chunks to a
// (dropping Insert, keeping Equal and Delete) gives a, and the other way b.
// It stops with ctx's error when ctx is done.
func Diff(ctx context.Context, a, b string) ([]Chunk, error) {
	return Options{}.Diff(ctx, a, b)
}

// Diff is the package's Diff with o's bounds.
func (o Options) Diff(ctx context.Context, a, b string) ([]Chunk, error) {
	budget := o.Budget
	if budget <= 0 {
		budget = DefaultBudget
	}
	deadline := time.Now().Add(budget)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	var out chunks
	if a == b {
		out.add(Equal, a)
		return out, ctx.Err()
	}
	pa, pb := paragraphs(a), paragraphs(b)
	ra, rb, ok := encode(a, pa, b, pb)
	if !ok {
		out.add(Delete, a)
		out.add(Insert, b)
		return out, ctx.Err()
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = time.Until(deadline)
	if dmp.DiffTimeout <= 0 {
		dmp.DiffTimeout = time.Nanosecond
	}
	pdiffs := dmp.DiffMainRunes(ra, rb, false)
	// A changed run is what lies between two equal paragraph runs: the
	// paragraphs of a from da, those of b from db, up to ia and ib.
	ia, ib := 0, 0 // next paragraph of a and b
	da, db := 0, 0
	flush := func() error {
		if da == ia && db == ib {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		out.words(span(a, pa, da, ia), span(b, pb, db, ib), deadline)
		return nil
	}
	for _, d := range pdiffs {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			if err := flush(); err != nil {
				return nil, err
			}
			out.add(Equal, span(a, pa, ia, ia+n))
			ia += n
			ib += n
			da, db = ia, ib
		case diffmatchpatch.DiffDelete:
			ia += n
		case diffmatchpatch.DiffInsert:
			ib += n
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// span is the text of pieces i to j of s, given the pieces' end offsets.
func span(s string, ends []int, i, j int) string {
	from := 0
	if i > 0 {
		from = ends[i-1]
	}
	to := 0
	if j > 0 {
		to = ends[j-1]
	}
	return s[from:to]
}

// chunks is a diff being built; add merges a run into the last chunk when
// they share an Op.
type chunks []Chunk

func (c *chunks) add(op Op, text string) {
	if text == "" {
		return
	}
	if n := len(*c); n > 0 && (*c)[n-1].Op == op {
		(*c)[n-1].Text += text
		return
	}
	*c = append(*c, Chunk{Op: op, Text: text})
}

// maxCleanup bounds the pieces of one changed run that go-diff's semantic
// cleanup (which shifts slices and concatenates strings: quadratic in the
// worst case) is given; a run with more is shown whole.
const maxCleanup = 2000

// words appends the word diff of a changed run: a removed and b added,
// falling back to both whole when the deadline has passed or the run has
// too many symbols or pieces.
func (c *chunks) words(a, b string, deadline time.Time) {
	coarse := func() {
		c.add(Delete, a)
		c.add(Insert, b)
	}
	if a == "" || b == "" {
		coarse()
		return
	}
	left := time.Until(deadline)
	if left <= 0 {
		coarse()
		return
	}
	ta, tb := tokens(a), tokens(b)
	ra, rb, ok := encode(a, ta, b, tb)
	if !ok {
		coarse()
		return
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = left
	diffs := dmp.DiffMainRunes(ra, rb, false)
	if len(diffs) > maxCleanup || time.Now().After(deadline) {
		// Too fragmented to read, or cut short by the deadline: go-diff
		// then answers with large removed/added blocks anyway.
		coarse()
		return
	}
	diffs = dmp.DiffCleanupSemantic(diffs)
	ia, ib := 0, 0
	for _, d := range diffs {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			c.add(Delete, span(a, ta, ia, ia+n))
			ia += n
		case diffmatchpatch.DiffInsert:
			c.add(Insert, span(b, tb, ib, ib+n))
			ib += n
		default:
			c.add(Equal, span(a, ta, ia, ia+n))
			ia += n
			ib += n
		}
	}
}

// encode maps each distinct piece of a and b (given by their end
// offsets) to one symbol, hashing it through a map; ok is false when
// there are more than the symbols go-diff can carry.
func encode(a string, ea []int, b string, eb []int) (ra, rb []rune, ok bool) {
	index := make(map[string]rune)
	enc := func(s string, ends []int) []rune {
		rs := make([]rune, len(ends))
		from := 0
		for i, to := range ends {
			t := s[from:to]
			r, seen := index[t]
			if !seen {
				r = rune(symbolBase + len(index))
				index[t] = r
			}
			rs[i] = r
			from = to
		}
		return rs
	}
	ra, rb = enc(a, ea), enc(b, eb)
	return ra, rb, len(index) <= maxSymbols
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

// paragraphs returns the end offsets of the paragraphs of s: it is cut
// after each run of newlines, so that every piece is a line or paragraph
// with the line breaks that end it.
func paragraphs(s string) []int {
	var ends []int
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			ends = append(ends, len(s))
			break
		}
		j += i
		for j < len(s) && (s[j] == '\n' || s[j] == '\r') {
			j++
		}
		ends = append(ends, j)
		i = j
	}
	return ends
}

// tokens returns the end offsets of the tokens of s: words, single
// punctuation marks and white-space runs. Offsets, not strings: a text of
// a megabyte has a third of a million tokens, and strings would be as
// many pointers for the garbage collector to scan.
func tokens(s string) []int {
	ends := make([]int, 0, len(s)/3+1)
	kind := 0 // of the open token: 1 word, 2 space, 0 none
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		k := 3
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '\''):
			k = 1
		case r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\v' || r == '\f':
			k = 2
		case r < utf8.RuneSelf:
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '’':
			k = 1
		case unicode.IsSpace(r):
			k = 2
		}
		if kind != 0 && (k == 3 || k != kind) {
			ends = append(ends, i)
		}
		kind = k
		if k == 3 {
			// A punctuation mark is a token of its own; w, not
			// len(string(r)): an invalid byte is one byte long but
			// reads as the 3-byte U+FFFD.
			ends = append(ends, i+w)
			kind = 0
		}
		i += w
	}
	if kind != 0 {
		ends = append(ends, len(s))
	}
	return ends
}
