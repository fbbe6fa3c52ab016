package extract

import (
	"strings"
	"testing"
)

// prose is a paragraph long enough to count as article text.
func prose(topic string) string {
	return "<p>The archive of " + topic + " was catalogued in 1911, and its letters, deeds and accounts were bound in forty volumes, which survive in the county record office today.</p>"
}

func genericText(t *testing.T, page string) *Result {
	t.Helper()
	res, err := Article([]byte(page), "https://site.example/a/b.html", Rules{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCleanBody(t *testing.T) {
	body := prose("Ashby") + prose("Bolton") + prose("Carew")
	for _, tc := range []struct {
		name, extra string
		gone, kept  []string
	}{
		{"link list", `<ul><li><a href="/x">Another story about castles</a></li><li><a href="/y">Yet another story about abbeys</a></li></ul>`,
			[]string{"castles", "abbeys"}, nil},
		{"furniture heading and its list", `<h3>More from History</h3><ul><li><a href="/x">Castles</a> of Wales</li></ul>`,
			[]string{"More from", "Castles"}, nil},
		{"lone label", `<div>ADVERTISEMENT</div>`, []string{"ADVERTISEMENT"}, nil},
		{"labelled promo", `<p>Read more: <a href="/x">The fall of the Ashby estate in the 1920s</a></p>`, []string{"Read more", "fall of the Ashby"}, nil},
		{"tag line", `<p>Tags: <a href="/t/1">castles</a>, <a href="/t/2">abbeys</a></p>`, []string{"Tags"}, nil},
		{"footnotes are kept", `<ol class="footnotes"><li id="fn1"><a href="https://archive.example/1">Ashby MSS 12, fol. 3</a></li></ol>`,
			nil, []string{"Ashby MSS 12"}},
		{"a furniture word over prose is a real heading", `<h2>Related families</h2>` + prose("Dacre"),
			nil, []string{"Related families", "Dacre"}},
		{"single link paragraph is kept", `<p><a href="https://archive.example/report.pdf">The full 1911 catalogue</a></p>`,
			nil, []string{"The full 1911 catalogue"}},
		{"hidden by class", `<div class="sr-only">Skip to navigation</div><p class="hidden">Secret gallery text</p>`,
			[]string{"Skip to", "Secret gallery"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := genericText(t, `<html><body><article><h1>Archives</h1>`+body+tc.extra+`</article></body></html>`)
			if !strings.Contains(res.Text, "Carew") {
				t.Fatalf("lost the article: %q", res.Text)
			}
			for _, g := range tc.gone {
				if strings.Contains(res.Text, g) {
					t.Errorf("Text keeps %q:\n%s", g, res.Text)
				}
			}
			for _, k := range tc.kept {
				if !strings.Contains(res.Text, k) {
					t.Errorf("Text lacks %q:\n%s", k, res.Text)
				}
			}
		})
	}
}

// A lone <article> that is a teaser card is not taken for the story.
func TestGenericIgnoresTeaserArticle(t *testing.T) {
	page := `<html><body><div class="story">` + prose("Ashby") + prose("Bolton") + prose("Carew") + `</div>
	<div class="more"><article><h3>Plague in the county</h3><p>Two cases were reported in the county this week, officials said.</p></article></div></body></html>`
	res := genericText(t, page)
	if !strings.Contains(res.Text, "Ashby") || strings.Contains(res.Text, "Two cases") {
		t.Errorf("Text = %q", res.Text)
	}
}

// Content words in a class rescue an element, unless it is mostly links.
func TestChromeContentRescue(t *testing.T) {
	page := `<html><body><div class="page">` + prose("Ashby") + prose("Bolton") +
		`<div class="article-content related-notes">` + prose("Carew") + `</div>` +
		`<div class="article-related-stories"><a href="/1">Ashby Hall sold at auction</a> <a href="/2">Bolton Priory restored</a></div></div></body></html>`
	res := genericText(t, page)
	if !strings.Contains(res.Text, "Carew") || strings.Contains(res.Text, "auction") {
		t.Errorf("Text = %q", res.Text)
	}
}

func TestCaptionsLeaveText(t *testing.T) {
	page := `<html><body><article>` + prose("Ashby") + prose("Bolton") +
		`<div class="wp-caption"><img src="/a.jpg" alt="hall"><p class="wp-caption-text">Ashby Hall in 1890.</p></div>` +
		`<figure><img src="/b.jpg"><span>Image copyright Getty</span></figure>` + prose("Carew") + `</article></body></html>`
	res := genericText(t, page)
	if strings.Contains(res.Text, "Ashby Hall in 1890") || strings.Contains(res.Text, "Getty") {
		t.Errorf("Text keeps a caption: %q", res.Text)
	}
	if !strings.Contains(res.HTML, "<figcaption>Ashby Hall in 1890.</figcaption>") || !strings.Contains(res.Markdown, "Ashby Hall in 1890.") {
		t.Errorf("caption lost from HTML or Markdown:\n%s\n%s", res.HTML, res.Markdown)
	}
}

// JSON-LD articleBody drops blocks it does not contain, but only when it
// agrees with most of the extraction.
func TestCrossCheckJSONLD(t *testing.T) {
	paras := []string{
		"<p>The Ashby papers came to the record office in 1911, forty volumes of letters, deeds and estate accounts.</p>",
		"<p>Bolton's steward kept the rentals himself, and his hand runs through every book from 1702 to 1748.</p>",
		"<p>Carew correspondence is thinner: a few bundles survived the fire of 1887 that gutted the muniment room.</p>",
		"<p>Dacre deeds were sorted by parish in the 1930s, which broke up the original order of the family's chests.</p>",
		"<p>Egerton maps, finally, show the enclosures of 1801 field by field, with the tenants' names in red ink.</p>",
	}
	plain := func(ps []string) string {
		var b []string
		for _, p := range ps {
			b = append(b, strings.TrimSuffix(strings.TrimPrefix(p, "<p>"), "</p>"))
		}
		return strings.Join(b, " ")
	}
	promo := "<p>Our shop sells prints of the archive, framed and unframed, with free delivery on every order this month.</p>"
	page := func(ld string) string {
		return `<html><head><script type="application/ld+json">{"@type":"NewsArticle","articleBody":` + jsonQuote(ld) + `}</script></head><body><article>` +
			strings.Join(paras, "") + promo + `</article></body></html>`
	}
	if res := genericText(t, page(plain(paras))); strings.Contains(res.Text, "Our shop") || !strings.Contains(res.Text, "Egerton") {
		t.Errorf("full articleBody: Text = %q", res.Text)
	}
	if res := genericText(t, page(plain(paras[:1])+" A teaser.")); !strings.Contains(res.Text, "Our shop") || !strings.Contains(res.Text, "Egerton") {
		t.Errorf("teaser articleBody pruned: Text = %q", res.Text)
	}
}

func jsonQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
