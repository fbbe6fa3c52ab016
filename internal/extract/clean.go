package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// cleanBody removes, from the generic extractor's chosen nodes, the
// furniture that sits inside article containers where class names do not
// give it away: link lists ("More from UK", "Next article", tag clouds),
// sections under a furniture heading ("Related news", "Trending",
// "Comments") and lone labels ("Advertisement", "Close"). It reports how
// many elements it removed and counts them in dropped by reason and element.
func cleanBody(nodes []*html.Node, dropped map[string]int) int {
	// Pop-over cards first: their links would make a paragraph look like
	// a link list.
	removed := dropInlineCards(nodes, dropped)
	for _, root := range nodes {
		removed += dropCardRows(root, dropped)
		var headings, drop []*html.Node
		walk(root, func(n *html.Node) bool {
			if n == root || n.Type != html.ElementNode {
				return true
			}
			if isNotes(n) || invisibleTags[n.Data] {
				return false
			}
			if (isHeading(n) || isLoneStrong(n)) && furnitureHeading(foldedText(n)) {
				headings = append(headings, n)
				return false
			}
			return !isHeading(n)
		})
		for _, h := range headings {
			k := removeSection(h)
			if k > 0 {
				note(dropped, "furniture box", h.Parent)
			}
			removed += k
		}
		rootProse := proseLength(root)
		walk(root, func(n *html.Node) bool {
			if n == root || n.Type != html.ElementNode {
				return true
			}
			if isNotes(n) || invisibleTags[n.Data] || isHeading(n) {
				return false // footnotes and references are link-heavy by nature
			}
			// The text itself only matters when it is short: a long one is
			// neither built nor measured to its end.
			size, text := foldedLenUpTo(n, 200), ""
			if size == 0 {
				return false
			}
			if size < 200 {
				text = foldedText(n)
			}
			if isFurnitureLabel(text) {
				note(dropped, "label", n)
				drop = append(drop, n)
				return false
			}
			if linkListTags[n.Data] && linkShare(n) > 0.5 && (n.Data != "p" || size < 200 && (countLinks(n) > 1 || labelled(text))) && 2*proseLength(n) <= rootProse {
				note(dropped, "link list", n)
				drop = append(drop, n)
				return false
			}
			return true
		})
		for _, n := range drop {
			removeNode(n)
		}
		removed += len(drop)
	}
	removed += dropTrailingCardPair(nodes, dropped)
	removed += dropAuthorBoxes(nodes, dropped)
	removed += dropDateLines(nodes, dropped)
	removed += dropTagLists(nodes, dropped)
	removed += dropMetadataItems(nodes, dropped)
	removed += dropPostscripts(nodes, dropped)
	removed += dropTail(nodes, dropped)
	removed += dropFinePrint(nodes, dropped)
	removed += dropButtons(nodes, dropped)
	markLooseCaptions(nodes, dropped) // kept in the HTML: not counted as removed

	return removed
}

// linkListTags may be removed whole when they are mostly links.
var linkListTags = map[string]bool{
	"ul": true, "ol": true, "dl": true, "div": true, "section": true,
	"table": true, "p": true, "center": true, "aside": true, "header": true, "footer": true,
}

// isNotes reports footnote, endnote and reference sections.
func isNotes(n *html.Node) bool {
	// Each attribute on its own, with no string built: no marker holds the
	// space that used to join them.
	for _, key := range [...]string{"class", "id", "role"} {
		if v := attr(n, key); v != "" && notesName(v) {
			return true
		}
	}
	return false
}

// notesMarkers name footnote, endnote and reference sections.
var notesMarkers = []string{"footnote", "endnote", "reference", "citation", "bibliograph", "doc-"}

// notesName reports a notesMarker in strings.ToLower(v), lowering only
// when v is not plain ASCII (ToLower maps a few other runes, such as the
// Kelvin sign, to ASCII letters).
func notesName(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf {
			return containsAny(strings.ToLower(v), notesMarkers)
		}
	}
	// One pass over v, trying at each byte only the markers that start
	// with it (notesMarkers by their first byte), where a search a marker
	// read v six times.
	for i := 0; i < len(v); i++ {
		for _, m := range notesByFirst[asciiLowerByte(v[i])] {
			if i+len(m) <= len(v) && asciiEqualFold(v[i:i+len(m)], m) {
				return true
			}
		}
	}
	return false
}

// notesByFirst holds notesMarkers by their first byte.
var notesByFirst = func() (t [256][]string) {
	for _, m := range notesMarkers {
		t[m[0]] = append(t[m[0]], m)
	}
	return t
}()

// isLoneStrong reports a paragraph or div made only of bold text, which
// some pages use instead of a heading.
func isLoneStrong(n *html.Node) bool {
	if n.Data != "p" && n.Data != "div" {
		return false
	}
	var only *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			if strings.TrimSpace(c.Data) != "" {
				return false
			}
		case html.ElementNode:
			if only != nil {
				return false
			}
			only = c
		}
	}
	return only != nil && (only.Data == "strong" || only.Data == "b")
}

// labelKey lower-cases s and keeps only its letters and spaces, so that
// "ADVERTISEMENT:", "Related Stories »" and "Share this:" compare plainly.
func labelKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// furnitureLabels are whole texts that are never article prose.
var furnitureLabels = map[string]bool{
	"advertisement": true, "advert": true, "ad": true, "ads": true,
	"sponsored": true, "sponsored content": true, "story continues below advertisement": true,
	"article continues below advertisement": true, "article continues below": true,
	"continue reading below": true, "scroll to continue with content": true,
	"close": true, "share": true, "share this": true, "share this article": true,
	"share this story": true, "share on facebook": true, "share on twitter": true,
	"tweet": true, "print": true, "email": true, "comments": true, "comment": true,
	"view comments": true, "show comments": true, "skip ad": true, "loading": true,
	"back to top": true, "text size": true, "back to gallery": true, "image of": true,
	"реклама": true, "广告": true, "分享": true,
}

func isFurnitureLabel(text string) bool {
	if len(text) > 60 {
		return false
	}
	return furnitureLabels[labelKey(text)]
}

// furnitureHeadingPrefixes open the headings of boxes that list other pages
// or gather reader reactions.
var furnitureHeadingPrefixes = []string{
	"related", "more from", "more on", "more stories", "more news", "more articles",
	"read more", "read also", "also read", "read next", "see more", "see also",
	"you may also", "you might also", "you may like", "you might like", "recommended",
	"trending", "most popular", "most read", "popular posts", "popular stories",
	"don t miss", "dont miss", "tags", "topics", "comments", "leave a reply",
	"leave a comment", "post a comment", "join the conversation", "share this",
	"share", "follow us", "sign up", "subscribe", "newsletter", "latest news",
	"latest stories", "other stories", "top stories", "editor s picks", "editors picks",
	"next article", "previous article", "next post", "previous post",
	"читайте также", "похожие", "самые популярные", "комментарии", "отзывы",
	"相关", "推荐", "评论", "热门",
}

// furnitureHeading reports whether a heading's text names a furniture box.
// Counts may precede it ("12 Comments").
func furnitureHeading(text string) bool {
	if len(text) > 60 {
		return false
	}
	key := strings.TrimLeft(labelKey(strings.TrimLeft(text, "0123456789 ")), " ")
	for _, p := range furnitureHeadingPrefixes {
		if strings.HasPrefix(key, p) && (len(key) == len(p) || !isLetterAt(key, len(p))) {
			return true
		}
	}
	return false
}

func isLetterAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	return c >= 'a' && c <= 'z' || c >= 0x80
}

// removeSection removes a furniture heading and the link lists (and
// nested <article>s) that follow it; when the heading's parent holds
// nothing but that box, the parent goes with it. It returns the number of
// elements removed.
func removeSection(h *html.Node) int {
	parent := h.Parent
	var box []*html.Node
	for sib := h.NextSibling; sib != nil; sib = sib.NextSibling {
		if sib.Type != html.ElementNode {
			continue
		}
		// Nested <article>s after such a heading are its comments or
		// teasers ("Comments (3)", "Related"), never the article's prose.
		if isHeading(sib) || foldedText(sib) != "" && linkShare(sib) < 0.5 && sib.Data != "ul" && sib.Data != "ol" && sib.Data != "article" {
			break
		}
		box = append(box, sib)
	}
	if len(box) == 0 {
		// A heading followed by prose is the article's own, whatever it says.
		for sib := h.NextSibling; sib != nil; sib = sib.NextSibling {
			if sib.Type == html.ElementNode && foldedText(sib) != "" {
				return 0
			}
		}
	}
	for _, n := range append(box, h) {
		removeNode(n)
	}
	if parent != nil && parent.Parent != nil && parent.Data != "body" && parent.Data != "article" && parent.Data != "main" && foldedText(parent) == "" {
		removeNode(parent)
	}
	return len(box) + 1
}

func countLinks(n *html.Node) int {
	k := 0
	walk(n, func(c *html.Node) bool {
		if isElement(c, "a") {
			k++
			return false
		}
		return true
	})
	return k
}

// labelled reports a promotional line such as "Read more: <link>" or
// "Related: <link>".
func labelled(text string) bool {
	i := strings.IndexAny(text, ":|")
	return i > 0 && i < 30 && furnitureHeading(text[:i])
}

// note counts a dropped element under "reason: tag#id.class"; dropped may
// be nil.
func note(dropped map[string]int, reason string, n *html.Node) {
	if dropped == nil || n == nil {
		return
	}
	d := describe(n)
	if len(d) > 80 {
		d = d[:80] + "…"
	}
	dropped[reason+": "+d]++
}

// isTypedRuleNode is isTypedRule(foldedText(n)) without gathering n's
// text: it stops at the first rune that is neither a rule's nor white
// space, which in a paragraph is its first, where the text was gathered
// and folded for every paragraph and div of the body.
func isTypedRuleNode(n *html.Node) bool {
	r := ruleScan{}
	if !r.node(n) || len(r.carry) > 0 {
		return false // an unfinished rune at the end reads as U+FFFD
	}
	return r.marks >= 3
}

// ruleScan decodes the text nodes' runes as foldedText does over their
// concatenation: a rune cut between two nodes is carried to the next.
type ruleScan struct {
	marks int
	carry string
}

// node reports false as soon as n's text holds something else than rule
// marks and white space.
func (r *ruleScan) node(n *html.Node) bool {
	if n.Type == html.TextNode {
		return r.text(n.Data)
	}
	if n.Type == html.ElementNode && invisibleTags[n.Data] {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !r.node(c) {
			return false
		}
	}
	return true
}

func (r *ruleScan) text(s string) bool {
	if r.carry != "" {
		s, r.carry = r.carry+s, ""
	}
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			switch {
			case c == '_' || c == '-' || c == '*' || c == '~' || c == '=':
				r.marks++
			case !isASCIISpace(c):
				return false
			}
			i++
			continue
		}
		if !utf8.FullRuneInString(s[i:]) {
			r.carry = s[i:]
			return true
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == '—' || c == '–':
			r.marks++
		case !unicode.IsSpace(c):
			return false
		}
		i += size
	}
	return true
}

// foldedLenUpTo is min(foldedLen(n), limit), reading n's text only until
// the limit is reached: cleaning asks it of every element of the body,
// nested ones included, where a whole measure read the text again at
// every level.
func foldedLenUpTo(n *html.Node, limit int) int {
	f := foldCounter{limit: limit}
	if f.node(n) {
		f.finish()
	}
	return min(f.n, limit)
}

// foldCounter counts foldInto's output over the concatenated text nodes it
// is given, a rune cut between two nodes carried to the next.
type foldCounter struct {
	n, limit int
	space    bool
	carry    string
}

// node reports false once the count has reached the limit.
func (f *foldCounter) node(n *html.Node) bool {
	if n.Type == html.TextNode {
		return f.text(n.Data)
	}
	if n.Type == html.ElementNode && invisibleTags[n.Data] {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !f.node(c) {
			return false
		}
	}
	return true
}

func (f *foldCounter) text(s string) bool {
	if f.carry != "" {
		s, f.carry = f.carry+s, ""
	}
	for i := 0; i < len(s); {
		if c := s[i]; c > ' ' && c < utf8.RuneSelf {
			// A run of visible ASCII counts whole: the count only grows,
			// so it reaches the limit within the run if and only if at
			// its end.
			j := i + 1
			for j < len(s) && s[j] > ' ' && s[j] < utf8.RuneSelf {
				j++
			}
			if f.space && f.n > 0 {
				f.n++
			}
			f.space = false
			f.n += j - i
			if f.n >= f.limit {
				return false
			}
			i = j
			continue
		}
		size, r := 1, rune(s[i])
		if r >= utf8.RuneSelf {
			if !utf8.FullRuneInString(s[i:]) {
				f.carry = s[i:]
				return true
			}
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		if !f.rune(r) {
			return false
		}
	}
	return true
}

// rune counts one rune as foldInto does (an invalid byte is U+FFFD).
func (f *foldCounter) rune(r rune) bool {
	if r < utf8.RuneSelf && isASCIISpace(byte(r)) || r >= utf8.RuneSelf && unicode.IsSpace(r) {
		f.space = true
		return true
	}
	if f.space && f.n > 0 {
		f.n++
	}
	f.space = false
	f.n += utf8.RuneLen(r)
	return f.n < f.limit
}

// finish counts a rune left unfinished at the end: each of its bytes is
// an invalid one.
func (f *foldCounter) finish() {
	for range len(f.carry) {
		if !f.rune(utf8.RuneError) {
			return
		}
	}
}
