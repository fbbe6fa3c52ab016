package store

import (
	"unicode"
	"unicode/utf8"
)

// WordCount is len(strings.Fields(s)), the number a snapshot's words are
// counted as, without building the fields: on a 5,000-word article that
// slice was tens of kilobytes allocated for one number, three times a
// page (here, in the single writer, and twice in harvest).
func WordCount(s string) int {
	n := 0
	inWord := false
	for i := 0; i < len(s); {
		c := s[i]
		var space bool
		if c < utf8.RuneSelf {
			// strings.Fields' ASCII spaces.
			space = c == ' ' || '\t' <= c && c <= '\r'
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
			i += size
		}
		if !space && !inWord {
			n++
		}
		inWord = !space
	}
	return n
}
