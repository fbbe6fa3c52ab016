package extract

import (
	"bytes"
	"hash/fnv"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// hash64Reference and shortenReference are hash64 and shorten as they
// were: hash/fnv over a copy, and a cut through []rune.
func hash64Reference(s string) string {
	h := fnv.New64a()
	h.Write([]byte(s))
	return strconv.FormatUint(h.Sum64(), 16)
}

func shortenReference(s string) string {
	if utf8.RuneCountInString(s) <= sampleRunes {
		return s
	}
	r := []rune(s)
	return string(r[:sampleRunes]) + "…"
}

// TestTemplateKeysSameAsReference: block keys and samples are the former
// code's, on texts of every case, length and encoding (the Kelvin sign and
// dotted I lower-case out of ASCII; invalid bytes before and after the
// cut) and on the folded text of every block of the development pages.
func TestTemplateKeysSameAsReference(t *testing.T) {
	texts := append([]string{"", "A", "Hello World", "KELVIN \u212a", "\u0130stanbul", "caf\xc3 \xff",
		strings.Repeat("ab", 39) + "\xff" + "cdef", strings.Repeat("é", 81), strings.Repeat("x", 80), strings.Repeat("x", 81),
		strings.Repeat("y", 79) + "\xe2\x80", strings.Repeat("z", 80) + "\xff\xfe", "\ufffd" + strings.Repeat("q", 90)}, finishSamples...)
	for _, p := range loadDevPagesIfAny(t) {
		doc, err := html.Parse(bytes.NewReader(p.html))
		if err != nil {
			t.Fatal(err)
		}
		walk(doc, func(n *html.Node) bool {
			if n.Type == html.ElementNode && blockTags[n.Data] {
				texts = append(texts, foldedText(n))
			}
			return true
		})
	}
	for _, s := range texts {
		if got, want := textKey(s), "t"+hash64Reference(strings.ToLower(s)); got != want {
			t.Fatalf("textKey(%.60q) = %s, want %s", s, got, want)
		}
		if got, want := hash64(s), hash64Reference(s); got != want {
			t.Fatalf("hash64(%.60q) = %s, want %s", s, got, want)
		}
		if got, want := shorten(s), shortenReference(s); got != want {
			t.Fatalf("shorten(%.60q) = %q, want %q", s, got, want)
		}
	}
}
