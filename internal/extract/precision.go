package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Precision rules: furniture that sits inside the generic extractor's body
// and that neither class names nor link density give away. Each was
// written looking at one half of the dev pages and kept only because it
// also helped (or did not hurt) the other half (see TestGenericScore).

// dropTrailingCardPair removes a pair of teaser cards that closes the body:
// "Next article" / "Previous article" boxes, each a picture and a title
// linking to another story. Two cards anywhere else are too few to call a
// row (minCardRun); at the article's end, with nothing after them, they
// are the navigation between stories.
func dropTrailingCardPair(nodes []*html.Node, dropped map[string]int) int {
	var pair []*html.Node
	for i, root := range nodes {
		if pair == nil && laterText(nodes[i+1:]) == "" {
			pair = trailingCardPair(root)
		}
	}
	if pair == nil {
		return 0
	}
	note(dropped, "teaser cards", pair[0].Parent)
	for _, c := range pair {
		removeNode(c)
	}
	return len(pair)
}

// laterText is the text of the body's nodes after the one looked at.
func laterText(nodes []*html.Node) string {
	for _, n := range nodes {
		if t := foldedText(n); t != "" {
			return t
		}
	}
	return ""
}

// trailingCardPair finds the two cards that close root, if any.
func trailingCardPair(root *html.Node) []*html.Node {
	var pair []*html.Node
	walk(root, func(n *html.Node) bool {
		if pair != nil || n.Type != html.ElementNode || isNotes(n) || invisibleTags[n.Data] {
			return false
		}
		var cards []*html.Node
		other := false
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode && strings.TrimSpace(c.Data) == "", c.Type == html.CommentNode:
			case c.Type == html.ElementNode && isCard(c) && hasImage(c):
				cards = append(cards, c)
			case c.Type == html.ElementNode && len(cards) == 0:
				// Anything before the cards is fine (the article's end).
			default:
				other = true
			}
		}
		if len(cards) == 2 && !other && cards[0].Data == cards[1].Data && cardHref(cards[0]) != cardHref(cards[1]) && nothingAfter(n, root) {
			pair = cards
			return false
		}
		return true
	})
	return pair
}

// cardHref is the one address a card links to.
func cardHref(n *html.Node) string {
	href := ""
	walk(n, func(c *html.Node) bool {
		if href == "" && isElement(c, "a") {
			href = strings.TrimSpace(attr(c, "href"))
		}
		return href == ""
	})
	return href
}

// nothingAfter reports whether no text follows n's last child inside root:
// n closes the body.
func nothingAfter(n, root *html.Node) bool {
	for p := n; p != nil && p != root; p = p.Parent {
		for s := p.NextSibling; s != nil; s = s.NextSibling {
			if s.Type == html.TextNode && strings.TrimSpace(s.Data) != "" || s.Type == html.ElementNode && foldedText(s) != "" {
				return false
			}
		}
	}
	return true
}

// authorBoxMax is the most text (runes) an author box holds: a name, a few
// lines of biography and the author's links.
const authorBoxMax = 600

// dropAuthorBoxes removes "About the author" boxes: the largest block
// around a link marked rel="author" that is short and holds no article
// heading. HTML's own vocabulary names the author's link whatever the
// page's language or class names; the box around it is biography, not the
// article.
func dropAuthorBoxes(nodes []*html.Node, dropped map[string]int) int {
	var boxes []*html.Node
	isRoot := map[*html.Node]bool{}
	for _, root := range nodes {
		isRoot[root] = true
	}
	bodyProse := 0
	for _, root := range nodes {
		bodyProse += proseLength(root)
		walk(root, func(n *html.Node) bool {
			if n.Type != html.ElementNode || invisibleTags[n.Data] {
				return false
			}
			if n.Data != "a" || !hasToken(attr(n, "rel"), "author") {
				return true
			}
			// The box may be one of the body's nodes (a sibling the
			// extractor kept beside the article), never the only one.
			var box *html.Node
			for p := n.Parent; p != nil && (!isRoot[p] || len(nodes) > 1); p = p.Parent {
				if p.Data == "p" || !textWithin(p, 4*authorBoxMax) || utf8.RuneCountInString(foldedText(p)) > authorBoxMax || holdsArticle(p) {
					break
				}
				if authorBoxTags[p.Data] {
					box = p
				}
				if isRoot[p] {
					break
				}
			}
			if box != nil {
				boxes = append(boxes, box)
			}
			return false
		})
	}
	removed := 0
	for _, b := range boxes {
		// A short article may be all "box": never the body's main prose.
		if !attachedAny(b, nodes) || 2*proseLength(b) > bodyProse {
			continue
		}
		note(dropped, "author box", b)
		if isRoot[b] {
			// The caller renders its nodes: empty this one in place.
			for c := b.FirstChild; c != nil; c = b.FirstChild {
				b.RemoveChild(c)
			}
		} else {
			removeNode(b)
		}
		removed++
	}
	return removed
}

// attachedAny reports whether n is still under one of roots.
func attachedAny(n *html.Node, roots []*html.Node) bool {
	for _, r := range roots {
		if attached(n, r) {
			return true
		}
	}
	return false
}

// authorBoxTags may be an author box; a paragraph is not (a byline inside
// the article's first paragraph takes the paragraph with it).
var authorBoxTags = map[string]bool{"div": true, "section": true, "aside": true, "footer": true, "header": true, "address": true}

// dropInlineCards removes pop-over cards nested in a paragraph's flow: an
// inline element holding a picture and several links and little else, as
// sites show on hovering a person's or topic's name (the picture, the name
// again, their latest stories). Read as text they splice a list of
// headlines into the sentence.
func dropInlineCards(nodes []*html.Node, dropped map[string]int) int {
	var cards []*html.Node
	for _, root := range nodes {
		walk(root, func(n *html.Node) bool {
			if n.Type != html.ElementNode || invisibleTags[n.Data] {
				return false
			}
			if n.Data != "p" {
				return true
			}
			walk(n, func(c *html.Node) bool {
				if c == n || c.Type != html.ElementNode {
					return true
				}
				if c.Data == "a" {
					return false
				}
				if c.Data == "span" && hasImage(c) && countLinks(c) >= 2 && linkShare(c) >= 0.9 {
					cards = append(cards, c)
					return false
				}
				return true
			})
			return false
		})
	}
	for _, c := range cards {
		note(dropped, "inline card", c)
		removeNode(c)
	}
	return len(cards)
}

// dateLineMax is the longest (in runes) a line holding only a date is.
const dateLineMax = 48

// dropDateLines removes blocks whose whole text is a date ("November 20,
// 2019 - 11:28 AMT"): the article's dateline, which the page's metadata
// and the revision search read, not its text. A <time> element is left for
// the published-date fallback (firstTimeIn), which runs after cleaning.
func dropDateLines(nodes []*html.Node, dropped map[string]int) int {
	var lines []*html.Node
	for _, root := range nodes {
		walk(root, func(n *html.Node) bool {
			if n == root || n.Type != html.ElementNode || invisibleTags[n.Data] {
				return true
			}
			if !dateLineTags[n.Data] || !textWithin(n, 4*dateLineMax) {
				return !dateLineTags[n.Data] || !textWithin(n, 4*dateLineMax)
			}
			if isDateLine(n) {
				lines = append(lines, n)
			}
			return false
		})
	}
	for _, n := range lines {
		note(dropped, "date line", n)
		removeNode(n)
	}
	return len(lines)
}

var dateLineTags = map[string]bool{"p": true, "div": true}

// isDateLine reports a short block of a few words, no link and no <time>,
// that parses as a date and is no revision stamp.
func isDateLine(n *html.Node) bool {
	text := foldedText(n)
	if text == "" || utf8.RuneCountInString(text) > dateLineMax || len(strings.Fields(text)) > 7 {
		return false
	}
	inner := false
	walk(n, func(c *html.Node) bool {
		if isElement(c, "a") || isElement(c, "time") || isElement(c, "img") {
			inner = true
		}
		return !inner
	})
	if inner {
		return false
	}
	if _, _, stamp := FindRevisionStamp(text); stamp {
		return false // a revision stamp stays in the text (TestArticleStampInsideBodyStaysInText)
	}
	if _, ok := ParseDate(text); !ok {
		return false
	}
	return lettersBesideDates(text) <= dateLineWords
}

// dateLineWords is the most letters a date line holds besides its dates: a
// weekday, "at", a time zone ("segunda-feira", "AMT"); a timeline's entry
// ("10 May 1940: Germany invades the Low Countries") has more.
const dateLineWords = 15

// lettersBesideDates counts the letters of text outside the dates in it.
func lettersBesideDates(text string) int {
	b := []byte(text)
	for _, p := range datePatterns() {
		for _, loc := range p.re.FindAllStringIndex(text, 8) {
			for i := loc[0]; i < loc[1]; i++ {
				b[i] = ' '
			}
		}
	}
	k := 0
	for _, r := range string(b) {
		if unicode.IsLetter(r) {
			k++
		}
	}
	return k
}

// chromeRoles are the ARIA landmark and widget roles of page furniture:
// the same in every language and whatever the class names.
var chromeRoles = map[string]bool{
	"navigation": true, "complementary": true, "contentinfo": true, "banner": true,
	"dialog": true, "alertdialog": true, "search": true, "menu": true, "menubar": true, "toolbar": true,
}

// chromeRole reports an element whose role names it furniture.
func chromeRole(n *html.Node) bool {
	for _, r := range strings.Fields(strings.ToLower(attr(n, "role"))) {
		if chromeRoles[r] {
			return true
		}
	}
	return false
}

// tagListOther is the most text (runes) a tag list holds beside its tag
// links: a label ("Tags:", "Schlagwörter") and separators.
const tagListOther = 40

// dropTagLists removes lists of the article's tags: links marked
// rel="tag" (HTML's own word for them, in any language) with little else
// around them. A line of tags inside a paragraph of prose is left.
func dropTagLists(nodes []*html.Node, dropped map[string]int) int {
	var lists []*html.Node
	for _, root := range nodes {
		walk(root, func(n *html.Node) bool {
			if n.Type != html.ElementNode || invisibleTags[n.Data] || n.Data == "a" {
				return false
			}
			if n == root || !textWithin(n, 4000) {
				return true
			}
			tags, tagText := 0, 0
			walk(n, func(c *html.Node) bool {
				if isElement(c, "a") {
					if hasToken(attr(c, "rel"), "tag") {
						tags++
						tagText += utf8.RuneCountInString(foldedText(c))
					}
					return false
				}
				return true
			})
			if tags == 0 {
				return false
			}
			if tags >= 2 && utf8.RuneCountInString(foldedText(n))-tagText <= tagListOther+tags*2 {
				lists = append(lists, n)
				return false
			}
			return true
		})
	}
	for _, n := range lists {
		note(dropped, "tag list", n)
		removeNode(n)
	}
	return len(lists)
}

// metadataItems are the schema.org microdata properties of the article's
// metadata lines; readMeta reads them from the whole page, so the body
// need not repeat them.
var metadataItems = map[string]bool{"datepublished": true, "datecreated": true, "author": true}

// dropMetadataItems removes the date and author lines that microdata marks
// (itemprop="datePublished", "author"), unless they sit in a paragraph of
// prose ("as <span itemprop=author>Mary Lyle</span> wrote in 1911"). The
// modified date stays: a revision stamp belongs in the text.
func dropMetadataItems(nodes []*html.Node, dropped map[string]int) int {
	return dropShortMarked(nodes, dropped, "metadata line", authorBoxMax,
		func(n *html.Node) bool { return n.Data == "p" }, isMetadataItem,
		func(n *html.Node) bool { return !holdsArticle(n) })
}

// dropShortMarked removes, under nodes, the outermost elements that marked
// names (skip: elements not looked into at all) whose folded text holds
// at most max runes and that keep accepts (nil: all), noting each under
// label. Invisible elements are not looked into.
func dropShortMarked(nodes []*html.Node, dropped map[string]int, label string, max int,
	skip, marked, keep func(*html.Node) bool) int {
	var found []*html.Node
	for _, root := range nodes {
		walk(root, func(n *html.Node) bool {
			if n.Type != html.ElementNode || invisibleTags[n.Data] || (skip != nil && skip(n)) {
				return false
			}
			if n == root || !marked(n) {
				return true
			}
			if textWithin(n, 4*max) && utf8.RuneCountInString(foldedText(n)) <= max && (keep == nil || keep(n)) {
				found = append(found, n)
			}
			return false
		})
	}
	for _, n := range found {
		note(dropped, label, n)
		removeNode(n)
	}
	return len(found)
}

func isMetadataItem(n *html.Node) bool {
	for _, p := range strings.Fields(strings.ToLower(attr(n, "itemprop"))) {
		if metadataItems[p] {
			return true
		}
	}
	return false
}

// looseCaptionMax is the longest (runes) a caption under a picture is.
const looseCaptionMax = 200

// markLooseCaptions makes a caption of the short, wholly italic or small
// paragraph right under a picture that stands alone ("<p><img></p><p><em>
// Light a Wish by OGE Group</em></p>"), as the page's class names would
// (isCaptionClass): like a <figcaption>, it stays in the HTML and the
// fingerprint but not in the text. It returns how many it marked.
func markLooseCaptions(nodes []*html.Node, dropped map[string]int) int {
	var caps []*html.Node
	for _, root := range nodes {
		walk(root, func(n *html.Node) bool {
			if n.Type != html.ElementNode || invisibleTags[n.Data] {
				return false
			}
			if n != root && (n.Data == "p" || n.Data == "div") && isLooseCaption(n) {
				caps = append(caps, n)
				return false
			}
			return true
		})
	}
	for _, n := range caps {
		note(dropped, "caption (out of the text only)", n)
		rename(n, "figcaption")
	}
	return len(caps)
}

func isLooseCaption(n *html.Node) bool {
	prev := n.PrevSibling
	for prev != nil && (prev.Type == html.TextNode && strings.TrimSpace(prev.Data) == "" || prev.Type == html.CommentNode) {
		prev = prev.PrevSibling
	}
	if prev == nil || prev.Type != html.ElementNode || !hasImage(prev) || foldedText(prev) != "" {
		return false
	}
	if !textWithin(n, 4*looseCaptionMax) {
		return false
	}
	text := foldedText(n)
	if text == "" || utf8.RuneCountInString(text) > looseCaptionMax {
		return false
	}
	// All its text is in italic or small print.
	plain := false
	var visit func(c *html.Node)
	visit = func(c *html.Node) {
		for k := c.FirstChild; k != nil && !plain; k = k.NextSibling {
			switch {
			case k.Type == html.TextNode && strings.TrimSpace(k.Data) != "":
				plain = true
			case k.Type == html.ElementNode && !captionInline[k.Data]:
				visit(k)
			}
		}
	}
	visit(n)
	return !plain
}

// captionInline mark print set apart from the prose: a caption's.
var captionInline = map[string]bool{"em": true, "i": true, "small": true}

// postscriptMax is the most text (runes) after a typed rule that may be
// taken for a postscript.
const postscriptMax = 400

// dropPostscripts removes a typed rule ("___", "* * *") near the article's
// end and the short notes after it: "Associated Press writers … contributed",
// "Follow our full coverage at …". Wire copy closes so; a rule followed by
// more than a few lines is a section break, and stays.
func dropPostscripts(nodes []*html.Node, dropped map[string]int) int {
	var rule *html.Node
	for _, root := range nodes {
		walk(root, func(n *html.Node) bool {
			if n.Type != html.ElementNode || invisibleTags[n.Data] {
				return false
			}
			if n != root && (n.Data == "p" || n.Data == "div") && isTypedRuleNode(n) {
				rule = n // the last one wins
				return false
			}
			return true
		})
	}
	if rule == nil {
		return 0
	}
	var after []*html.Node
	size := 0
	for p := rule; p != nil; p = p.Parent {
		for s := p.NextSibling; s != nil; s = s.NextSibling {
			if s.Type == html.ElementNode {
				after = append(after, s)
				size += utf8.RuneCountInString(foldedText(s))
			} else if s.Type == html.TextNode {
				size += utf8.RuneCountInString(strings.TrimSpace(s.Data))
			}
		}
		if isRootOf(p, nodes) {
			for _, later := range nodesAfter(p, nodes) {
				after = append(after, later)
				size += utf8.RuneCountInString(foldedText(later))
			}
			break
		}
	}
	total := 0
	for _, root := range nodes {
		total += utf8.RuneCountInString(foldedText(root))
	}
	// A few lines, a small share of the text: notes, not a last section.
	if size == 0 || size > postscriptMax || len(after) > 3 || 8*size > total {
		return 0
	}
	note(dropped, "postscript", rule)
	removeNode(rule)
	removed := 1
	for _, n := range after {
		if isRootOf(n, nodes) {
			// The caller renders its nodes: empty this one in place.
			for c := n.FirstChild; c != nil; c = n.FirstChild {
				n.RemoveChild(c)
			}
		} else {
			removeNode(n)
		}
		removed++
	}
	return removed
}

func isRootOf(n *html.Node, nodes []*html.Node) bool {
	for _, r := range nodes {
		if r == n {
			return true
		}
	}
	return false
}

// nodesAfter is the body's nodes after n.
func nodesAfter(n *html.Node, nodes []*html.Node) []*html.Node {
	for i, r := range nodes {
		if r == n {
			return nodes[i+1:]
		}
	}
	return nil
}

// isTypedRule reports a line of only underscores, dashes, asterisks or
// tildes (at least three): a rule typed as text.
func isTypedRule(text string) bool {
	k := 0
	for _, r := range text {
		switch r {
		case '_', '-', '*', '~', '—', '–', '=':
			k++
		case ' ':
		default:
			return false
		}
	}
	return k >= 3
}

// dropLeadingH1 removes the page's <h1> when it opens the body, whatever
// the title says: the headline is Result.Title's business, and the page's
// h1 often words it otherwise than <title> or og:title ("High School
// Roundup: …" under "HS Roundup: …"), which dropTitleHeading requires to
// match. Only the first text of the body, and only the page's first h1.
func dropLeadingH1(nodes []*html.Node, pageH1 string, dropped map[string]int) int {
	if pageH1 == "" {
		return 0
	}
	for _, root := range nodes {
		var first *html.Node
		walk(root, func(n *html.Node) bool {
			if first != nil {
				return false
			}
			switch {
			case n.Type == html.TextNode && strings.TrimSpace(n.Data) != "":
				first = n
			case n.Type == html.ElementNode && (invisibleTags[n.Data] || isHeading(n)):
				if isHeading(n) {
					first = n
				}
				return false
			}
			return true
		})
		if first == nil {
			continue
		}
		if isElement(first, "h1") && foldedText(first) == pageH1 {
			note(dropped, "headline", first)
			removeNode(first)
			return 1
		}
		return 0
	}
	return 0
}
