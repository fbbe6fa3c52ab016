package extract

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Per-source template learning. A single page cannot tell a site's
// newsletter box or "About the author" blurb from the article; many pages
// of one site can: furniture recurs across distinct articles, the article
// does not. The harvester keeps, per source, in how many distinct articles
// each block of the extracted body occurred (store: template_blocks), and
// extraction drops the blocks that recur widely enough.

const (
	// TemplateMinArticles: a block must occur in at least this many
	// distinct articles of a source to be furniture; a paragraph two
	// articles share is not.
	TemplateMinArticles = 3
	// TemplateMinShare: and in at least this share of the articles the
	// source's statistics were learned from, so that a quotation, or a
	// paragraph a site adds to a handful of its articles, stays text:
	// furniture is on most of a site's pages. A wrong drop hides words
	// from the archive, a wrong keep only archives some furniture, so the
	// bar is high.
	TemplateMinShare = 0.5
	// TemplateMinLearned: nothing is furniture before the source's
	// statistics come from this many articles (3 of 4 says little).
	TemplateMinLearned = 10
	// templateMaxDrop: a template that would drop more than this share of
	// the body's text is not trusted for that page (the page is kept
	// whole, with a warning): learning only ever trims furniture.
	templateMaxDrop = 0.5
	// maxPageBlocks bounds what one page adds to the statistics.
	maxPageBlocks = 400
	// templateMaxRunes: longer blocks are prose, never furniture (an
	// author's blurb or a legal line is a few sentences); leaving them out
	// keeps learning cheap.
	templateMaxRunes = 600
	// Shape keys: a short, mostly-link block (a related card's title) is
	// also known by its place in the page, since its words change with
	// every article while its place does not.
	shapeTextMax   = 120 // runes
	shapeLinkShare = 0.6
	shapeMaxSibs   = 4 // a related-cards row is short; a list of references is not
	sampleRunes    = 80
)

// BlockStat is what a source's statistics say of one block.
type BlockStat struct {
	Articles int    // distinct articles of the source that held it
	Sample   string // its text (or place, for a shape key), shortened
}

// Template is a source's learned statistics, as extraction uses them: the
// blocks that may be furniture, and how many articles were learned from.
// A nil *Template learns and drops nothing.
type Template struct {
	Learned int                  // distinct articles the statistics come from
	Blocks  map[string]BlockStat // block key -> stat (only blocks seen in TemplateMinArticles or more need be here)
	// Prior, for a page of an article already archived, holds the text
	// keys (TextKeys) of the blocks its latest snapshot held or dropped
	// as template: only those may be dropped. A block new to the article
	// is part of a revision, however common it is on the site's other
	// pages ("Correction: …" added to several articles). nil for a new
	// article.
	Prior map[string]bool
}

// Furniture reports whether the block with key is template furniture:
// seen in at least TemplateMinArticles distinct articles and in at least
// TemplateMinShare of those learned from, once TemplateMinLearned articles
// were. It depends only on the counts, never on the order the articles
// came in.
func (t *Template) Furniture(key string) (BlockStat, bool) {
	if t == nil {
		return BlockStat{}, false
	}
	b, ok := t.Blocks[key]
	if !ok || t.Learned < TemplateMinLearned || b.Articles < TemplateMinArticles || float64(b.Articles) < TemplateMinShare*float64(t.Learned) {
		return b, false
	}
	return b, true
}

// Block is one block of an extracted body as learning sees it.
type Block struct {
	Key    string // "t" + hash of its folded, lower-cased text, or "s" + hash of its place (shape)
	Sample string
}

// TemplateDrop is a block extraction dropped as the source's template.
type TemplateDrop struct {
	Key      string // the key that made it furniture (text or shape)
	TextKey  string // the key of its text
	Text     string // the block's text, shortened
	Articles int    // distinct articles of the source holding it
	Learned  int    // articles the source's statistics come from
}

// leafBlock is a block element holding no other block.
type leafBlock struct {
	n    *html.Node
	text string
	keys []Block
}

// applyTemplate computes the body's blocks (res.Blocks, for learning) and
// drops those t says are furniture (res.Template).
func applyTemplate(bodyNodes []*html.Node, base *url.URL, t *Template, res *Result) {
	if t == nil {
		return
	}
	var leaves []leafBlock
	for _, root := range bodyNodes {
		collectLeaves(root, root, base, &leaves)
	}
	seen := map[string]bool{}
	total, drop := 0, 0
	var dropped []int
	var drops []TemplateDrop
	for i := range leaves {
		lb := &leaves[i]
		total += len(lb.text)
		var furn *TemplateDrop
		for _, k := range lb.keys {
			if !seen[k.Key] && len(res.Blocks) < maxPageBlocks {
				seen[k.Key] = true
				res.Blocks = append(res.Blocks, k)
			}
			if st, ok := t.Furniture(k.Key); ok && furn == nil {
				furn = &TemplateDrop{Key: k.Key, TextKey: lb.keys[0].Key, Text: shorten(lb.text), Articles: st.Articles, Learned: t.Learned}
			}
		}
		if furn != nil && t.Prior != nil && !t.Prior[lb.keys[0].Key] {
			furn = nil
			res.Warnings = append(res.Warnings, fmt.Sprintf("template: kept %q, common on the source's pages but new to this article", shorten(lb.text)))
		}
		if furn != nil && !isBodyNode(lb.n, bodyNodes) {
			drop += len(lb.text)
			dropped = append(dropped, i)
			drops = append(drops, *furn)
		}
	}
	sort.Slice(res.Blocks, func(i, j int) bool { return res.Blocks[i].Key < res.Blocks[j].Key })
	if len(dropped) == 0 {
		return
	}
	if float64(drop) > templateMaxDrop*float64(total) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("template: the source's template would drop %d of %d characters of the body; kept it whole", drop, total))
		return
	}
	for _, i := range dropped {
		removeNode(leaves[i].n)
	}
	res.Template = drops
}

// isBodyNode: a body that is one block is never dropped whole.
func isBodyNode(n *html.Node, bodyNodes []*html.Node) bool {
	for _, b := range bodyNodes {
		if b == n {
			return true
		}
	}
	return false
}

// collectLeaves appends the leaf blocks under n (in document order) with
// their keys, and reports whether n's subtree holds a block element.
func collectLeaves(root, n *html.Node, base *url.URL, out *[]leafBlock) bool {
	if n.Type != html.ElementNode || invisibleTags[n.Data] {
		return false
	}
	mark := len(*out)
	hasBlock := false
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if collectLeaves(root, c, base, out) {
			hasBlock = true
		}
	}
	if !blockTags[n.Data] {
		return hasBlock
	}
	if hasBlock || len(*out) != mark {
		return true
	}
	text := foldedText(n)
	if runes := utf8.RuneCountInString(text); runes < 3 || runes > templateMaxRunes {
		return true
	}
	lb := leafBlock{n: n, text: text, keys: []Block{{Key: textKey(text), Sample: shorten(text)}}}
	if place := shapePlace(root, n, base, text); place != "" {
		lb.keys = append(lb.keys, Block{Key: "s" + hash64(place), Sample: shorten(place + " (links)")})
	}
	*out = append(*out, lb)
	return true
}

// shapePlace is where a short, mostly-link block sits ("div.related >
// div.card > h3"), or "" when it is not such a block, its place names no
// class to recognise it by, or it links off the site: a related card
// names another article of the site, while a short list of links to
// other sites in the same place on every page is each article's own
// sources (its texts occur once each and must stay).
func shapePlace(root, n *html.Node, base *url.URL, text string) string {
	if n.Data == "p" || utf8.RuneCountInString(text) > shapeTextMax || linkShare(n) < shapeLinkShare || !linksOnSite(n, base) {
		return ""
	}
	if n.Parent != nil && elementCount(n.Parent) > shapeMaxSibs {
		return ""
	}
	var parts []string
	classed := false
	for a := n; a != nil && a != root; a = a.Parent {
		if a.Type != html.ElementNode {
			continue
		}
		p := a.Data
		if c := strings.Join(strings.Fields(attr(a, "class")), "."); c != "" {
			p += "." + c
			classed = true
		}
		parts = append(parts, p)
	}
	if !classed {
		return ""
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, " > ")
}

// linksOnSite reports whether every link under n leads to base's site
// (a relative link does; "www." aside).
func linksOnSite(n *html.Node, base *url.URL) bool {
	if base == nil {
		return true
	}
	site := strings.TrimPrefix(strings.ToLower(base.Hostname()), "www.")
	if n.Type == html.ElementNode && n.Data == "a" {
		if href := strings.TrimSpace(attr(n, "href")); href != "" {
			u, err := base.Parse(href)
			if err != nil || strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.") != site {
				return false
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !linksOnSite(c, base) {
			return false
		}
	}
	return true
}

func elementCount(n *html.Node) int {
	k := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			k++
		}
	}
	return k
}

func hash64(s string) string {
	return strconv.FormatUint(fnv64a(s), 16)
}

// fnv64a is hash/fnv's 64-bit FNV-1a of s, read in place (the hash.Hash
// took a copy of every block's text).
func fnv64a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// textKey is "t" + hash64(strings.ToLower(text)), the key of a block's
// text, lower-casing ASCII text as it is hashed rather than copying it
// (collectLeaves keys every leaf block of the body).
func textKey(text string) string {
	h := uint64(14695981039346656037)
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= utf8.RuneSelf {
			return "t" + hash64(strings.ToLower(text)) // Unicode case mapping
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint64(c)
		h *= 1099511628211
	}
	var arr [17]byte
	return string(strconv.AppendUint(append(arr[:0], 't'), h, 16))
}

// shorten is s cut to sampleRunes runes and "…". The cut is found in
// place; only a text with invalid UTF-8 before it goes through []rune,
// which turns such bytes into U+FFFD.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= sampleRunes {
		return s
	}
	off := 0
	for range sampleRunes {
		r, size := utf8.DecodeRuneInString(s[off:])
		if r == utf8.RuneError && size == 1 {
			return string([]rune(s)[:sampleRunes]) + "…"
		}
		off += size
	}
	return s[:off] + "…"
}

// TextKeys are the text keys of text's blocks (an extracted body's text:
// blocks separated by blank lines), as Block.Key gives them to blocks whose
// text they are; a list item's also without its "- ".
func TextKeys(text string) []string {
	var keys []string
	for _, p := range strings.Split(text, "\n\n") {
		folded := strings.ToLower(foldSpace(p))
		if folded == "" {
			continue
		}
		keys = append(keys, "t"+hash64(folded))
		if item, ok := strings.CutPrefix(folded, "- "); ok {
			keys = append(keys, "t"+hash64(item))
		}
	}
	return keys
}

// StripDropped drops from text (an extracted body's text: blocks separated
// by blank lines) the blocks whose text is that of a block in drops. A
// snapshot stored before some blocks of its page became furniture, so
// stripped of those the page now drops, is what the page extracts to
// today: harvest compares the two to tell a template learned since from a
// revision.
func StripDropped(text string, drops []TemplateDrop) string {
	if len(drops) == 0 || text == "" {
		return text
	}
	gone := make(map[string]bool, len(drops))
	for _, d := range drops {
		gone[d.TextKey] = true
	}
	paras := strings.Split(text, "\n\n")
	kept := paras[:0]
	for _, p := range paras {
		folded := strings.ToLower(foldSpace(p))
		if gone["t"+hash64(folded)] {
			continue
		}
		if item, ok := strings.CutPrefix(folded, "- "); ok && gone["t"+hash64(item)] {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "\n\n")
}

// StripDroppedHTML is StripDropped for the same body's HTML: its leaf
// blocks whose text is that of a block in drops go, so that their links
// and captions no longer count in the fingerprint either. html is
// returned as it is when no block goes.
func StripDroppedHTML(body string, drops []TemplateDrop) string {
	if len(drops) == 0 || body == "" {
		return body
	}
	gone := make(map[string]bool, len(drops))
	for _, d := range drops {
		gone[d.TextKey] = true
	}
	ctxNode := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(body), ctxNode)
	if err != nil {
		return body
	}
	var drop []*html.Node
	var leaf func(n *html.Node) bool // reports whether n's subtree holds a block
	leaf = func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return false
		}
		inner := false
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			inner = leaf(c) || inner
		}
		if !blockTags[n.Data] {
			return inner
		}
		if !inner && gone[textKey(foldedText(n))] {
			drop = append(drop, n)
		}
		return true
	}
	for _, n := range nodes {
		leaf(n)
	}
	if len(drop) == 0 {
		return body
	}
	var b strings.Builder
	for _, n := range drop {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
	for _, n := range nodes {
		if !slices.Contains(drop, n) {
			if err := html.Render(&b, n); err != nil {
				return body
			}
		}
	}
	return b.String()
}
