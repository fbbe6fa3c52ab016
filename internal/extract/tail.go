package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// tailMaxDrops bounds how many headings dropTail peels off the body's end.
const tailMaxDrops = 3

// dropTail removes headings that close the body with nothing after them:
// their section (comments, a sign-up form, related links, a podcast
// player) was dropped as chrome or never was text ("Tell us what YOU
// think…", "How to listen to …"). No article ends on a heading; the rule
// reads position and structure, not words, so it holds in any language.
// (Short wholly linked blocks closing the body were tried too: the dev
// pages' truth keeps as many of them as it drops, so they stay.)
func dropTail(nodes []*html.Node, dropped map[string]int) int {
	removed := 0
	total := -1 // the body's text length, measured once a heading closes it
	for removed < tailMaxDrops {
		last := lastBlock(nodes)
		if last == nil || !isTailFurniture(last) {
			break
		}
		if total < 0 {
			total = 0
			for _, root := range nodes {
				total += foldedLen(root)
			}
		}
		if 2*foldedLen(last) > total {
			break
		}
		note(dropped, "heading closing the body", last)
		if isRootOf(last, nodes) {
			// The caller renders its nodes: empty this one in place.
			for c := last.FirstChild; c != nil; c = last.FirstChild {
				last.RemoveChild(c)
			}
		} else {
			removeNode(last)
		}
		removed++
	}
	return removed
}

// isTailFurniture reports a heading. (A lone bold line closing the body
// is not one: a sign-off or a call to action, "Get started here", which
// the truth keeps.)
func isTailFurniture(n *html.Node) bool {
	return isHeading(n)
}

// lastBlock is the body's last block holding text: the deepest element
// whose text closes the body and that is a block of its own (a paragraph,
// or a heading).
func lastBlock(nodes []*html.Node) *html.Node {
	for i := len(nodes) - 1; i >= 0; i-- {
		if !hasVisibleText(nodes[i]) {
			continue
		}
		n := nodes[i]
		for {
			c := lastTextChild(n)
			if c == nil || c.Type == html.TextNode {
				return n
			}
			if !blockTags[c.Data] {
				return n // inline: n's own line closes the body
			}
			if isHeading(c) || c.Data == "p" {
				return c
			}
			n = c
		}
	}
	return nil
}

// lastTextChild is n's last child holding visible text.
func lastTextChild(n *html.Node) *html.Node {
	for c := n.LastChild; c != nil; c = c.PrevSibling {
		switch {
		case c.Type == html.TextNode && strings.TrimSpace(c.Data) != "":
			return c
		case c.Type == html.ElementNode && hasVisibleText(c):
			return c
		}
	}
	return nil
}

// hasVisibleText reports whether n holds visible text (foldedLen(n) > 0), looking
// no further than the first.
func hasVisibleText(n *html.Node) bool {
	switch n.Type {
	case html.TextNode:
		return strings.TrimSpace(n.Data) != ""
	case html.ElementNode:
		if invisibleTags[n.Data] {
			return false
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if hasVisibleText(c) {
			return true
		}
	}
	return false
}
