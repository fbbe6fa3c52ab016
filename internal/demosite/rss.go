package demosite

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The atom: prefix is written literally: encoding/xml would otherwise emit a
// default-namespace declaration on every element, which feed readers that
// look extensions up by prefix (gofeed) do not recognise.
type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	AtomNS  string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Self          atomLink  `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link,omitempty"`
	GUID        rssGUID `xml:"guid"`
	PubDate     string  `xml:"pubDate,omitempty"`
	Updated     string  `xml:"atom:updated,omitempty"`
	Description string  `xml:"description"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// feedSnapshot is what the feed needs, copied under the lock.
type feedSnapshot struct {
	articles []article // newest first
	extras   []extraItem
	titles   map[string]string
	lastMod  time.Time
}

// renderFeed renders RSS 2.0 with absolute links for host. Each article's
// item has guid = slug (not a permalink), pubDate = published and
// atom:updated = the updated date when there is one.
func renderFeed(f feedSnapshot, scheme, host string) ([]byte, error) {
	base := scheme + "://" + host
	doc := rssDoc{
		Version: "2.0",
		AtomNS:  "http://www.w3.org/2005/Atom",
		Channel: rssChannel{
			Title:         "Mondo History",
			Link:          base + "/",
			Description:   "Stories from world history, updated daily.",
			Language:      "en",
			LastBuildDate: f.lastMod.UTC().Format(time.RFC1123Z),
			Self:          atomLink{Href: base + "/rss.xml", Rel: "self", Type: "application/rss+xml"},
		},
	}
	bySlug := map[string]article{}
	for _, a := range f.articles {
		bySlug[a.slug] = a
		doc.Channel.Items = append(doc.Channel.Items, articleItem(a, base+a.path(), a.slug))
	}
	for _, e := range f.extras {
		if e.slug == "" {
			doc.Channel.Items = append(doc.Channel.Items, rssItem{
				Title:       e.title,
				GUID:        rssGUID{IsPermaLink: "false", Value: e.guid},
				Description: e.title + ": a notice from the editors, with no page of its own.",
			})
			continue
		}
		link := fmt.Sprintf("%s/History/%s.html?utm_source=feed&ref=x%d", base, e.slug, e.ref)
		doc.Channel.Items = append(doc.Channel.Items, articleItem(bySlug[e.slug], link, e.guid))
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode rss: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func articleItem(a article, link, guid string) rssItem {
	it := rssItem{
		Title:       a.title,
		Link:        link,
		GUID:        rssGUID{IsPermaLink: "false", Value: guid},
		PubDate:     a.published.UTC().Format(time.RFC1123Z),
		Description: summary(a.paragraphs),
	}
	if !a.updated.IsZero() {
		it.Updated = a.updated.UTC().Format(time.RFC3339)
	}
	return it
}

// summary is the start of the first paragraph: the feed carries only a
// teaser, as Mondo History's does, so the page must be fetched.
func summary(paragraphs []string) string {
	if len(paragraphs) == 0 {
		return ""
	}
	p := paragraphs[0]
	const max = 200
	if len(p) <= max {
		return p
	}
	cut := strings.LastIndexByte(p[:max], ' ')
	if cut <= 0 {
		cut = max
		for !utf8.RuneStart(p[cut]) {
			cut--
		}
	}
	return p[:cut] + " …"
}
