package extract

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// Reference tests of the body choice's mechanics (issues 10 and 11): each
// function restructured for speed decides as the code it replaced (kept
// here as a reference, or as the goquery Finds it replaced) on tricky
// markup and on the testdata and development pages.

// choicePages are the testdata pages and, unless -short, the development
// pages, read once for the tests of this file.
var choicePages struct {
	sync.Mutex
	pages [][]byte
	docs  []*goquery.Document // parsed once, for the tests that only read
	done  bool
}

func loadChoicePages(t *testing.T) {
	t.Helper()
	choicePages.Lock()
	defer choicePages.Unlock()
	if choicePages.done {
		return
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, f := range files {
		choicePages.pages = append(choicePages.pages, readTestdata(t, filepath.Base(f)))
	}
	if !testing.Short() {
		for _, p := range loadDevPagesIfAny(t) {
			choicePages.pages = append(choicePages.pages, p.html)
		}
	}
	for _, p := range choicePages.pages {
		choicePages.docs = append(choicePages.docs, parseForTest(t, p))
	}
	choicePages.done = true
}

// choiceRaw is synthetic and the shared pages, to parse afresh.
func choiceRaw(t *testing.T, synthetic ...string) [][]byte {
	loadChoicePages(t)
	var out [][]byte
	for _, s := range synthetic {
		out = append(out, []byte(s))
	}
	return append(out, choicePages.pages...)
}

// choiceDocs is synthetic parsed and the shared pages' parse, which the
// caller must not change.
func choiceDocs(t *testing.T, synthetic ...string) []*goquery.Document {
	loadChoicePages(t)
	var out []*goquery.Document
	for _, s := range synthetic {
		out = append(out, parseForTest(t, []byte(s)))
	}
	return append(out, choicePages.docs...)
}

func parseForTest(t *testing.T, page []byte) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// small: n's subtree has at most limit nodes. The checks that read a
// node's whole subtree for each node look at small ones (and the body),
// so that they stay linear in the page.
func small(n *html.Node, limit int) bool {
	k := 0
	walk(n, func(*html.Node) bool {
		k++
		return k <= limit
	})
	return k <= limit
}

// isChromeReference is isChrome as it joined, lower-cased and split the
// class and id names.
func isChromeReference(n *html.Node, forBody bool) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch n.Data {
	case "html", "body", "article", "main":
		return false
	case "header":
		if forBody {
			return true
		}
	}
	if invisibleTags[n.Data] {
		return true
	}
	if map[string]bool{"nav": true, "footer": true, "aside": true, "form": true, "dialog": true}[n.Data] || chromeRole(n) {
		return !holdsArticle(n)
	}
	if attr(n, "itemprop") == "articleBody" {
		return false
	}
	names := strings.ToLower(attr(n, "class") + " " + attr(n, "id"))
	if strings.TrimSpace(names) == "" {
		return false
	}
	for _, tok := range strings.Fields(names) {
		for _, h := range hiddenClasses {
			if tok == h {
				return true
			}
		}
	}
	furniture, content := false, false
	for _, tok := range strings.Fields(names) {
		if forBody && containsAny(tok, bylineWords) {
			return !holdsArticle(n)
		}
		ad := isAdToken(tok)
		if ad || containsAny(tok, boilerplateWords) {
			furniture = true
		}
		if !ad && containsAny(tok, contentWords) {
			content = true
		}
	}
	if !furniture || holdsArticle(n) {
		return false
	}
	return !content || linkShare(n) > 0.5
}

// TestIsChromeSameAsReference: isChrome decides as the reference on every
// element of tricky names (case, Unicode and odd white space, invalid
// UTF-8, hidden ids) and of the shared pages.
func TestIsChromeSameAsReference(t *testing.T) {
	docs := choiceDocs(t,
		`<div class="Share-Bar">x</div><div id="HIDDEN">x</div><div class="a	related
links">x</div><div class="\u00a0related\u0085">x</div><div class=" " id=" ">x</div>`,
		"<div class=\"re\xfflated ad\">x</div><div class=\"\xff\" id=\"SIDEBAR\">x</div><div class=\"x\u2003menu\">x</div>",
		`<div class="article-content related"><a href=/a>link text</a> and more</div><div class="ARTICLE-META">x</div>`,
		`<header class="share">x</header><nav><h1>t</h1></nav><div role="navigation">x</div><p id="İd-menu">x</p>`,
		`<div class="x" id="top_ad">x</div><div class="Ads">x</div><div itemprop="articleBody" class="share">x</div>`,
	)
	for i, doc := range docs {
		walk(doc.Nodes[0], func(n *html.Node) bool {
			for _, forBody := range []bool{false, true} {
				if got, want := isChrome(n, forBody), isChromeReference(n, forBody); got != want {
					t.Errorf("page %d: isChrome(<%s class=%q id=%q>, %v) = %v, want %v", i, n.Data, attr(n, "class"), attr(n, "id"), forBody, got, want)
				}
			}
			return true
		})
	}
}

// TestInvisibleSameAsTags: the switch and the map name the same tags.
func TestInvisibleSameAsTags(t *testing.T) {
	for tag := range invisibleTags {
		if !invisible(tag) {
			t.Errorf("invisible(%q) = false", tag)
		}
	}
	for _, tag := range []string{"", "p", "div", "a", "body", "html", "img", "Script", "scripts", "header"} {
		if invisible(tag) {
			t.Errorf("invisible(%q) = true", tag)
		}
	}
	n := 0
	for _, tag := range strings.Fields("script style noscript template head title svg math iframe object embed canvas select textarea button input link meta") {
		if invisible(tag) {
			n++
		}
	}
	if n != len(invisibleTags) {
		t.Errorf("invisible names %d tags, invisibleTags %d", n, len(invisibleTags))
	}
}

// TestNextFieldAsFields: nextField splits as strings.Fields.
func TestNextFieldAsFields(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a  b\t\nc ", "\u00a0x\u0085y\u2003z", "\xffa b\xfe", "é ü", "\v\f\r",
		"x\x00y \x1f\x7f", "ab\u00a0", "\u00a0", "a\u2003", " \u3000b\u3000 ", "long-class_name another\tthird\n"} {
		var got []string
		for tok, rest := nextField(s); tok != ""; tok, rest = nextField(rest) {
			got = append(got, tok)
		}
		if want := strings.Fields(s); fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(want) {
			t.Errorf("nextField(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestNameWordsAsContainsAny: nameWords finds the words containsAny finds,
// list by list, on the words themselves and on every class and id token
// of the shared pages.
func TestNameWordsAsContainsAny(t *testing.T) {
	toks := map[string]bool{"": true, "x-ad": true, "shadow-ad": true, "Related": true}
	for _, l := range [][]string{boilerplateWords, contentWords, bylineWords} {
		for _, w := range l {
			toks[w], toks["x"+w+"y"], toks[w[:len(w)-1]] = true, true, true
		}
	}
	for _, doc := range choiceDocs(t) {
		walk(doc.Nodes[0], func(n *html.Node) bool {
			for _, tok := range strings.Fields(strings.ToLower(attr(n, "class") + " " + attr(n, "id"))) {
				toks[tok] = true
			}
			return true
		})
	}
	for tok := range toks {
		f := nameWords(tok)
		for _, c := range []struct {
			words []string
			flag  uint8
		}{{boilerplateWords, nameBoilerplate}, {contentWords, nameContent}, {bylineWords, nameByline}, {[]string{"ad"}, nameAd}} {
			if got, want := f&c.flag != 0, containsAny(tok, c.words); got != want {
				t.Errorf("nameWords(%q) & %d = %v, containsAny %v", tok, c.flag, got, want)
			}
		}
		if isAdToken(tok) && f&nameAd == 0 {
			t.Errorf("isAdToken(%q) without \"ad\"", tok)
		}
	}
}

// hidesReference is hides as it joined the fields and lower-cased them.
func hidesReference(decls string) bool {
	d := strings.ToLower(strings.Join(strings.Fields(decls), ""))
	return strings.Contains(d, "display:none") || strings.Contains(d, "visibility:hidden")
}

// TestHidesSameAsReference: hides reads declarations as the reference on
// tricky ones (case, Unicode space and letters, invalid UTF-8, long) and
// on every rule of the shared pages' style sheets.
func TestHidesSameAsReference(t *testing.T) {
	decls := []string{"", "display:none", "DISPLAY : NONE", "display:\u00a0none", "visibility:\thidden", "dİsplay:none",
		"vİsİbİlİty:hİdden", "display:\xffnone", "display:no\u2003ne", "color:red;display:block", "display:nonE !important",
		strings.Repeat("color: red; ", 40) + "display: none", strings.Repeat("é", 200) + "VISIBILITY:HIDDEN", "visibility:hidde"}
	for _, doc := range choiceDocs(t) {
		for _, n := range doc.Find("style").Nodes {
			forEachRule(allText(n), func(_, d string, _ bool) { decls = append(decls, d) })
		}
	}
	for _, d := range decls {
		if got, want := hides(d), hidesReference(d); got != want {
			t.Errorf("hides(%q) = %v, want %v", d, got, want)
		}
	}
}

// TestFoldedLenCommas: the length and commas of an element's folded text
// are those of foldedText, on tricky text and on the shared pages'
// elements the scoring reads so (and every small one).
func TestFoldedLenCommas(t *testing.T) {
	docs := choiceDocs(t, "<p> a,\u00a0b \xef\xbc\x8c c\xef\xbc \xe3\xef\xbc\x8c,\xff, </p><div>\u2003,<script>,</script>x</div>")
	for i, doc := range docs {
		walk(doc.Nodes[0], func(n *html.Node) bool {
			if !(isElement(n, "p") || isElement(n, "pre") || isElement(n, "td") || isElement(n, "div") && !hasBlock(n) || small(n, 64)) {
				return true
			}
			text := foldedText(n)
			l, commas := foldedLenCommas(n)
			if want := strings.Count(text, ",") + strings.Count(text, "，"); l != len(text) || commas != want {
				t.Errorf("page %d: foldedLenCommas(<%s>) = %d, %d, want %d, %d", i, n.Data, l, commas, len(text), want)
			}
			return true
		})
	}
}

// TestHasText: hasText is foldSpace(allText(n)) != "" on tricky text
// (white space only, scripts, a no-break space split over two elements)
// and on the shared pages' bodies and small elements.
func TestHasText(t *testing.T) {
	docs := choiceDocs(t, "<div> \u00a0<b>\u2003</b></div><div> <script>x</script></div><div><b>\xc2</b>\xa0</div><div>\xc2<i>a</i></div><div>\xff</div><div><!-- c --></div>")
	for i, doc := range docs {
		walk(doc.Nodes[0], func(n *html.Node) bool {
			if isElement(n, "body") || small(n, 64) {
				if got, want := hasText(n), foldSpace(allText(n)) != ""; got != want {
					t.Errorf("page %d: hasText(<%s>%q) = %v, want %v", i, n.Data, allText(n), got, want)
				}
			}
			return true
		})
	}
}

// TestStripChromeAsFind: stripChrome's one walk leaves the page, counts
// the furniture and finds the articleBody, article, main and body
// elements as dropping the furniture under each body and then Finding
// them did.
func TestStripChromeAsFind(t *testing.T) {
	pages := choiceRaw(t, `<html><head><meta itemprop="articleBody" content="x"></head><body><nav><article>a</article></nav>
<div class="share"><main>m</main></div><aside>x</aside><article itemprop="articleBody">b</article><main>c</main></body></html>`)
	names := func(nodes []*html.Node) string {
		var out []string
		for _, n := range nodes {
			out = append(out, describe(n))
		}
		return strings.Join(out, " ")
	}
	render := func(doc *goquery.Document) string {
		var b bytes.Buffer
		if err := html.Render(&b, doc.Nodes[0]); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for i, p := range pages {
		old, doc := parseForTest(t, p), parseForTest(t, p)
		oldDropped, dropped := map[string]int{}, map[string]int{}
		for _, body := range old.Find("body").Nodes {
			walk(body, func(n *html.Node) bool {
				if n != body && isChrome(n, true) {
					dropFurniture(n, oldDropped)
					return false
				}
				return true
			})
		}
		got := stripChrome(doc, dropped)
		for _, c := range []struct{ name, got, want string }{
			{"articleBody", names(got.articleBody), names(old.Find(`[itemprop="articleBody"]`).Nodes)},
			{"article", names(got.article), names(old.Find("article").Nodes)},
			{"main", names(got.main), names(old.Find("main").Nodes)},
			{"body", names(got.body), names(old.Find("body").Nodes)},
			{"dropped", fmt.Sprint(dropped), fmt.Sprint(oldDropped)},
			{"page", render(doc), render(old)},
		} {
			if c.got != c.want {
				t.Errorf("page %d: %s = %.200q, want %.200q", i, c.name, c.got, c.want)
			}
		}
	}
}

// TestLinkLengthsAsLinkDensity: the one walk of linkLengths gives the
// link density linkDensity's walk gives, to the body and every small
// element of the shared pages.
func TestLinkLengthsAsLinkDensity(t *testing.T) {
	docs := choiceDocs(t, `<div><a href=/x>a <a href=/y>nested</a></a> text <p><a>b</a> c</p><script>x</script></div>`)
	for i, doc := range docs {
		body := doc.Find("body").Nodes[0]
		scored := map[*html.Node]float64{}
		walk(body, func(n *html.Node) bool {
			if n.Type == html.ElementNode && (n == body || small(n, 256)) {
				scored[n] = 0
			}
			return true
		})
		links := linkLengths(body, scored, foldedLen)
		for n := range scored {
			density := 0.0
			if total := foldedLen(n); total != 0 {
				density = float64(links[n]) / float64(total)
			}
			if want := linkDensity(n, foldedLen); density != want {
				t.Errorf("page %d: <%s> link density %v, want %v", i, n.Data, density, want)
			}
		}
	}
}

// forEachRuleReference is forEachRule as it read the sheet byte by byte.
func forEachRuleReference(css string, fn func(selectors, decls string, nested bool)) {
	depth, atDepth := 0, []int{}
	start := 0
	for i := 0; i < len(css); i++ {
		switch css[i] {
		case '{':
			prelude := strings.TrimSpace(css[start:i])
			if strings.HasPrefix(prelude, "@") {
				atDepth = append(atDepth, depth)
				depth++
				start = i + 1
				continue
			}
			end := strings.IndexByte(css[i:], '}')
			if end < 0 {
				return
			}
			fn(prelude, css[i+1:i+end], len(atDepth) > 0)
			i += end
			start = i + 1
		case '}':
			if depth > 0 {
				depth--
				if len(atDepth) > 0 && atDepth[len(atDepth)-1] == depth {
					atDepth = atDepth[:len(atDepth)-1]
				}
			}
			start = i + 1
		case ';':
			if depth == 0 || strings.HasPrefix(strings.TrimSpace(css[start:i]), "@") {
				start = i + 1 // @import …; @charset …;
			}
		}
	}
}

// TestForEachRuleSameAsReference: forEachRule reports the rules the
// reference reports, in order, on tricky sheets (at-rules nested and
// unclosed, @import and @charset, stray braces and semicolons, a rule
// left open) and on every style sheet of the shared pages.
func TestForEachRuleSameAsReference(t *testing.T) {
	sheets := []string{"", "a{b}", "@charset \"x\";@import url(a);.a{display:none}", "@media print{.a{x:y}.b{}}.c{d}",
		"}};;.a{b:c}}{", "@supports (x){@media y{.a{b}}}.c{d}", ".a{b", "a;b{c}", " @media x { ; .a { b } } ; .c{d;e}",
		"@font-face{x:y}.a,.b{c}@page :first{m:0}", "{}{}", ".a{x}@media", "a { b } c"}
	for _, doc := range choiceDocs(t) {
		for _, n := range doc.Find("style").Nodes {
			sheets = append(sheets, allText(n), stripCSSComments(allText(n)))
		}
	}
	for i, css := range sheets {
		var got, want []string
		forEachRule(css, func(s, d string, nested bool) { got = append(got, fmt.Sprintf("%q{%q}%v", s, d, nested)) })
		forEachRuleReference(css, func(s, d string, nested bool) { want = append(want, fmt.Sprintf("%q{%q}%v", s, d, nested)) })
		if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
			t.Errorf("sheet %d: forEachRule found\n%.300s\nwant\n%.300s", i, g, w)
		}
	}
}

// TestSubtreeLengthsAsFoldedLen: the one walk of subtreeLengths gives
// foldedLen of every element it measures, on the shared pages and on text
// whose white space and runes straddle elements; it measures every
// element outside invisible ones whose text is valid UTF-8.
func TestSubtreeLengthsAsFoldedLen(t *testing.T) {
	docs := choiceDocs(t,
		"<div> <p> a </p><p>b</p>\u00a0<span>\u3000</span><a href=x> c </a><script>zz</script>d<em></em> <i> </i>e</div>",
		"<div><p>\t</p><p> x</p><b>y </b><b> </b><b></b>z\u2003</div><p>\u00a0\u00a0</p><a> <b>q</b> </a>",
		"<div id=cut><p>a\xe2</p><p>\x80\x99b</p></div><div id=bad><p>\xff c</p><p>ok</p></div>",
	)
	for i, doc := range docs {
		body := doc.Find("body").Nodes[0]
		scored := map[*html.Node]float64{}
		walk(body, func(n *html.Node) bool {
			if n.Type == html.ElementNode {
				scored[n] = 0
			}
			return true
		})
		lengths := map[*html.Node]int{}
		subtreeLengths(body, scored, lengths)
		for n := range scored {
			got, ok := lengths[n]
			if !ok {
				if i < 2 && !hidden(n, body) {
					t.Errorf("page %d: <%s> %q not measured", i, n.Data, foldedText(n))
				}
				continue
			}
			if want := foldedLen(n); got != want {
				t.Errorf("page %d: <%s> %q: length %d, want %d", i, n.Data, foldedText(n), got, want)
			}
		}
	}
}

// hidden: n is an invisible element or inside one below root.
func hidden(n, root *html.Node) bool {
	for ; n != nil && n != root; n = n.Parent {
		if invisibleTags[n.Data] {
			return true
		}
	}
	return false
}
