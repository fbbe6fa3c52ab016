package cli

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// A title or text from the archive is whatever a web page said: printed
// raw, ESC]0;…BEL would retitle the terminal and ESC[2J clear it. So every
// piece of archived text printed as text goes through one of these, which
// show control characters visibly (\x1b, \u009b) instead.

// termLine makes s safe for one line or table cell: every C0 and C1
// control character, DEL and invalid UTF-8 byte is escaped, newline and
// tab included.
func termLine(s string) string { return termEscape(s, false) }

// termText makes s safe as a block of text: as termLine, but newlines and
// tabs, which the text format needs, are kept.
func termText(s string) string { return termEscape(s, true) }

func termEscape(s string, keepLayout bool) string {
	if safeForTerminal(s, keepLayout) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepLayout && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r <= 0x9f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

// safeForTerminal reports whether s needs no escaping (the common case,
// which then costs no copy).
func safeForTerminal(s string, keepLayout bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && !(keepLayout && (c == '\n' || c == '\t'))) || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && w == 1) || (r >= 0x80 && r <= 0x9f) {
			return false
		}
		i += w
	}
	return true
}
