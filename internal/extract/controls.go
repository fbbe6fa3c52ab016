package extract

import "strings"

// dropControls removes C0 and C1 control characters and DEL from s, tab
// and newline aside: a page's title or text has no use for them, and
// printed they could drive a terminal (ESC]0;…BEL retitles it).
func dropControls(s string) string {
	if strings.IndexFunc(s, isDroppedControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isDroppedControl(r) {
			return -1
		}
		return r
	}, s)
}

func isDroppedControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7f && r <= 0x9f)
}
