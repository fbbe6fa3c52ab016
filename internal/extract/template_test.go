package extract

import (
	"strings"
	"testing"
)

const templatePage = `<html><head><title>The walls of Ávila</title></head><body><article><h1>The walls of Ávila</h1>
<p>The walls of Ávila were begun in the eleventh century, after the town was resettled, and finished over the next two hundred years.</p>
<p>They run for two and a half kilometres, with eighty-eight towers and nine gates, and the cathedral's apse is built into them.</p>
<p>Stone from older buildings, Roman tombstones among it, was laid into the walls, where it can still be read today.</p>
<div class="x1"><p>Every Friday, one long read about the past, straight to your inbox.</p></div>
<div class="x2"><div class="t"><h4><a href="/a/9">The bridges of Toledo</a></h4><p>Seven crossings over the Tagus, and the sieges they saw.</p></div><div class="t"><h4><a href="/a/10">Salamanca's two cathedrals</a></h4><p>Why the city kept its old cathedral when it built the new one.</p></div></div>
</article></body></html>`

const newsletterText = "Every Friday, one long read about the past, straight to your inbox."

// blockKeys extracts templatePage with an empty template and returns the
// keys of its blocks by a piece of their sample.
func blockKeys(t *testing.T) map[string]string {
	t.Helper()
	res, err := Article([]byte(templatePage), "https://example.com/a/1", Rules{Template: &Template{}})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, b := range res.Blocks {
		keys[b.Sample] = b.Key
	}
	return keys
}

func TestTemplateDropsOnlyWidelyRecurringBlocks(t *testing.T) {
	keys := blockKeys(t)
	news := keys[newsletterText]
	var shape string
	for sample, k := range keys {
		if strings.HasPrefix(k, "s") && strings.Contains(sample, "div.x2 > div.t > h4") {
			shape = k
		}
	}
	if news == "" || shape == "" {
		t.Fatalf("blocks = %v: no text key for the newsletter or shape key for the cards", keys)
	}
	for _, c := range []struct {
		name        string
		articles    int
		learned     int
		wantDropped bool
	}{
		{"seen once", 1, 1, false},
		{"shared by two articles", 2, 2, false},
		{"in three of three (too few learned)", 3, 3, false},
		{"in two of ten", 2, 10, false},
		{"in four of ten", 4, 10, false},
		{"in five of ten", 5, 10, true},
		{"in ten of fifty (under half)", 10, 50, false},
		{"in twenty-four of fifty", 24, 50, false},
		{"in twenty-five of fifty", 25, 50, true},
	} {
		tmpl := &Template{Learned: c.learned, Blocks: map[string]BlockStat{news: {Articles: c.articles}, shape: {Articles: c.articles}}}
		res, err := Article([]byte(templatePage), "https://example.com/a/1", Rules{Template: tmpl})
		if err != nil {
			t.Fatal(err)
		}
		dropped := !strings.Contains(res.Text, newsletterText)
		cards := !strings.Contains(res.Text, "The bridges of Toledo")
		if dropped != c.wantDropped || cards != c.wantDropped || (len(res.Template) == 3) != c.wantDropped {
			t.Errorf("%s: newsletter dropped %v, cards dropped %v, want %v; template %+v\n%s", c.name, dropped, cards, c.wantDropped, res.Template, res.Text)
		}
		if !strings.Contains(res.Text, "Roman tombstones") {
			t.Errorf("%s: the article's own paragraph was dropped", c.name)
		}
		if c.wantDropped && (res.Template[0].Articles != c.articles || res.Template[0].Learned != c.learned) {
			t.Errorf("%s: drop explained as %+v", c.name, res.Template[0])
		}
	}
}

// A template never takes most of a page: learned statistics that would
// drop more than half the body's text are not applied to it.
func TestTemplateNeverTakesMostOfThePage(t *testing.T) {
	keys := blockKeys(t)
	tmpl := &Template{Learned: 10, Blocks: map[string]BlockStat{}}
	for _, k := range keys {
		tmpl.Blocks[k] = BlockStat{Articles: 10}
	}
	res, err := Article([]byte(templatePage), "https://example.com/a/1", Rules{Template: tmpl})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Template) != 0 || !strings.Contains(res.Text, newsletterText) || len(res.Warnings) == 0 {
		t.Errorf("a template covering the whole page was applied: %+v, warnings %v", res.Template, res.Warnings)
	}
}

// StripDropped drops from a stored text the blocks a page dropped as
// template, and nothing else.
func TestTemplateStripDropped(t *testing.T) {
	keys := blockKeys(t)
	drops := []TemplateDrop{{Key: "sanything", TextKey: keys[newsletterText]}}
	text := "First paragraph.\n\n" + strings.ToUpper(newsletterText[:5]) + newsletterText[5:] + "\n\n- " + newsletterText + "\n\nLast paragraph."
	if got, want := StripDropped(text, drops), "First paragraph.\n\nLast paragraph."; got != want {
		t.Errorf("StripDropped = %q, want %q", got, want)
	}
	if got := StripDropped(text, nil); got != text {
		t.Errorf("no drops changed the text: %q", got)
	}
}

// For an archived article, only blocks it already had may be dropped: one
// new to it is a revision, however common on the site.
func TestTemplateKeepsBlocksNewToTheArticle(t *testing.T) {
	keys := blockKeys(t)
	news := keys[newsletterText]
	for _, c := range []struct {
		name  string
		prior map[string]bool
		drop  bool
	}{
		{"new article", nil, true},
		{"the article had it", map[string]bool{news: true}, true},
		{"new to the article", map[string]bool{"tother": true}, false},
	} {
		tmpl := &Template{Learned: 10, Blocks: map[string]BlockStat{news: {Articles: 10}}, Prior: c.prior}
		res, err := Article([]byte(templatePage), "https://example.com/a/1", Rules{Template: tmpl})
		if err != nil {
			t.Fatal(err)
		}
		if dropped := !strings.Contains(res.Text, newsletterText); dropped != c.drop {
			t.Errorf("%s: dropped %v, want %v (warnings %v)", c.name, dropped, c.drop, res.Warnings)
		}
	}
}

// A short block of links is known by its place only when its links stay
// on the site (a related card); links to other sites in the same place on
// every page are each article's own sources, known by their text alone.
func TestTemplateShapeKeysOnlyForLinksOnTheSite(t *testing.T) {
	for _, c := range []struct {
		name, card9, card10 string
		want                int
	}{
		{"both cards off the site", "https://books.example/9", "https://books.example/10", 0},
		{"one card off the site, one on www. of the page's host", "https://books.example/9", "//www.example.com/a/10", 1},
		{"both on the site", "/a/9", "/a/10", 1},
	} {
		page := strings.NewReplacer(`href="/a/9"`, `href="`+c.card9+`"`, `href="/a/10"`, `href="`+c.card10+`"`).Replace(templatePage)
		res, err := Article([]byte(page), "https://example.com/a/1", Rules{Template: &Template{}})
		if err != nil {
			t.Fatal(err)
		}
		shapes := 0
		for _, b := range res.Blocks {
			if strings.HasPrefix(b.Key, "s") {
				shapes++
			}
		}
		if shapes != c.want {
			t.Errorf("%s: %d shape keys, want %d: %+v", c.name, shapes, c.want, res.Blocks)
		}
	}
}
