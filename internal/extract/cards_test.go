package extract

import (
	"fmt"
	"strings"
	"testing"
)

// cardPage is an article followed, inside <article>, by a box of teaser
// cards built by card(i) for each of the given other articles.
func cardPage(heading string, box func(cards string) string, card func(slug, title, teaser string) string, picks []int) []byte {
	others := []struct{ slug, title, teaser string }{
		{"potsdam", "The Potsdam Conference", "Three leaders, one table, and a map of Europe to redraw."},
		{"tehran", "Tehran 1943", "The first meeting of the Big Three, in a city under occupation."},
		{"malta", "Malta, 1945", "Churchill and Roosevelt met before Yalta to agree a line."},
		{"berlin-airlift", "The Berlin Airlift", "Eleven months of flights that fed a city."},
		{"marshall-plan", "The Marshall Plan", "How thirteen billion dollars rebuilt Western Europe."},
	}
	var cards strings.Builder
	for _, i := range picks {
		o := others[i]
		cards.WriteString(card(o.slug, o.title, o.teaser))
	}
	h := ""
	if heading != "" {
		h = "<h2>" + heading + "</h2>"
	}
	return []byte(`<html><head><title>Yalta</title></head><body><article><h1>Yalta</h1>
<p>` + furnitureProse + `</p><p>` + strings.Replace(furnitureProse, "February", "the winter of", 1) + `</p>
<p>Roosevelt arrived tired from the crossing; Stalin had refused to travel further than the Crimea.</p>
` + h + box(cards.String()) + `</article></body></html>`)
}

// Teaser-card "related" boxes are furniture, whatever they are called: a
// rotation of the cards is not a revision, and their text is not the
// article's.
func TestTeaserCardsAreFurniture(t *testing.T) {
	row := func(c string) string { return `<div class="x7f">` + c + `</div>` }
	bare := func(c string) string { return c }
	ul := func(c string) string { return `<ul class="grid">` + c + `</ul>` }
	for _, tc := range []struct {
		name    string
		heading string
		box     func(string) string
		card    func(slug, title, teaser string) string
	}{
		{"related pages divs", "Related Pages", row, func(s, ti, te string) string {
			return fmt.Sprintf(`<div class="c1"><a href="/%s"><img src="/img/%s.jpg" alt=""></a><a href="/%s">%s</a><div>%s</div></div>`, s, s, s, ti, te)
		}},
		{"neutral heading, one link around all", "Keep exploring", row, func(s, ti, te string) string {
			return fmt.Sprintf(`<div><a href="https://example.org/%s"><img src="/i/%s.webp" srcset="/i/%s-2x.webp 2x"><span>%s</span></a><p>%s</p></div>`, s, s, s, ti, te)
		}},
		{"no heading, sections with h3", "", bare, func(s, ti, te string) string {
			return fmt.Sprintf(`<section class="q"><h3><a href="/%s">%s</a></h3><p>%s</p></section>`, s, ti, te)
		}},
		{"tracking queries, dates in cards", "Leggi anche", row, func(s, ti, te string) string {
			return fmt.Sprintf(`<div class="k"><a href="/%s?ref=rel-img"><img src="/t/%s.jpg"></a><time datetime="2024-01-02">2 gennaio 2024</time><a href="/%s?ref=rel-title#top">%s</a></div>`, s, s, s, ti)
		}},
		{"german heading, list items with pictures", "Mehr zum Thema", ul, func(s, ti, te string) string {
			return fmt.Sprintf(`<li><a href="/%s"><img data-src="/p/%s.jpg" loading="lazy"></a> <a href="/%s">%s</a> <small>%s</small></li>`, s, s, s, ti, te)
		}},
	} {
		a, err := Article(cardPage(tc.heading, tc.box, tc.card, []int{0, 1, 2}), "https://example.org/yalta", Rules{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b, err := Article(cardPage(tc.heading, tc.box, tc.card, []int{3, 4, 0}), "https://example.org/yalta", Rules{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, leak := range []string{"Potsdam", "Tehran", "Berlin Airlift", "Marshall"} {
			if strings.Contains(a.Text+b.Text, leak) || strings.Contains(a.HTML+b.HTML, leak) {
				t.Errorf("%s: card text %q leaked into the article:\n%s", tc.name, leak, a.Text)
			}
		}
		if tc.heading != "" && strings.Contains(a.Text, tc.heading) {
			t.Errorf("%s: the box's heading stayed: %q", tc.name, a.Text)
		}
		if !strings.Contains(a.Text, "refused to travel") {
			t.Errorf("%s: the article lost its prose: %q", tc.name, a.Text)
		}
		if Fingerprint(a.Title, a.Text, a.HTML, nil) != Fingerprint(b.Title, b.Text, b.HTML, nil) {
			t.Errorf("%s: rotating the cards changed the fingerprint\n%s\n%s", tc.name, a.Text, b.Text)
		}
	}
}

// Shapes that look a little like cards but are the article's: a list of
// news items each with its source, a run of short paragraphs each citing
// one source, a gallery of figures with credit links.
func TestCardLookalikesStay(t *testing.T) {
	page := `<html><body><article><h1>Ten things</h1><p>` + furnitureProse + `</p>
<h2>The news</h2><ol>
<li>Ships left Sevastopol at dawn, <a href="/a">reports the naval archive</a>.</li>
<li>The delegates were housed in three palaces, <a href="/b">according to the guest lists</a>.</li>
<li>A map of Poland was redrawn over dinner, <a href="/c">as the minutes record</a>.</li>
</ol>
<h2>Sources</h2>
<p><a href="/s1">Plokhy, Yalta: The Price of Peace</a>, 2010.</p>
<p><a href="/s2">Harbutt, Yalta 1945</a>, 2010.</p>
<p><a href="/s3">Reynolds, Summits</a>, 2007.</p>
<div class="g"><figure><a href="/big1.jpg"><img src="/1.jpg"></a><figcaption>The palace <a href="/credit">Archive</a></figcaption></figure></div>
<div class="g"><figure><a href="/big2.jpg"><img src="/2.jpg"></a><figcaption>The table <a href="/credit">Archive</a></figcaption></figure></div>
<div class="g"><figure><a href="/big3.jpg"><img src="/3.jpg"></a><figcaption>The garden <a href="/credit">Archive</a></figcaption></figure></div>
</article></body></html>`
	res, err := Article([]byte(page), "https://example.org/ten", Rules{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Sevastopol", "three palaces", "Plokhy", "Reynolds"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("%q was dropped as a teaser card:\n%s", want, res.Text)
		}
	}
	for _, want := range []string{"The palace", "The garden"} {
		if !strings.Contains(res.HTML, want) {
			t.Errorf("caption %q was dropped:\n%s", want, res.HTML)
		}
	}
}
