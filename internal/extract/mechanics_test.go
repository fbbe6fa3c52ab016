package extract

import (
	"bytes"
	"fmt"
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
			forEachRuleReference(sheet, fn)
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
		// names the filter lets through (second byte, length) that the set has not
		".pr": false, "#lateR": false, ".qq": false, "#l": false, ".p": false,
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
			if got := isNextLinkNode(s.Nodes[0]); got != want {
				t.Errorf("page %d: link %.80q: isNextLinkNode = %v, want %v", i, s.Text(), got, want)
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
