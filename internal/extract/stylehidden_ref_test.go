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

// dropStyleHiddenReference is dropStyleHidden as it was before it read the
// showing rules only for the names the body carries: every candidate is
// checked against every rule, then the body is walked.
func dropStyleHiddenReference(bodies, styles []*html.Node, dropped map[string]int) {
	hidden := styleHidden(styles)
	if hidden == nil {
		return
	}
	for _, body := range bodies {
		walk(body, func(n *html.Node) bool {
			if n.Type != html.ElementNode || n == body {
				return true
			}
			if hiddenByStyle(n, hidden) && !holdsArticle(n) {
				note(dropped, "hidden by the page's style", n)
				removeNode(n)
				return false
			}
			return true
		})
	}
}

// styleDropped runs drop on a fresh parse of page and returns the page
// as it is left and what was counted.
func styleDropped(t *testing.T, page []byte, drop func(bodies, styles []*html.Node, dropped map[string]int)) string {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	dropped := map[string]int{}
	drop(doc.Find("body").Nodes, doc.Find("style").Nodes, dropped)
	var b strings.Builder
	if err := html.Render(&b, doc.Nodes[0]); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k, v := range dropped {
		keys = append(keys, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(keys)
	return b.String() + "\n" + strings.Join(keys, "\n")
}

// TestDropStyleHiddenSameAsReference: the page left and the drops counted
// are the reference's, on tricky pages (carriers nested in carriers, a
// name shown again by another rule, one carrier holding the article,
// several names on one element) and on every development page.
func TestDropStyleHiddenSameAsReference(t *testing.T) {
	pages := []string{
		`<style>.a{display:none}</style><body><div class="a"><p class="a">x</p></div><p class="a b">y</p></body>`,
		`<style>.a{display:none}.a.open{display:block}#b{visibility:hidden}</style><body><p class="a">x</p><p id="b">y</p><p id="b" class="a">z</p></body>`,
		`<style>.a,#b{display:none}.b{display:none}@media print{.b{display:block}}</style><body><div id="b"><article><p class="a">x</p></article></div><p class="b">y</p><p class="c">z</p></body>`,
		`<style>.x{display:none}.y{display:none}.x .y{color:red}</style><body><div class="x"><div class="y">a</div></div><div class="y">b</div><div class="z x">c</div></body>`,
		`<style>.unused{display:none}.a{color:red}</style><body><p class="a">x</p></body>`,
		`<style>.a{display:none}</style><body><main class="a"><h1>t</h1></main><div class="a"><h1>u</h1><p class="a">v</p></div></body>`,
	}
	for i, p := range pages {
		if got, want := styleDropped(t, []byte(p), dropStyleHidden), styleDropped(t, []byte(p), dropStyleHiddenReference); got != want {
			t.Errorf("page %d: dropStyleHidden left\n%s\nwant\n%s", i, got, want)
		}
	}
	if testing.Short() {
		return
	}
	some := 0
	for _, p := range loadDevPagesIfAny(t) {
		got, want := styleDropped(t, p.html, dropStyleHidden), styleDropped(t, p.html, dropStyleHiddenReference)
		if got != want {
			t.Errorf("%s: dropStyleHidden differs from the reference", p.id)
		}
		if strings.Contains(want, "hidden by the page's style") {
			some++
		}
	}
	t.Logf("%d development pages lose an element to their style", some)
}

// notShownReference is notShown as it was before it searched the sheets
// for few names: every rule's selectors are read.
func notShownReference(hidden map[string]bool, rules []cssRule) map[string]bool {
	shown := map[string]bool{}
	for _, r := range rules {
		if !namesAny(r.selectors, hidden) {
			continue
		}
		hiding := !r.nested && hides(r.decls)
		for _, sel := range strings.Split(r.selectors, ",") {
			sel = strings.TrimSpace(sel)
			if hiding && simpleName(sel) {
				continue
			}
			for _, name := range cssNames(sel) {
				shown[name] = true
			}
		}
	}
	out := map[string]bool{}
	for name := range hidden {
		if !shown[name] {
			out[name] = true
		}
	}
	return out
}

// TestNotShownSameAsReference: for sets of up to maxSearched+1 names (the
// page's candidates and names its rules use, including names that are
// prefixes of others), notShown keeps what the reference keeps; and
// forEachRuleAt places every rule's selectors where they are.
func TestNotShownSameAsReference(t *testing.T) {
	sheets := []string{
		`.a{display:none}.ab{display:none}.ab.open{display:block}#b{visibility:hidden}`,
		`.a ,
 .c{display:none}@media print{.c{display:block}} .x[title=".a"]{color:red}p::after{content:".b"}#b-x{display:none}`,
		`.d{display:none}.e{display:none}.d .e{color:red}.e:hover{color:blue}.f{display:none;}.dd{display:none}`,
	}
	for _, p := range loadDevPagesIfAny(t) {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(p.html))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range doc.Find("style").Nodes {
			if n.FirstChild != nil {
				sheets = append(sheets, stripCSSComments(n.FirstChild.Data))
			}
		}
	}
	for k, sheet := range sheets {
		var rules []cssRule
		forEachRuleAt(sheet, func(s, d string, nested bool, from, to int) {
			if strings.TrimSpace(sheet[from:to]) != s {
				t.Fatalf("sheet %d: rule %q placed at %q", k, s, sheet[from:to])
			}
			rules = append(rules, cssRule{s, d, nested, 0, from, to})
		})
		var names []string
		seen := map[string]bool{}
		for _, r := range rules {
			for _, sel := range strings.Split(r.selectors, ",") {
				for _, name := range cssNames(strings.TrimSpace(sel)) {
					if !seen[name] {
						seen[name] = true
						names = append(names, name)
					}
				}
			}
		}
		sort.Strings(names) // prefixes next to what they prefix
		for size := 1; size <= maxSearched+1; size++ {
			// about 10 sets of each size, spread over the names
			step := max(size, len(names)/10)
			for i := 0; i+size <= len(names); i += step {
				set := map[string]bool{}
				for _, name := range names[i : i+size] {
					set[name] = true
				}
				want := sortedKeys(notShownReference(set, rules))
				if got := sortedKeys(notShown(set, []string{sheet}, rules)); got != want {
					t.Fatalf("sheet %d: notShown(%v) = %s, want %s", k, names[i:i+size], got, want)
				}
			}
		}
	}
}
