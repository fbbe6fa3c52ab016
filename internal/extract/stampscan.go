package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// needlePairs marks the first two bytes (ASCII lower-cased) of every stamp
// needle, as a bit set over the 65,536 byte pairs: most bytes of a text
// start no pair, so the scan rarely needs needleAt's slower comparison.
var needlePairs = func() (t [1 << 16 / 64]uint64) {
	for _, s := range stampNeedleList {
		p := int(s[0])<<8 | int(s[1])
		t[p/64] |= 1 << (p % 64)
	}
	return t
}()

// needleFirst marks the bytes a stamp needle starts with, in either case.
var needleFirst = func() (t [256]bool) {
	for _, s := range stampNeedleList {
		t[s[0]] = true
		if 'a' <= s[0] && s[0] <= 'z' {
			t[s[0]-'a'+'A'] = true
		}
	}
	return t
}()

// nextNeedle is the position and length of the first stamp needle in s at
// or after off (the first listed, where two start at one byte), as
// needleAt finds them byte by byte; -1, 0 if there is none.
func nextNeedle(s string, off int) (p, n int) {
	for q := off; q+1 < len(s); q++ {
		if !needleFirst[s[q]] {
			continue
		}
		pair := int(asciiLowerByte(s[q]))<<8 | int(asciiLowerByte(s[q+1]))
		if needlePairs[pair/64]&(1<<(pair%64)) == 0 {
			continue
		}
		if k := needleAt(s[q:]); k > 0 {
			return q, k
		}
	}
	return -1, 0
}

// pageMayHoldStamp reports false only when plainText(nodes, skip) cannot
// hold a stamp needle, for any skip: then FindRevisionStamp of that text
// finds nothing, and the page's text need not be rendered (with isChrome
// deciding what to skip, that was a tenth of extraction). Most pages hold no
// needle at all.
//
// The rendered text is made of the text nodes outside invisibleTags, in
// document order, white space folded and skipped nodes left out. A needle
// has no white space ("à jour" aside), so it lies either inside one text
// node, or across text nodes that follow each other once the skipped ones
// are gone: it starts with a suffix of one node and the next rendered
// node (any later one, as far as this check knows) continues it. Both are
// looked for in the raw text nodes, so the answer errs only towards true.
func pageMayHoldStamp(nodes []*html.Node) bool {
	s := stampScan{}
	for _, n := range nodes {
		if s.node(n) {
			return true
		}
	}
	return false
}

// stampScan holds, for pageMayHoldStamp, the needle remainders that some
// earlier text node's end asks a later node to start with, by their first
// byte.
type stampScan struct {
	pending [256][]string
}

func (s *stampScan) node(n *html.Node) bool {
	switch n.Type {
	case html.TextNode:
		return s.text(n.Data)
	case html.ElementNode:
		if invisibleTags[n.Data] {
			return false
		}
	case html.DocumentNode:
	default:
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if s.node(c) {
			return true
		}
	}
	return false
}

// text reports whether d may put a needle in the rendered text, and
// records what a later node would have to start with to end one that d's
// last bytes begin.
func (s *stampScan) text(d string) bool {
	if d == "" {
		return false
	}
	if p, _ := nextNeedle(d, 0); p >= 0 || mayJoinAJour(d) {
		return true
	}
	// A needle that an earlier node began and this one continues.
	for _, rest := range s.pending[asciiLowerByte(d[0])] {
		k := min(len(rest), len(d))
		if asciiEqualFold(d[:k], rest[:k]) {
			return true
		}
	}
	// A needle that this node begins: its last bytes are a needle's
	// proper prefix (cut between runes, as text nodes are).
	last := d[len(d)-1]
	if isASCIISpace(last) {
		return false
	}
	for _, cut := range needleCutsByLast[asciiLowerByte(last)] {
		head := cut.needle[:cut.at]
		if len(d) >= len(head) && asciiEqualFold(d[len(d)-len(head):], head) {
			rest := cut.needle[cut.at:]
			if !containsString(s.pending[rest[0]], rest) {
				s.pending[rest[0]] = append(s.pending[rest[0]], rest)
			}
		}
	}
	return false
}

// mayJoinAJour reports an "à" that ends the node, or is followed by white
// space and then "jour" or a start of it that ends the node: folded, any
// white space run becomes the needle's one space.
func mayJoinAJour(d string) bool {
	for off := 0; ; {
		i := strings.Index(d[off:], "à")
		if i < 0 {
			return false
		}
		rest := d[off+i+len("à"):]
		if rest == "" {
			return true // the next node may start " jour"
		}
		trimmed := strings.TrimLeftFunc(rest, unicode.IsSpace)
		if k := min(len(trimmed), len("jour")); len(trimmed) < len(rest) && asciiEqualFold(trimmed[:k], "jour"[:k]) {
			return true
		}
		off += i + len("à")
	}
}

// needleCut is a needle cut in two between runes: needle[:at] ends one text
// node, needle[at:] starts a later one.
type needleCut struct {
	needle string
	at     int
}

// needleCutsByLast lists every needleCut by the last byte of its head.
var needleCutsByLast = func() (t [256][]needleCut) {
	for _, s := range stampNeedleList {
		for at := 1; at < len(s); at++ {
			if !utf8.RuneStart(s[at]) || s[at] == ' ' {
				continue // "à jour" across nodes is mayJoinAJour's
			}
			t[s[at-1]] = append(t[s[at-1]], needleCut{s, at})
		}
	}
	return t
}()

// asciiEqualFold compares a and b (of one length) with ASCII letters in
// any case, as needleAt does; b is lower case.
func asciiEqualFold(a, b string) bool {
	for i := 0; i < len(b); i++ {
		if asciiLowerByte(a[i]) != b[i] {
			return false
		}
	}
	return true
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
