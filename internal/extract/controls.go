package extract

import "strings"

// dropControls removes C0 and C1 control characters and DEL from s, tab
// and newline aside: a page's title or text has no use for them, and
// printed they could drive a terminal (ESC]0;…BEL retitles it).
func dropControls(s string) string {
	if !hasDroppedControl(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isDroppedControl(r) {
			return -1
		}
		return r
	}, s)
}

// hasDroppedControl is strings.IndexFunc(s, isDroppedControl) >= 0 by bytes:
// a C0 control or DEL is its own byte, and a C1 control (U+0080–U+009F) is
// always encoded 0xC2 0x80–0x9F, a pair that decodes to it wherever it
// stands (0xC2 is never a continuation byte). Bodies are long, and
// decoding every rune of them was a visible cost.
func hasDroppedControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if !controlByte[s[i]] {
			continue
		}
		switch c := s[i]; {
		case c < 0x20:
			if c != '\t' && c != '\n' {
				return true
			}
		case c == 0x7f:
			return true
		case c == 0xc2:
			if i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f {
				return true
			}
		}
	}
	return false
}

// controlByte marks the bytes that may start a dropped control: C0 but tab
// and newline, DEL, and 0xC2 (the lead byte of a C1 control).
var controlByte = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = c != '\t' && c != '\n'
	}
	t[0x7f], t[0xc2] = true, true
	return t
}()

func isDroppedControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7f && r <= 0x9f)
}
