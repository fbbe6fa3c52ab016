package extract

import (
	"strings"
	"testing"
	"unicode"
)

// finishSamples are texts with what the finishing's fast paths must treat
// exactly as the rune-by-rune code did: Markdown syntax, every kind of
// white space, C0/C1 controls, and invalid UTF-8 (a stray 0xC2, a C1 pair
// after a broken lead byte, a truncated sequence at the end).
var finishSamples = []string{
	"",
	"plain words only",
	"  lead and trail\t\n",
	"a*b_c`d[e]f<g\\h>i",
	"\u00a0nbsp\u2028line\u3000ideo\u0085nel\u000bvt\u000cff\r\n",
	"esc\x1b[2J bell\x07 del\x7f tab\t nl\n",
	"c1 \u0085 \u009b \u0080 \u009f end",
	"\xc2", "x\xc2", "\xc2\x7f", "\xc2\xa0", "\xc2\xa0\xc2\x85",
	"\xe0\xc2\x85", "\xff\xfe\xfd", "caf\xc3", "caf\xc3\xa9",
	"中文 текст ελληνικά *ok*",
	strings.Repeat("long_run*of[text] ", 200),
}

// mdTextReference is mdInline.text as it was before its ASCII fast path.
func mdTextReference(w *mdInline, s string) {
	for _, c := range s {
		if unicode.IsSpace(c) {
			if w.b.Len() == 0 {
				w.lead = true
			}
			w.space = true
			continue
		}
		w.owe()
		if strings.ContainsRune("\\*_`[]<", c) {
			w.b.WriteByte('\\')
		}
		w.b.WriteRune(c)
	}
}

// TestMarkdownTextUnchanged: the inline Markdown writer escapes, folds and
// decodes as the rune-by-rune one did, including across calls (text split
// over several text nodes).
func TestMarkdownTextUnchanged(t *testing.T) {
	for _, a := range finishSamples {
		for _, b := range finishSamples {
			var got, want mdInline
			got.text(a)
			got.text(b)
			mdTextReference(&want, a)
			mdTextReference(&want, b)
			if got.b.String() != want.b.String() || got.space != want.space || got.lead != want.lead {
				t.Fatalf("text(%q, %q) = %q %v %v, want %q %v %v", a, b,
					got.b.String(), got.space, got.lead, want.b.String(), want.space, want.lead)
			}
		}
	}
}

// TestHasDroppedControl: the byte scan finds a control exactly when
// decoding the runes does.
func TestHasDroppedControl(t *testing.T) {
	for _, s := range finishSamples {
		want := strings.IndexFunc(s, isDroppedControl) >= 0
		if got := hasDroppedControl(s); got != want {
			t.Errorf("hasDroppedControl(%q) = %v, want %v", s, got, want)
		}
	}
	for c := 0; c < 256; c++ {
		for _, s := range []string{string([]byte{byte(c)}), string([]byte{0xc2, byte(c)}), string([]byte{byte(c), 0xc2, 0x85})} {
			want := strings.IndexFunc(s, isDroppedControl) >= 0
			if got := hasDroppedControl(s); got != want {
				t.Errorf("hasDroppedControl(%q) = %v, want %v", s, got, want)
			}
		}
	}
}

// TestMdURL: links keep their escaping, and one without anything to escape
// comes back as it is.
func TestMdURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://e.org/a":           "https://e.org/a",
		"https://e.org/a b(c)":      "https://e.org/a%20b%28c%29",
		"https://e.org/(x)/y z/(w)": "https://e.org/%28x%29/y%20z/%28w%29",
	} {
		if got := mdURL(in); got != want {
			t.Errorf("mdURL(%q) = %q, want %q", in, got, want)
		}
	}
}
