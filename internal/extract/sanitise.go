package extract

import (
	"bytes"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// footnoteID names the in-page targets a body may link to: footnotes and
// their back-references ("fn1", "fnref-2", "footnote-3", "note4", "ref5").
var footnoteID = lazyRegexp(`^(?:fn|footnote|note|ref|cite)[\w:.-]*$`)

var footnoteHref = lazyRegexp(`^#(?:fn|footnote|note|ref|cite)[\w:.-]*$`)

// bodyPolicy is built once: a bluemonday policy is safe for concurrent use
// once configured.
var bodyPolicy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr",
		"ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code",
		"em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup",
		"small", "mark", "cite", "q", "abbr", "time", "figure", "figcaption",
		"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td")
	p.AllowAttrs("href").Matching(regexp.MustCompile(`^(?:https?://|mailto:|#(?:fn|footnote|note|ref|cite)[\w:.-]*$)`)).OnElements("a")
	p.AllowAttrs("src").Matching(regexp.MustCompile(`^https?://`)).OnElements("img")
	p.AllowAttrs("alt", "title").OnElements("img")
	p.AllowAttrs("width", "height").Matching(regexp.MustCompile(`^\d{1,5}$`)).OnElements("img")
	p.AllowAttrs("title").OnElements("abbr", "a")
	p.AllowAttrs("datetime").Matching(regexp.MustCompile(`^[\w:+.\- ]{1,40}$`)).OnElements("time")
	p.AllowAttrs("colspan", "rowspan").Matching(regexp.MustCompile(`^\d{1,3}$`)).OnElements("td", "th")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+-]{1,30}$`)).OnElements("code")
	p.AllowAttrs("id").Matching(footnoteID()).Globally()
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true) // only the #fn… fragments that the href pattern lets through
	p.RequireParseableURLs(true)
	p.SkipElementsContent("svg", "math", "template", "form", "select",
		"textarea", "button", "script", "style", "noscript", "object", "embed")
	return p
})

// prepareBody readies the chosen body nodes for the sanitiser, in place:
// hidden elements go, lazy images get their real src, links and images are
// made absolute against base (so the sanitiser can insist on absolute URLs),
// and divs holding only inline content become paragraphs (so that text in
// sibling divs does not run together once divs are stripped).
func prepareBody(nodes []*html.Node, base *url.URL) {
	for _, root := range nodes {
		if isElement(root, "form") {
			rename(root, "div") // a page-wide form wrapper; its content is the article
		}
		walk(root, func(n *html.Node) bool {
			if n.Type != html.ElementNode {
				return true
			}
			if n != root && isHidden(n) {
				removeNode(n)
				return false
			}
			if n != root && isCaptionClass(n) {
				rename(n, "figcaption")
			}
			switch n.Data {
			case "a":
				if h := strings.TrimSpace(attr(n, "href")); h != "" && !footnoteHref().MatchString(h) {
					setAttr(n, "href", absURL(base, h))
				}
			case "img":
				setAttr(n, "src", absURL(base, imageSrc(n)))
			}
			dropUnsanitary(n)
			return true
		})
		paragraphise(root)
	}
}

// sanitaryAttrs are the attributes bodyPolicy may keep, by element (the
// global "id" aside): TestSanitaryAttrs checks them against the policy.
var sanitaryAttrs = map[string][]string{
	"a":    {"href", "title"},
	"img":  {"src", "alt", "title", "width", "height"},
	"abbr": {"title"},
	"time": {"datetime"},
	"td":   {"colspan", "rowspan"},
	"th":   {"colspan", "rowspan"},
	"code": {"class"},
}

// dropUnsanitary removes, once n's own attributes have been read, those the
// sanitiser would drop whatever their value (class, style, data-*, srcset,
// …): they are most of a page's markup, and the sanitiser tokenises all it
// is given. The policy stays the judge of what is kept; "id" is always
// left to it, as a container renamed to a paragraph later may keep one.
func dropUnsanitary(n *html.Node) {
	if n.Namespace != "" {
		return // SVG and MathML: left as they are
	}
	allowed := sanitaryAttrs[n.Data]
	kept := n.Attr[:0]
	for _, a := range n.Attr {
		if a.Namespace != "" || a.Key == "id" || hasUpper(a.Key) || slices.Contains(allowed, a.Key) {
			kept = append(kept, a)
		}
	}
	clear(n.Attr[len(kept):])
	n.Attr = kept
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

func isHidden(n *html.Node) bool {
	if hasAttr(n, "hidden") || attr(n, "aria-hidden") == "true" {
		return true
	}
	style := strings.ToLower(strings.ReplaceAll(attr(n, "style"), " ", ""))
	return strings.Contains(style, "display:none") || strings.Contains(style, "visibility:hidden")
}

// imageSrc is the image's real address: lazy-loading pages keep it in a
// data- attribute or srcset and put a placeholder in src.
func imageSrc(n *html.Node) string {
	src := strings.TrimSpace(attr(n, "src"))
	if src != "" && !strings.HasPrefix(src, "data:") {
		return src
	}
	for _, k := range []string{"data-src", "data-lazy-src", "data-original", "data-url"} {
		if v := strings.TrimSpace(attr(n, k)); v != "" {
			return v
		}
	}
	for _, k := range []string{"srcset", "data-srcset"} {
		if f := strings.Fields(attr(n, k)); len(f) > 0 {
			return strings.TrimSuffix(f[0], ",")
		}
	}
	return src
}

// absURL resolves ref against base; it returns ref unchanged if either does
// not parse (the sanitiser then drops it unless it is already absolute).
func absURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	u, err := url.Parse(ref)
	if err != nil || base == nil {
		return ref
	}
	return base.ResolveReference(u).String()
}

var containerTags = map[string]bool{
	"div": true, "section": true, "article": true, "main": true,
	"header": true, "footer": true, "aside": true, "center": true,
}

// paragraphise renames container elements without block descendants to p,
// bottom up. It reports whether n holds a block.
func paragraphise(n *html.Node) bool {
	block := false
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if paragraphise(c) || blockTags[c.Data] {
			block = true
		}
	}
	if n.Type == html.ElementNode && containerTags[n.Data] && !block {
		rename(n, "p")
	}
	return block
}

// sanitise renders nodes, runs them through the allow-list policy and
// parses the result back, dropping elements left empty. It returns the
// clean HTML and its nodes (children of a detached body element).
func sanitise(nodes []*html.Node) (string, []*html.Node, error) {
	raw := sanitiseBufs.Get().(*bytes.Buffer)
	defer putSanitiseBuf(raw)
	for _, n := range nodes {
		if err := html.Render(raw, n); err != nil {
			return "", nil, err
		}
	}
	clean := sanitiseBufs.Get().(*bytes.Buffer)
	defer putSanitiseBuf(clean)
	clean.Grow(raw.Len())
	if err := bodyPolicy().SanitizeReaderToWriter(raw, clean); err != nil {
		clean.Reset() // as SanitizeReader has it: nothing rather than a part
	}
	size := clean.Len()
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	parsed, err := html.ParseFragment(clean, body)
	if err != nil {
		return "", nil, err
	}
	for _, n := range parsed {
		body.AppendChild(n)
	}
	pruneEmpty(body)
	for c := body.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.TextNode && strings.TrimSpace(c.Data) == "" {
			// blank runs are left where elements were stripped
			if p := c.PrevSibling; p != nil && p.Type == html.TextNode && strings.TrimSpace(p.Data) == "" {
				body.RemoveChild(c)
			} else {
				c.Data = "\n"
			}
		}
		c = next
	}
	var out strings.Builder
	out.Grow(size)
	var kept []*html.Node
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		kept = append(kept, c)
		if err := html.Render(&out, c); err != nil {
			return "", nil, err
		}
	}
	return strings.TrimSpace(out.String()), kept, nil
}

// sanitiseBufs holds the buffers sanitise renders the body into and the
// sanitiser writes to: both are read to their end and dropped (the parser
// copies what it keeps), and growing new ones for every page was a large
// share of the finishing's allocation.
var sanitiseBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putSanitiseBuf(b *bytes.Buffer) {
	if b.Cap() <= maxRawBuf {
		b.Reset()
		sanitiseBufs.Put(b)
	}
}

// prunable elements mean nothing without content.
var prunable = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "em": true, "strong": true, "b": true, "i": true, "u": true,
	"s": true, "del": true, "ins": true, "a": true, "small": true,
	"mark": true, "sub": true, "sup": true, "blockquote": true,
	"figure": true, "figcaption": true, "li": true, "ul": true, "ol": true,
	"dl": true, "dt": true, "dd": true, "cite": true, "q": true,
	"code": true, "pre": true, "abbr": true, "time": true, "caption": true,
}

// pruneEmpty removes, bottom up, prunable elements with no text, no image
// and no id (an id may be a footnote's target).
func pruneEmpty(n *html.Node) (hasContent bool) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch c.Type {
		case html.TextNode:
			if strings.TrimSpace(c.Data) != "" {
				hasContent = true
			}
		case html.ElementNode:
			content := pruneEmpty(c)
			switch {
			case c.Data == "img" && attr(c, "src") == "":
				n.RemoveChild(c) // its URL was unsafe or missing
			case content || c.Data == "img" || c.Data == "hr" || hasAttr(c, "id"):
				hasContent = true
			case prunable[c.Data]:
				n.RemoveChild(c)
			case c.Data != "br":
				hasContent = true // table cells and rows keep the table's shape
			}
		}
		c = next
	}
	return hasContent
}

// isCaptionClass reports whether n is a caption or photo credit by the
// common class conventions ("wp-caption-text", "image-caption",
// "photo-credit"), so that it becomes a <figcaption>.
func isCaptionClass(n *html.Node) bool {
	switch n.Data {
	case "figcaption", "caption", "table", "tr", "td", "th", "tbody", "thead", "ul", "ol", "li", "figure", "img", "a":
		return false
	}
	for _, tok := range strings.Fields(strings.ToLower(attr(n, "class"))) {
		if strings.Contains(tok, "caption") || strings.Contains(tok, "credit") {
			return !strings.HasSuffix(tok, "wp-caption") && !hasBlockDescendant(n)
		}
	}
	return false
}

func hasBlockDescendant(n *html.Node) bool {
	found := false
	walk(n, func(c *html.Node) bool {
		if c != n && c.Type == html.ElementNode && (c.Data == "p" || isHeading(c) || c.Data == "ul" || c.Data == "ol" || c.Data == "table" || c.Data == "blockquote") {
			found = true
		}
		return !found
	})
	return found
}

// isCaption is the plain-text skip rule: captions and photo credits
// describe the figures, they are not the article's prose (the convention of
// schema.org articleBody and of the extraction benchmark). HTML and
// Markdown keep them.
func isCaption(n *html.Node) bool {
	// A figure's loose text (credits, "Image copyright") is caption too,
	// unless the figure holds prose such as a pull quote or a table.
	return n.Data == "figcaption" || n.Data == "figure" && !hasBlockDescendant(n)
}
