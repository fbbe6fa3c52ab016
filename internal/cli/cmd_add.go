package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"annalist/internal/config"
	"annalist/internal/extract"
	"annalist/internal/feed"
	"annalist/internal/fetch"
	"annalist/internal/opml"
	"annalist/internal/view"
)

var addCommand = command{
	name:    "add",
	summary: "add a site by its URL: find its feeds, try the newest article, suggest selectors, write feeds/NAME.yaml with --write",
	usage:   "add URL [--name NAME] [--write] [--json]",
	run:     runAdd,
}

// wellKnownFeedPaths are tried, in order, on the site's root when the page
// declares no feed with <link rel=alternate>.
var wellKnownFeedPaths = []string{"/feed", "/feed/", "/rss", "/rss.xml", "/atom.xml", "/index.xml", "/feed.xml", "/feed.json", "/index.rss", "/rss/"}

// feedLinkTypes are the <link rel=alternate> types that name a feed.
var feedLinkTypes = map[string]bool{
	"application/rss+xml": true, "application/atom+xml": true, "application/feed+json": true,
	"application/json": true, "application/rdf+xml": true, "text/xml": true, "application/xml": true,
}

type addFeedJSON struct {
	URL     string `json:"url"`
	Title   string `json:"title"`
	Format  string `json:"format"` // rss, atom or json; "" when it did not parse
	Items   int    `json:"items"`
	FoundBy string `json:"found_by"` // "link" (<link rel=alternate>), "path" (a usual path), "url" (the URL given is the feed)
	Error   string `json:"error"`    // why a declared feed is unusable, "" if it is
}

type addNewestJSON struct {
	URL        string  `json:"url"`
	Title      string  `json:"title"`
	Published  *string `json:"published_date"`
	Revised    *string `json:"revision_date"`
	Words      int     `json:"words"`
	FirstWords string  `json:"first_words"`
	Extractor  string  `json:"extractor"`
	Body       string  `json:"body"` // the element(s) the generic extractor took the body from
	Error      string  `json:"error"`
}

type addJSON struct {
	URL               string            `json:"url"`
	FinalURL          string            `json:"final_url"`
	Feeds             []addFeedJSON     `json:"feeds"`
	Feed              string            `json:"feed"` // the one chosen: the first usable
	Site              string            `json:"site"` // the feed's link to its site, else the page given (after redirects)
	Newest            *addNewestJSON    `json:"newest"`
	Selectors         map[string]string `json:"selectors"`
	SelectorsVerified bool              `json:"selectors_verified"`
	Name              string            `json:"name"`
	File              string            `json:"file"`
	Written           bool              `json:"written"`
	YAML              string            `json:"yaml"`
}

func runAdd(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	name := fs.String("name", "", "the source's name (default: from the feed's title)")
	write := fs.Bool("write", false, "write feeds/NAME.yaml (default: only show it)")
	asJSON := fs.Bool("json", false, "print a JSON object on stdout")
	pos, err := m.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("add takes one URL")
	}
	pageURL := pos[0]
	if u, err := url.Parse(pageURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return usageErr("%q is not an absolute http or https URL", pageURL)
	}
	if *name != "" && !config.ValidName(*name) {
		return usageErr("--name %q: use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit (say %q)", *name, slug(*name))
	}
	cfg, err := m.configOrDefault()
	if err != nil {
		return err
	}
	fc := fetch.New(fetch.Options{UserAgent: cfg.UserAgent, Timeout: cfg.HTTP.Timeout, MaxBody: cfg.HTTP.MaxBody,
		PerHostInterval: cfg.HTTP.PerHostInterval, PerHostConcurrency: cfg.HTTP.PerHostConcurrency,
		RespectRobots: cfg.HTTP.RespectRobots, AllowPrivateNetworks: cfg.HTTP.AllowPrivateNetworks, Now: m.Now, Logger: m.logger})

	out := addJSON{URL: pageURL, Feeds: []addFeedJSON{}, Selectors: map[string]string{}}
	resp, err := fc.Get(ctx, fetch.Request{URL: pageURL})
	if err != nil {
		return fmt.Errorf("page: %w", err) // err names the URL
	}
	out.FinalURL = resp.URL
	var parsed *feed.Feed
	var tried []string
	if f, ferr := feed.Parse(resp.Body, resp.URL, m.Now); ferr == nil {
		// The URL given is a feed itself (whatever its Content-Type says:
		// an HTML page never parses as one, and the poller reads it too).
		parsed = f
		out.Feeds = append(out.Feeds, addFeedJSON{URL: resp.URL, Title: f.Title, Format: feedFormat(resp.Body), Items: len(f.Items), FoundBy: "url"})
	} else {
		if !resp.IsHTML() {
			return fmt.Errorf("%s is neither an HTML page nor a feed (%s)", pageURL, resp.Header.Get("Content-Type"))
		}
		page, _ := resp.UTF8()
		parsed, tried = m.discoverFeeds(ctx, fc, page, resp.URL, &out)
	}
	for _, f := range out.Feeds {
		if f.Error == "" {
			out.Feed = f.URL
			break
		}
	}
	if out.Feed == "" {
		if *asJSON {
			_ = m.writeJSON(out)
		}
		return fmt.Errorf("no feed found for %s: %s", pageURL, describeTried(out.Feeds, tried))
	}

	var siteTitle string
	out.Site = out.FinalURL
	if parsed != nil {
		siteTitle = strings.Join(strings.Fields(parsed.Title), " ") // a title written over lines is one line
		// The feed's own link names the site's home page better than
		// the page given, which may be an article.
		if siteURL(parsed.Link) != "" {
			out.Site = parsed.Link
		}
		if item := newestItem(parsed.Items); item != nil {
			out.Newest = m.tryNewest(ctx, fc, item, out.Selectors, &out.SelectorsVerified)
		}
	}

	// The name: --name, else from the feed's title, else the host; made
	// unique unless given.
	taken := map[string]bool{}
	for _, s := range cfg.Sources {
		taken[s.Name] = true
		if feedKey(s.Feed) == feedKey(out.Feed) {
			return fmt.Errorf("%s is already configured as source %s (%s:%d)", out.Feed, s.Name, s.File, s.Line)
		}
	}
	if entries, err := os.ReadDir(cfg.FeedsDir); err == nil {
		for _, e := range entries {
			taken[strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".yaml"), ".yml")] = true
		}
	}
	out.Name = *name
	if out.Name == "" {
		out.Name = uniqueName(sourceName(opml.Feed{Title: siteTitle, XMLURL: out.Feed}), taken)
	} else if taken[out.Name] {
		return usageErr("--name %s: a source or a feeds file of that name exists already", out.Name)
	}
	out.File = filepath.Join(cfg.FeedsDir, out.Name+".yaml")
	yml := addYAML(out, siteTitle, m.Now())
	if _, err := config.ParseSource(bytes.NewReader(yml), out.File, out.Name); err != nil {
		return fmt.Errorf("the file made for %s does not load (a bug): %w", pageURL, err)
	}
	out.YAML = string(yml)
	if *write {
		if err := os.MkdirAll(cfg.FeedsDir, 0o755); err != nil {
			return fmt.Errorf("create feeds_dir: %w", err)
		}
		if err := createFile(out.File, yml); err != nil {
			return err
		}
		out.Written = true
	}
	if *asJSON {
		return m.writeJSON(out)
	}
	m.printAdd(out)
	return nil
}

// discoverFeeds finds the page's feeds: every <link rel=alternate> of a
// feed type, each fetched and parsed; when none is usable, the usual paths
// on the site's root until one parses. It returns the first usable feed
// parsed and the usual paths tried in vain.
func (m *Main) discoverFeeds(ctx context.Context, fc *fetch.Client, page []byte, base string, out *addJSON) (*feed.Feed, []string) {
	baseURL, _ := url.Parse(base)
	var first *feed.Feed
	seen := map[string]bool{}
	try := func(u, foundBy string) (ok bool, why string) {
		if seen[u] {
			return false, "already tried"
		}
		seen[u] = true
		f, entry := m.probeFeed(ctx, fc, u)
		if entry.Error != "" && foundBy == "path" {
			return false, entry.Error
		}
		entry.FoundBy = foundBy
		out.Feeds = append(out.Feeds, entry)
		if f != nil && first == nil {
			first = f
		}
		return f != nil, ""
	}
	if doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page)); err == nil {
		if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
			if b, err := baseURL.Parse(href); err == nil {
				baseURL = b
			}
		}
		doc.Find("link[rel][href]").Each(func(_ int, s *goquery.Selection) {
			rel, _ := s.Attr("rel")
			typ, _ := s.Attr("type")
			href, _ := s.Attr("href")
			typ = strings.ToLower(strings.TrimSpace(strings.Split(typ, ";")[0]))
			if !hasToken(rel, "alternate") || !feedLinkTypes[typ] {
				return
			}
			u, err := baseURL.Parse(strings.TrimSpace(href))
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				return
			}
			u.Fragment = ""
			try(u.String(), "link")
		})
	}
	if first != nil {
		return first, nil
	}
	var tried []string
	for _, p := range wellKnownFeedPaths {
		u := &url.URL{Scheme: baseURL.Scheme, Host: baseURL.Host, Path: p}
		ok, why := try(u.String(), "path")
		if ok {
			break
		}
		if why != "already tried" {
			tried = append(tried, p+" ("+why+")")
		}
	}
	return first, tried
}

// probeFeed fetches u and parses it as a feed.
func (m *Main) probeFeed(ctx context.Context, fc *fetch.Client, u string) (*feed.Feed, addFeedJSON) {
	entry := addFeedJSON{URL: u}
	resp, err := fc.Get(ctx, fetch.Request{URL: u, Accept: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8"})
	if err != nil {
		var se *fetch.StatusError
		if errors.As(err, &se) {
			entry.Error = fmt.Sprintf("HTTP %d", se.Code)
		} else {
			entry.Error = err.Error()
		}
		return nil, entry
	}
	f, err := feed.Parse(resp.Body, resp.URL, m.Now)
	if err != nil {
		entry.Error = "not a feed"
		return nil, entry
	}
	entry.URL = resp.URL
	entry.Title, entry.Format, entry.Items = f.Title, feedFormat(resp.Body), len(f.Items)
	return f, entry
}

func feedFormat(body []byte) string {
	switch gofeed.DetectFeedType(bytes.NewReader(body)) {
	case gofeed.FeedTypeRSS:
		return "rss"
	case gofeed.FeedTypeAtom:
		return "atom"
	case gofeed.FeedTypeJSON:
		return "json"
	}
	return ""
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(strings.ToLower(list)) {
		if f == tok {
			return true
		}
	}
	return false
}

func describeTried(feeds []addFeedJSON, tried []string) string {
	var parts []string
	for _, f := range feeds {
		parts = append(parts, fmt.Sprintf("%s declared by <link rel=alternate>: %s", f.URL, f.Error))
	}
	if len(feeds) == 0 {
		parts = append(parts, "the page declares no feed (<link rel=alternate>)")
	}
	if len(tried) > 0 {
		parts = append(parts, "tried "+strings.Join(tried, ", "))
	}
	return strings.Join(parts, "; ")
}

// newestItem is the item with the latest date (updated, else published);
// without dates, the feed's first.
func newestItem(items []feed.Item) *feed.Item {
	var best *feed.Item
	var bestT time.Time
	for i := range items {
		it := &items[i]
		if it.Link == "" {
			continue
		}
		t := time.Time{}
		if it.Published != nil {
			t = *it.Published
		}
		if it.Updated != nil && it.Updated.After(t) {
			t = *it.Updated
		}
		if best == nil || t.After(bestT) {
			best, bestT = it, t
		}
	}
	return best
}

// tryNewest fetches the newest item's page, extracts it as the generic
// extractor would, and fills sel with the selectors it suggests; verified
// says whether those selectors, applied to the same page, give the same
// text without falling back.
func (m *Main) tryNewest(ctx context.Context, fc *fetch.Client, item *feed.Item, sel map[string]string, verified *bool) *addNewestJSON {
	n := &addNewestJSON{URL: item.Link}
	resp, err := fc.Get(ctx, fetch.Request{URL: item.Link})
	if err != nil {
		n.Error = err.Error()
		return n
	}
	if !resp.IsHTML() {
		n.Error = fmt.Sprintf("not an HTML page (%s)", resp.Header.Get("Content-Type"))
		return n
	}
	n.URL = resp.URL
	page, _ := resp.UTF8()
	ectx, cancel := context.WithTimeout(ctx, extract.DefaultDeadline)
	defer cancel()
	art, err := extract.ArticleContext(ectx, page, resp.URL, extract.Rules{})
	if err != nil {
		n.Error = err.Error()
		return n
	}
	n.Title, n.Extractor, n.Body = art.Title, art.Extractor, art.Matched["body"]
	n.Published, n.Revised = view.Time(art.Published), view.Time(art.Revised)
	n.Words = extract.Words(art.Text)
	words := strings.Fields(art.Text)
	if len(words) > 30 {
		words = append(words[:30], "…")
	}
	n.FirstWords = strings.Join(words, " ")

	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		return n
	}
	suggestSelectors(doc, art, sel)
	if len(sel) == 0 {
		return n
	}
	// The generic extractor leaves a title inside the body's element out
	// of the text; a body selector keeps it unless it is removed. Remove
	// rules run before the title rule, so the title is then left to the
	// page's <h1>, where the generic extractor reads it too.
	if t, b := sel["title"], sel["body"]; t != "" && b != "" && doc.Find(b).Find(t).Length() > 0 {
		sel["remove"] = t
		delete(sel, "title")
	}
	rules := extract.Rules{Title: sel["title"], Body: sel["body"], Updated: sel["updated"]}
	if r := sel["remove"]; r != "" {
		rules.Remove = []string{r}
	}
	check, err := extract.ArticleContext(ectx, page, resp.URL, rules)
	*verified = err == nil && !check.Fallback && check.Title == art.Title && check.Text == art.Text &&
		len(check.Warnings) == 0 && (art.Revised == nil || (check.Revised != nil && check.Revised.Equal(*art.Revised)))
	return n
}

// suggestSelectors names, as CSS selectors matching one element, where the
// generic extractor found the title, the body and the revision stamp.
func suggestSelectors(doc *goquery.Document, art *extract.Result, sel map[string]string) {
	// Body: the elements the generic extractor took it from, as it names
	// them (tag#id.class…), when each name finds one element; else the
	// smallest element holding the article's first and last words.
	if body := bodyFromMatched(doc, art.Matched["body"]); body != "" {
		sel["body"] = body
	} else if art.Text != "" {
		var bestNode *html.Node
		bestLen := 0
		doc.Find("body article, body main, body section, body div").Each(func(_ int, s *goquery.Selection) {
			if t := strings.Join(strings.Fields(s.Text()), " "); strings.Contains(t, firstWordsOf(art.Text, 12)) && strings.Contains(t, lastWordsOf(art.Text, 12)) {
				if bestNode == nil || len(t) < bestLen {
					bestNode, bestLen = s.Nodes[0], len(t)
				}
			}
		})
		if s := uniqueSelector(doc, bestNode); s != "" {
			sel["body"] = s
		}
	}
	if art.Title != "" {
		doc.Find("h1, h2, .title, [itemprop=headline]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
			if strings.Join(strings.Fields(s.Text()), " ") == art.Title {
				if u := uniqueSelector(doc, s.Nodes[0]); u != "" {
					sel["title"] = u
					return false
				}
			}
			return true
		})
	}
	if art.RevisionText != "" {
		var best *html.Node
		bestLen := 0
		doc.Find("body *").Each(func(_ int, s *goquery.Selection) {
			t := strings.Join(strings.Fields(s.Text()), " ")
			if strings.Contains(t, art.RevisionText) && (best == nil || len(t) < bestLen) {
				best, bestLen = s.Nodes[0], len(t)
			}
		})
		if u := uniqueSelector(doc, best); u != "" {
			sel["updated"] = u
		}
	}
}

// bodyFromMatched turns the generic extractor's names of the body's
// elements ("p.meta, div.article-content") into a selector group, when each
// name is a selector matching exactly one element; "" otherwise.
func bodyFromMatched(doc *goquery.Document, matched string) string {
	if matched == "" {
		return ""
	}
	var parts []string
	for _, name := range strings.Split(matched, ", ") {
		m, err := cascadia.Compile(name)
		if err != nil {
			return ""
		}
		found := doc.FindMatcher(m)
		if found.Length() != 1 {
			return ""
		}
		if u := uniqueSelector(doc, found.Nodes[0]); u != "" {
			parts = append(parts, u)
		} else {
			return ""
		}
	}
	return strings.Join(parts, ", ")
}

func firstWordsOf(text string, n int) string {
	w := strings.Fields(text)
	return strings.Join(w[:min(n, len(w))], " ")
}

func lastWordsOf(text string, n int) string {
	w := strings.Fields(text)
	return strings.Join(w[max(0, len(w)-n):], " ")
}

// cssIdent is a class or id safe to write unescaped in a selector.
var cssIdent = regexp.MustCompile(`^-?[A-Za-z_][A-Za-z0-9_-]*$`)

// uniqueSelector names n by its tag and id, or tag and classes, or the
// tag alone, whichever first matches n and nothing else; "" if none does.
func uniqueSelector(doc *goquery.Document, n *html.Node) string {
	if n == nil {
		return ""
	}
	var cands []string
	for _, a := range n.Attr {
		if a.Key == "id" && cssIdent.MatchString(a.Val) {
			cands = append(cands, n.Data+"#"+a.Val)
		}
	}
	var classes []string
	for _, a := range n.Attr {
		if a.Key == "class" {
			for _, c := range strings.Fields(a.Val) {
				if cssIdent.MatchString(c) {
					classes = append(classes, c)
				}
			}
		}
	}
	for _, c := range classes {
		cands = append(cands, n.Data+"."+c)
	}
	if len(classes) > 1 {
		cands = append(cands, n.Data+"."+strings.Join(classes, "."))
	}
	cands = append(cands, n.Data)
	for _, c := range cands {
		m, err := cascadia.Compile(c)
		if err != nil {
			continue
		}
		if found := doc.FindMatcher(m); found.Length() == 1 && found.Nodes[0] == n {
			return c
		}
	}
	return ""
}

// addYAML renders feeds/NAME.yaml: the feed, the site, and the suggested
// selectors commented out (the generic extractor needs none).
func addYAML(out addJSON, title string, now time.Time) []byte {
	var b strings.Builder
	q := yamlString
	fmt.Fprintf(&b, "# Added by `annalist add %s` on %s.\n", strings.Trim(q(out.URL), `"`), now.UTC().Format("2006-01-02"))
	for _, f := range out.Feeds {
		if f.URL == out.Feed {
			fmt.Fprintf(&b, "# Feed found by %s: %s, %d items.\n", map[string]string{"link": "<link rel=alternate>", "path": "trying the usual paths", "url": "its URL"}[f.FoundBy], f.Format, f.Items)
		}
	}
	if title == "" {
		title = out.Name
	}
	fmt.Fprintf(&b, "title: %s\nfeed: %s\n", q(title), q(out.Feed))
	if out.Site != "" && out.Site != out.Feed {
		fmt.Fprintf(&b, "site: %s\n", q(out.Site))
	}
	if n := out.Newest; n != nil && n.Error == "" {
		fmt.Fprintf(&b, "# Newest item when added: %s (%d words, %s extractor).\n", strings.Trim(q(n.Title), `"`), n.Words, n.Extractor)
	}
	if len(out.Selectors) > 0 {
		if out.SelectorsVerified {
			b.WriteString("# The generic extractor needs no selectors. These, found on the newest\n# item, give the same text; uncomment them to pin the layout down:\n")
		} else {
			b.WriteString("# The generic extractor needs no selectors. These were found on the\n# newest item but do NOT give the same text: check them with\n# `annalist extract --source NAME URL` before you uncomment them:\n")
		}
		b.WriteString("# selectors:\n")
		for _, k := range []string{"title", "body", "updated"} {
			if v, ok := out.Selectors[k]; ok {
				fmt.Fprintf(&b, "#   %s: %s\n", k, q(v))
			}
		}
		if v, ok := out.Selectors["remove"]; ok {
			fmt.Fprintf(&b, "#   remove: [%s]  # the title, inside the body\n", q(v))
		}
	}
	return []byte(b.String())
}

// printAdd shows what add found and the file it makes.
func (m *Main) printAdd(out addJSON) {
	w := m.Stdout
	fmt.Fprintf(w, "%s\n", termLine(out.FinalURL))
	fmt.Fprintln(w, "feeds:")
	for _, f := range out.Feeds {
		mark := "  "
		if f.URL == out.Feed {
			mark = "* "
		}
		if f.Error != "" {
			fmt.Fprintf(w, "  %s%s (%s): %s\n", mark, termLine(f.URL), f.FoundBy, termLine(f.Error))
			continue
		}
		fmt.Fprintf(w, "  %s%s (%s, %s, %d items) %s\n", mark, termLine(f.URL), f.FoundBy, f.Format, f.Items, termLine(f.Title))
	}
	if n := out.Newest; n != nil {
		fmt.Fprintf(w, "newest item: %s\n", termLine(n.URL))
		if n.Error != "" {
			fmt.Fprintf(w, "  could not be tried: %s\n", termLine(n.Error))
		} else {
			fmt.Fprintf(w, "  title: %s\n", termLine(n.Title))
			fmt.Fprintf(w, "  published: %s, revised: %s\n", deref(n.Published, "-"), deref(n.Revised, "-"))
			fmt.Fprintf(w, "  %d words (%s extractor, body from %s): %s\n", n.Words, n.Extractor, termLine(n.Body), termLine(n.FirstWords))
		}
	}
	if len(out.Selectors) > 0 {
		state := "give the same text"
		if !out.SelectorsVerified {
			state = "do not give the same text"
		}
		fmt.Fprintf(w, "suggested selectors (%s):\n", state)
		for _, k := range []string{"title", "body", "updated", "remove"} {
			if v, ok := out.Selectors[k]; ok {
				fmt.Fprintf(w, "  %s: %s\n", k, termLine(v))
			}
		}
	}
	if out.Written {
		fmt.Fprintf(w, "wrote %s\n", m.shownPath(out.File))
		return
	}
	fmt.Fprintf(w, "\n%s (dry run: add --write to write it):\n", m.shownPath(out.File))
	for _, l := range strings.SplitAfter(strings.TrimRight(out.YAML, "\n"), "\n") {
		fmt.Fprintf(w, "    %s", termText(l))
	}
	fmt.Fprintln(w)
}
