package extract

import (
	"bytes"
	"os"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// wordsRef is Words as first written, rune by rune through the unicode
// tables: the ASCII short cut and the node walk must count as it does.
func wordsRef(text string) int {
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
		default:
			inWord = false
		}
	}
	return n
}

func TestWordsShortCut(t *testing.T) {
	for text, want := range map[string]int{
		"":                               0,
		"Ching-kuo's reforms, 1987–88.":  4,
		"— | · ":                         0,
		"café naïve Zoë’s _under_score_": 4,
		"Müller\u0301 e\u0301":           2,
		"台湾の民主化は1987年に始まった":                14,
		"ТАСС: 12 мая\tобъявлено\n\n«мир»": 5,
		"it's-a_test-'":    1,
		"\xff\xfeab\x80cd": 2,
		"x\u00a0y\u2003z":  3,
	} {
		if got, ref := Words(text), wordsRef(text); got != want || ref != want {
			t.Errorf("Words(%q) = %d (reference %d); want %d", text, got, ref, want)
		}
	}
}

// TestNodeWords: counting a tree's words as it is walked gives the count
// of its folded text, split across text nodes anywhere, on hand-made
// pieces and the extraction-dev pages when present.
func TestNodeWords(t *testing.T) {
	docs := []string{
		`<p>Ching-<b>kuo</b>'s <i>re</i>forms<script>var x = 1</script> in 19<span>87</span></p><p>台<b>湾</b> <style>p{}</style>end</p>`,
		`<div>  one<br>two&nbsp;three <!-- four --> <noscript>five</noscript></div>`,
	}
	for _, d := range docs {
		checkNodeWords(t, []byte(d))
	}
	if os.Getenv("ANNALIST_EXTRACTION_DATA") != "" {
		for _, p := range loadDevPages(t) {
			checkNodeWords(t, p.html)
		}
	}
}

func checkNodeWords(t *testing.T, page []byte) {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	walk(root, func(n *html.Node) bool {
		if n.Type == html.ElementNode {
			if got, want := nodeWords(n), wordsRef(foldedText(n)); got != want {
				t.Fatalf("<%s> in %.60q: nodeWords %d; Words(foldedText) %d", n.Data, page, got, want)
			}
		}
		return true
	})
	if got, want := Words(string(page)), wordsRef(string(page)); got != want {
		t.Errorf("Words of a whole page (%.60q): %d; reference %d", page, got, want)
	}
}
