package extract

import (
	"math/rand"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
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
			w.b.writeByte('\\')
		}
		w.b.writeRune(c)
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

// isNotesReference is isNotes as it was, building the lower-cased names.
func isNotesReference(n *html.Node) bool {
	names := strings.ToLower(attr(n, "class") + " " + attr(n, "id") + " " + attr(n, "role"))
	return strings.Contains(names, "footnote") || strings.Contains(names, "endnote") ||
		strings.Contains(names, "reference") || strings.Contains(names, "citation") ||
		strings.Contains(names, "bibliograph") || strings.Contains(names, "doc-")
}

// TestIsNotesUnchanged: the attribute-by-attribute test answers as the
// joined, lower-cased names did, in any case and with the runes that
// lower-case to ASCII (the Kelvin sign).
func TestIsNotesUnchanged(t *testing.T) {
	vals := []string{"", "x", "Footnotes", "FOOTNOTE", "end-note", "endnote-1", "refs reference-list", "Citation",
		"bibliography", "BIBLIOGRAPHIE", "doc-endnotes", "doc", "DOC-", "foot note", "\u212aeynote", "footnote\u212a",
		"bibliograph\u0130", "\u0130reference", "c\u0130tation", "ﬁle doc-x", "references\xff", "\xffdoc-",
		// markers at the very end, cut short, repeated starts, every first byte
		"xdoc-", "xdoc", "referenc", "rreference", "FootFootnote", "endendnote", "ccitation", "bbibliograph", "fefootnote", "d", "DoC-"}
	check := func(n *html.Node) {
		t.Helper()
		if got, want := isNotes(n), isNotesReference(n); got != want {
			t.Errorf("isNotes(%v) = %v, want %v", n.Attr, got, want)
		}
	}
	for _, v := range vals {
		for _, key := range []string{"class", "id", "role", "data-x"} {
			check(&html.Node{Type: html.ElementNode, Data: "div", Attr: []html.Attribute{{Key: key, Val: v}}})
		}
		// The first of two attributes of one name is the one read.
		check(&html.Node{Type: html.ElementNode, Data: "div", Attr: []html.Attribute{{Key: "class", Val: "plain"}, {Key: "class", Val: v}}})
		check(&html.Node{Type: html.ElementNode, Data: "div", Attr: []html.Attribute{{Key: "class", Val: v}, {Key: "id", Val: "foot"}, {Key: "role", Val: "note"}}})
	}
	if testing.Short() {
		return
	}
	for _, doc := range choiceDocs(t) {
		walk(doc.Nodes[0], func(n *html.Node) bool {
			if n.Type == html.ElementNode {
				check(n)
			}
			return true
		})
	}
}

// TestIsTypedRuleNodeUnchanged: the early-stopping scan answers as
// isTypedRule of the gathered, folded text, with runes cut between
// elements, invisible elements, odd white space and invalid bytes.
func TestIsTypedRuleNodeUnchanged(t *testing.T) {
	for _, body := range []string{
		"***", "* * *", "---", "--", "— — —", "–––", "___ ", "~~~", "===", "_ - * ~ = — –",
		"***x", "x***", "** <b>*</b>", "**<script>x</script>*", "<span>—</span><span>—</span>—",
		"\u00a0*\u3000*\u2028*\u0085", "*\xe2\x80<b>\x94</b>*", "**\xe2\x80", "**\xe2\x80<b></b>", "*\xe2<i>\x80</i>\x94*",
		"**\xff*", "***\ufffd", "", " ", "<br>", "<img> ***", "+++", "···", "* * * <em>end</em>",
		"\xe2\x80<b>\x94\xe2</b>\x80\x93*",
	} {
		doc, err := html.Parse(strings.NewReader("<div>" + body + "</div>"))
		if err != nil {
			t.Fatal(err)
		}
		var div *html.Node
		walk(doc, func(n *html.Node) bool {
			if div == nil && isElement(n, "div") {
				div = n
			}
			return div == nil
		})
		if got, want := isTypedRuleNode(div), isTypedRule(foldedText(div)); got != want {
			t.Errorf("isTypedRuleNode(%q) = %v, want %v", body, got, want)
		}
	}
}

// TestParseDateYearDigits: no text without four digits in a row is a date,
// so ParseDate may answer those without trying the layouts.
func TestParseDateYearDigits(t *testing.T) {
	texts := append([]string{
		"123-01-01", "+123-01-01T00:00:00Z", "-123-01-01T00:00:00Z", "0123-01-01", "202-01-31T08:00:00Z",
		"Jan 31, 202", "31.01.24", "31 January 24", "24年1月31日", "31 января 202", "٢٠٢٤-٠١-٣١", "２０２４年１月３１日",
		"Updated on 2024-01-31", "Updated 1/2/2024", "2024", "x2024y", "12 3456", "Jan 3 2024",
	}, finishSamples...)
	for _, s := range texts {
		t1, ok1 := ParseDate(s)
		t2, ok2 := parseDateText(s)
		if ok1 != ok2 || !t1.Equal(t2) {
			t.Errorf("ParseDate(%q) = %v %v, want %v %v", s, t1, ok1, t2, ok2)
		}
		if ok2 && !hasYearDigits(s) {
			t.Errorf("%q is a date without four digits in a row", s)
		}
	}
}

// TestFoldedLenUpTo: the bounded measure is foldedLen below the limit and
// the limit above it, with runes cut between elements, invalid bytes and
// white space of every kind at the edges of the nodes.
func TestFoldedLenUpTo(t *testing.T) {
	pieces := []string{"a", " ", "\u00a0", "\u3000", "é", "\xc3", "\xa9", "\xe2\x80", "\x94", "\xff", "中", "\n\t", "word ", "<b>", "</b>", "<i>x</i>", "<script>no</script>", "<br>",
		"abcdefg", "x\x01y", "\x1f", "\x7f"}
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 4000; i++ {
		var b strings.Builder
		for k := rng.Intn(12); k >= 0; k-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		doc, err := html.Parse(strings.NewReader("<div>" + b.String() + "</div>"))
		if err != nil {
			t.Fatal(err)
		}
		var div *html.Node
		walk(doc, func(n *html.Node) bool {
			if div == nil && isElement(n, "div") {
				div = n
			}
			return div == nil
		})
		full := foldedLen(div)
		for _, limit := range []int{1, 2, 3, 5, 8, 200} {
			if got, want := foldedLenUpTo(div, limit), min(full, limit); got != want {
				t.Fatalf("foldedLenUpTo(%q, %d) = %d, want %d", b.String(), limit, got, want)
			}
		}
	}
}

// trimLinesReference is trimLines without its one-line short cut.
func trimLinesReference(s string) string {
	lines := strings.Split(s, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" && l != `\` {
			kept = append(kept, l)
		}
	}
	if n := len(kept); n > 0 {
		kept[n-1] = strings.TrimSuffix(kept[n-1], `\`)
	}
	return strings.Join(kept, "\n")
}

// TestMarkdownBlockShortCuts: trimming a one-line block and escaping a
// block's start give what the general code gives.
func TestMarkdownBlockShortCuts(t *testing.T) {
	for _, s := range append([]string{`\`, ` \ `, `a\`, `a \\`, `\a`, "# h", "#h", "> q", "- x", "-x", "+ y", "= z", "1. one", "12) two", "1.x",
		"3 apples", "x # y", "\u00a0# z", "\\\n", "a\\\nb\\", " \n \\ \n x"}, finishSamples...) {
		if got, want := trimLines(s), trimLinesReference(s); got != want {
			t.Errorf("trimLines(%q) = %q, want %q", s, got, want)
		}
		want := s
		if blockStartRe().MatchString(s) {
			if d := strings.IndexAny(s, ".)"); d > 0 && s[0] >= '0' && s[0] <= '9' {
				want = s[:d] + `\` + s[d:]
			} else {
				want = `\` + s
			}
		}
		if got := escapeBlockStart(s); got != want {
			t.Errorf("escapeBlockStart(%q) = %q, want %q", s, got, want)
		}
	}
}
