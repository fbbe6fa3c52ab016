package demosite

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

//go:embed templates/*.html
var templateFS embed.FS

var templates = template.Must(template.ParseFS(templateFS, "templates/*.html"))

type link struct{ Href, Text string }

// pageView is what the page templates see.
type pageView struct {
	Slug, Title, Canonical, Author, Ad string
	Published, Modified                string // RFC 3339; Modified "" when never updated
	Stamp, PubDate                     string // as the page prints them
	Views                              int
	Paragraphs                         []string
	Related                            []link
	BodyClass                          string
	HeadExtra, BodyExtra, HeadPad      template.HTML
}

// gbkPad is an HTML comment long enough to push <meta charset> past byte
// 1024, where the HTML5 prescan (and x/net/html/charset) stops looking.
var gbkPad = template.HTML("<!-- " + strings.Repeat("Mondo History page cache: region=cn-east-2 node=edge-07 build=2024.01.31 ", 16) + "-->")

// renderPage renders an article snapshot for a request to host (which
// includes any port). titles maps slugs to titles for the Related box.
func renderPage(a article, scheme, host string, titles map[string]string) ([]byte, error) {
	base := scheme + "://" + host
	v := pageView{
		Slug:       a.slug,
		Title:      a.title,
		Canonical:  base + a.path(),
		Author:     a.author,
		Ad:         a.ad,
		Published:  a.published.UTC().Format(time.RFC3339),
		Views:      a.views,
		Paragraphs: a.paragraphs,
		BodyClass:  "article-content",
		HeadExtra:  a.headExtra,
		BodyExtra:  a.bodyExtra,
	}
	if !a.updated.IsZero() {
		v.Modified = a.updated.UTC().Format(time.RFC3339)
	}
	if a.broken {
		v.BodyClass = "content-v2"
	}
	for _, r := range a.related {
		if t, ok := titles[r]; ok {
			v.Related = append(v.Related, link{Href: base + Path(r), Text: t})
		} else {
			v.Related = append(v.Related, link{Href: r, Text: r})
		}
	}
	name := "page.html"
	if a.gbk {
		name = "page_gbk.html"
		v.HeadPad = gbkPad
		v.PubDate = chineseDate(a.published)
		if !a.updated.IsZero() {
			v.Stamp = chineseDate(a.updated)
		}
	} else {
		v.PubDate = a.published.UTC().Format("January 2, 2006")
		if !a.updated.IsZero() {
			v.Stamp = a.updated.UTC().Format(time.DateOnly)
		}
	}
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, v); err != nil {
		return nil, fmt.Errorf("render %s: %w", a.slug, err)
	}
	if !a.gbk {
		return buf.Bytes(), nil
	}
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("encode %s as gbk: %w", a.slug, err)
	}
	return b, nil
}

// chineseDate formats like "2024年1月31日".
func chineseDate(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

type indexEntry struct {
	Href, Title, Published, PubDate string
}

func renderIndex(entries []indexEntry) ([]byte, error) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, "index.html", entries); err != nil {
		return nil, fmt.Errorf("render index: %w", err)
	}
	return buf.Bytes(), nil
}
