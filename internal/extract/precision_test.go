package extract

import (
	"strings"
	"testing"
)

// precisionCase is a page fragment after three paragraphs of prose, what
// must leave the body, and what must stay.
type precisionCase struct {
	name, extra string
	gone, kept  []string
}

func runPrecisionCases(t *testing.T, cases []precisionCase) {
	t.Helper()
	body := prose("Ashby") + prose("Bolton") + prose("Carew")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := genericText(t, `<html><body><article><h1>Archives</h1>`+body+tc.extra+`</article></body></html>`)
			if !strings.Contains(res.Text, "Carew") {
				t.Fatalf("lost the article: %q", res.Text)
			}
			for _, g := range tc.gone {
				if strings.Contains(res.Text, g) {
					t.Errorf("kept %q:\n%s", g, res.Text)
				}
			}
			for _, k := range tc.kept {
				if !strings.Contains(res.Text, k) {
					t.Errorf("lost %q:\n%s", k, res.Text)
				}
			}
		})
	}
}

// nextPrevCard is a teaser box linking to one other story, as a site's
// "Next story" / "Previous story" navigation shows it.
func nextPrevCard(label, href, title string) string {
	return `<div class="x"><p><a href="` + href + `">` + label + `</a></p>` +
		`<div><a href="` + href + `"><img src="/i/` + href[1:] + `.jpg" alt=""></a></div>` +
		`<div><a href="` + href + `"><h5>` + title + `</h5></a><p>How the papers of the inquiry came to the county office in 1911.</p></div></div>`
}

func TestDropTrailingCardPair(t *testing.T) {
	pair := `<div class="y">` + nextPrevCard("Next story", "/next", "The wreck of the Royal Charter") +
		nextPrevCard("Previous story", "/prev", "The Tay Bridge inquiry") + `</div>`
	runPrecisionCases(t, []precisionCase{
		{"next and previous cards closing the article", pair,
			[]string{"Royal Charter", "Tay Bridge", "Next story", "Previous story"}, nil},
		{"a tag list after them does not save them", pair + `<p>Tags: <a href="/t/1">ships</a>, <a href="/t/2">bridges</a></p>`,
			[]string{"Royal Charter", "Tay Bridge"}, nil},
		// Two cards with the article going on after them are a pair of
		// illustrated references, not the navigation between stories.
		{"a pair in the middle of the article is kept", pair + prose("Dacre"),
			nil, []string{"Royal Charter", "Tay Bridge", "Dacre"}},
		{"two cards for the same story are kept", `<div>` + nextPrevCard("See the plan", "/plan", "The plan of the Royal Charter") +
			nextPrevCard("See the plan", "/plan", "The plan of the Tay Bridge") + `</div>`,
			nil, []string{"Royal Charter", "Tay Bridge"}},
	})
}

func TestDropAuthorBoxes(t *testing.T) {
	runPrecisionCases(t, []precisionCase{
		{"about the author box", `<div class="x"><div><h5><a href="/people/mary" rel="author">Mary Lyle</a></h5>` +
			`<p>Mary Lyle is a Cheshire native who writes on estate papers, and loves walking, reading and coffee.</p>` +
			`<a href="https://social.example/mary">Follow Mary</a></div></div>`,
			[]string{"Mary Lyle", "Cheshire native", "Follow Mary"}, nil},
		// A byline inside the article's first paragraph must not take the
		// paragraph with it.
		{"a byline in a paragraph keeps the paragraph", `<p>Written by <a href="/people/mary" rel="author">Mary Lyle</a> for the county society, whose papers were catalogued in 1911.</p>`,
			nil, []string{"county society"}},
		{"an author's link in long prose is kept", `<div><p>The inventory was drawn up by <a href="/people/mary" rel="author">Mary Lyle</a>.</p>` + prose("Dacre") + `</div>`,
			nil, []string{"Mary Lyle", "Dacre"}},
	})
}

func TestDropAuthorBoxesShortArticle(t *testing.T) {
	// A note of a few lines signed with the author's link is the article.
	res := genericText(t, `<html><body><div><div><p>The Ashby papers were catalogued in 1911, and bound in forty volumes that survive today.</p>`+
		`<div>Signed at Ashby Hall on the first of May, <a href="/people/mary" rel="author">Mary Lyle</a></div></div></div></body></html>`)
	if !strings.Contains(res.Text, "forty volumes") {
		t.Errorf("lost the article: %q", res.Text)
	}
}

func TestDropAuthorBoxBesideTheArticle(t *testing.T) {
	// The extractor keeps a sibling of the article's block that shares its
	// class: the author box may be such a sibling, a body node of its own,
	// or sit inside one.
	box := `<h5><a href="/people/mary" rel="author">Mary Lyle</a></h5>` +
		`<p>Mary Lyle is a Cheshire native who writes on estate papers, and loves walking, reading and coffee.</p>`
	for name, sibling := range map[string]string{
		"inside the sibling": `<div class="entry"><div>` + box + `</div></div>`,
		"the sibling itself": `<div class="entry">` + box + `</div>`,
	} {
		t.Run(name, func(t *testing.T) {
			page := `<html><body><div><div class="entry">` + prose("Ashby") + prose("Bolton") + prose("Carew") + `</div>` + sibling + `</div></body></html>`
			res := genericText(t, page)
			if !strings.Contains(res.Text, "Carew") || strings.Contains(res.Text, "Cheshire native") {
				t.Errorf("Text = %q, Dropped = %v", res.Text, res.Dropped)
			}
		})
	}
}

func TestDropInlineCards(t *testing.T) {
	card := `<span class="pop"><span><img src="/i/mary.jpg" alt=""><a href="/people/mary">Mary Lyle</a>` +
		`<a href="/s/1">Estate papers found in a barn at Ashby</a> <a href="/s/2">The Bolton inventory goes on show</a>` +
		` <a href="/people/mary">MORE</a></span></span>`
	runPrecisionCases(t, []precisionCase{
		{"a pop-over card in a sentence", `<p>The letters were read by <a href="/people/mary">Mary Lyle</a>` + card + ` at the county office in 1911, and bound.</p>`,
			[]string{"found in a barn", "goes on show", "MORE"}, []string{"The letters were read by Mary Lyle", "at the county office in 1911"}},
		// Links and a picture in a paragraph, with words between them, are
		// the article's own.
		{"a span of prose with links and a picture is kept", `<p><span><img src="/i/map.jpg" alt="">The map shows <a href="/a">Ashby</a> and <a href="/b">Bolton</a> on either side of the river, as the survey of 1911 drew them.</span></p>`,
			nil, []string{"on either side of the river"}},
	})
}

func TestDropDateLines(t *testing.T) {
	runPrecisionCases(t, []precisionCase{
		{"a dateline", `<div class="d">November 20, 2019 - 11:28 AMT</div>`, []string{"November 20"}, nil},
		{"a dateline paragraph", `<p>20.11.2019</p>`, []string{"20.11.2019"}, nil},
		// A sentence that holds a date is the article's.
		{"a sentence with a date is kept", `<p>The sale closed on 3 March 1954, after two weeks.</p>`, nil, []string{"3 March 1954"}},
		{"a timeline's entry is kept", `<p>10 May 1940: Germany invades Holland</p>`, nil, []string{"Germany invades"}},
		{"a linked date is kept", `<p><a href="/1954">3 March 1954</a></p>`, nil, []string{"3 March 1954"}},
	})
	// A <time> is left for the published-date fallback.
	res := genericText(t, `<html><body><article><h1>Archives</h1>`+prose("Ashby")+prose("Bolton")+`<div><time datetime="2019-11-20T11:28:00Z">November 20, 2019</time></div>`+prose("Carew")+`</article></body></html>`)
	if res.Published == nil || res.Published.Format("2006-01-02") != "2019-11-20" {
		t.Errorf("Published = %v", res.Published)
	}
}

func TestChromeRoles(t *testing.T) {
	runPrecisionCases(t, []precisionCase{
		{"a cookie dialog", `<div role="dialog"><p>We use cookies to improve your visit to the society's pages, and to count readers.</p></div>`,
			[]string{"cookies"}, nil},
		{"a complementary box", `<div role="complementary"><p>The society's annual lecture is given in the county hall each spring, and is free.</p></div>`,
			[]string{"annual lecture"}, nil},
		{"a page footer", `<div role="contentinfo"><p>The county record society, registered charity, founded in 1911 at Ashby.</p></div>`,
			[]string{"registered charity"}, nil},
		// A banner that holds the article's heading is not furniture.
		{"a banner holding the heading is kept", `<div role="banner"><h1>The Ashby papers</h1><p>The letters were sorted in 1911 by the county archivist, who listed each one.</p></div>`,
			nil, []string{"sorted in 1911"}},
	})
}

func TestDropTagLists(t *testing.T) {
	runPrecisionCases(t, []precisionCase{
		{"tags under a bold label", `<strong>Schlagwörter<br><a href="/t/1" rel="tag">Ashby estate papers</a>, <a href="/t/2" rel="tag">county record office</a>, <a href="/t/3" rel="tag">Bolton inventory of 1911</a></strong>`,
			[]string{"Schlagwörter", "estate papers", "Bolton inventory"}, nil},
		// Tag links inside a sentence are the article's.
		{"tag links in prose are kept", `<p>The papers, now filed under <a href="/t/1" rel="tag">Ashby</a> and <a href="/t/2" rel="tag">Bolton</a>, were bound in forty volumes in the county office in 1911.</p>`,
			nil, []string{"filed under Ashby and Bolton"}},
	})
}

func TestDropMetadataItems(t *testing.T) {
	runPrecisionCases(t, []precisionCase{
		{"a microdata date line", `<span itemprop="datePublished">segunda-feira, 22 de janeiro de 2018 às 0:13</span>`,
			[]string{"segunda-feira"}, nil},
		{"a microdata author line", `<div itemprop="author">Mary Lyle, county archivist</div>`,
			[]string{"county archivist"}, nil},
		// In a sentence the author's name is the article's.
		{"an author named in prose is kept", `<p>As <span itemprop="author">Mary Lyle</span> wrote in the catalogue of 1911, the letters were bound in forty volumes.</p>`,
			nil, []string{"As Mary Lyle wrote"}},
		// The modified date is a revision stamp, which stays in the text.
		{"a microdata modified date is kept", `<div itemprop="dateModified">Updated on 2024-01-31</div>`,
			nil, []string{"Updated on 2024-01-31"}},
	})
}

func TestMarkLooseCaptions(t *testing.T) {
	img := `<p><a href="/i/wish.jpg"><img src="/i/wish.jpg" alt=""></a></p>`
	runPrecisionCases(t, []precisionCase{
		{"an italic line under a picture", img + `<p><em>Light a Wish, by the OGE Group</em></p>`, []string{"Light a Wish"}, nil},
		// Prose under a picture, or italics after prose, are the article's.
		{"a paragraph under a picture is kept", img + `<p>The <em>Wish</em> was lit in 1911 for the county's fair.</p>`, nil, []string{"lit in 1911"}},
		{"italics after prose are kept", `<p><em>Light a Wish, by the OGE Group</em></p>`, nil, []string{"Light a Wish"}},
	})
	// Like a <figcaption>, it stays in the HTML.
	res := genericText(t, `<html><body><article><h1>Archives</h1>`+prose("Ashby")+img+`<p><em>Light a Wish, by the OGE Group</em></p>`+prose("Carew")+`</article></body></html>`)
	if !strings.Contains(res.HTML, "Light a Wish") || strings.Contains(res.Text, "Light a Wish") {
		t.Errorf("HTML %q\nText %q", res.HTML, res.Text)
	}
}

func TestDropPostscripts(t *testing.T) {
	runPrecisionCases(t, []precisionCase{
		{"wire copy's closing notes", `<p>___</p><p>Associated Press writers Alan Fram and Zeke Miller contributed.</p>`,
			[]string{"___", "contributed"}, nil},
		{"a starred rule and a follow line", prose("Dacre") + prose("Eyre") + `<p>* * *</p><p>Follow our coverage of the county's archives at <a href="https://site.example/archives">site.example/archives</a></p>`,
			[]string{"Follow our coverage"}, nil},
		// A rule followed by more of the article is a section break.
		{"a section break is kept", `<p>***</p>` + prose("Dacre") + prose("Eyre") + prose("Fane"),
			nil, []string{"Dacre", "Eyre", "Fane"}},
		{"a short last section of a short article is kept", `<p>***</p><p>The ledger was found again in 1912, in the steward's house at Bolton.</p>`,
			nil, []string{"found again in 1912"}},
		{"dashes inside a sentence are kept", `<p>The ledger reads - - - where the page is torn, and resumes in 1912.</p>`,
			nil, []string{"resumes in 1912"}},
	})
}

func TestDropLeadingH1(t *testing.T) {
	page := func(article string) string {
		return `<html><head><meta property="og:title" content="HS Roundup: Ashby beats Bolton"></head><body><article>` + article + `</article></body></html>`
	}
	body := prose("Ashby") + prose("Bolton") + prose("Carew")
	// The page's h1 opening the body words the headline otherwise.
	res := genericText(t, page(`<h1>High School Roundup: Ashby beats Bolton</h1>`+body))
	if res.Title != "HS Roundup: Ashby beats Bolton" || strings.Contains(res.Text, "High School Roundup") || !strings.Contains(res.Text, "Carew") {
		t.Errorf("Title %q, Text %q", res.Title, res.Text)
	}
	// An h1 after the article's first words is the article's.
	res = genericText(t, page(prose("Dacre")+`<h1>The second part</h1>`+body))
	if !strings.Contains(res.Text, "The second part") {
		t.Errorf("lost a later h1: %q", res.Text)
	}
}
