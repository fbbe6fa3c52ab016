package extract

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// Reference versions of functions restructured for speed (issue 10): the
// code as written before, kept to check that the output did not change.

// styleHiddenReference is styleHidden with its second pass searching the
// selectors for every hidden name.
func styleHiddenReference(doc *goquery.Document) map[string]bool {
	var sheets []string
	for _, n := range doc.Find("style").Nodes {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode && strings.Contains(c.Data, "{") {
				sheets = append(sheets, stripCSSComments(c.Data))
			}
		}
	}
	eachRule := func(fn func(selectors, decls string, nested bool)) {
		for _, sheet := range sheets {
			forEachRule(sheet, fn)
		}
	}
	var hidden map[string]bool
	eachRule(func(selectors, decls string, nested bool) {
		if nested || !(strings.Contains(decls, "none") || strings.Contains(decls, "hidden")) || !hidesReference(decls) {
			return
		}
		for _, sel := range strings.Split(selectors, ",") {
			if sel = strings.TrimSpace(sel); simpleName(sel) {
				if hidden == nil {
					hidden = map[string]bool{}
				}
				hidden[sel] = true
			}
		}
	})
	if hidden == nil {
		return nil
	}
	shown := map[string]bool{}
	eachRule(func(selectors, decls string, nested bool) {
		named := false
		for name := range hidden {
			if strings.Contains(selectors, name) {
				named = true
				break
			}
		}
		if !named {
			return
		}
		hiding := !nested && hidesReference(decls)
		for _, sel := range strings.Split(selectors, ",") {
			sel = strings.TrimSpace(sel)
			if hiding && simpleName(sel) {
				continue
			}
			for _, name := range cssNames(sel) {
				shown[name] = true
			}
		}
	})
	for name := range hidden {
		if shown[name] {
			delete(hidden, name)
		}
	}
	if len(hidden) == 0 {
		return nil
	}
	return hidden
}

func sortedKeys(m map[string]bool) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprint(keys)
}

// TestNamesAny: a selector list names a class or ID of the set only as a
// whole name, never as the start of a longer one.
func TestNamesAny(t *testing.T) {
	set := map[string]bool{".pq": true, "#later": true, ".é": true}
	for sel, want := range map[string]bool{
		".pq": true, "div.pq > p": true, "a, .x .pq:hover": true, "#later": true, "p#later.x": true,
		".pq-x": false, ".pqr": false, "#later-x": false, "pq": false, "later": false, "": false, ".": false,
		"..pq": true, ".é": true, ".éa": false, "[data-x='.pq']": true, ".x.pq": true,
	} {
		if got := namesAny(sel, set); got != want {
			t.Errorf("namesAny(%q) = %v, want %v", sel, got, want)
		}
	}
}

// TestStyleHiddenSameAsReference: the rules a page's style sheets hide
// are the same as the reference finds, on tricky sheets and on every
// development page that has any.
func TestStyleHiddenSameAsReference(t *testing.T) {
	pages := []string{
		`<style>.a{display:none}.ab{display:block}</style>`,
		`<style>.a{display:none}.ab.a{display:block}</style>`,
		`<style>.a,#b{visibility:hidden}#b-x:hover{color:red}.a-b{display:none}</style>`,
		`<style>.a{display:none}@media print{.a{display:block}}.b{display:none}</style>`,
		`<style>.x{display:none}[title=".x"]{color:red}</style>`,
		`<style>.x{display:none} .y{display:none} .x .y{display:none}</style>`,
	}
	var docs []*goquery.Document
	for _, p := range pages {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	for i, doc := range docs {
		if got, want := sortedKeys(styleHidden(doc.Find("style").Nodes)), sortedKeys(styleHiddenReference(doc)); got != want {
			t.Errorf("page %d: styleHidden = %s, want %s", i, got, want)
		}
	}
	if testing.Short() {
		return
	}
	some := 0
	for _, p := range loadDevPagesIfAny(t) {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(p.html))
		if err != nil {
			t.Fatal(err)
		}
		want := styleHiddenReference(doc)
		if got := styleHidden(doc.Find("style").Nodes); sortedKeys(got) != sortedKeys(want) {
			t.Errorf("%s: styleHidden = %s, want %s", p.id, sortedKeys(got), sortedKeys(want))
		}
		if len(want) > 0 {
			some++
		}
	}
	t.Logf("%d development pages hide something by their style", some)
}

// loadDevPagesIfAny is loadDevPages, or none when the data set is absent
// (the synthetic cases of a test still run).
func loadDevPagesIfAny(t *testing.T) []devPage {
	var pages []devPage
	t.Run("devpages", func(t *testing.T) { pages = loadDevPages(t) })
	return pages
}

// isNextLinkReference is the link test of nextPageIn as written before
// it rejected long labels without building them.
func isNextLinkReference(s *goquery.Selection) bool {
	label := s.Text()
	if strings.TrimSpace(label) == "" {
		label = s.AttrOr("aria-label", s.AttrOr("title", ""))
	}
	return nextWords[normLabel(label)]
}

// TestIsNextLinkSameAsReference: every link, of tricky labels and of the
// development pages, is a "next" link exactly when it was before.
func TestIsNextLinkSameAsReference(t *testing.T) {
	links := []string{
		`<a href=x>Next</a>`, `<a href=x>  Next   page  »</a>`, `<a href=x>»»»»»»»»»»»»»»»»»»»»»»»»»»»»»»»»»»»»»»» next ›››››››››››››››››››››››››››››››››</a>`,
		`<a href=x>следующая <b>страница</b></a>`, `<a href=x>Следующая страница →</a>`, `<a href=x>NÄCHSTE SEITE</a>`,
		`<a href=x>Next page of a very long headline that is not a next link at all</a>`,
		`<a href=x aria-label="Next page"> <img src=a.png> </a>`, `<a href=x title="weiter"></a>`,
		`<a href=x>n` + "\xc3" + `<b>` + "\xa9" + `</b>xt</a>`, `<a href=x>` + strings.Repeat("\xff", 40) + `next</a>`,
		`<a href=x>` + strings.Repeat("-–—|", 20) + `continue reading` + strings.Repeat(" .:…", 20) + `</a>`,
		`<a href=x>下一页</a>`, `<a href=x>次のページ</a>`, `<a href=x>` + strings.Repeat("x", 36) + `</a>`,
	}
	var pages [][]byte
	for _, l := range links {
		pages = append(pages, []byte("<html><body>"+l+"</body></html>"))
	}
	if !testing.Short() {
		for _, p := range loadDevPagesIfAny(t) {
			pages = append(pages, p.html)
		}
	}
	n, next := 0, 0
	for i, p := range pages {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
			n++
			want := isNextLinkReference(s)
			if want {
				next++
			}
			if got := isNextLink(s); got != want {
				t.Errorf("page %d: link %.80q: isNextLink = %v, want %v", i, s.Text(), got, want)
			}
		})
	}
	if next < 10 {
		t.Errorf("only %d of %d links read as next links: the cases do not test the reading", next, n)
	}
	t.Logf("%d links, %d next", n, next)
}

// findStampBeforeReference is findStampBefore as written before it
// scanned the text once for all needles.
func findStampBeforeReference(text string, limit int) (start, end int, t time.Time, ok bool) {
	scan := text
	if cut := limit + stampReach + maxNeedle; cut < len(text) {
		scan = text[:cut] // a needle cut in two cannot be one that counts
	}
	lower := asciiLower(scan)
	// next[i] is where stampNeedles[i] next occurs at or after off (-1:
	// nowhere), so that the text is scanned once per needle, not once per
	// needle and occurrence.
	var next [len(stampNeedleList)]int
	for i, needle := range stampNeedles {
		next[i] = strings.Index(lower, needle)
	}
	for off := 0; off < len(lower); {
		p, n := -1, 0
		for i, needle := range stampNeedles {
			if next[i] >= 0 && next[i] < off {
				if k := strings.Index(lower[off:], needle); k >= 0 {
					next[i] = off + k
				} else {
					next[i] = -1
				}
			}
			if next[i] >= 0 && (p < 0 || next[i] < p) {
				p, n = next[i], len(needle)
			}
		}
		if p < 0 {
			break
		}
		// Match the keyword regexp on a window around the needle: from a
		// word start up to 24 bytes before it ("last ", "последнее "), to
		// one rune after it (so the word's end can be checked).
		from := max(0, p-24)
		for from > 0 && !utf8.RuneStart(text[from]) {
			from--
		}
		for from > 0 && isASCIILetter(text[from-1]) {
			from--
		}
		to := min(len(text), p+n+24) // "aggiorna|mento", "更新|日時"
		for to < len(text) && !utf8.RuneStart(text[to]) {
			to++
		}
		off = p + n
		var loc []int // the keyword match that covers this needle
		for _, l := range stampKeyword().FindAllStringIndex(text[from:to], -1) {
			if from+l[1] >= p+n && wordEdge(text, from+l[0], from+l[1]) {
				loc = l
				break
			}
		}
		if loc == nil {
			continue
		}
		kStart, kEnd := from+loc[0], from+loc[1]
		rest := text[kEnd:]
		glue := stampGlue().FindStringIndex(rest)
		if t, dn, ok := parseDateAt(rest[glue[1]:], dayFirstKeyword(text[kStart:kEnd])); ok {
			return kStart, kEnd + glue[1] + dn, t, true
		}
	}
	return 0, 0, time.Time{}, false
}

// TestFindStampSameAsReference: the stamp found (where, and its time) is
// the reference's, on tricky texts, at several limits, and on every
// development page's text as ArticleContext searches it.
func TestFindStampSameAsReference(t *testing.T) {
	texts := []string{
		"", "Updated", "UPDATED on 2024-01-31", "Last updated: 3 March 2023, by the editors",
		"modified modifica modificato il 12/03/2022", "We updated nothing. Revised 2021-05-06 and updated 2022-01-02",
		"Mis à jour le 12 mars 2024", "MIS À JOUR le 12 mars 2024", "Обновлено 12.03.2024", "ОБНОВЛЕНО 12.03.2024",
		"最終更新日：2024年3月12日", "更新于 2024-03-12", "aggiornamento aggiornato il 5 maggio 2021",
		"zaktualizowano 2024-01-01", "bijgewerkt op 3 januari 2024", "Zuletzt aktualisiert am 3. Januar 2024",
		"the outdated update", "x" + strings.Repeat("updated ", 50) + "Updated on 2020-02-02", "updat", "\xc3updated 2020-01-01",
	}
	check := func(name, text string) {
		t.Helper()
		for _, limit := range []int{0, 10, 100, len(text) / 2, len(text)} {
			s1, e1, t1, ok1 := findStampBefore(text, limit)
			s2, e2, t2, ok2 := findStampBeforeReference(text, limit)
			if s1 != s2 || e1 != e2 || !t1.Equal(t2) || ok1 != ok2 {
				t.Errorf("%s, limit %d: findStampBefore = %d %d %v %v, want %d %d %v %v", name, limit, s1, e1, t1, ok1, s2, e2, t2, ok2)
			}
		}
	}
	for i, s := range texts {
		check(fmt.Sprintf("text %d", i), s)
	}
	if testing.Short() {
		return
	}
	found := 0
	for _, p := range loadDevPagesIfAny(t) {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(p.html))
		if err != nil {
			t.Fatal(err)
		}
		page := plainText(doc.Find("body").Nodes, func(n *html.Node) bool { return isChrome(n, false) })
		check(p.id, page)
		if _, _, _, ok := findStampBeforeReference(page, len(page)); ok {
			found++
		}
	}
	t.Logf("stamps in %d development pages", found)
}

// BenchmarkFindStampPage: the stamp search over every development page's
// text, as ArticleContext runs it (/reference: the search before).
func BenchmarkFindStampPage(b *testing.B) {
	var texts []string
	for _, p := range loadDevPages(b) {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(p.html))
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, plainText(doc.Find("body").Nodes, func(n *html.Node) bool { return isChrome(n, false) }))
	}
	for _, c := range []struct {
		name string
		find func(string, int) (int, int, time.Time, bool)
	}{{"now", findStampBefore}, {"reference", findStampBeforeReference}} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				for _, s := range texts {
					c.find(s, len(s))
				}
			}
		})
	}
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
// UTF-8, hidden ids) and of every testdata and development page.
func TestIsChromeSameAsReference(t *testing.T) {
	pages := []string{
		`<div class="Share-Bar">x</div><div id="HIDDEN">x</div><div class="a	related
links">x</div><div class="\u00a0related\u0085">x</div><div class=" " id=" ">x</div>`,
		"<div class=\"re\xfflated ad\">x</div><div class=\"\xff\" id=\"SIDEBAR\">x</div><div class=\"x\u2003menu\">x</div>",
		`<div class="article-content related"><a href=/a>link text</a> and more</div><div class="ARTICLE-META">x</div>`,
		`<header class="share">x</header><nav><h1>t</h1></nav><div role="navigation">x</div><p id="İd-menu">x</p>`,
		`<div class="x" id="top_ad">x</div><div class="Ads">x</div><div itemprop="articleBody" class="share">x</div>`,
	}
	var docs []*goquery.Document
	for _, p := range pages {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, f := range files {
		docs = append(docs, parseForTest(t, readTestdata(t, filepath.Base(f))))
	}
	if !testing.Short() {
		for _, p := range loadDevPagesIfAny(t) {
			docs = append(docs, parseForTest(t, p.html))
		}
	}
	checked := 0
	for i, doc := range docs {
		walk(doc.Nodes[0], func(n *html.Node) bool {
			for _, forBody := range []bool{false, true} {
				if got, want := isChrome(n, forBody), isChromeReference(n, forBody); got != want {
					t.Errorf("page %d: isChrome(<%s class=%q id=%q>, %v) = %v, want %v", i, n.Data, attr(n, "class"), attr(n, "id"), forBody, got, want)
				}
			}
			checked++
			return true
		})
	}
	t.Logf("%d nodes checked", checked)
}

func parseForTest(t *testing.T, page []byte) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
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
	for _, s := range []string{"", " ", "a", " a  b\t\nc ", "\u00a0x\u0085y\u2003z", "\xffa b\xfe", "é ü", "\v\f\r"} {
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
// list by list, on every class and id token of the testdata and
// development pages and on the words themselves.
func TestNameWordsAsContainsAny(t *testing.T) {
	toks := map[string]bool{"": true, "x-ad": true, "shadow-ad": true, "Related": true}
	for _, l := range [][]string{boilerplateWords, contentWords, bylineWords} {
		for _, w := range l {
			toks[w], toks["x"+w+"y"], toks[w[:len(w)-1]] = true, true, true
		}
	}
	var pages [][]byte
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, f := range files {
		pages = append(pages, readTestdata(t, filepath.Base(f)))
	}
	if !testing.Short() {
		for _, p := range loadDevPagesIfAny(t) {
			pages = append(pages, p.html)
		}
	}
	for _, p := range pages {
		walk(parseForTest(t, p).Nodes[0], func(n *html.Node) bool {
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
	t.Logf("%d tokens checked", len(toks))
}

// hidesReference is hides as it joined the fields and lower-cased them.
func hidesReference(decls string) bool {
	d := strings.ToLower(strings.Join(strings.Fields(decls), ""))
	return strings.Contains(d, "display:none") || strings.Contains(d, "visibility:hidden")
}

// TestHidesSameAsReference: hides reads declarations as the reference on
// tricky ones (case, Unicode space and letters, invalid UTF-8, long) and
// on every rule of the development pages' style sheets.
func TestHidesSameAsReference(t *testing.T) {
	decls := []string{"", "display:none", "DISPLAY : NONE", "display:\u00a0none", "visibility:\thidden", "dİsplay:none",
		"vİsİbİlİty:hİdden", "display:\xffnone", "display:no\u2003ne", "color:red;display:block", "display:nonE !important",
		strings.Repeat("color: red; ", 40) + "display: none", strings.Repeat("é", 200) + "VISIBILITY:HIDDEN", "visibility:hidde"}
	if !testing.Short() {
		for _, p := range loadDevPagesIfAny(t) {
			for _, n := range parseForTest(t, p.html).Find("style").Nodes {
				forEachRule(allText(n), func(_, d string, _ bool) { decls = append(decls, d) })
			}
		}
	}
	for _, d := range decls {
		if got, want := hides(d), hidesReference(d); got != want {
			t.Errorf("hides(%q) = %v, want %v", d, got, want)
		}
	}
	t.Logf("%d declarations checked", len(decls))
}

// TestFoldedLenCommas: the length and commas of an element's folded text
// are those of foldedText, on tricky text and every element of the
// testdata and development pages.
func TestFoldedLenCommas(t *testing.T) {
	pages := [][]byte{[]byte("<p> a,\u00a0b \xef\xbc\x8c c\xef\xbc \xe3\xef\xbc\x8c,\xff, </p><div>\u2003,<script>,</script>x</div>")}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, f := range files {
		pages = append(pages, readTestdata(t, filepath.Base(f)))
	}
	if !testing.Short() {
		for _, p := range loadDevPagesIfAny(t) {
			pages = append(pages, p.html)
		}
	}
	for i, p := range pages {
		walk(parseForTest(t, p).Nodes[0], func(n *html.Node) bool {
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
// and on every element of the testdata and development pages.
func TestHasText(t *testing.T) {
	pages := [][]byte{[]byte("<div> \u00a0<b>\u2003</b></div><div> <script>x</script></div><div><b>\xc2</b>\xa0</div><div>\xc2<i>a</i></div><div>\xff</div><div><!-- c --></div>")}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, f := range files {
		pages = append(pages, readTestdata(t, filepath.Base(f)))
	}
	if !testing.Short() {
		for _, p := range loadDevPagesIfAny(t) {
			pages = append(pages, p.html)
		}
	}
	for i, p := range pages {
		walk(parseForTest(t, p).Nodes[0], func(n *html.Node) bool {
			if got, want := hasText(n), foldSpace(allText(n)) != ""; got != want {
				t.Errorf("page %d: hasText(<%s>%q) = %v, want %v", i, n.Data, allText(n), got, want)
			}
			return true
		})
	}
}

// TestStripChromeAsFind: stripChrome's one walk leaves the page, counts
// the furniture and finds the articleBody, article, main and body
// elements as dropping the furniture under each body and then Finding
// them did, on every testdata and development page.
func TestStripChromeAsFind(t *testing.T) {
	pages := [][]byte{[]byte(`<html><head><meta itemprop="articleBody" content="x"></head><body><nav><article>a</article></nav>
<div class="share"><main>m</main></div><aside>x</aside><article itemprop="articleBody">b</article><main>c</main></body></html>`)}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, f := range files {
		pages = append(pages, readTestdata(t, filepath.Base(f)))
	}
	if !testing.Short() {
		for _, p := range loadDevPagesIfAny(t) {
			pages = append(pages, p.html)
		}
	}
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

// TestLinkLengthsAsLinkDensity: the one walk of linkLengths gives every
// element the link density linkDensity's walk of it gives, on every
// testdata and development page.
func TestLinkLengthsAsLinkDensity(t *testing.T) {
	pages := [][]byte{[]byte(`<div><a href=/x>a <a href=/y>nested</a></a> text <p><a>b</a> c</p><script>x</script></div>`)}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, f := range files {
		pages = append(pages, readTestdata(t, filepath.Base(f)))
	}
	if !testing.Short() {
		for _, p := range loadDevPagesIfAny(t) {
			pages = append(pages, p.html)
		}
	}
	for i, p := range pages {
		body := parseForTest(t, p).Find("body").Nodes[0]
		scored := map[*html.Node]float64{}
		walk(body, func(n *html.Node) bool {
			if n.Type == html.ElementNode {
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
