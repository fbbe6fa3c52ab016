package extract

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// Article extracts the article from page (UTF-8 HTML) fetched from pageURL
// using rules; zero Rules means generic extraction. When a Body or Title
// rule matches nothing, or the Body rule yields less than a third of the
// words the generic extractor finds, Article falls back to the generic
// extractor (Result.Fallback, a warning) unless rules.Strict is set, in
// which case a rule that matches nothing is an error wrapping ErrNoMatch.
// When no article text can be found at all it returns ErrNoContent. It
// never panics.
func Article(page []byte, pageURL string, rules Rules) (*Result, error) {
	return ArticleContext(context.Background(), page, pageURL, rules)
}

// DefaultDeadline is how long the extraction and fingerprinting of one page
// may take by default (harvest.Harvester.ExtractTimeout): a few ms is usual,
// a pathological ignore pattern over megabytes of text takes minutes.
const DefaultDeadline = 10 * time.Second

// ArticleContext is Article under ctx: when ctx ends (checked between the
// steps of extraction) it returns an error wrapping ErrDeadline.
func ArticleContext(ctx context.Context, page []byte, pageURL string, rules Rules) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("extract: internal error on %s: %v", pageURL, r)
		}
	}()
	sels, err := compileRules(rules)
	if err != nil {
		return nil, err
	}
	doc, err := parsePage(page)
	if err != nil {
		return nil, err
	}
	if err := expired(ctx); err != nil {
		return nil, err
	}
	// One walk of the page finds what baseURL, readMeta and
	// dropStyleHidden would otherwise each Find in the whole tree.
	h := scanPage(doc)
	base := resolveBase(pageURL, attrOr(h.base, "href"))
	var next string
	var nextErr error
	if rules.Next != nil {
		articleURL := rules.Next.ArticleURL
		if articleURL == "" {
			articleURL = pageURL
		}
		next, nextErr = nextPageIn(doc, base, pageURL, articleURL, rules.Next.Selector)
	}

	meta := readMeta(h, base)
	res = &Result{
		Byline:       meta.author,
		SiteName:     meta.siteName,
		Lang:         meta.lang,
		CanonicalURL: meta.canonical,
		LeadImage:    meta.image,
		Published:    meta.published,
		PageTitle:    meta.docTitle,
		PageH1:       meta.h1,
		Matched:      map[string]string{},
		RemovedBy:    map[string]int{},
		Dropped:      map[string]int{},
		Next:         next,
		NextErr:      nextErr,
	}
	ruleFields(doc, rules, sels, res)
	applyRemove(doc, rules, sels, res)
	// The Remove rules may have taken out some of the elements found.
	bodies := attachedOnly(h.bodies, doc.Nodes[0])
	dropStyleHidden(bodies, attachedOnly(h.styles, doc.Nodes[0]), res.Dropped)

	// Stamps in the page outside the body are looked for before generic
	// extraction strips the page, but with its furniture (related boxes
	// listing other articles' dates) left out.
	stampText, stampTime, stampOK := pageStamp(bodies)
	if err := expired(ctx); err != nil {
		return nil, err
	}

	bodyNodes, err := chooseBody(ctx, doc, page, base, rules, sels, meta, res)
	if err != nil {
		return nil, err
	}
	applyTemplate(bodyNodes, base, rules.Template, res)
	if err := finishBody(ctx, bodyNodes, base, res); err != nil {
		return nil, err
	}

	if res.Revised == nil {
		if s, t, ok := FindRevisionStamp(res.Text); ok {
			res.Revised, res.RevisionText = &t, s
		} else if stampOK {
			res.Revised, res.RevisionText = &stampTime, stampText
		} else {
			res.Revised = meta.modified
		}
	}
	res.Title, res.Byline = dropControls(res.Title), dropControls(res.Byline)
	return res, nil
}

// pageStamp is the first revision stamp in the text of the page's body
// (the <body> elements still in the page),
// its furniture left out. The text is only rendered when its text nodes
// could hold a stamp (pageMayHoldStamp): most pages hold none.
func pageStamp(body []*html.Node) (string, time.Time, bool) {
	if !pageMayHoldStamp(body) {
		return "", time.Time{}, false
	}
	return FindRevisionStamp(plainText(body, func(n *html.Node) bool { return isChrome(n, false) }))
}

// chooseBody sets res's title and extractor and returns the body's nodes:
// the source's selectors where they are given (and match), else the
// generic extractor's choice, cleaned of furniture.
func chooseBody(ctx context.Context, doc *goquery.Document, page []byte, base *url.URL, rules Rules, sels map[string]cascadia.Selector, meta pageMeta, res *Result) ([]*html.Node, error) {
	var bodyNodes []*html.Node
	var err error
	genericTitle := cleanTitle(firstNonEmpty(meta.ogTitle, meta.h1, meta.docTitle), meta.siteName)
	selectorMode := rules.Title != "" || rules.Body != ""
	if selectorMode {
		res.Extractor = "selectors"
		res.Title = genericTitle
		if rules.Title != "" {
			res.Title, err = selectorTitle(doc, rules, sels, res)
		}
		if err != nil {
			if rules.Strict {
				return nil, err
			}
			res.Title = genericTitle
			res.Warnings = append(res.Warnings, fmt.Sprintf("title: selector %q matched nothing, used the page's title", rules.Title))
		}
		if rules.Body != "" {
			bodyNodes, err = selectorBody(doc, page, base, rules, sels, res)
			if err != nil {
				return nil, err
			}
		} else {
			res.Warnings = append(res.Warnings, "body: no selector, used generic extraction")
		}
	} else {
		res.Extractor = "generic"
		res.Title = genericTitle
	}
	if bodyNodes == nil {
		bodyNodes = genericNodes(doc, res)
		if bodyNodes == nil {
			return nil, ErrNoContent
		}
		if err := expired(ctx); err != nil {
			return nil, err
		}
		if !selectorMode {
			dropTitleHeading(bodyNodes, res.Title)
			res.Cleaned += dropLeadingH1(bodyNodes, res.PageH1, res.Dropped)
		}
		res.Cleaned += cleanBody(bodyNodes, res.Dropped) + crossCheck(bodyNodes, meta.ldBody, res.Dropped)
	}
	if err := expired(ctx); err != nil {
		return nil, err
	}
	return bodyNodes, nil
}

// finishBody turns the body's nodes into res's HTML, text and Markdown
// (sanitised, control characters dropped); ErrNoContent when nothing is left.
func finishBody(ctx context.Context, bodyNodes []*html.Node, base *url.URL, res *Result) error {
	if res.Published == nil {
		res.Published = firstTimeIn(bodyNodes)
		res.PublishedInBody = res.Published != nil
	}
	prepareBody(bodyNodes, base)
	clean, nodes, err := sanitise(bodyNodes)
	if err != nil {
		return fmt.Errorf("extract: sanitise body: %w", err)
	}
	res.HTML = dropControls(clean)
	// The text is shorter than the HTML it is rendered from: its tags
	// and entities are gone, and a blank line is shorter than the tags
	// that end and start two blocks.
	res.Text = dropControls(plainTextSized(nodes, isCaption, len(clean)))
	res.Markdown = dropControls(markdown(nodes))
	if err := expired(ctx); err != nil {
		return err
	}
	if strings.TrimSpace(res.Text) == "" && !strings.Contains(res.HTML, "<img") {
		return ErrNoContent
	}
	return nil
}

func parsePage(page []byte) (*goquery.Document, error) {
	root, err := parseHTML(page)
	if err != nil {
		return nil, fmt.Errorf("extract: parse html: %w", err)
	}
	return goquery.NewDocumentFromNode(root), nil
}

// baseURL is the page's URL, or its <base href> resolved against it.
func baseURL(doc *goquery.Document, pageURL string) *url.URL {
	return resolveBase(pageURL, doc.Find("base[href]").First().AttrOr("href", ""))
}

// resolveBase is pageURL, or href (a <base href>) resolved against it.
func resolveBase(pageURL, href string) *url.URL {
	base, _ := url.Parse(pageURL)
	if b := strings.TrimSpace(href); b != "" {
		if u, err := url.Parse(b); err == nil {
			if base != nil {
				u = base.ResolveReference(u)
			}
			base = u
		}
	}
	return base
}

// attachedOnly is the nodes still under root.
func attachedOnly(nodes []*html.Node, root *html.Node) []*html.Node {
	out := nodes[:0:0]
	for _, n := range nodes {
		if attached(n, root) {
			out = append(out, n)
		}
	}
	return out
}

func applyRemove(doc *goquery.Document, rules Rules, sels map[string]cascadia.Selector, res *Result) {
	for _, sel := range rules.Remove {
		found := doc.FindMatcher(sels[sel])
		if res != nil {
			res.Removed += found.Length()
			res.RemovedBy[sel] += found.Length()
		}
		found.Remove()
	}
}

// fallbackShare: a Body rule yielding fewer words than this share of the
// generic extractor's is taken to have broken (a redesign, a teaser
// matched instead of the story).
const fallbackShare = 1.0 / 3

// pageWords counts the words of the page's <body> (as it stands, after the
// Remove rules).
func pageWords(doc *goquery.Document) int {
	n := 0
	for _, b := range doc.Find("body").Nodes {
		n += nodeWords(b)
	}
	return n
}

// selectorBody applies the Body rule. Unless rules.Strict, it also runs the
// generic extractor on a fresh parse of the page (with the Remove rules) and
// returns that instead, with a warning, when the rule matches nothing or
// yields far less.
func selectorBody(doc *goquery.Document, page []byte, base *url.URL, rules Rules, sels map[string]cascadia.Selector, res *Result) ([]*html.Node, error) {
	found := doc.FindMatcher(sels[rules.Body])
	if found.Length() == 0 && rules.Strict {
		return nil, fmt.Errorf("%w: body %q", ErrNoMatch, rules.Body)
	}
	var nodes []*html.Node
	words := 0
	if found.Length() > 0 {
		nodes = topLevel(found.Nodes)
		for _, n := range nodes {
			words += nodeWords(n)
		}
	}
	if rules.Strict || (nodes != nil && float64(words) >= fallbackShare*float64(pageWords(doc))) {
		// The generic extractor's body is part of the page, so a rule that
		// holds a third of the page's words holds a third of its: no need
		// to parse the page again to compare.
		res.Matched["body"] = rules.Body
		return nodes, nil
	}
	gdoc, err := parsePage(page)
	if err != nil {
		return nil, err
	}
	applyRemove(gdoc, rules, sels, nil)
	gres := &Result{Matched: map[string]string{}, Dropped: map[string]int{}}
	gnodes := genericNodes(gdoc, gres)
	gwords := 0
	if gnodes != nil {
		gres.Cleaned = cleanBody(gnodes, gres.Dropped)
		for _, n := range gnodes {
			gwords += nodeWords(n)
		}
	}
	switch {
	case gnodes == nil || gwords == 0 || float64(words) >= fallbackShare*float64(gwords):
		if nodes == nil {
			return nil, fmt.Errorf("%w: body %q", ErrNoMatch, rules.Body)
		}
		res.Matched["body"] = rules.Body
		return nodes, nil
	case nodes == nil:
		res.Warnings = append(res.Warnings, fmt.Sprintf("body: selector %q matched nothing, used the generic extractor", rules.Body))
	default:
		res.Warnings = append(res.Warnings, fmt.Sprintf("body: selector %q yielded %d words, the generic extractor %d: used the generic extractor", rules.Body, words, gwords))
	}
	res.Extractor, res.Fallback = "generic", true
	res.Matched["body"] = gres.Matched["body"]
	res.Cleaned, res.Dropped = gres.Cleaned, gres.Dropped
	return gnodes, nil
}

// compileRules checks every selector up front, so that a typo is reported
// as such rather than as "matched nothing".
func compileRules(r Rules) (map[string]cascadia.Selector, error) {
	sels := map[string]cascadia.Selector{}
	add := func(field, s string) error {
		if s == "" {
			return nil
		}
		m, err := cascadia.Compile(s)
		if err != nil {
			return fmt.Errorf("extract: %s selector %q: %w", field, s, err)
		}
		sels[s] = m
		return nil
	}
	for _, f := range []struct{ field, sel string }{
		{"title", r.Title}, {"body", r.Body}, {"updated", r.Updated},
		{"published", r.Published}, {"byline", r.Byline},
	} {
		if err := add(f.field, f.sel); err != nil {
			return nil, err
		}
	}
	for _, s := range r.Remove {
		if err := add("remove", s); err != nil {
			return nil, err
		}
	}
	return sels, nil
}

// ruleFields applies the Byline, Published and Updated rules. They run
// before Remove, on the whole page; one that matches nothing (or no date)
// leaves a warning and the metadata fallback in place.
func ruleFields(doc *goquery.Document, rules Rules, sels map[string]cascadia.Selector, res *Result) {
	if rules.Byline != "" {
		if s := doc.FindMatcher(sels[rules.Byline]).First(); s.Length() > 0 && foldSpace(s.Text()) != "" {
			res.Byline = cleanByline(s.Text())
			res.Matched["byline"] = rules.Byline
		} else {
			res.Warnings = append(res.Warnings, fmt.Sprintf("byline: selector %q matched nothing", rules.Byline))
		}
	}
	if rules.Published != "" {
		if t, ok := elementDate(doc.FindMatcher(sels[rules.Published]).First()); ok {
			res.Published = &t
			res.Matched["published"] = rules.Published
		} else {
			res.Warnings = append(res.Warnings, fmt.Sprintf("published: selector %q found no date", rules.Published))
		}
	}
	if rules.Updated != "" {
		s := doc.FindMatcher(sels[rules.Updated]).First()
		if t, ok := elementDate(s); ok {
			res.Revised = &t
			res.RevisionText = foldSpace(s.Text())
			if stamp, _, ok := FindRevisionStamp(res.RevisionText); ok {
				res.RevisionText = stamp
			}
			res.Matched["updated"] = rules.Updated
		} else {
			res.Warnings = append(res.Warnings, fmt.Sprintf("updated: selector %q found no date", rules.Updated))
		}
	}
}

// selectorTitle applies the Title rule: the first match with text.
func selectorTitle(doc *goquery.Document, rules Rules, sels map[string]cascadia.Selector, res *Result) (string, error) {
	for _, n := range doc.FindMatcher(sels[rules.Title]).Nodes {
		if t := foldedText(n); t != "" {
			res.Matched["title"] = rules.Title
			return t, nil
		}
	}
	return "", fmt.Errorf("%w: title %q", ErrNoMatch, rules.Title)
}

// genericNodes strips the page's furniture and picks the article: an
// explicit articleBody, else the best-scoring block inside the one
// <article> or <main> (else the body), else that container whole.
func genericNodes(doc *goquery.Document, res *Result) []*html.Node {
	p := stripChrome(doc, res.Dropped)
	if len(p.articleBody) == 1 && hasText(p.articleBody[0]) {
		res.Matched["body"] = `[itemprop="articleBody"]`
		return p.articleBody
	}
	var root *html.Node
	var bodyProse int
	if len(p.body) > 0 {
		bodyProse = proseLength(p.body[0])
	}
	prose := func(n *html.Node) int {
		if len(p.body) > 0 && n == p.body[0] {
			return bodyProse
		}
		return proseLength(n)
	}
	for _, found := range [][]*html.Node{p.article, p.main, p.body} {
		// A lone <article> may be a teaser card beside the real story:
		// it must hold most of the page's prose to be trusted.
		if len(found) == 1 && 2*prose(found[0]) >= bodyProse && hasText(found[0]) {
			root = found[0]
			break
		}
	}
	if root == nil {
		if len(p.body) > 0 {
			root = p.body[0]
		} else {
			return nil
		}
	}
	nodes := genericBody(root)
	if nodes == nil {
		if foldedText(root) == "" {
			return nil
		}
		nodes = []*html.Node{root}
	}
	var names []string
	for _, n := range nodes {
		names = append(names, describe(n))
	}
	res.Matched["body"] = strings.Join(names, ", ")
	return nodes
}

// chromeFree is what genericNodes looks for in the page once its
// furniture is gone, in document order: the elements matching
// [itemprop="articleBody"], article, main and body.
type chromeFree struct {
	articleBody, article, main, body []*html.Node
}

// stripChrome removes the furniture (isChrome, headers and bylines
// included) under every <body>, counting it in dropped, and finds
// chromeFree's elements in what is left, in the same one walk of the
// page: an element is judged before the walk goes below it.
func stripChrome(doc *goquery.Document, dropped map[string]int) chromeFree {
	var p chromeFree
	var visit func(n *html.Node, inBody bool)
	visit = func(n *html.Node, inBody bool) {
		if n.Type == html.ElementNode {
			if inBody && isChrome(n, true) {
				dropFurniture(n, dropped)
				return
			}
			if attrIs(n, "itemprop", "articleBody") {
				p.articleBody = append(p.articleBody, n)
			}
			switch n.Data {
			case "article":
				p.article = append(p.article, n)
			case "main":
				p.main = append(p.main, n)
			case "body":
				p.body = append(p.body, n)
				inBody = true
			}
		}
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			visit(c, inBody)
			c = next
		}
	}
	for _, n := range doc.Nodes {
		visit(n, false)
	}
	return p
}

// topLevel drops nodes nested in another node of the list, so that a
// selector matching both a div and its inner div does not repeat text.
func topLevel(nodes []*html.Node) []*html.Node {
	in := map[*html.Node]bool{}
	for _, n := range nodes {
		in[n] = true
	}
	var out []*html.Node
outer:
	for _, n := range nodes {
		for a := n.Parent; a != nil; a = a.Parent {
			if in[a] {
				continue outer
			}
		}
		out = append(out, n)
	}
	return out
}

// dropTitleHeading removes the body's first heading when it repeats the
// title, so generic text does not start with it.
func dropTitleHeading(nodes []*html.Node, title string) {
	if title == "" {
		return
	}
	for _, root := range nodes {
		var h *html.Node
		walk(root, func(n *html.Node) bool {
			if h != nil {
				return false
			}
			if isHeading(n) {
				h = n
				return false
			}
			return true
		})
		if h != nil {
			if strings.EqualFold(foldedText(h), title) {
				removeNode(h)
			}
			return
		}
	}
}

func firstTimeIn(nodes []*html.Node) *time.Time {
	var found *time.Time
	for _, root := range nodes {
		walk(root, func(n *html.Node) bool {
			if found != nil {
				return false
			}
			if isElement(n, "time") {
				if t, ok := ParseDate(attr(n, "datetime")); ok {
					found = &t
				}
			}
			return true
		})
	}
	return found
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

var titleSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » "}

// cleanTitle strips a " | Site" suffix (or "Site | " prefix) when it names
// the site.
func cleanTitle(title, site string) string {
	if site == "" {
		return title
	}
	for _, sep := range titleSeparators {
		n := len(sep) + len(site)
		if len(title) <= n {
			continue
		}
		if strings.EqualFold(title[len(title)-n:], sep+site) {
			return strings.TrimSpace(title[:len(title)-n])
		}
		if strings.EqualFold(title[:n], site+sep) {
			return strings.TrimSpace(title[n:])
		}
	}
	return title
}

// proseLength is the length of the text in n's paragraphs: what an article
// is made of, unlike menus and link lists.
func proseLength(n *html.Node) int {
	total := 0
	walk(n, func(c *html.Node) bool {
		if c.Type != html.ElementNode {
			return true
		}
		if c.Data == "p" || c.Data == "pre" || c.Data == "blockquote" {
			total += foldedLen(c)
			return false
		}
		return !invisibleTags[c.Data]
	})
	return total
}
