package extract

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TestSanitaryAttrs: every attribute dropUnsanitary removes before the
// sanitiser runs is one the policy drops anyway, whatever its value, on
// every element (the table of kept attributes is not allowed to drift
// from bodyPolicy); and the kept ones are kept.
func TestSanitaryAttrs(t *testing.T) {
	elements := []string{"a", "img", "abbr", "time", "td", "th", "code", "p", "div", "span", "section",
		"article", "header", "footer", "nav", "aside", "main", "center", "figure", "figcaption", "h2",
		"blockquote", "q", "cite", "ul", "li", "table", "tr", "pre", "em", "strong", "font", "label",
		"picture", "source", "video", "iframe", "button", "form", "del", "ins", "small", "sup"}
	keys := []string{"class", "id", "style", "href", "src", "alt", "title", "width", "height", "datetime",
		"colspan", "rowspan", "data-src", "srcset", "loading", "rel", "target", "name", "lang", "dir", "role",
		"aria-label", "itemprop", "cite", "hidden", "sizes", "onclick", "type", "value", "border", "align", "xmlns"}
	values := []string{"x", "https://example.org/a b", "#fn1", "fn1", "12", "language-go", "2024-01-31", "mailto:a@b.c", "javascript:x"}
	sanitised := func(e, attrs string) string {
		return bodyPolicy().Sanitize(fmt.Sprintf("<div><%s%s>text</%s></div>", e, attrs, e))
	}
	dropped := 0
	others := []string{"", ` id="fn2"`, ` href="https://example.org/" src="https://example.org/i.png"`}
	for _, e := range elements {
		var without []string
		for _, o := range others {
			without = append(without, sanitised(e, o))
		}
		for _, k := range keys {
			n := &html.Node{Type: html.ElementNode, Data: e, Attr: []html.Attribute{{Key: "id", Val: "fn1"}, {Key: k, Val: "v"}}}
			dropUnsanitary(n)
			kept := len(n.Attr) == 2 || k == "id"
			for _, v := range values {
				if kept {
					continue
				}
				for i, o := range others {
					if with := sanitised(e, o+fmt.Sprintf(" %s=%q", k, v)); with != without[i] {
						t.Errorf("<%s %s=%q>: dropped before the sanitiser, but the policy keeps it: %q, not %q", e, k, v, with, without[i])
					}
				}
			}
			if !kept {
				dropped++
			}
		}
	}
	if dropped < len(elements)*len(keys)/2 {
		t.Errorf("only %d of %d element-attribute pairs dropped: the check would pass with nothing dropped", dropped, len(elements)*len(keys))
	}
	// What the policy keeps stays for it to judge.
	for e, keys := range sanitaryAttrs {
		for _, k := range append(keys, "id") {
			n := &html.Node{Type: html.ElementNode, Data: e, Attr: []html.Attribute{{Key: k, Val: "v"}}}
			if dropUnsanitary(n); len(n.Attr) != 1 {
				t.Errorf("<%s %s>: dropped, but the policy may keep it", e, k)
			}
		}
	}
	// Foreign elements and namespaced or upper-case keys are not touched.
	n := &html.Node{Type: html.ElementNode, Data: "a", Namespace: "svg", Attr: []html.Attribute{{Key: "class", Val: "v"}}}
	m := &html.Node{Type: html.ElementNode, Data: "a", Attr: []html.Attribute{{Namespace: "xlink", Key: "href", Val: "v"}, {Key: "HREF", Val: "v"}}}
	if dropUnsanitary(n); len(n.Attr) != 1 {
		t.Errorf("svg element's attributes dropped")
	}
	if dropUnsanitary(m); len(m.Attr) != 2 {
		t.Errorf("namespaced or upper-case attribute dropped")
	}
}

// TestPrepareBodyReadsBeforeDropping: the attributes prepareBody reads
// (hidden, style, class for captions, data-src for lazy images) still take
// effect although they are dropped before the sanitiser.
func TestPrepareBodyReadsBeforeDropping(t *testing.T) {
	page := `<html><body><article>
<p>The first paragraph of a long article about the harbour and its cranes, which goes on for a while.</p>
<p style="display: none">hidden by style</p><p hidden>hidden by attribute</p>
<div class="wp-caption-text">A caption by class</div>
<img data-src="/lazy.jpg" src="data:image/gif;base64,R0lGOD" alt="lazy">
<p class="x" data-x="y" id="fn1">Second paragraph with a footnote target, the grain and the barges and the locks.</p>
</article></body></html>`
	res, err := Article([]byte(page), "https://example.org/a", Rules{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<figcaption>A caption by class</figcaption>`, `src="https://example.org/lazy.jpg"`, `<p id="fn1">Second`} {
		if !strings.Contains(res.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, res.HTML)
		}
	}
	for _, bad := range []string{"hidden by", "class=", "data-x", "style="} {
		if strings.Contains(res.HTML, bad) {
			t.Errorf("HTML holds %q:\n%s", bad, res.HTML)
		}
	}
}

// TestSanitiseConcurrent: the pooled buffers never carry one body into
// another: pages finished at once, in any order, give what each gives
// alone.
func TestSanitiseConcurrent(t *testing.T) {
	bodies := []string{
		`<p>First <b>body</b> with a <a href="https://example.org/x">link</a>.</p>`,
		`<div class="x"><p>Second</p><p style="color:red">body, longer: ` + strings.Repeat("words and more words ", 400) + `</p></div>`,
		`<p>Third</p><script>bad()</script><img src="https://example.org/i.png" alt="an image">`,
		`<table><tr><td colspan="2">Fourth</td></tr></table>`,
	}
	want := make([]string, len(bodies))
	for i, b := range bodies {
		want[i] = sanitiseString(t, b)
	}
	// A body that cannot be rendered (a void element with a child) leaves
	// its part in the buffer: the next body must not see it.
	img := &html.Node{Type: html.ElementNode, Data: "img", DataAtom: atom.Img}
	img.AppendChild(&html.Node{Type: html.TextNode, Data: "<p>left over</p>"})
	broken := []*html.Node{{Type: html.TextNode, Data: "<p>partial</p>"}, img}
	for range 4 {
		if _, _, err := sanitise(broken); err == nil {
			t.Fatal("sanitise rendered a void element with a child")
		}
	}
	done := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func(g int) {
			for k := 0; k < 50; k++ {
				i := (g + k) % len(bodies)
				if got := sanitiseString(t, bodies[i]); got != want[i] {
					done <- fmt.Errorf("body %d: %q, alone %q", i, got, want[i])
					return
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func sanitiseString(t *testing.T, body string) string {
	nodes, err := html.ParseFragment(strings.NewReader(body), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Error(err)
		return ""
	}
	clean, _, err := sanitise(nodes)
	if err != nil {
		t.Error(err)
	}
	return clean
}
