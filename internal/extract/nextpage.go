package extract

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// NextPage finds the link to the next page of a paginated article on page
// (UTF-8 HTML fetched from pageURL). articleURL is the article's first
// page. With a selector (the source's `selectors.next_page`) the first
// link it matches on the same site is the answer; without one, a
// <link rel=next>, <a rel=next> or an <a> reading "Next page", "Weiter",
// "Page suivante", "Siguiente"… counts only when its target looks like a
// later page of this same article (see Continues): rel=next also names
// the next *post* of a blog, and "next" links lead to page 2 of archive
// indexes, neither of which must be glued onto the article. It returns ""
// when there is no next page; an error only for an invalid selector.
// Article gives the same answer without parsing the page again when asked
// through Rules.Next.
func NextPage(page []byte, pageURL, articleURL, selector string) (string, error) {
	doc, err := parsePage(page)
	if err != nil {
		return "", err
	}
	return nextPageIn(doc, baseURL(doc, pageURL), pageURL, articleURL, selector)
}

// nextPageIn is NextPage on the parsed page doc, whose links resolve
// against base.
func nextPageIn(doc *goquery.Document, base *url.URL, pageURL, articleURL, selector string) (string, error) {
	if base == nil {
		return "", nil
	}
	resolve := func(href string) (string, bool) {
		href = strings.TrimSpace(href)
		if href == "" || strings.HasPrefix(href, "#") {
			return "", false
		}
		u, err := base.Parse(href)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return "", false
		}
		u.Fragment, u.RawFragment = "", ""
		return u.String(), true
	}
	if selector != "" {
		sel, err := cascadia.Compile(selector)
		if err != nil {
			return "", fmt.Errorf("extract: next_page selector %q: %w", selector, err)
		}
		found := ""
		doc.FindMatcher(sel).EachWithBreak(func(_ int, s *goquery.Selection) bool {
			// The selector may name the link or an element around it.
			link := s
			if _, ok := s.Attr("href"); !ok {
				link = s.Find("a[href]").First()
			}
			if u, ok := resolve(link.AttrOr("href", "")); ok && sameHost(u, articleURL) && u != pageURL {
				found = u
				return false
			}
			return true
		})
		return found, nil
	}
	cur, _ := Continues(articleURL, pageURL)
	found := ""
	try := func(href string) bool {
		u, ok := resolve(href)
		if !ok {
			return true
		}
		if n, ok := Continues(articleURL, u); ok && n > cur {
			found = u
			return false
		}
		return true
	}
	rel, links := nextCandidates(doc.Nodes)
	for _, n := range rel {
		if hasToken(attrOr(n, "rel"), "next") && !try(attrOr(n, "href")) {
			return found, nil
		}
	}
	for _, n := range links {
		if isNextLinkNode(n) && !try(attrOr(n, "href")) {
			break
		}
	}
	return found, nil
}

// nextCandidates is, in one walk below roots (the document), what
// goquery's Find gave for "link[rel][href], a[rel][href]" (rel) and for
// "a[href]" (links), in document order, without a Selection a link: an
// element of that name (any namespace, as cascadia matches) with
// attributes of those names. The Finds and their Selections were most of
// the next-page search, which runs on every page fetched.
func nextCandidates(roots []*html.Node) (rel, links []*html.Node) {
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "a" || n.Data == "link") && hasAttr(n, "href") {
			if hasAttr(n, "rel") {
				rel = append(rel, n)
			}
			if n.Data == "a" {
				links = append(links, n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	for _, root := range roots {
		// Find looks below its nodes, not at them.
		for c := root.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	return rel, links
}

// nextWords are link labels that mean "the next page" (after normLabel).
var nextWords = map[string]bool{
	"next": true, "next page": true, "continue": true, "continue reading": true,
	"weiter": true, "nächste seite": true, "nächste": true, "weiterlesen": true,
	"page suivante": true, "suivant": true, "suivante": true, "lire la suite": true,
	"siguiente": true, "página siguiente": true, "pagina siguiente": true, "seguir": true,
	"pagina successiva": true, "successiva": true, "avanti": true,
	"volgende": true, "volgende pagina": true, "próxima": true, "próxima página": true,
	"следующая": true, "следующая страница": true, "далее": true,
	"下一页": true, "下一頁": true, "次へ": true, "次のページ": true,
}

// isNextLinkNode: the link's label (its text, else its aria-label or
// title) is one of nextWords.
func isNextLinkNode(n *html.Node) bool {
	if longerThanNextWords(n) {
		return false // most links of a page: headlines, not "Next »"
	}
	// Most short labels are plain ASCII ("Home", "News", a blank icon
	// link): they are read in a buffer on the stack, without the strings
	// normLabel builds.
	var arr [128]byte
	if text, ascii := appendASCIIText(arr[:0], n); ascii {
		if !asciiBlank(text) {
			return isNextLabel(text)
		}
	} else if label := allText(n); strings.TrimSpace(label) != "" {
		return nextWords[normLabel(label)]
	}
	if v, ok := attrOK(n, "aria-label"); ok {
		return isNextLabel(v)
	}
	return isNextLabel(attrOr(n, "title"))
}

// appendASCIIText appends the text under n (as allText has it) to b, and
// reports false, having stopped, at its first byte that is not ASCII.
func appendASCIIText(b []byte, n *html.Node) ([]byte, bool) {
	if n.Type == html.TextNode {
		for i := 0; i < len(n.Data); i++ {
			if n.Data[i] >= utf8.RuneSelf {
				return b, false
			}
		}
		b = append(b, n.Data...)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		var ok bool
		if b, ok = appendASCIIText(b, c); !ok {
			return b, false
		}
	}
	return b, true
}

// asciiBlank is strings.TrimSpace(s) == "" for ASCII s.
func asciiBlank(s []byte) bool {
	for _, c := range s {
		if !isASCIISpace(c) {
			return false
		}
	}
	return true
}

// isNextLabel is nextWords[normLabel(s)], without building the label
// when s is ASCII: its words lower-cased and joined by one space, the
// ASCII bytes of labelCut trimmed from both ends.
func isNextLabel[T string | []byte](s T) bool {
	var arr [64]byte
	out := arr[:0]
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			return nextWords[normLabel(string(s))]
		case isASCIISpace(c):
			space = len(out) > 0
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		out = append(out, c)
	}
	for len(out) > 0 && strings.IndexByte(labelCut, out[0]) >= 0 {
		out = out[1:]
	}
	for len(out) > 0 && strings.IndexByte(labelCut, out[len(out)-1]) >= 0 {
		out = out[:len(out)-1]
	}
	return nextWords[string(out)]
}

// labelCut is what normLabel trims from a label's ends.
const labelCut = " »›→>.:…-–—|"

// maxNextRunes is the length of the longest of nextWords, in runes.
var maxNextRunes = func() int {
	n := 0
	for w := range nextWords {
		n = max(n, utf8.RuneCountInString(w))
	}
	return n
}()

// longerThanNextWords: n's text has more runes than any of nextWords
// could, after normLabel, without building that text. It counts only
// runes normLabel keeps wherever they are (neither white space nor
// labelCut, nor U+FFFD; lower-casing maps a rune to one rune), so it
// never rejects a label normLabel would make one of nextWords. Its text being non-blank,
// the link's aria-label or title does not count.
func longerThanNextWords(n *html.Node) bool {
	count := 0
	var over func(*html.Node) bool
	over = func(n *html.Node) bool {
		if n.Type == html.TextNode {
			for _, r := range n.Data {
				// U+FFFD is not counted: invalid bytes split between two
				// text nodes may make one rune of the joined label.
				if r != utf8.RuneError && !unicode.IsSpace(r) && !strings.ContainsRune(labelCut, r) {
					if count++; count > maxNextRunes {
						return true
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if over(c) {
				return true
			}
		}
		return false
	}
	return over(n)
}

// normLabel lower-cases a link label, folds white space and drops arrows
// and punctuation around it ("Next page »" → "next page").
func normLabel(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	return strings.Trim(s, labelCut)
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(strings.ToLower(list)) {
		if f == tok {
			return true
		}
	}
	return false
}

// pageKeys are query parameters that number the pages of an article.
var pageKeys = []string{"page", "p", "pg", "paged", "seite", "pagina", "pag"}

// pageSuffix is what a later page adds to the article's path: "/2",
// "-2", "_p2", "/page/2", "-seite-2"… before any extension.
var pageSuffix = regexp.MustCompile(`^(?:/|-|_|,)(?:(?:page|p|seite|pagina|pag|teil|part)[-_/]?)?(\d{1,3})$`)

// Continues reports whether target looks like a page of the article at
// articleURL: the same site and path, numbered by a query parameter
// (?page=N, ?p=N…) with the rest of the query unchanged, or by a suffix
// to the path ("/N/", "-N", "/page/N" before the same extension). n is
// that number; the article's own URL continues it as page 0 (sites
// number their second page 1 or 2). "/blog/page/2/" does not continue
// "/blog/some-post/", nor "/2024/01/next-post/" "/2024/01/this-post/".
func Continues(articleURL, target string) (n int, ok bool) {
	a, err1 := url.Parse(articleURL)
	t, err2 := url.Parse(target)
	if err1 != nil || err2 != nil || !sameHost(articleURL, target) {
		return 0, false
	}
	ap, tp := strings.TrimSuffix(a.Path, "/"), strings.TrimSuffix(t.Path, "/")
	aq, tq := a.Query(), t.Query()
	if ap == tp && a.RawQuery == t.RawQuery {
		return 0, true
	}
	if ap == tp {
		for _, k := range pageKeys {
			v := tq.Get(k)
			if v == "" || aq.Get(k) == v {
				continue
			}
			if av := aq.Get(k); av != "" && av != "0" && av != "1" {
				// The article's own URL numbers something else with it
				// (WordPress's ?p=123 names a post): ?p=124 is another post.
				return 0, false
			}
			num, err := strconv.Atoi(v)
			if err != nil || num < 1 || num > 999 {
				return 0, false
			}
			rest, arest := cloneWithout(tq, k), cloneWithout(aq, k)
			if rest.Encode() != arest.Encode() {
				return 0, false
			}
			return num, true
		}
		return 0, false
	}
	if t.RawQuery != "" && t.RawQuery != a.RawQuery {
		return 0, false
	}
	ext := path.Ext(ap)
	if len(ext) > 6 || strings.ContainsAny(ext, "-_,") {
		ext = ""
	}
	stem := strings.TrimSuffix(ap, ext)
	if ext != "" && path.Ext(tp) != ext {
		return 0, false
	}
	rest, found := strings.CutPrefix(strings.TrimSuffix(tp, ext), stem)
	if !found || stem == "" {
		return 0, false
	}
	m := pageSuffix.FindStringSubmatch(rest)
	if m == nil {
		return 0, false
	}
	num, _ := strconv.Atoi(m[1])
	if num < 1 {
		return 0, false
	}
	return num, true
}

func cloneWithout(q url.Values, key string) url.Values {
	out := url.Values{}
	for k, v := range q {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// sameHost compares the hosts of two URLs, ignoring case and "www.".
func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil || ua.Host == "" {
		return false
	}
	ha := strings.TrimPrefix(strings.ToLower(ua.Hostname()), "www.")
	hb := strings.TrimPrefix(strings.ToLower(ub.Hostname()), "www.")
	return ha == hb && ua.Port() == ub.Port()
}
