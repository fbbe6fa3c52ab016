package extract

import (
	"hash/fnv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// crossCheck uses the page's own statement of its article text (JSON-LD
// articleBody) to drop the blocks of the generic extraction that it does not
// contain: promos, author boxes and captions the DOM heuristics kept. The
// statement is trusted only when it is long and agrees with most of the
// extraction (a truncated teaser or a stale copy does not prune anything).
// Headings are kept: articleBody is plain text and often leaves them out.
// It returns the number of blocks removed.
func crossCheck(nodes []*html.Node, ldBody string, dropped map[string]int) int {
	if len(ldBody) < 500 {
		return 0
	}
	ref := shingleSet(ldBody)
	if len(ref) < 50 {
		return 0
	}
	var blocks []*html.Node
	for _, root := range nodes {
		walk(root, func(n *html.Node) bool {
			if n.Type != html.ElementNode || invisibleTags[n.Data] {
				return n.Type != html.ElementNode
			}
			if isHeading(n) || n.Data == "figure" || n.Data == "figcaption" || n.Data == "table" || n.Data == "blockquote" || isNotes(n) {
				return false
			}
			if n != root && (n.Data == "p" || n.Data == "li" || n.Data == "pre" || (n.Data == "div" && !hasBlock(n))) && !hasBlockDescendant(n) {
				blocks = append(blocks, n)
				return false
			}
			return true
		})
	}
	found, total := 0, 0
	hits := make([]int, len(blocks))
	sizes := make([]int, len(blocks))
	for i, b := range blocks {
		for _, h := range shingles(foldedText(b)) {
			sizes[i]++
			if ref[h] {
				hits[i]++
			}
		}
		found += hits[i]
		total += sizes[i]
	}
	if total == 0 || float64(found) < 0.6*float64(total) {
		return 0
	}
	removed := 0
	for i, b := range blocks {
		if sizes[i] > 0 && hits[i] == 0 {
			note(dropped, "not in JSON-LD articleBody", b)
			removeNode(b)
			removed++
		}
	}
	return removed
}

// shingles hashes the overlapping three-word windows of s (a text of one
// or two words is one window); words are runs of letters and digits,
// compared without case.
func shingles(s string) []uint64 {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) == 0 {
		return nil
	}
	hash := func(ws []string) uint64 {
		h := fnv.New64a()
		for _, w := range ws {
			h.Write([]byte(w))
			h.Write([]byte{0})
		}
		return h.Sum64()
	}
	if len(words) < 3 {
		return []uint64{hash(words)}
	}
	out := make([]uint64, 0, len(words)-2)
	for i := 0; i+3 <= len(words); i++ {
		out = append(out, hash(words[i:i+3]))
	}
	return out
}

func shingleSet(s string) map[uint64]bool {
	set := map[uint64]bool{}
	for _, h := range shingles(s) {
		set[h] = true
	}
	return set
}
