package extract

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Words counts the words in text: runs of letters, digits and marks (inner
// apostrophes and hyphens keep a word whole: "Ching-kuo's" is one), and each
// Han, Hiragana or Katakana character, since those scripts do not separate
// words with spaces. Punctuation alone ("—", "|") is not a word.
func Words(text string) int {
	var w wordCounter
	w.add(text)
	return w.n
}

// wordCounter is Words over a text given in pieces.
type wordCounter struct {
	n      int
	inWord bool
}

func (w *wordCounter) add(text string) {
	for _, r := range text {
		if r < utf8.RuneSelf {
			// ASCII, most of most pages: no mark, no Han, and only these
			// letters and digits (what unicode.IsLetter and IsDigit say).
			switch {
			case 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9':
				if !w.inWord {
					w.n++
					w.inWord = true
				}
			case w.inWord && (r == '\'' || r == '-' || r == '_'):
			default:
				w.inWord = false
			}
			continue
		}
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
			w.n++
			w.inWord = false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			if !w.inWord {
				w.n++
				w.inWord = true
			}
		case w.inWord && r == '’':
			// stays inside the word; a trailing one is harmless
		default:
			w.inWord = false
		}
	}
}

// nodeWords is Words(foldedText(n)) without building the text: white
// space is never part of a word, so folding it changes no count.
func nodeWords(n *html.Node) int {
	var w wordCounter
	countWords(&w, n)
	return w.n
}

// countWords feeds w the text rawText would write for n.
func countWords(w *wordCounter, n *html.Node) {
	if n.Type == html.TextNode {
		w.add(n.Data)
		return
	}
	if n.Type == html.ElementNode && invisibleTags[n.Data] {
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		countWords(w, c)
	}
}
