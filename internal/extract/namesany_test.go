package extract

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// namesAnyReference is namesAny as it was before the name filter: every
// name read is looked up.
func namesAnyReference(selectors string, set map[string]bool) bool {
	for i := 0; i < len(selectors); i++ {
		if selectors[i] != '.' && selectors[i] != '#' {
			continue
		}
		j := i + 1
		for j < len(selectors) && cssNameByte(selectors[j]) {
			j++
		}
		if j > i+1 && set[selectors[i:j]] {
			return true
		}
		i = j - 1
	}
	return false
}

// TestNamesAnySameAsReference: with its filter, namesAnyOf answers as the
// reference for every rule of the development pages' sheets, against sets
// of the names those sheets use (every k-th, for several k) and names that
// are one byte off them.
func TestNamesAnySameAsReference(t *testing.T) {
	sheets := []string{`.a,.b .c{x}#d:hover,.é,.éa{y}.a-b.c_d > #e-f{z}`}
	for _, p := range loadDevPagesIfAny(t) {
		doc, err := html.Parse(bytes.NewReader(p.html))
		if err != nil {
			t.Fatal(err)
		}
		walk(doc, func(n *html.Node) bool {
			if n.Type == html.ElementNode && n.Data == "style" && n.FirstChild != nil {
				sheets = append(sheets, n.FirstChild.Data)
			}
			return true
		})
	}
	for k, sheet := range sheets {
		var sels, names []string
		forEachRule(sheet, func(s, _ string, _ bool) {
			sels = append(sels, s)
			for _, sel := range strings.Split(s, ",") {
				names = append(names, cssNames(strings.TrimSpace(sel))...)
			}
		})
		for _, every := range []int{1, 3, 17, 101} {
			set := map[string]bool{}
			for i := 0; i < len(names); i += every {
				set[names[i]] = true
				set[names[i]+"x"] = true // one byte longer
				if len(names[i]) > 2 {
					set[names[i][:len(names[i])-1]] = true // one byte shorter
				}
			}
			f := newNameFilter(set)
			for _, s := range sels {
				if got, want := namesAnyOf(s, set, f), namesAnyReference(s, set); got != want {
					t.Fatalf("sheet %d, every %d: namesAnyOf(%q) = %v, want %v", k, every, s, got, want)
				}
			}
		}
	}
}

// hiddenByStyleReference is hiddenByStyle as it was before the name
// filter: every id and class is looked up.
func hiddenByStyleReference(n *html.Node, hidden map[string]bool) bool {
	if id := attr(n, "id"); id != "" && hidden["#"+id] {
		return true
	}
	class := attr(n, "class")
	for tok, rest := nextField(class); tok != ""; tok, rest = nextField(rest) {
		if hidden["."+tok] {
			return true
		}
	}
	return false
}

// TestHiddenByStyleSameAsReference: with the filter, every element of the
// development pages is judged as the reference judges it, against the
// names its page's sheets hide and against all the names the page's
// elements carry (every k-th, and one byte longer or shorter).
func TestHiddenByStyleSameAsReference(t *testing.T) {
	pages := [][]byte{[]byte(`<style>.a{display:none}#b{display:none}</style><p class="a">x</p><p id="b">y</p><p class=" x  a ">z</p><p id="">w</p><p class="é ab">v</p>`)}
	for _, p := range loadDevPagesIfAny(t) {
		pages = append(pages, p.html)
	}
	for k, page := range pages {
		doc, err := html.Parse(bytes.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		var styles, elems []*html.Node
		var names []string
		walk(doc, func(n *html.Node) bool {
			if n.Type == html.ElementNode {
				elems = append(elems, n)
				if n.Data == "style" {
					styles = append(styles, n)
				}
				if id := attr(n, "id"); id != "" {
					names = append(names, "#"+id)
				}
				for _, tok := range strings.Fields(attr(n, "class")) {
					names = append(names, "."+tok)
				}
			}
			return true
		})
		sets := []map[string]bool{styleHidden(styles)}
		for _, every := range []int{1, 5, 37} {
			set := map[string]bool{}
			for i := 0; i < len(names); i += every {
				set[names[i]], set[names[i]+"x"], set[names[i][:len(names[i])-1]+"q"] = true, true, true
			}
			sets = append(sets, set)
		}
		for _, set := range sets {
			if set == nil {
				continue
			}
			f := newNameFilter(set)
			for _, n := range elems {
				if got, want := hiddenByStyleOf(n, set, f), hiddenByStyleReference(n, set); got != want {
					t.Fatalf("page %d: hiddenByStyleOf(<%s %v>) = %v, want %v", k, n.Data, n.Attr, got, want)
				}
			}
		}
	}
}
