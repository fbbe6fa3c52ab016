package extract

import "unicode"

// Words counts the words in text: runs of letters, digits and marks (inner
// apostrophes and hyphens keep a word whole: "Ching-kuo's" is one), and each
// Han, Hiragana or Katakana character, since those scripts do not separate
// words with spaces. Punctuation alone ("—", "|") is not a word.
func Words(text string) int {
	n := 0
	inWord := false
	for _, r := range text {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
			n++
			inWord = false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			if !inWord {
				n++
				inWord = true
			}
		case inWord && (r == '\'' || r == '’' || r == '-' || r == '_'):
			// stays inside the word; a trailing one is harmless
		default:
			inWord = false
		}
	}
	return n
}
