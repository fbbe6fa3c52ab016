package extract

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// tokHrefs is what the tokenizer reads as the hrefs of body's <a> tags.
func tokHrefs(body string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if tok.DataAtom != atom.A {
			continue
		}
		h := ""
		for _, a := range tok.Attr {
			if a.Key == "href" {
				h = a.Val
				break
			}
		}
		out = append(out, h)
	}
}

// scanHrefs is what nextHref reads.
func scanHrefs(body string) []string {
	var out []string
	for rest := body; ; {
		h, after, ok := nextHref(rest)
		if !ok {
			return out
		}
		out = append(out, h)
		rest = after
	}
}

// nextHref reads the hrefs the tokenizer reads: in tags written every
// way, and in the bodies of the dev pages.
func TestNextHrefReadsAsTheTokenizer(t *testing.T) {
	for _, s := range []string{`<a href='x y'>`, `<A HREF=x>`, `<a title="a>b" href="c">`, `<abbr href="no"><a\nhref = "z&amp;q">`, `<a/href="k">`, `<a>`, `x < a href="n"`, `<a href="a" href="b">`, `<a href=>`, `<a href`, `<p>1 &lt; 2</p><a class=x href=y>`} {
		if a, b := tokHrefs(s), scanHrefs(s); strings.Join(a, "\x00") != strings.Join(b, "\x00") {
			t.Errorf("%s: tokenizer %q, nextHref %q", s, a, b)
		}
	}
	tmpl := &Template{Learned: 100, Blocks: map[string]BlockStat{}}
	for _, p := range loadDevPagesIfAny(t) {
		for _, rules := range []Rules{{}, {Template: tmpl}} {
			res, err := Article(p.html, p.url, rules)
			if err != nil {
				continue
			}
			a, b := tokHrefs(res.HTML), scanHrefs(res.HTML)
			if strings.Join(a, "\x00") != strings.Join(b, "\x00") {
				t.Errorf("%s: %q\n%q", p.id, a, b)
			}
		}
	}
}
