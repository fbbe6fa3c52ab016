package extract

import (
	"net/url"
	"testing"
	"time"
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
