package extract

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// dropFinePrint removes blocks the page itself sets in small print by an
// inline style (font-size under finePrintPx, or x-small): the
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
	total, fine := 0, 0
	for _, root := range nodes {
		total += foldedLen(root)
	}
	for _, n := range small {
		fine += foldedLen(n)
	}
	if finePrintShare*fine > total {
		// A good part of the body in small print is the page's own size
		// for its article (a post pasted from a word processor in 9pt).
		return 0
	}
	for _, n := range small {
		note(dropped, "fine print", n)
		removeNode(n)
	}
	return len(small)
}

// finePrintShare: the fine print all together must be under one part in
// finePrintShare of the body's text.
const finePrintShare = 3

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
	case "x-small", "xx-small":
		return true // "small" is 13px, no finer than many sites' body text
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
