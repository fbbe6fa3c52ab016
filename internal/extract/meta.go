package extract

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// pageMeta is what the page says about itself outside the article body.
type pageMeta struct {
	canonical, siteName, lang, image string
	ogTitle, h1, docTitle            string
	author                           string
	published, modified              *time.Time
	ldBody                           string // JSON-LD articleBody
}

// readMeta reads the page's metadata from h (scanPage's walk).
func readMeta(h *headParts, base *url.URL) pageMeta {
	var m pageMeta
	metaContent := h.meta
	if v := strings.TrimSpace(attrOr(h.canonical, "href")); v != "" {
		m.canonical = httpURL(base, v)
	}
	if m.canonical == "" {
		m.canonical = httpURL(base, metaContent("og:url"))
	}
	m.siteName = foldSpace(metaContent("og:site_name"))
	m.lang = strings.TrimSpace(attrOr(h.html, "lang"))
	for _, k := range []string{"og:image", "og:image:url", "og:image:secure_url", "twitter:image"} {
		if v := httpURL(base, metaContent(k)); v != "" {
			m.image = v
			break
		}
	}
	m.ogTitle = foldSpace(metaContent("og:title"))
	m.h1 = foldSpace(allText(h.h1))
	m.docTitle = foldSpace(allText(h.title))

	ld := readJSONLD(h.ld)
	m.ldBody = ld.body
	m.author = metaContent("author")
	if strings.Contains(m.author, "://") {
		m.author = "" // some sites put a profile URL here
	}
	if m.author == "" {
		m.author = ld.author
	}
	if m.author == "" {
		m.author = allText(h.relAuthor)
	}
	if m.author == "" {
		for _, n := range h.authors {
			if t := foldSpace(allText(n)); t != "" && len(t) < 100 {
				m.author = t
				break
			}
		}
	}
	m.author = cleanByline(m.author)

	m.published = firstDate(
		metaContent("article:published_time"),
		ld.published,
		itempropDate(h.published),
		metaContent("og:published_time"),
		metaContent("pubdate"),
		metaContent("date"),
	)
	m.modified = firstDate(
		metaContent("article:modified_time"),
		metaContent("og:updated_time"),
		ld.modified,
		itempropDate(h.modified),
		hAtomUpdated(h.updated),
	)
	return m
}

// hAtomUpdated reads the microformat's revision date: `<time
// class="updated" datetime=…>`, `<abbr class="updated" title=…>`, or a short
// element of class "updated" holding a date (WordPress themes print one).
// updated are the page's elements of class "updated", in document order.
func hAtomUpdated(updated []*html.Node) string {
	for _, n := range updated {
		for _, k := range []string{"datetime", "title", "content"} {
			if a := strings.TrimSpace(attrOr(n, k)); a != "" {
				if _, ok := ParseDate(a); ok {
					return a
				}
			}
		}
		if t := foldSpace(allText(n)); t != "" && len(t) < 100 {
			if _, ok := ParseDate(t); ok {
				return t
			}
		}
	}
	return ""
}

// headParts is what the extraction takes from the whole page in one walk
// (scanPage), where each would otherwise cost a whole-tree Find: the first
// html, h1, title, link rel~=canonical, base[href], [rel~=author],
// [itemprop=datePublished] and [itemprop=dateModified] elements (nil if
// none), the first non-empty content of each <meta> property or name, and,
// in document order, the JSON-LD scripts, the elements of class "updated",
// the [itemprop=author], .byline and .author elements, the <style>
// elements and the <body> elements.
type headParts struct {
	html, h1, title, canonical *html.Node
	base, relAuthor            *html.Node
	published, modified        *html.Node
	metas                      map[string]string // lower-cased key -> content
	ld, updated, authors       []*html.Node
	styles, bodies             []*html.Node
}

// meta is the trimmed content of the first <meta> whose property or name
// is key (any case) and whose content is not empty.
func (h *headParts) meta(key string) string {
	return h.metas[strings.ToLower(key)]
}

// scanPage walks the whole page once for headParts; it does not modify
// doc.
func scanPage(doc *goquery.Document) *headParts {
	h := &headParts{metas: map[string]string{}}
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode {
			h.scanAttrs(n)
			switch n.Data {
			case "script":
				if v, _ := attrOK(n, "type"); v == "application/ld+json" {
					h.ld = append(h.ld, n)
				}
			case "html":
				if h.html == nil {
					h.html = n
				}
			case "base":
				if h.base == nil && hasAttr(n, "href") {
					h.base = n
				}
			case "style":
				h.styles = append(h.styles, n)
			case "body":
				h.bodies = append(h.bodies, n)
			case "h1":
				if h.h1 == nil {
					h.h1 = n
				}
			case "title":
				if h.title == nil {
					h.title = n
				}
			case "link":
				if h.canonical == nil {
					if rel, ok := attrOK(n, "rel"); ok && hasWord(rel, "canonical") {
						h.canonical = n
					}
				}
			case "meta":
				if c := strings.TrimSpace(attr(n, "content")); c != "" {
					for _, k := range []string{"property", "name"} {
						if v, ok := attrOK(n, k); ok {
							if v = strings.ToLower(v); h.metas[v] == "" {
								h.metas[v] = c
							}
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	for _, n := range doc.Nodes {
		visit(n)
	}
	return h
}

// scanAttrs is scanPage's look at n's attributes, in one pass over them
// (the tokenizer keeps only the first of an attribute's names, so the
// first is the only one): itemprop dates and author, rel~=author, and the
// classes "updated", "byline" and "author".
func (h *headParts) scanAttrs(n *html.Node) {
	author := false
	for _, a := range n.Attr {
		switch a.Key {
		case "itemprop":
			switch a.Val {
			case "datePublished":
				if h.published == nil {
					h.published = n
				}
			case "dateModified":
				if h.modified == nil {
					h.modified = n
				}
			case "author":
				author = true
			}
		case "rel":
			if h.relAuthor == nil && hasWord(a.Val, "author") {
				h.relAuthor = n
			}
		case "class":
			updated := false
			// The words split at HTML white space, as hasWord splits.
			for s, start := a.Val, 0; start <= len(s); {
				end := start
				for end < len(s) && !isHTMLSpace(s[end]) {
					end++
				}
				switch s[start:end] {
				case "updated":
					updated = true
				case "byline", "author":
					author = true
				}
				start = end + 1
			}
			if updated {
				h.updated = append(h.updated, n)
			}
		}
	}
	if author {
		h.authors = append(h.authors, n)
	}
}

// attrIs: one of n's attributes named key has the value val, as the CSS
// [key="val"] selector matches.
func attrIs(n *html.Node, key, val string) bool {
	for _, a := range n.Attr {
		if a.Key == key && a.Val == val {
			return true
		}
	}
	return false
}

// attrOK is the value of n's first attribute named key, as goquery's Attr.
func attrOK(n *html.Node, key string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// attrOr is attrOK's value, "" for a nil n too.
func attrOr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

// hasWord tells whether the white-space separated list s holds w, as the
// CSS [attr~=w] selector (and cascadia) match: HTML white space only.
func hasWord(s, w string) bool {
	for s != "" {
		i := strings.IndexAny(s, htmlSpace)
		if i < 0 {
			return s == w
		}
		if s[:i] == w {
			return true
		}
		s = s[i+1:]
	}
	return false
}

const htmlSpace = " \t\n\r\f"

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// itempropDate reads the date of n, the first element of an itemprop.
func itempropDate(n *html.Node) string {
	for _, k := range []string{"datetime", "content"} {
		if v, ok := attrOK(n, k); ok && strings.TrimSpace(v) != "" {
			return v
		}
	}
	return allText(n)
}

// elementDate reads a date from an element chosen by a rule: its datetime
// or content attribute, else its text.
func elementDate(s *goquery.Selection) (t time.Time, ok bool) {
	for _, k := range []string{"datetime", "content"} {
		if v, found := s.Attr(k); found {
			if t, ok := ParseDate(v); ok {
				return t, true
			}
		}
	}
	return ParseDate(s.Text())
}

func firstDate(candidates ...string) *time.Time {
	for _, c := range candidates {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if t, ok := ParseDate(c); ok {
			return &t
		}
	}
	return nil
}

// httpURL resolves ref against base and keeps it only if it is http(s).
func httpURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return ""
	}
	return u.String()
}

var byPrefix = lazyRegexp(`(?i)^(?:by|written by|author:?)\s+`)

// bylineEdge is what a byline's name is joined to its dateline by
// ("Anna Schmidt · vor 3 Stunden", "Jane Doe | Updated 2024-01-31").
const bylineEdge = " \t·•|–—-,;:"

// cleanByline drops the lead-in, and the relative times and revision
// stamps a dateline adds, from a byline: they change by themselves, and
// the byline becomes a citation's author.
func cleanByline(s string) string {
	s = foldSpace(removeRelativeTimes(removeStamps(foldSpace(s))))
	// A dateline's plain date ("Jane Doe · January 31, 2024") goes too.
	parts := bylineSep().Split(s, -1)
	kept := parts[:0]
	for _, p := range parts {
		p = strings.Trim(p, bylineEdge)
		if _, n, ok := parseDateAt(p, false); ok && n == len(p) || p == "" {
			continue
		}
		kept = append(kept, p)
	}
	s = strings.Join(kept, " · ")
	return strings.Trim(byPrefix().ReplaceAllString(s, ""), bylineEdge)
}

// bylineSep separates a byline's name from its dateline.
var bylineSep = lazyRegexp(`\s+[·•|–—]\s+|\s*[·•|]\s*`)

type ldFacts struct {
	author, published, modified string
	body                        string // articleBody, when the page gives the article's text
}

// readJSONLD collects author and dates from the page's JSON-LD, preferring
// an Article-like object over others (a WebSite or Organization may carry
// dates of its own).
func readJSONLD(scripts []*html.Node) ldFacts {
	var best, other ldFacts
	for _, n := range scripts {
		var v any
		if json.Unmarshal([]byte(allText(n)), &v) != nil {
			continue
		}
		walkJSON(v, func(obj map[string]any) {
			f := ldFacts{
				author:    ldAuthor(obj["author"]),
				published: ldString(obj["datePublished"]),
				modified:  ldString(obj["dateModified"]),
			}
			into := &other
			if isArticleType(obj["@type"]) {
				into = &best
				if b := ldString(obj["articleBody"]); len(b) > len(best.body) {
					best.body = b
				}
			}
			if into.author == "" {
				into.author = f.author
			}
			if into.published == "" {
				into.published = f.published
			}
			if into.modified == "" {
				into.modified = f.modified
			}
		})
	}
	if best.author == "" {
		best.author = other.author
	}
	if best.published == "" {
		best.published = other.published
	}
	if best.modified == "" {
		best.modified = other.modified
	}
	return best
}

func walkJSON(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // map order is random; results must not be
		for _, k := range keys {
			walkJSON(x[k], fn)
		}
	case []any:
		for _, c := range x {
			walkJSON(c, fn)
		}
	}
}

func isArticleType(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, "Article") || x == "BlogPosting" || x == "Report"
	case []any:
		for _, c := range x {
			if isArticleType(c) {
				return true
			}
		}
	}
	return false
}

func ldString(v any) string {
	s, _ := v.(string)
	return s
}

func ldAuthor(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		return ldString(x["name"])
	case []any:
		var names []string
		for _, c := range x {
			if n := ldAuthor(c); n != "" {
				names = append(names, n)
			}
		}
		return strings.Join(names, ", ")
	}
	return ""
}
