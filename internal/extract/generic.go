package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Class and id names are matched by substring on lower-cased tokens; plain
// string search is several times faster than case-insensitive regexps, and
// this runs on every element of the page.
var (
	// boilerplateWords name furniture: related links, share bars, comments,
	// newsletters, adverts, cookie banners, menus.
	boilerplateWords = []string{"related", "share", "sharing", "social", "comment", "disqus", "newsletter", "subscri", "promo", "advert", "cookie", "sidebar", "footer", "menu", "breadcrumb"}
	// contentWords rescue an element whose name also says it holds the
	// article ("article-content related-links" is more likely content).
	contentWords = []string{"article", "body", "column", "content", "main", "shadow"}
	// bylineWords name article metadata lines.
	bylineWords = []string{"byline", "dateline", "article-meta", "post-meta", "entry-meta"}
)

// Flags of nameWords: the token contains one of these lists' words, or "ad".
const (
	nameBoilerplate = 1 << iota
	nameContent
	nameByline
	nameAd
)

// namesByFirst holds the words of boilerplateWords, contentWords and
// bylineWords (and "ad") by their first byte, with their list's flag.
var namesByFirst = func() (t [256][]struct {
	word string
	flag uint8
}) {
	for _, l := range []struct {
		words []string
		flag  uint8
	}{{boilerplateWords, nameBoilerplate}, {contentWords, nameContent}, {bylineWords, nameByline}, {[]string{"ad"}, nameAd}} {
		for _, w := range l.words {
			t[w[0]] = append(t[w[0]], struct {
				word string
				flag uint8
			}{w, l.flag})
		}
	}
	return t
}()

// namePairs marks the first two bytes of namesByFirst's words (a bit for
// each pair of bytes): at most positions of a token no word starts, and
// one look in the table tells.
var namePairs = func() (t [256][4]uint64) {
	for first, ws := range namesByFirst {
		for _, w := range ws {
			t[first][w.word[1]>>6] |= 1 << (w.word[1] & 63)
		}
	}
	return t
}()

// nameWords tells which of the word lists have a word in tok, as
// containsAny tells for each, in one pass over tok: isChrome asks it of
// every class and id token of the page, twice.
func nameWords(tok string) uint8 {
	var f uint8
	// Every word has a second byte: the last byte starts none.
	for i := 0; i+1 < len(tok); i++ {
		if c := tok[i+1]; namePairs[tok[i]][c>>6]&(1<<(c&63)) == 0 {
			continue
		}
		for _, w := range namesByFirst[tok[i]] {
			if f&w.flag == 0 && tok[i+1] == w.word[1] && strings.HasPrefix(tok[i:], w.word) {
				f |= w.flag
			}
		}
	}
	return f
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// isAdToken matches "ad", "ads", "ad-slot", "top_ad", "page-ad-margins" but
// not "head", "load-more" or "shadow".
func isAdToken(tok string) bool {
	if tok == "ad" || tok == "ads" {
		return true
	}
	for _, pre := range []string{"ad-", "ad_", "ads-", "ads_"} {
		if strings.HasPrefix(tok, pre) {
			return true
		}
	}
	for _, suf := range []string{"-ad", "_ad", "-ads", "_ads"} {
		if strings.HasSuffix(tok, suf) {
			return true
		}
	}
	return strings.Contains(tok, "-ad-") || strings.Contains(tok, "_ad_") || strings.Contains(tok, "-ad_") || strings.Contains(tok, "_ad-")
}

// isChrome reports whether n is furniture to leave out of the article;
// forBody adds headers and bylines. It runs on every element of the page
// twice, so it reads the class and id tokens in place rather than joining,
// lower-casing and splitting them (isChromeReference in the tests).
func isChrome(n *html.Node, forBody bool) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch n.Data {
	case "html", "body", "article", "main":
		return false
	case "header":
		if forBody {
			return true
		}
	case "nav", "footer", "aside", "form", "dialog":
		// Page furniture, never article text. Headers (above) and bylines
		// are furniture for the body but not for the revision-stamp
		// search: they are where stamps usually sit.
		return !holdsArticle(n)
	}
	if invisible(n.Data) {
		return true
	}
	if chromeRole(n) {
		return !holdsArticle(n)
	}
	if attr(n, "itemprop") == "articleBody" {
		return false
	}
	// One pass over the tokens: a hidden class decides at once, a byline
	// word (for the body) once all are read, as the reference decides
	// hidden classes before anything else.
	furniture, content, byline := false, false, false
	for _, s := range [2]string{attr(n, "class"), attr(n, "id")} {
		for tok, rest := nextField(s); tok != ""; tok, rest = nextField(rest) {
			tok = strings.ToLower(tok)
			if isHiddenClass(tok) {
				return true
			}
			words := nameWords(tok)
			byline = byline || words&nameByline != 0
			// Every ad token contains "ad".
			ad := words&nameAd != 0 && isAdToken(tok)
			if ad || words&nameBoilerplate != 0 {
				furniture = true
			}
			if !ad && words&nameContent != 0 {
				content = true
			}
		}
	}
	if forBody && byline {
		// "article-meta" names the metadata line, not the article.
		return !holdsArticle(n)
	}
	if !furniture || holdsArticle(n) {
		return false
	}
	// "article-content related-links" is more likely the article, unless
	// it is mostly links, as related-story boxes are.
	return !content || linkShare(n) > 0.5
}

// hiddenClasses are the common CSS conventions for content that is not
// shown (Bootstrap, WordPress, HTML5 Boilerplate).
var hiddenClasses = []string{"hidden", "d-none", "hide", "is-hidden", "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "invisible", "off-screen", "offscreen"}

func isHiddenClass(tok string) bool {
	for _, h := range hiddenClasses {
		if tok == h {
			return true
		}
	}
	return false
}

// linkShare is the share of n's visible text that sits inside links.
func linkShare(n *html.Node) float64 {
	var all, links int
	var count func(*html.Node, bool)
	count = func(c *html.Node, inLink bool) {
		switch c.Type {
		case html.TextNode:
			k := len(strings.TrimSpace(c.Data))
			all += k
			if inLink {
				links += k
			}
			return
		case html.ElementNode:
			if invisible(c.Data) {
				return
			}
			inLink = inLink || c.Data == "a"
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			count(k, inLink)
		}
	}
	count(n, false)
	if all == 0 {
		return 0
	}
	return float64(links) / float64(all)
}

// holdsArticle reports whether n wraps the article itself, as page-wide
// wrappers do (an ASP.NET <form>, a "has-sidebar" container): such
// furniture names must not take the article with them. An <article>
// inside another <article> is not the article but, as HTML has it, a
// reader's comment on it (WordPress's "comment-body", a Disqus thread):
// within an <article>, only an <h1>, a <main> or the articleBody does.
func holdsArticle(n *html.Node) bool {
	nested := withinArticle(n)
	found := false
	walk(n, func(c *html.Node) bool {
		if found || c.Type != html.ElementNode {
			return !found
		}
		if c != n && (c.Data == "article" && !nested || c.Data == "main" || c.Data == "h1" || attr(c, "itemprop") == "articleBody") {
			found = true
		}
		return !found
	})
	return found
}

// withinArticle reports whether n has an <article> ancestor.
func withinArticle(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "article" {
			return true
		}
	}
	return false
}

// dropFurniture removes n, counting it in dropped unless it is a script,
// style or the like, which no reader would miss.
func dropFurniture(n *html.Node, dropped map[string]int) {
	if n.Data != "script" && n.Data != "style" && n.Data != "noscript" && n.Data != "link" && n.Data != "meta" {
		note(dropped, "furniture", n)
	}
	removeNode(n)
}

var (
	positiveWords = []string{"article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text", "blog", "story"}
	negativeWords = []string{"hidden", "banner", "combx", "comment", "com-", "contact", "foot", "masthead", "media", "meta", "outbrain", "promo", "related", "scroll", "share", "shoutbox", "sidebar", "skyscraper", "sponsor", "shopping", "tags", "tool", "widget"}
)

// genericBody finds the article in root the way readability does: each
// paragraph scores its parent (fully), grandparent (half) and great-
// grandparent (a third) by length and commas; the best-scoring element,
// discounted by link density, wins, and siblings that look like more of the
// same are kept with it. It returns nil if no paragraph qualifies.
func genericBody(root *html.Node) []*html.Node {
	scores := map[*html.Node]float64{}
	var order []*html.Node
	lengths := map[*html.Node]int{}
	textLen := func(n *html.Node) int {
		if l, ok := lengths[n]; ok {
			return l
		}
		l := foldedLen(n)
		lengths[n] = l
		return l
	}
	walk(root, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		if !(n.Data == "p" || n.Data == "pre" || n.Data == "td" || (n.Data == "div" && !hasBlock(n))) {
			return true
		}
		l, commas := foldedLenCommas(n)
		if l < 25 {
			return true
		}
		score := 1 + float64(commas) + min(float64(l)/100, 3)
		anc := n.Parent
		for level := 0; level < 3 && anc != nil && anc.Type == html.ElementNode; level++ {
			if _, ok := scores[anc]; !ok {
				scores[anc] = initialScore(anc)
				order = append(order, anc)
			}
			div := 1.0
			if level == 1 {
				div = 2
			} else if level > 1 {
				div = float64(level * 3)
			}
			scores[anc] += score / div
			if anc == root {
				break
			}
			anc = anc.Parent
		}
		return true
	})
	var top *html.Node
	best := 0.0
	subtreeLengths(root, scores, lengths)
	links := linkLengths(root, scores, textLen)
	for _, n := range order {
		density := 0.0 // linkDensity(n, textLen), from one walk for all
		if total := textLen(n); total != 0 {
			density = float64(links[n]) / float64(total)
		}
		s := scores[n] * (1 - density)
		scores[n] = s
		if top == nil || s > best {
			top, best = n, s
		}
	}
	if top == nil {
		return nil
	}
	// A lone child adds nothing; its parent may hold more of the article.
	for top.Parent != nil && top != root && top.Parent.Type == html.ElementNode && top.Parent.Data != "body" && elementChildren(top.Parent) == 1 {
		top = top.Parent
	}
	if top.Parent == nil || top == root {
		return []*html.Node{top}
	}
	threshold := max(10, best*0.2)
	var out []*html.Node
	for sib := top.Parent.FirstChild; sib != nil; sib = sib.NextSibling {
		if sib.Type != html.ElementNode {
			continue
		}
		if sib == top {
			out = append(out, sib)
			continue
		}
		bonus := 0.0
		if c := attr(top, "class"); c != "" && attr(sib, "class") == c {
			bonus = best * 0.2
		}
		if s, ok := scores[sib]; ok && s+bonus >= threshold {
			out = append(out, sib)
			continue
		}
		if sib.Data == "p" {
			l, ld := textLen(sib), linkDensity(sib, textLen)
			text := foldedText(sib)
			if (l > 80 && ld < 0.25) || (l > 0 && l <= 80 && ld == 0 && strings.Contains(text+" ", ". ")) {
				out = append(out, sib)
			}
		}
	}
	return out
}

func elementChildren(n *html.Node) int {
	k := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			k++
		} else if c.Type == html.TextNode && strings.TrimSpace(c.Data) != "" {
			return 2 // text beside the element: not a lone child
		}
	}
	return k
}

func initialScore(n *html.Node) float64 {
	s := 0.0
	switch n.Data {
	case "div", "article":
		s = 5
	case "pre", "td", "blockquote":
		s = 3
	case "address", "ol", "ul", "dl", "dd", "dt", "li", "form":
		s = -3
	case "h1", "h2", "h3", "h4", "h5", "h6", "th":
		s = -5
	}
	names := strings.ToLower(attr(n, "class") + " " + attr(n, "id"))
	if containsAny(names, negativeWords) {
		s -= 25
	}
	if containsAny(names, positiveWords) {
		s += 25
	}
	if attr(n, "itemprop") == "articleBody" {
		s += 50
	}
	return s
}

// linkLengths is, for each node of scored, the length of its text inside
// links as linkDensity sums it, from one walk of root (which holds them
// all) instead of one walk of each: the scored nodes nest.
func linkLengths(root *html.Node, scored map[*html.Node]float64, textLen func(*html.Node) int) map[*html.Node]int {
	links := make(map[*html.Node]int, len(scored))
	var sum func(n *html.Node) int
	sum = func(n *html.Node) int {
		k := 0
		if isElement(n, "a") {
			k = textLen(n)
		} else {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				k += sum(c)
			}
		}
		if _, ok := scored[n]; ok {
			links[n] = k
		}
		return k
	}
	sum(root)
	return links
}

// linkDensity is the share of n's text that sits inside links.
func linkDensity(n *html.Node, textLen func(*html.Node) int) float64 {
	total := textLen(n)
	if total == 0 {
		return 0
	}
	links := 0
	walk(n, func(c *html.Node) bool {
		if isElement(c, "a") {
			links += textLen(c)
			return false
		}
		return true
	})
	return float64(links) / float64(total)
}

// describe names an element for Result.Matched: tag, id and classes.
func describe(n *html.Node) string {
	id, class := attr(n, "id"), attr(n, "class")
	if id == "" && class == "" {
		return n.Data
	}
	var b strings.Builder
	b.Grow(len(n.Data) + 1 + len(id) + 1 + len(class))
	b.WriteString(n.Data)
	if id != "" {
		b.WriteByte('#')
		b.WriteString(id)
	}
	for c, rest := nextField(class); c != ""; c, rest = nextField(rest) {
		b.WriteByte('.')
		b.WriteString(c)
	}
	return b.String()
}

// foldSum is what foldInto makes of a run of text, kept so that the folded
// length of two runs joined is known from theirs: the length, whether it
// holds any visible rune, and whether white space comes before its first
// and after its last visible rune (for a run of white space only: both).
type foldSum struct {
	n                  int
	visible, lead, end bool
}

// then is the foldSum of a's text followed by b's: one space joins them
// when either side has white space at the seam.
func (a foldSum) then(b foldSum) foldSum {
	switch {
	case !a.visible:
		return foldSum{n: b.n, visible: b.visible, lead: a.lead || b.lead, end: b.end || !b.visible && a.end}
	case !b.visible:
		return foldSum{n: a.n, visible: true, lead: a.lead, end: a.end || b.lead}
	}
	n := a.n + b.n
	if a.end || b.lead {
		n++
	}
	return foldSum{n: n, visible: true, lead: a.lead, end: b.end}
}

// textFoldSum is the foldSum of s, which must be valid UTF-8 (a rune cut
// between two text nodes would fold as one).
func textFoldSum(s string) foldSum {
	if s == "" {
		return foldSum{}
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	n := foldInto(nil, s)
	return foldSum{n: n, visible: n > 0, lead: unicode.IsSpace(first), end: unicode.IsSpace(last)}
}

// subtreeLengths puts into lengths foldedLen of every node of scored and
// every link under root, from one walk: the scored nodes nest, and
// measuring each read the text of the page's body several times over.
// A node under which some text is not valid UTF-8 is left out (its
// neighbouring text nodes' bytes may fold into one rune); so are nodes
// inside invisible elements. The caller measures those itself.
func subtreeLengths(root *html.Node, scored map[*html.Node]float64, lengths map[*html.Node]int) {
	var sum func(n *html.Node) (foldSum, bool)
	sum = func(n *html.Node) (foldSum, bool) {
		switch {
		case n.Type == html.TextNode:
			if !utf8.ValidString(n.Data) {
				return foldSum{}, false
			}
			return textFoldSum(n.Data), true
		case n.Type == html.ElementNode && invisibleTags[n.Data]:
			return foldSum{}, true
		}
		s, valid := foldSum{}, true
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			cs, ok := sum(c)
			s, valid = s.then(cs), valid && ok
		}
		if valid && n.Type == html.ElementNode {
			if _, ok := scored[n]; ok || n.Data == "a" {
				lengths[n] = s.n
			}
		}
		return s, valid
	}
	sum(root)
}
