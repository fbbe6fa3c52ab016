package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// buttonTextMax is the most text (runes) a control's label holds.
const buttonTextMax = 40

// dropButtons removes the labels of the page's controls that scripts made
// of ordinary elements: role="button" (ARIA's word, in any language) or a
// class named for a button ("btn", "read-more-button"): "Read More",
// "Click To Tweet", "Caption", "Show all".
func dropButtons(nodes []*html.Node, dropped map[string]int) int {
	return dropShortMarked(nodes, dropped, "button", buttonTextMax, nil, isButtonLike, nil)
}

// isButtonLike reports an element that names itself a button. It runs
// on every element of the body, so it reads the attributes in place.
func isButtonLike(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "role":
			if hasSegment(a.Val, "button") {
				return true
			}
		case "class":
			if hasSegment(a.Val, "btn") || hasSegment(a.Val, "button") {
				return true
			}
		}
	}
	return false
}

// hasSegment reports whether word (lower case) is one of the parts of s
// split at white space, hyphens and underscores, in any case.
func hasSegment(s, word string) bool {
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && !isSegmentBreak(s[j]) {
			j++
		}
		if j-i == len(word) && strings.EqualFold(s[i:j], word) {
			return true
		}
		i = j + 1
	}
	return false
}

func isSegmentBreak(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '-' || c == '_'
}
