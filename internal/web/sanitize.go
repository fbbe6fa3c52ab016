package web

import (
	"html/template"
	"net/url"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/microcosm-cc/bluemonday"

	"annalist/internal/store"
)

// displayPolicy is the last word on archived HTML: structure and text only.
// No style, class, id, event handler, form, media, frame, SVG or image;
// links only to http(s) and mailto, and marked so they pass nothing on.
var displayPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "q", "cite",
		"ul", "ol", "li", "dl", "dt", "dd", "em", "strong", "b", "i", "u", "s", "small", "sub", "sup",
		"abbr", "code", "pre", "kbd", "samp", "var", "mark", "del", "ins", "figure", "figcaption",
		"table", "thead", "tbody", "tfoot", "tr", "caption", "span", "time", "address", "wbr")
	p.AllowAttrs("colspan", "rowspan").Matching(regexp.MustCompile(`^[0-9]{1,3}$`)).OnElements("td", "th")
	p.AllowElements("td", "th")
	p.AllowAttrs("datetime").Matching(regexp.MustCompile(`^[0-9T:+\-. Z]{4,40}$`)).OnElements("time", "del", "ins")
	p.AllowAttrs("title").Matching(regexp.MustCompile(`^[^<>]{0,300}$`)).OnElements("abbr")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^img-ph$`)).OnElements("a", "span")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	// h1 is the page's own title; an archived one becomes h2.
	return p
}()

// damagedNotice stands in for the body of a snapshot whose text cannot be
// read (store.Snapshot.Damaged): the page still answers, saying so.
const damagedNotice = `<p class="damaged"><strong>Damaged:</strong> the archived text of this snapshot cannot be read: ` +
	`it was stored against its WARC record, which is damaged or missing. Run <code>annalist verify</code>.</p>`

// bodyHTML is the snapshot's HTML made safe, or the damaged notice.
func bodyHTML(sn *store.Snapshot) template.HTML {
	if sn.Damaged != "" {
		return template.HTML(damagedNotice)
	}
	return safeHTML(sn.HTML)
}

// safeHTML prepares archived HTML for display: remote images become links
// (no request leaves the reader's browser unasked), headings shift below
// the page's h1, then the strict policy has the last word.
func safeHTML(archived string) template.HTML {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader("<body>" + archived + "</body>"))
	if err == nil {
		doc.Find("img").Each(func(_ int, img *goquery.Selection) {
			src, _ := img.Attr("src")
			alt := strings.TrimSpace(img.AttrOr("alt", ""))
			label := "[image]"
			if alt != "" {
				label = "[image: " + alt + "]"
			}
			u, perr := url.Parse(strings.TrimSpace(src))
			if perr != nil || (u.Scheme != "http" && u.Scheme != "https") {
				img.ReplaceWithHtml(`<span class="img-ph">` + template.HTMLEscapeString(label) + `</span>`)
				return
			}
			img.ReplaceWithHtml(`<a class="img-ph" href="` + template.HTMLEscapeString(u.String()) + `">` +
				template.HTMLEscapeString(label) + `</a>`)
		})
		doc.Find("h1").Each(func(_ int, h *goquery.Selection) {
			inner, _ := h.Html()
			h.ReplaceWithHtml("<h2>" + inner + "</h2>")
		})
		if body, herr := doc.Find("body").Html(); herr == nil {
			archived = body
		}
	}
	return template.HTML(displayPolicy.Sanitize(archived)) //nolint:gosec // sanitised by the allow-list just above
}

// markSnippet escapes a search snippet and turns the store's «word» match
// markers into <mark>; guillemets around anything but one word stay text.
var snippetMarkRE = regexp.MustCompile(`«([\p{L}\p{N}\p{M}_]+)»`)

func markSnippet(s string) template.HTML {
	esc := template.HTMLEscapeString(s)
	return template.HTML(snippetMarkRE.ReplaceAllString(esc, "<mark>$1</mark>")) //nolint:gosec // escaped first; only <mark> is added
}
