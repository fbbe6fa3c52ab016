package extract

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Teaser cards: "Related Pages" as a row of boxes, each a link to another
// article with its picture and a one-line teaser. Sites name them as they
// like, and the box rotates from fetch to fetch, so they are recognised by
// shape, not by class: at least minCardRun consecutive sibling blocks, each
// short and pointing at one address (its title is a link to it), whatever
// heading sits above them.

const (
	minCardRun  = 3   // fewer is a pair of links, not a box
	cardTextMax = 320 // runes: a title and a one-line teaser
	cardLinkMin = 8   // runes of link text: the card's title is a link
)

// cardTags may be cards; paragraphs are not (a run of short paragraphs each
// citing one source is the article's), nor figures (a gallery).
var cardTags = map[string]bool{"div": true, "section": true, "article": true, "li": true, "aside": true}

// dropCardRows removes the runs of teaser cards under root, with the
// heading just before a run, and the container they leave empty. It
// returns the number of elements removed.
func dropCardRows(root *html.Node, dropped map[string]int) int {
	var runs [][]*html.Node
	walk(root, func(n *html.Node) bool {
		if n.Type != html.ElementNode || isNotes(n) || invisibleTags[n.Data] {
			return false
		}
		var run []*html.Node
		flush := func() {
			if len(run) >= minCardRun {
				runs = append(runs, run)
			}
			run = nil
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			card := c.Type == html.ElementNode && isCard(c) // asked once: it reads the card's text
			switch {
			case c.Type == html.TextNode && strings.TrimSpace(c.Data) == "", c.Type == html.CommentNode:
			case card && (len(run) == 0 || run[0].Data == c.Data):
				run = append(run, c)
			case card:
				flush()
				run = append(run, c)
			default:
				flush()
			}
		}
		flush()
		return true
	})
	removed := 0
	for _, run := range runs {
		parent := run[0].Parent
		if !attached(run[0], root) {
			continue // inside a run removed already
		}
		note(dropped, "teaser cards", parent)
		if h := headingBefore(run[0]); h != nil {
			removeNode(h)
			removed++
		}
		for _, c := range run {
			removeNode(c)
		}
		removed += len(run)
		// A wrapper left holding nothing but its heading goes too.
		for p := parent; p != nil && p != root && p.Parent != nil && foldedText(p) == "" && !hasImage(p); {
			up := p.Parent
			if h := headingBefore(p); h != nil {
				removeNode(h)
				removed++
			}
			removeNode(p)
			removed++
			p = up
		}
	}
	return removed
}

// isCard reports a short block whose title is a link and whose links all
// go to that one address.
func isCard(n *html.Node) bool {
	if !cardTags[n.Data] || isNotes(n) || !textWithin(n, 4*cardTextMax) {
		return false // a big block is no card; tested first, as it is cheap
	}
	text := foldedText(n)
	if text == "" || utf8.RuneCountInString(text) > cardTextMax {
		return false
	}
	href, linkText, ok := "", 0, true
	walk(n, func(c *html.Node) bool {
		if !ok || c.Type != html.ElementNode {
			return false
		}
		switch c.Data {
		case "a":
			h := strings.TrimSpace(attr(c, "href"))
			if h == "" || strings.HasPrefix(h, "#") {
				return true
			}
			// The picture's link and the title's often differ only in a
			// tracking query ("?ref=related-img").
			if i := strings.IndexAny(h, "?#"); i > 0 {
				h = h[:i]
			}
			if href != "" && h != href {
				ok = false // two destinations: a list of links, judged elsewhere
				return false
			}
			href = h
			linkText += utf8.RuneCountInString(foldedText(c))
			return false
		case "figcaption", "blockquote", "table", "ul", "ol":
			ok = false // a figure, a quotation or a list of its own: content
			return false
		case "p":
			if utf8.RuneCountInString(foldedText(c)) > 200 {
				ok = false
			}
		}
		return true
	})
	// A list item without a picture is more often the article's own list
	// (ten news items, each with its source link).
	return ok && href != "" && linkText >= cardLinkMin && (n.Data != "li" || hasImage(n))
}

// headingBefore returns the heading (or lone bold line) that is n's
// previous element sibling, if it is short enough to be a box's title.
func headingBefore(n *html.Node) *html.Node {
	for p := n.PrevSibling; p != nil; p = p.PrevSibling {
		switch {
		case p.Type == html.TextNode && strings.TrimSpace(p.Data) == "", p.Type == html.CommentNode:
			continue
		case p.Type == html.ElementNode && (isHeading(p) || isLoneStrong(p)) && len(foldedText(p)) <= 80:
			return p
		}
		return nil
	}
	return nil
}

func hasImage(n *html.Node) bool {
	found := false
	walk(n, func(c *html.Node) bool {
		if isElement(c, "img") {
			found = true
		}
		return !found
	})
	return found
}

// attached reports whether n is still under root.
func attached(n, root *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == root {
			return true
		}
	}
	return false
}

// textWithin reports whether n's text nodes hold at most max bytes, without
// reading further than that.
func textWithin(n *html.Node, max int) bool {
	total := 0
	var visit func(*html.Node) bool
	visit = func(c *html.Node) bool {
		if c.Type == html.TextNode {
			total += len(c.Data)
			return total <= max
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			if !visit(k) {
				return false
			}
		}
		return true
	}
	return visit(n)
}
