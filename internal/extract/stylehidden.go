package extract

import (
	"bytes"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Elements the page's own <style> rules hide. A reader never sees them
// (print-only blocks, off-canvas menus, pre-rendered pop-ups), so they are
// not the article. Only plain rules count: one class or ID as the whole
// selector, outside @media and other at-rules (a block hidden on small
// screens is shown on large ones), and no other rule of the page naming
// that class or ID shows it again (tabs, accordions and pop-ups that
// scripts toggle with a second class).

// styleHidden returns the classes and IDs the page's <style> elements
// (styles) hide ("." or "#" + name); nil when none.
func styleHidden(styles []*html.Node) map[string]bool {
	var sheets []string
	for _, n := range styles {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode && strings.Contains(c.Data, "{") {
				sheets = append(sheets, stripCSSComments(c.Data))
			}
		}
	}
	if len(sheets) == 0 {
		return nil
	}
	// Most pages hide nothing by a plain rule: a first pass looks only at
	// declarations that could hide, a second only at rules naming what
	// the first found. The first keeps the rules it reads so that the
	// second does not read the sheets again.
	rp := cssRuleBufs.Get().(*[]cssRule)
	defer putCSSRules(rp)
	rules := (*rp)[:0]
	var hidden map[string]bool
	for _, sheet := range sheets {
		forEachRule(sheet, func(selectors, decls string, nested bool) {
			rules = append(rules, cssRule{selectors, decls, nested})
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
	}
	*rp = rules
	if hidden == nil {
		return nil
	}
	shown := map[string]bool{}
	filter := newNameFilter(hidden)
	for _, r := range rules {
		if !namesAnyOf(r.selectors, hidden, filter) {
			continue
		}
		// Any other rule naming the class or ID (a state, a descendant, a
		// media query) may show it: only a plain hiding rule does not.
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

// hides: the declarations hide the element (display:none or
// visibility:hidden, any case and spacing).
func hides(decls string) bool {
	// The declarations lower-cased without their white space, built in a
	// buffer on the stack for most rules (hidesReference in the tests).
	var arr [256]byte
	d := arr[:0]
	for i := 0; i < len(decls); {
		if c := decls[i]; c < utf8.RuneSelf {
			i++
			if c == ' ' || '\t' <= c && c <= '\r' {
				continue
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			d = append(d, c)
			continue
		}
		r, size := utf8.DecodeRuneInString(decls[i:])
		i += size
		if !unicode.IsSpace(r) {
			// As strings.ToLower: an invalid byte becomes U+FFFD.
			d = utf8.AppendRune(d, unicode.ToLower(r))
		}
	}
	return bytes.Contains(d, []byte("display:none")) || bytes.Contains(d, []byte("visibility:hidden"))
}

// forEachRule calls fn for every rule of css with its selector list and
// declarations; nested says the rule sits inside an at-rule block.
func forEachRule(css string, fn func(selectors, decls string, nested bool)) {
	depth, atDepth := 0, []int{}
	start := 0
	// The next '{', '}' and ';' at or after i (len(css) when none), each
	// found with IndexByte and kept until passed: the bytes between them,
	// most of a sheet, are not looked at one by one.
	next := [3]int{-1, -1, -1}
	find := func(k int, c byte, i int) int {
		if next[k] < i {
			next[k] = len(css)
			if j := strings.IndexByte(css[i:], c); j >= 0 {
				next[k] = i + j
			}
		}
		return next[k]
	}
	for i := 0; i < len(css); i++ {
		if i = min(find(0, '{', i), find(1, '}', i), find(2, ';', i)); i == len(css) {
			return
		}
		switch css[i] {
		case '{':
			prelude := strings.TrimSpace(css[start:i])
			if strings.HasPrefix(prelude, "@") {
				atDepth = append(atDepth, depth)
				depth++
				start = i + 1
				continue
			}
			end := find(1, '}', i)
			if end == len(css) {
				return
			}
			fn(prelude, css[i+1:end], len(atDepth) > 0)
			i = end
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

func stripCSSComments(css string) string {
	if !strings.Contains(css, "/*") {
		return css
	}
	var b strings.Builder
	b.Grow(len(css))
	for {
		i := strings.Index(css, "/*")
		if i < 0 {
			b.WriteString(css)
			return b.String()
		}
		b.WriteString(css[:i])
		b.WriteByte(' ')
		j := strings.Index(css[i+2:], "*/")
		if j < 0 {
			return b.String()
		}
		css = css[i+2+j+2:]
	}
}

// simpleName: the selector is one class or ID and nothing else.
func simpleName(sel string) bool {
	if len(sel) < 2 || (sel[0] != '.' && sel[0] != '#') {
		return false
	}
	for _, c := range sel[1:] {
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c > 127) {
			return false
		}
	}
	return true
}

// cssNames are the classes and IDs a selector names (".a.b:hover > #c" ->
// .a, .b, #c).
func cssNames(sel string) []string {
	var out []string
	for i := 0; i < len(sel); i++ {
		if sel[i] != '.' && sel[i] != '#' {
			continue
		}
		j := i + 1
		for j < len(sel) && (sel[j] == '-' || sel[j] == '_' || sel[j] >= '0' && sel[j] <= '9' || sel[j] >= 'a' && sel[j] <= 'z' || sel[j] >= 'A' && sel[j] <= 'Z' || sel[j] > 127) {
			j++
		}
		if j > i+1 {
			out = append(out, sel[i:j])
		}
		i = j - 1
	}
	return out
}

// namesAny: one of the classes or IDs selectors names (as cssNames reads
// them) is in set. It looks each name up instead of searching the
// selectors for every name of set: pages with large style sheets hide
// hundreds of names.
func namesAny(selectors string, set map[string]bool) bool {
	return namesAnyOf(selectors, set, newNameFilter(set))
}

// namesAnyOf is namesAny with set's nameFilter made once for all the
// rules of a page: a name the filter rules out is not looked up.
func namesAnyOf(selectors string, set map[string]bool, f *nameFilter) bool {
	for i := 0; i < len(selectors); i++ {
		if selectors[i] != '.' && selectors[i] != '#' {
			continue
		}
		j := i + 1
		for j < len(selectors) && cssNameBytes[selectors[j]] {
			j++
		}
		if j > i+1 && f.may(selectors[i:j]) && set[selectors[i:j]] {
			return true
		}
		i = j - 1
	}
	return false
}

// nameFilter marks, for each name of a set, a bit made of its length and
// its first and last bytes after the '.' or '#': most names of a sheet
// miss every bit, and hashing them for a map look-up was the larger part
// of reading the selectors.
type nameFilter [4]uint64

func nameFilterBit(name string) uint {
	return (uint(len(name))<<5 ^ uint(name[1]) ^ uint(name[len(name)-1])<<2) & 255
}

func newNameFilter(set map[string]bool) *nameFilter {
	var f nameFilter
	for name := range set {
		if len(name) >= 2 { // cssNames are a '.' or '#' and a byte at least
			b := nameFilterBit(name)
			f[b>>6] |= 1 << (b & 63)
		}
	}
	return &f
}

// mayPrefixed is may("." + name) and may("#" + name) (the bit does not
// read the prefix), name not empty.
func (f *nameFilter) mayPrefixed(name string) bool {
	b := (uint(len(name)+1)<<5 ^ uint(name[0]) ^ uint(name[len(name)-1])<<2) & 255
	return f[b>>6]&(1<<(b&63)) != 0
}

// may: name (two bytes at least) may be in the set.
func (f *nameFilter) may(name string) bool {
	b := nameFilterBit(name)
	return f[b>>6]&(1<<(b&63)) != 0
}

// cssRule is one rule forEachRule reported.
type cssRule struct {
	selectors, decls string
	nested           bool
}

// cssRuleBufs holds the rule lists styleHidden keeps between its passes:
// a large sheet has thousands of rules.
var cssRuleBufs = sync.Pool{New: func() any { return new([]cssRule) }}

func putCSSRules(rp *[]cssRule) {
	if cap(*rp) > 1<<16 {
		return
	}
	clear(*rp) // the pool must not keep the page's sheets
	*rp = (*rp)[:0]
	cssRuleBufs.Put(rp)
}

func cssNameByte(c byte) bool {
	return c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c > 127
}

// cssNameBytes is cssNameByte as a table, for the loop over every
// selector of a page.
var cssNameBytes = func() (t [256]bool) {
	for c := range 256 {
		t[c] = cssNameByte(byte(c))
	}
	return t
}()

// dropStyleHidden removes the elements of the page's <body> (bodies) that
// its own style rules (styles) hide, counting them in dropped.
func dropStyleHidden(bodies, styles []*html.Node, dropped map[string]int) {
	hidden := styleHidden(styles)
	if hidden == nil {
		return
	}
	filter := newNameFilter(hidden)
	for _, body := range bodies {
		walk(body, func(n *html.Node) bool {
			if n.Type != html.ElementNode || n == body {
				return true
			}
			if hiddenByStyleOf(n, hidden, filter) && !holdsArticle(n) {
				note(dropped, "hidden by the page's style", n)
				removeNode(n)
				return false
			}
			return true
		})
	}
}

// hiddenByStyle: n's id ("#" + id) or one of its classes ("." + class) is
// in hidden. The keys are built in a buffer on the stack, and a map
// lookup by string(bytes) does not copy them.
func hiddenByStyle(n *html.Node, hidden map[string]bool) bool {
	return hiddenByStyleOf(n, hidden, newNameFilter(hidden))
}

// hiddenByStyleOf is hiddenByStyle with hidden's nameFilter: a name it
// rules out is neither built nor looked up.
func hiddenByStyleOf(n *html.Node, hidden map[string]bool, f *nameFilter) bool {
	var arr [64]byte
	if id := attr(n, "id"); id != "" && f.mayPrefixed(id) && hidden[string(append(append(arr[:0], '#'), id...))] {
		return true
	}
	class := attr(n, "class")
	for tok, rest := nextField(class); tok != ""; tok, rest = nextField(rest) {
		if f.mayPrefixed(tok) && hidden[string(append(append(arr[:0], '.'), tok...))] {
			return true
		}
	}
	return false
}
