package extract

import (
	"bytes"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// nextPageInReference is nextPageIn's search without a selector as it was
// with goquery's Find and a Selection a link.
func nextPageInReference(doc *goquery.Document, pageURL, articleURL string) string {
	base := baseURL(doc, pageURL)
	if base == nil {
		return ""
	}
	resolve := func(href string) (string, bool) {
		href = strings.TrimSpace(href)
		if href == "" || strings.HasPrefix(href, "#") {
			return "", false
		}
		u, err := base.Parse(href)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return "", false
		}
		u.Fragment, u.RawFragment = "", ""
		return u.String(), true
	}
	cur, _ := Continues(articleURL, pageURL)
	found := ""
	try := func(_ int, s *goquery.Selection) bool {
		u, ok := resolve(s.AttrOr("href", ""))
		if !ok {
			return true
		}
		if n, ok := Continues(articleURL, u); ok && n > cur {
			found = u
			return false
		}
		return true
	}
	doc.Find("link[rel][href], a[rel][href]").EachWithBreak(func(i int, s *goquery.Selection) bool {
		if !hasToken(s.AttrOr("rel", ""), "next") {
			return true
		}
		return try(i, s)
	})
	if found != "" {
		return found
	}
	doc.Find("a[href]").EachWithBreak(func(i int, s *goquery.Selection) bool {
		if !isNextLinkReference(s) {
			return true
		}
		return try(i, s)
	})
	return found
}

// TestNextPageWalkSameAsReference: the one-walk search finds the link the
// Finds found, on pages where rel=next and "next" links compete (in the
// head and the body, in SVG, with namespaced and empty attributes, after
// a link that does not continue the article) and on every development
// page read as the first, the second and the ninth page of its article.
func TestNextPageWalkSameAsReference(t *testing.T) {
	const art = "https://example.com/story"
	type tc struct{ page, pageURL string }
	cases := []tc{
		{`<head><link rel=next href="/story/2"></head><body><a href="/story/3">Next</a></body>`, art},
		{`<head><link REL="Prev Next" href="/other/2"></head><body><a rel="nofollow next" href="/story/2">x</a></body>`, art},
		{`<body><a rel=next href="">e</a><a rel=next>no href</a><a href="/story?page=2">Next page »</a></body>`, art},
		{`<body><svg><a xlink:href="/story/2" rel="next">s</a></svg><a href="/story/3" aria-label="Next">  </a></body>`, art},
		{`<body><a href="/story/2" title="weiter"></a><a href="/story/2" aria-label="" title="weiter"></a></body>`, art},
		{`<body><a href="/story/2">Next</a><a href="/story/3">Next</a></body>`, art + "/2"},
		{`<body><a href="#next">Next</a><a href="mailto:x@y">Next</a><a href="/story/5">Weiter</a></body>`, art},
		{`<base href="https://example.com/story/"><body><a href="2">Next</a></body>`, art},
	}
	for _, p := range loadDevPagesIfAny(t) {
		for _, u := range []string{p.url, strings.TrimSuffix(p.url, "/") + "/2", p.url + "?page=9"} {
			cases = append(cases, tc{string(p.html), u})
		}
	}
	some := 0
	for i, c := range cases {
		article := art
		if !strings.HasPrefix(c.pageURL, art) {
			article = strings.TrimSuffix(strings.TrimSuffix(c.pageURL, "?page=9"), "/2")
		}
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader([]byte(c.page)))
		if err != nil {
			t.Fatal(err)
		}
		want := nextPageInReference(doc, c.pageURL, article)
		got, err := nextPageIn(doc, baseURL(doc, c.pageURL), c.pageURL, article, "")
		if err != nil || got != want {
			t.Errorf("case %d (%s): nextPageIn = %q, %v, want %q", i, c.pageURL, got, err, want)
		}
		if want != "" {
			some++
		}
	}
	if some < 8 {
		t.Errorf("only %d cases found a next page: the cases do not test the search", some)
	}
}

// BenchmarkExtractNext is BenchmarkExtract as the harvester asks for
// every page it fetches: with the next-page search (Rules.Next), in
// ms/page.
func BenchmarkExtractNext(b *testing.B) {
	pages := loadDevPages(b)
	benchMedian(b, pages, func(p devPage) { _, _ = Article(p.html, p.url, Rules{Next: &NextRules{}}) })
}

// TestIsNextLabelAsNormLabel: reading a label on the stack answers as
// looking its normLabel up, for every next word dressed in case, white
// space and cut characters, and for labels that only look like one.
func TestIsNextLabelAsNormLabel(t *testing.T) {
	labels := []string{"", " ", "\t\n", "x", "Next", "NEXT", "next ", "  next\t page ", "next  page", ">> Next >>", "next.", ".:next:.",
		"- next -", "|next|", "next >", "nextpage", "next-page", "Next\vPage", "Next\fPage", "« next", "next »", "Next\u00a0page",
		"NÄCHSTE", "nächste seite", "Next\x00", "\x7fnext", "next page of the story", strings.Repeat("next ", 30)}
	for w := range nextWords {
		labels = append(labels, w, strings.ToUpper(w), " "+w+" ", ">"+w+".", strings.ReplaceAll(w, " ", "\t\n "), "-|"+w+"|-", w+"x")
	}
	for _, l := range labels {
		want := nextWords[normLabel(l)]
		if got := isNextLabel(l); got != want {
			t.Errorf("isNextLabel(%q) = %v, want %v", l, got, want)
		}
		if got := isNextLabel([]byte(l)); got != want {
			t.Errorf("isNextLabel([]byte(%q)) = %v, want %v", l, got, want)
		}
	}
}
