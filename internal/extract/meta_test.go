package extract

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// TestReadMetaOneWalk pins what readMeta reads, now from one walk of the
// page: the first non-empty meta content of a key in any case, the
// canonical link among other rel words, the first h1 and title, itemprop
// dates, JSON-LD, and a class "updated" among other classes split by any
// HTML white space, skipping one that holds no date.
func TestReadMetaOneWalk(t *testing.T) {
	page := `<html lang=" fr "><head><title> Doc  title </title>
<meta property="og:title" content="  ">
<meta name="OG:TITLE" content=" OG title ">
<meta property="og:title" content="later">
<meta property="og:site_name" content="Site">
<meta name="twitter:image" content="/img.png">
<meta name="author" content="A. Writer">
<link rel="stylesheet alternate" href="/no">
<link rel="alternate	canonical" href="/canon">
<script type="application/ld+json">{"@type":"NewsArticle","articleBody":"LD body"}</script>
</head><body>
<h1>First  heading</h1><h1>Second</h1>
<span itemprop="datePublished" content="2024-01-02T03:04:05Z">x</span>
<p class="updated">no date here</p>
<p class="entry	updated">2024-02-03</p>
</body></html>`
	doc, err := parsePage([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://example.org/a/b")
	m := readMeta(scanPage(doc), base)
	for _, c := range []struct{ name, got, want string }{
		{"canonical", m.canonical, "https://example.org/canon"},
		{"siteName", m.siteName, "Site"},
		{"lang", m.lang, "fr"},
		{"image", m.image, "https://example.org/img.png"},
		{"ogTitle", m.ogTitle, "OG title"},
		{"h1", m.h1, "First heading"},
		{"docTitle", m.docTitle, "Doc title"},
		{"author", m.author, "A. Writer"},
		{"ldBody", m.ldBody, "LD body"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if want := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC); m.published == nil || !m.published.Equal(want) {
		t.Errorf("published = %v, want %v", m.published, want)
	}
	if m.modified == nil || m.modified.Format("2006-01-02") != "2024-02-03" {
		t.Errorf("modified = %v, want 2024-02-03", m.modified)
	}
}

// TestScanPageAsFind: scanPage's one walk finds what the whole-tree Finds
// it replaced find, on tricky markup and on every testdata and
// development page.
func TestScanPageAsFind(t *testing.T) {
	docs := choiceDocs(t, `<html><head><base target=x><base href="/b/"><link rel="Author" href=/x><style>.a{}</style></head>
<body><a rel="me	author" href=/me>Me</a><p class="x byline">By Me</p><span itemprop="author">A</span><div class="author updated">B</div>
<div class="authors">no</div><style>.b{}</style><p itemprop="datePublished dateModified">no</p></body></html>`)
	first := func(s *goquery.Selection) *html.Node {
		if s.Length() == 0 {
			return nil
		}
		return s.Nodes[0]
	}
	for i, doc := range docs {
		h := scanPage(doc)
		for _, c := range []struct {
			name      string
			got, want []*html.Node
		}{
			{"base", []*html.Node{h.base}, []*html.Node{first(doc.Find("base[href]"))}},
			{"relAuthor", []*html.Node{h.relAuthor}, []*html.Node{first(doc.Find(`[rel~="author"]`))}},
			{"authors", h.authors, doc.Find(`[itemprop="author"], .byline, .author`).Nodes},
			{"updated", h.updated, doc.Find(".updated").Nodes},
			{"published", []*html.Node{h.published}, []*html.Node{first(doc.Find(`[itemprop="datePublished"]`))}},
			{"modified", []*html.Node{h.modified}, []*html.Node{first(doc.Find(`[itemprop="dateModified"]`))}},
			{"styles", h.styles, doc.Find("style").Nodes},
			{"bodies", h.bodies, doc.Find("body").Nodes},
		} {
			if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
				t.Errorf("page %d: %s = %v, want %v", i, c.name, c.got, c.want)
			}
		}
	}
}
