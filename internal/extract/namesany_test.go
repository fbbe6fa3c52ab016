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
