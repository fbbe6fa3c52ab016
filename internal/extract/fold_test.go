package extract

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// foldSpaceReference is foldSpace as it was written before foldInto:
// foldedText and foldedLen must give exactly what it gives.
func foldSpaceReference(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// TestFoldedTextAndLen: the text gathered in a reused buffer and folded
// from bytes is the one folded from the gathered string, and foldedLen is
// its length, on odd white space, invalid UTF-8 and text split across
// elements.
func TestFoldedTextAndLen(t *testing.T) {
	for _, page := range []string{
		"<div>  Hello,\t\n world  </div>",
		"<div><p>a\u00a0b</p><p>\u3000c\u2028d </p>e</div>",
		"<div>caf\xc3<b>\xa9</b> bad \xff\xfe end</div>",
		"<div><script>x y</script> <span> one</span><span>two </span>\r\n</div>",
		"<div>   </div>",
		"<div>" + strings.Repeat("word \u00e9\u4e2d ", 3000) + "</div>",
	} {
		doc, err := html.Parse(strings.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		var div *html.Node
		walk(doc, func(n *html.Node) bool {
			if div == nil && isElement(n, "div") {
				div = n
			}
			return true
		})
		var raw strings.Builder
		rawText(&raw, div)
		want := foldSpaceReference(raw.String())
		if got := foldedText(div); got != want {
			t.Errorf("foldedText(%.40q) = %.60q, want %.60q", page, got, want)
		}
		if got := foldSpace(raw.String()); got != want {
			t.Errorf("foldSpace(%.40q) = %.60q, want %.60q", page, got, want)
		}
		if got := foldedLen(div); got != len(want) {
			t.Errorf("foldedLen(%.40q) = %d, want %d", page, got, len(want))
		}
	}
}

// TestFoldedTextOnDevPages: on every development page, each element's
// foldedText and foldedLen agree with folding its gathered text.
func TestFoldedTextOnDevPages(t *testing.T) {
	for _, p := range loadDevPages(t) {
		doc, err := html.Parse(strings.NewReader(string(p.html)))
		if err != nil {
			t.Fatal(err)
		}
		walk(doc, func(n *html.Node) bool {
			if n.Type != html.ElementNode {
				return true
			}
			var raw strings.Builder
			rawText(&raw, n)
			want := foldSpaceReference(raw.String())
			if got := foldedText(n); got != want {
				t.Fatalf("%s: <%s>: foldedText differs from folding its text", p.id, n.Data)
			}
			if got := foldedLen(n); got != len(want) {
				t.Fatalf("%s: <%s>: foldedLen %d, want %d", p.id, n.Data, got, len(want))
			}
			return true
		})
	}
}

// TestFoldedLenAllocatesNothing: measuring an element's text, as the
// scoring does for most elements of a page, reuses one buffer.
func TestFoldedLenAllocatesNothing(t *testing.T) {
	doc, err := html.Parse(strings.NewReader("<div><p>" + strings.Repeat("Some words, and more. ", 400) + "</p></div>"))
	if err != nil {
		t.Fatal(err)
	}
	if raceEnabled {
		// A dropped buffer costs every growth of a new one: the count
		// depends on the detector's dice. .ci/run runs this test without it.
		t.Skip("the race detector drops pooled buffers at random")
	}
	foldedLen(doc)
	if allocs := testing.AllocsPerRun(100, func() { foldedLen(doc) }); allocs != 0 {
		t.Errorf("foldedLen allocated %.2f times a call, want none", allocs)
	}
}

// textReference is textRenderer.text as written before its ASCII runs.
func textReference(r *textRenderer, s string) {
	for _, c := range s {
		if unicode.IsSpace(c) {
			r.space = true
			continue
		}
		if r.space && len(r.line) > 0 && !strings.HasSuffix(string(r.line), "\n") {
			r.line = append(r.line, ' ')
		}
		r.space = false
		r.line = utf8.AppendRune(r.line, c)
	}
}

// TestRendererTextSameAsBefore: the renderer folds text exactly as before
// it copied ASCII runs whole, whatever the line so far and the space owed.
func TestRendererTextSameAsBefore(t *testing.T) {
	texts := []string{"", " ", "plain words", "  lead and trail \t", "a\u00a0b\u3000c\u2028d", "caf\xc3 \xa9 \xff end",
		"line\nbreak", "\u0085x\u0085", "x\r\ny\fz\vw", "日本語 テキスト", "tab\tsep"}
	for _, before := range []string{"", "so far", "line\n"} {
		for _, owed := range []bool{false, true} {
			for _, s := range texts {
				got := &textRenderer{space: owed}
				want := &textRenderer{space: owed}
				got.line = append(got.line, before...)
				want.line = append(want.line, before...)
				got.text(s)
				textReference(want, s)
				if string(got.line) != string(want.line) || got.space != want.space {
					t.Errorf("after %q (owed %v), text(%q) = %q (owed %v), want %q (owed %v)",
						before, owed, s, got.line, got.space, want.line, want.space)
				}
			}
		}
	}
}

// TestFoldCountAsFoldSpace: counting runs whole gives the folded text's
// length, on the finishing's samples (controls below the space, DEL,
// invalid bytes) and every pair of them, as strings and as bytes.
func TestFoldCountAsFoldSpace(t *testing.T) {
	samples := append([]string{"a\x01b \x1f c\x7f\x0e", "\x00 \x00", "x\x1fy\x1f z", " \t\x0b\x0c\r\n"}, finishSamples...)
	for _, a := range samples {
		for _, b := range samples {
			s := a + b
			want := len(foldSpaceReference(s))
			if got := foldCount(s); got != want {
				t.Errorf("foldCount(%q) = %d, want %d", s, got, want)
			}
			if got := foldCount([]byte(s)); got != want {
				t.Errorf("foldCount([]byte(%q)) = %d, want %d", s, got, want)
			}
		}
	}
}
