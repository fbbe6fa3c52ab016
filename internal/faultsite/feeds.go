package faultsite

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// item is one RSS item as written; empty fields are left out.
type item struct {
	title, link, guid, pubDate, description string
}

// rss renders an RSS 2.0 document; extra goes inside <channel>.
func rss(title, extra string, items []item) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel>")
	fmt.Fprintf(&b, "<title>%s</title><link>http://faultsite.invalid/</link><description>fault site</description>%s\n", html.EscapeString(title), extra)
	for _, it := range items {
		b.WriteString("<item>")
		if it.title != "" {
			fmt.Fprintf(&b, "<title>%s</title>", html.EscapeString(it.title))
		}
		if it.link != "" {
			fmt.Fprintf(&b, "<link>%s</link>", html.EscapeString(it.link))
		}
		if it.guid != "" {
			fmt.Fprintf(&b, `<guid isPermaLink="false">%s</guid>`, html.EscapeString(it.guid))
		}
		if it.pubDate != "" {
			fmt.Fprintf(&b, "<pubDate>%s</pubDate>", html.EscapeString(it.pubDate))
		}
		if it.description != "" {
			fmt.Fprintf(&b, "<description>%s</description>", html.EscapeString(it.description))
		}
		b.WriteString("</item>\n")
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

const rssType = "application/rss+xml; charset=utf-8"

var goodPub = time.Date(2024, 1, 15, 8, 0, 0, 0, time.UTC)

func goodItems(r *http.Request) []item {
	items := make([]item, len(GoodSlugs))
	for i, slug := range GoodSlugs {
		items[i] = item{title: GoodTitle(slug), link: base(r) + ArticlePrefix + slug, guid: "fault-" + slug,
			pubDate: goodPub.Add(time.Duration(i) * time.Hour).Format(time.RFC1123Z)}
	}
	return items
}

func (s *Site) serveGoodFeed(w http.ResponseWriter, r *http.Request) {
	text(w, rssType, rss("Fault site: good feed", "", goodItems(r)))
}

func (s *Site) serveCachedFeed(header, value string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(header, value)
		s.serveGoodFeed(w, r)
	}
}

func (s *Site) serveExpiresFeed(w http.ResponseWriter, r *http.Request) {
	now := s.Now().UTC()
	w.Header().Set("Date", now.Format(http.TimeFormat))
	w.Header().Set("Expires", now.Add(3*time.Hour).Format(http.TimeFormat))
	s.serveGoodFeed(w, r)
}

func (s *Site) serveTTLFeed(w http.ResponseWriter, r *http.Request) {
	text(w, rssType, rss("Fault site: ttl", "<ttl>240</ttl>", goodItems(r)))
}

func (s *Site) serveFlaky(w http.ResponseWriter, r *http.Request) {
	if s.failing.Load() {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.serveGoodFeed(w, r)
}

func (s *Site) serveFeedHTML(w http.ResponseWriter, r *http.Request) {
	text(w, "text/html; charset=utf-8", page("Welcome", "<p>This is the home page, not a feed. Subscribe to our newsletter!</p>"))
}

func (s *Site) serveTruncated(w http.ResponseWriter, r *http.Request) {
	full := rss("Fault site: truncated", "", goodItems(r))
	text(w, rssType, full[:len(full)*2/3])
}

// ControlTitle is the title of FeedControl's item as it should be parsed:
// the control characters stripped.
const ControlTitle = "Control characters stripped"

func (s *Site) serveControl(w http.ResponseWriter, r *http.Request) {
	// Raw bytes: an XML encoder would refuse to write them.
	doc := rss("Fault\x08 site: control\x1c characters", "", []item{{
		title: "Control\x08 characters\x1c stripped", link: base(r) + ArticlePrefix + "control-1", guid: "control-1",
		pubDate: goodPub.Format(time.RFC1123Z), description: "a summary\x1c with\x08 controls"}})
	text(w, rssType, doc)
}

func (s *Site) serveDoctypeBomb(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>` + "\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n")
	b.WriteString(`<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` + "\n")
	for i := 2; i <= 9; i++ {
		fmt.Fprintf(&b, "<!ENTITY lol%d \"%s\">\n", i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString("]>\n<rss version=\"2.0\"><channel><title>&lol9;</title><link>http://faultsite.invalid/</link><description>bomb</description>")
	fmt.Fprintf(&b, "<item><title>&lol9;</title><link>%s</link><guid>bomb-1</guid></item></channel></rss>\n", base(r)+ArticlePrefix+"bomb-1")
	text(w, rssType, b.String())
}

// OddItems describes FeedOddItems: the slugs of items that have a link (in
// document order) and the number of items without one.
var (
	OddLinkedSlugs = []string{"dup-a", "dup-b", "no-date", "odd-date", "zero-date"}
	OddLinkless    = 2
)

func (s *Site) serveOddItems(w http.ResponseWriter, r *http.Request) {
	b := base(r) + ArticlePrefix
	items := []item{
		{title: "Duplicate GUID A", link: b + "dup-a", guid: "same-guid", pubDate: goodPub.Format(time.RFC1123Z)},
		{title: "Duplicate GUID B", link: b + "dup-b", guid: "same-guid", pubDate: goodPub.Format(time.RFC1123Z)},
		{title: "No link at all", guid: "nolink-1", description: "an item with neither link nor date"},
		{title: "No link, no GUID", description: "keyed by its title and content"},
		{title: "No date", link: b + "no-date", guid: "no-date"},
		{title: "Odd date", link: b + "odd-date", guid: "odd-date", pubDate: "Tuesday, sometime after lunch"},
		{title: "Zero date", link: b + "zero-date", guid: "zero-date", pubDate: "0000-00-00 00:00:00"},
		{title: "FTP link", link: "ftp://example.org/file.txt", guid: "ftp-1"},
	}
	text(w, rssType, rss("Fault site: odd items", "", items))
}

func (s *Site) serveHuge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", rssType)
	b := base(r) + ItemPrefix
	var buf strings.Builder
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>huge</title><link>http://faultsite.invalid/</link><description>d</description>\n")
	for i := range HugeItems {
		fmt.Fprintf(&buf, "<item><title>Item %d</title><link>%s%d</link><guid>h%d</guid></item>\n", i, b, i, i)
		if buf.Len() > 64<<10 {
			if _, err := w.Write([]byte(buf.String())); err != nil {
				return
			}
			buf.Reset()
		}
	}
	buf.WriteString("</channel></rss>\n")
	_, _ = w.Write([]byte(buf.String()))
}

func (s *Site) serveCharsetFeed(w http.ResponseWriter, r *http.Request) {
	var items []item
	for _, p := range CharsetPages() {
		items = append(items, item{title: p.Path, link: base(r) + p.Path, guid: p.Path})
	}
	for _, p := range []string{PageInvalidUTF8, PageLatin1UTF8} {
		items = append(items, item{title: p, link: base(r) + p, guid: p})
	}
	text(w, rssType, rss("Fault site: charsets", "", items))
}

// serveWrap is a feed with one item per ?u= value, so any page here can be
// what a feed item links to.
func (s *Site) serveWrap(w http.ResponseWriter, r *http.Request) {
	var items []item
	for i, u := range r.URL.Query()["u"] {
		if strings.HasPrefix(u, "/") {
			u = base(r) + u
		}
		items = append(items, item{title: "Wrapped " + strconv.Itoa(i), link: u, guid: "wrap-" + u})
	}
	text(w, rssType, rss("Fault site: wrapped", "", items))
}

// Wrap returns the path of a feed whose items link to the given paths or URLs.
func Wrap(targets ...string) string {
	q := make([]string, len(targets))
	for i, t := range targets {
		q[i] = "u=" + urlQueryEscape(t)
	}
	return WrapPath + "?" + strings.Join(q, "&")
}
