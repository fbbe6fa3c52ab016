package extract

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"

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
		if nested || !(strings.Contains(decls, "none") || strings.Contains(decls, "hidden")) || !hides(decls) {
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
		hiding := !nested && hides(decls)
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
		if got, want := sortedKeys(styleHidden(doc)), sortedKeys(styleHiddenReference(doc)); got != want {
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
		if got := styleHidden(doc); sortedKeys(got) != sortedKeys(want) {
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
