package extract

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// dropFinePrint removes blocks the page itself sets in small print by an
// inline style (font-size under finePrintPx, or a "small" keyword): the
// notes for moderators, the company boilerplate under a press release,
// the credits. The page's own typography says they are not the article,
// in any language.
func dropFinePrint(nodes []*html.Node, dropped map[string]int) int {
	var small []*html.Node
	for _, root := range nodes {
		walk(root, func(n *html.Node) bool {
			if n.Type != html.ElementNode || invisibleTags[n.Data] {
				return false
			}
			if n == root || n.Data != "p" && n.Data != "div" {
				return true
			}
			if isFinePrint(attr(n, "style")) {
				small = append(small, n)
				return false
			}
			return true
		})
	}
	if len(small) == 0 {
		return 0
	}
	total := 0
	for _, root := range nodes {
		total += foldedLen(root)
	}
	removed := 0
	for _, n := range small {
		if 2*foldedLen(n) > total {
			continue // most of the body: the page's own size for its article
		}
		removed++
		note(dropped, "fine print", n)
		removeNode(n)
	}
	return removed
}

// finePrintPx is the font size (CSS pixels) under which text is fine print.
const finePrintPx = 12.5

// isFinePrint reports an inline style setting a small font size.
func isFinePrint(style string) bool {
	if style == "" {
		return false
	}
	style = strings.ToLower(style)
	i := strings.Index(style, "font-size")
	if i < 0 {
		return false
	}
	v := strings.TrimLeft(style[i+len("font-size"):], " \t:")
	if j := strings.IndexAny(v, ";!"); j >= 0 {
		v = v[:j]
	}
	v = strings.TrimSpace(v)
	switch v {
	case "small", "x-small", "xx-small", "smaller":
		return true
	}
	for _, u := range []struct {
		unit string
		px   float64
	}{{"px", 1}, {"pt", 4.0 / 3}, {"rem", 16}, {"em", 16}, {"%", 0.16}} {
		if num, ok := strings.CutSuffix(v, u.unit); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			return err == nil && f > 0 && f*u.px < finePrintPx
		}
	}
	return false
}
