package store

import (
	"strings"
	"testing"
)

// TestWordCountIsFieldsLength: WordCount counts what strings.Fields
// splits, on every kind of white space and on invalid UTF-8, and
// allocates nothing.
func TestWordCountIsFieldsLength(t *testing.T) {
	for _, s := range []string{"", " ", "one", " one two  three ", "a\tb\nc\vd\fe\rf", "x\u00a0y\u3000z\u2028w\u0085v",
		"caf\xc3 \xa9 \xff\xfe", "日本語 テキスト", strings.Repeat("word, and more.\n\n", 500), "\u200bzero-width\u200bjoined"} {
		if got, want := WordCount(s), len(strings.Fields(s)); got != want {
			t.Errorf("WordCount(%.40q) = %d, want %d", s, got, want)
		}
	}
	long := strings.Repeat("Some words of an article, and more of them.\n", 1000)
	if allocs := testing.AllocsPerRun(10, func() { WordCount(long) }); allocs != 0 {
		t.Errorf("WordCount allocated %.0f times, want none", allocs)
	}
}
