package extract

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

const mondoURL = "https://mondo.example/history/chiang.html"

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestArticleMondo(t *testing.T) {
	paragraphs := strings.TrimRight(string(readTestdata(t, "mondo-article.paragraphs.txt")), "\n")
	const title = "Chiang Ching kuo s secret operation revealed all the secrets of the Outer Mongolian independence inc"
	for _, tc := range []struct {
		name      string
		rules     Rules
		extractor string
	}{
		{"selectors", mondoRules, "selectors"},
		{"generic", Rules{}, "generic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := mustArticle(t, "mondo-article.html", mondoURL, tc.rules)
			if res.Text != paragraphs {
				t.Errorf("Text is not the article's paragraphs:\n%s", res.Text)
			}
			for _, junk := range []string{"Related Pages", "Yalta Conference and the Far East", "Share on", "Advertisement", "Copyright", "readers today"} {
				if strings.Contains(res.Text, junk) || strings.Contains(res.HTML, junk) || strings.Contains(res.Markdown, junk) {
					t.Errorf("body keeps furniture %q", junk)
				}
			}
			if res.Title != title {
				t.Errorf("Title = %q", res.Title)
			}
			if res.Revised == nil || !res.Revised.Equal(day(2024, 1, 31)) {
				t.Errorf("Revised = %v, want 2024-01-31", res.Revised)
			}
			if res.RevisionText != "Updated on 2024-01-31" {
				t.Errorf("RevisionText = %q", res.RevisionText)
			}
			if res.Extractor != tc.extractor {
				t.Errorf("Extractor = %q", res.Extractor)
			}
			if res.SiteName != "Mondo History" || res.Lang != "en" {
				t.Errorf("SiteName, Lang = %q, %q", res.SiteName, res.Lang)
			}
			if res.CanonicalURL != "https://mondo.example/history/chiang-ching-kuo-outer-mongolia.html" {
				t.Errorf("CanonicalURL = %q", res.CanonicalURL)
			}
			if res.LeadImage != "https://mondo.example/images/outer-mongolia.jpg" {
				t.Errorf("LeadImage = %q", res.LeadImage)
			}
			if Words(res.Text) < 900 {
				t.Errorf("Words = %d, want the whole article", Words(res.Text))
			}
		})
	}
}

func TestArticleSelectorsBookkeeping(t *testing.T) {
	res := mustArticle(t, "mondo-article.html", mondoURL, mondoRules)
	if res.Removed != 3 {
		t.Errorf("Removed = %d, want 3 (.related-pages, .share, .ad)", res.Removed)
	}
	want := map[string]string{"title": "h1.article-title", "body": "div.article-content", "updated": ".update-time"}
	for k, v := range want {
		if res.Matched[k] != v {
			t.Errorf("Matched[%q] = %q, want %q", k, res.Matched[k], v)
		}
	}
}

// A related box listing another article's "Updated on" date must not be
// taken for this article's stamp, in either mode.
func TestArticleStampIgnoresRelatedBox(t *testing.T) {
	page := strings.Replace(string(readTestdata(t, "mondo-article.html")),
		`<span class="update-time">Updated on 2024-01-31</span>`, ``, 1)
	for _, rules := range []Rules{{Title: "h1", Body: "div.article-content", Remove: []string{".related-pages"}}, {}} {
		res, err := Article([]byte(page), mondoURL, rules)
		if err != nil {
			t.Fatal(err)
		}
		if res.Revised != nil || res.RevisionText != "" {
			t.Errorf("rules %+v: Revised = %v (%q), want none", rules, res.Revised, res.RevisionText)
		}
	}
}

func TestArticleStampInsideBodyStaysInText(t *testing.T) {
	page := `<html><body><div class="article-content"><p>Mondo History Updated on 2024-01-31</p>
	<p>In 1945, both China and Japan were exhausted, although Japan occupied a large territory.</p></div></body></html>`
	for _, rules := range []Rules{{Body: "div.article-content"}, {}} {
		res, err := Article([]byte(page), mondoURL, rules)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(res.Text, "Mondo History Updated on 2024-01-31\n\nIn 1945") {
			t.Errorf("rules %+v: Text = %q", rules, res.Text)
		}
		if res.RevisionText != "Updated on 2024-01-31" || res.Revised == nil || !res.Revised.Equal(day(2024, 1, 31)) {
			t.Errorf("rules %+v: Revised = %v (%q)", rules, res.Revised, res.RevisionText)
		}
	}
}

func TestArticleMagazineKeepsStructure(t *testing.T) {
	res := mustArticle(t, "magazine-article.html", "https://annals.example/2023/12/caravanserais", Rules{})
	for _, want := range []string{
		`<sup id="fnref1"><a href="#fn1">1</a></sup>`,
		`<li id="fn1">`, `<a href="#fnref2">`,
		`<blockquote><p>The caravanserai is the mosque of the road`,
		`<figure>`, `<img src="https://annals.example/img/ribat-sharaf.jpg" alt="The courtyard of Ribat-i Sharaf" width="800" height="533"/>`,
		`<figcaption>The courtyard of Ribat-i Sharaf`,
		`<table>`, `<th>Typical spacing</th>`, `<td>Evliya Çelebi</td>`,
		`<a href="https://annals.example/routes/khorasan">Great Khorasan Road</a>`,
		`<h2>How far apart?</h2>`, `<em>iwans</em>`,
	} {
		if !strings.Contains(res.HTML, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	for _, gone := range []string{"srcset", "onerror", "Most read", "Great article", "Subscribe", "By Helen Marsh"} {
		if strings.Contains(res.HTML, gone) {
			t.Errorf("HTML keeps %q", gone)
		}
	}
	for _, want := range []string{
		"| Route | Typical spacing | Source |\n| --- | --- | --- |",
		"> The caravanserai is the mosque of the road",
		"![The courtyard of Ribat-i Sharaf](https://annals.example/img/ribat-sharaf.jpg)",
		"[1](#fn1)", "## How far apart?", "*iwans*",
		"1. Estimates of their number", "[Great Khorasan Road](https://annals.example/routes/khorasan)",
	} {
		if !strings.Contains(res.Markdown, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	for _, want := range []string{"Persian proverb", "Khorasan Road | 30–40 km | Register of 1560", "- Estimates of their number"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("Text lacks %q", want)
		}
	}
	// Captions are archived (HTML, Markdown) but are not the article's
	// prose: Text, which is scored and fingerprinted, leaves them out.
	if strings.Contains(res.Text, "The courtyard of Ribat-i Sharaf") {
		t.Errorf("Text keeps the figure caption")
	}
	if !strings.Contains(res.Markdown, "The courtyard of Ribat-i Sharaf, built in 1114–15") {
		t.Errorf("Markdown lacks the figure caption")
	}
	if res.Title != "The Silk Road Caravanserais" {
		t.Errorf("Title = %q (site suffix not stripped?)", res.Title)
	}
	if res.Byline != "Helen Marsh" {
		t.Errorf("Byline = %q", res.Byline)
	}
	if res.Published == nil || !res.Published.Equal(time.Date(2023, 12, 1, 8, 30, 0, 0, time.UTC)) {
		t.Errorf("Published = %v", res.Published)
	}
	// JSON-LD of the Article, not of the WebSite.
	if res.Revised == nil || !res.Revised.Equal(time.Date(2024, 2, 10, 12, 0, 0, 0, time.UTC)) || res.RevisionText != "" {
		t.Errorf("Revised = %v (%q)", res.Revised, res.RevisionText)
	}
	if res.CanonicalURL != "https://annals.example/2023/12/caravanserais?utm_source=feed" {
		t.Errorf("CanonicalURL = %q", res.CanonicalURL)
	}
}

func TestArticleErrNoMatch(t *testing.T) {
	page := readTestdata(t, "mondo-article.html")
	_, err := Article(page, mondoURL, Rules{Title: "h1", Body: "div.article-body", Strict: true})
	if !errors.Is(err, ErrNoMatch) || !strings.Contains(err.Error(), `body "div.article-body"`) {
		t.Errorf("body: err = %v, want ErrNoMatch naming the selector", err)
	}
	_, err = Article(page, mondoURL, Rules{Title: "h2.headline", Body: "div.article-content", Strict: true})
	if !errors.Is(err, ErrNoMatch) || !strings.Contains(err.Error(), `title "h2.headline"`) {
		t.Errorf("title: err = %v, want ErrNoMatch naming the selector", err)
	}
	_, err = Article(page, mondoURL, Rules{Body: "div[[["})
	if err == nil || errors.Is(err, ErrNoMatch) || !strings.Contains(err.Error(), "body selector") {
		t.Errorf("invalid selector: err = %v", err)
	}
}

func TestArticleErrNoContent(t *testing.T) {
	for _, page := range []string{"", "<html><body></body></html>", "<html><body><nav>Home</nav><script>x()</script></body></html>"} {
		if _, err := Article([]byte(page), mondoURL, Rules{}); !errors.Is(err, ErrNoContent) {
			t.Errorf("%q: err = %v, want ErrNoContent", page, err)
		}
	}
}

func TestArticleOptionalRulesWarn(t *testing.T) {
	rules := mondoRules
	rules.Updated = ".no-such-stamp"
	rules.Byline = ".no-such-byline"
	res := mustArticle(t, "mondo-article.html", mondoURL, rules)
	if len(res.Warnings) != 2 {
		t.Errorf("Warnings = %q, want two", res.Warnings)
	}
	// The visible stamp still gives the revision date.
	if res.RevisionText != "Updated on 2024-01-31" {
		t.Errorf("RevisionText = %q", res.RevisionText)
	}
}

func TestArticleMultipleBodyMatches(t *testing.T) {
	page := `<html><body><div class="part"><p>First part of the story, long enough to count.</p></div>
	<div class="ad">Buy</div><div class="part"><p>Second part of the story, also long enough.</p><div class="part"><p>Nested.</p></div></div></body></html>`
	res, err := Article([]byte(page), mondoURL, Rules{Body: "div.part"})
	if err != nil {
		t.Fatal(err)
	}
	want := "First part of the story, long enough to count.\n\nSecond part of the story, also long enough.\n\nNested."
	if res.Text != want {
		t.Errorf("Text = %q, want %q", res.Text, want)
	}
}

func TestArticleRelativeURLsAndLazyImages(t *testing.T) {
	page := `<html><head><base href="/docs/"></head><body><article>
	<p>A paragraph with a <a href="page2.html">relative link</a> and <a href="#sec2">a section link</a>, long enough.</p>
	<p><img src="data:image/gif;base64,R0lGOD" data-src="lazy.jpg" alt="lazy"><img src="//cdn.example/x.png" alt="proto"></p>
	</article></body></html>`
	res, err := Article([]byte(page), "https://site.example/a/b.html", Rules{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`href="https://site.example/docs/page2.html"`,
		`href="https://site.example/docs/#sec2"`,
		`src="https://site.example/docs/lazy.jpg"`,
		`src="https://cdn.example/x.png"`,
	} {
		if !strings.Contains(res.HTML, want) {
			t.Errorf("HTML lacks %s:\n%s", want, res.HTML)
		}
	}
}

func TestArticleHostileBodySanitised(t *testing.T) {
	res := mustArticle(t, "hostile.html", "https://hostile.example/post/1", Rules{})
	assertSafeHTML(t, res.HTML)
	for _, bad := range []string{"<svg", "<iframe", "<form", "<input", "<meta", "refresh", "style=", "expression", "data:", "vbscript", "<object", "<embed", "<math", "svg text"} {
		if strings.Contains(strings.ToLower(res.HTML), bad) {
			t.Errorf("HTML keeps %q:\n%s", bad, res.HTML)
		}
	}
	if !strings.Contains(res.Text, "Last paragraph of real text") || !strings.Contains(res.HTML, `<a href="https://hostile.example/ok">good link</a>`) {
		t.Errorf("sanitiser lost real content:\n%s", res.HTML)
	}
}

// urlAttrs hold URLs; text attributes (alt, title) may say "javascript:"
// harmlessly, as body text may.
var urlAttrs = map[string]bool{"href": true, "src": true, "cite": true, "action": true, "formaction": true, "poster": true, "data": true, "background": true, "xlink:href": true, "srcset": true}

var safeURL = regexp.MustCompile(`^(?:https?://|mailto:|#)`)

// assertSafeHTML checks the sanitiser's promises on rendered HTML: no script
// element, no event-handler or style attribute, and every URL attribute
// http(s), mailto or an in-page fragment (so never javascript: or data:).
func assertSafeHTML(t testing.TB, s string) {
	t.Helper()
	if strings.Contains(strings.ToLower(s), "<script") {
		t.Fatalf("HTML contains <script: %q", s)
	}
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Fatalf("sanitised HTML does not parse: %v", err)
	}
	for _, root := range nodes {
		walk(root, func(n *html.Node) bool {
			if n.Type != html.ElementNode {
				return true
			}
			if n.Data == "script" || n.Data == "style" || n.Data == "iframe" || n.Data == "svg" {
				t.Fatalf("HTML contains <%s>: %q", n.Data, s)
			}
			for _, a := range n.Attr {
				v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
				if strings.HasPrefix(a.Key, "on") || a.Key == "style" || urlAttrs[a.Key] && !safeURL.MatchString(v) {
					t.Fatalf("HTML contains attribute %s=%q: %q", a.Key, a.Val, s)
				}
			}
			return true
		})
	}
}

func TestArticleNeverPanicsOnOddInput(t *testing.T) {
	for _, page := range []string{"\x00\xff\xfe", "<p>" + strings.Repeat("<div>", 5000) + "deep text here, long enough to score", "<table><tr><td><p>a</p></td></tr>", "<a href='%zz'>bad url text that is long enough</a>"} {
		_, _ = Article([]byte(page), "::not a url", Rules{})
	}
}

func TestCleanTitle(t *testing.T) {
	for _, tc := range []struct{ title, site, want string }{
		{"The Fall | Mondo History", "Mondo History", "The Fall"},
		{"Mondo History — The Fall", "mondo history", "The Fall"},
		{"The Fall - A Story", "Mondo History", "The Fall - A Story"},
		{"Mondo History", "Mondo History", "Mondo History"},
		{"The Fall | Mondo", "", "The Fall | Mondo"},
	} {
		if got := cleanTitle(tc.title, tc.site); got != tc.want {
			t.Errorf("cleanTitle(%q, %q) = %q, want %q", tc.title, tc.site, got, tc.want)
		}
	}
}

// The dedup rule end to end: a re-fetch whose only changes are the stamp,
// the reader counter and the related box fingerprints the same; a changed
// word does not.
func TestArticleFingerprintAcrossRefetch(t *testing.T) {
	ignore := []*regexp.Regexp{regexp.MustCompile(`\d+ readers today`)}
	orig := string(readTestdata(t, "mondo-article.html"))
	refetch := strings.NewReplacer(
		"Updated on 2024-01-31", "Updated on 2024-02-15",
		"1234 readers today", "98 readers today",
		"The Kuomintang in 1946", "Stalin at Potsdam",
	).Replace(orig)
	edited := strings.Replace(orig, "both China and Japan were exhausted", "both China and Japan were worn out", 1)
	for _, rules := range []Rules{mondoRules, {}} {
		fp := func(page string) string {
			res, err := Article([]byte(page), mondoURL, rules)
			if err != nil {
				t.Fatal(err)
			}
			return Fingerprint(res.Title, res.Text, res.HTML, ignore)
		}
		if fp(orig) != fp(refetch) {
			t.Errorf("rules %+v: stamp/counter/related change altered the fingerprint", rules)
		}
		if fp(orig) == fp(edited) {
			t.Errorf("rules %+v: an edited sentence kept the fingerprint", rules)
		}
	}
}

func TestWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"Chiang Ching-kuo's secret — revealed | in 1945.", 6},
		{"- item one\n\n- item two", 4},
		{"蒋经国的秘密", 6},
		{"Обновлено 31 января 2024", 4},
	} {
		if got := Words(tc.in); got != tc.want {
			t.Errorf("Words(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// Page-wide wrappers with furniture names (an ASP.NET form, a container
// "penci_sidebar") must not take the article with them.
func TestArticleGenericKeepsWrappedArticle(t *testing.T) {
	para := "<p>The negotiations in Moscow lasted most of the summer of 1945, and neither side gave ground easily.</p>"
	for _, wrap := range []string{`<form id="aspnetForm" action="/x">%s</form>`, `<div class="container penci_sidebar">%s</div>`, `<div class="page-ad-margins">%s</div>`} {
		page := "<html><body>" + strings.Replace(wrap, "%s", "<h1>Moscow 1945</h1>"+strings.Repeat(para, 4)+`<div class="related"><p>Other stories you might like to read today, all of them.</p></div>`, 1) + "</body></html>"
		res, err := Article([]byte(page), mondoURL, Rules{})
		if err != nil {
			t.Fatalf("%s: %v", wrap, err)
		}
		if strings.Count(res.Text, "The negotiations in Moscow") != 4 || strings.Contains(res.Text, "Other stories") {
			t.Errorf("%s: Text = %q", wrap, res.Text)
		}
	}
}

func TestArticleTitleOnlyRulesAndPublishedRule(t *testing.T) {
	page := strings.Replace(string(readTestdata(t, "mondo-article.html")),
		`<span class="site">Mondo History</span>`, `<span class="site">Mondo History</span> <time class="pub" datetime="2023-12-01T10:00:00+08:00">1 Dec</time>`, 1)
	res, err := Article([]byte(page), mondoURL, Rules{Title: "h1.article-title", Published: "time.pub", Byline: ".site"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Extractor != "selectors" || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "generic") {
		t.Errorf("Extractor %q, Warnings %q: want selectors with a generic-body warning", res.Extractor, res.Warnings)
	}
	if !strings.HasPrefix(res.Text, "In 1945, both China") {
		t.Errorf("generic body under a title rule: Text starts %q", res.Text[:min(60, len(res.Text))])
	}
	if res.Published == nil || !res.Published.Equal(time.Date(2023, 12, 1, 2, 0, 0, 0, time.UTC)) || res.Matched["published"] != "time.pub" {
		t.Errorf("Published = %v, Matched = %v", res.Published, res.Matched)
	}
	if res.Byline != "Mondo History" {
		t.Errorf("Byline = %q", res.Byline)
	}
}

// Without Strict, broken selectors fall back to the generic extractor with
// a warning instead of failing the page.
func TestArticleSelectorFallback(t *testing.T) {
	page := readTestdata(t, "mondo-article.html")
	generic := mustArticle(t, "mondo-article.html", mondoURL, Rules{})
	for _, tc := range []struct {
		name  string
		rules Rules
		warn  string
	}{
		{"body matches nothing", Rules{Title: "h1", Body: "div.article-body"}, `"div.article-body" matched nothing`},
		{"body yields too little", Rules{Title: "h1", Body: "div.article-content p:first-child"}, "yielded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Article(page, mondoURL, tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Fallback || res.Extractor != "generic" {
				t.Errorf("Fallback %v, Extractor %q: want a generic fallback", res.Fallback, res.Extractor)
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], tc.warn) {
				t.Errorf("Warnings = %q, want one saying %q", res.Warnings, tc.warn)
			}
			if res.Text != generic.Text {
				t.Errorf("Text differs from the generic extractor's:\n%s", res.Text)
			}
			if res.Matched["title"] != "h1" {
				t.Errorf("Matched = %v: the title rule still applies", res.Matched)
			}
		})
	}
	t.Run("title matches nothing", func(t *testing.T) {
		res, err := Article(page, mondoURL, Rules{Title: "h2.headline", Body: "div.article-content"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Title != generic.Title || res.Extractor != "selectors" || res.Fallback || len(res.Warnings) != 1 {
			t.Errorf("Title %q, Extractor %q, Fallback %v, Warnings %q", res.Title, res.Extractor, res.Fallback, res.Warnings)
		}
	})
	t.Run("strict keeps a small body", func(t *testing.T) {
		res, err := Article(page, mondoURL, Rules{Body: "div.article-content p:first-child", Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Fallback || res.Extractor != "selectors" || !strings.HasPrefix(res.Text, "In 1945") || strings.Count(res.Text, "\n\n") != 0 {
			t.Errorf("Fallback %v, Extractor %q, Text %q", res.Fallback, res.Extractor, res.Text)
		}
	})
}

// RemovedBy counts each Remove rule's matches; Dropped says what the
// generic extractor left out and why.
func TestArticleRemovalBookkeeping(t *testing.T) {
	res := mustArticle(t, "mondo-article.html", mondoURL, mondoRules)
	want := map[string]int{".related-pages": 1, ".share": 1, ".ad": 1}
	for k, v := range want {
		if res.RemovedBy[k] != v {
			t.Errorf("RemovedBy = %v, want %v", res.RemovedBy, want)
		}
	}
	gen := mustArticle(t, "mondo-article.html", mondoURL, Rules{})
	for _, k := range []string{"furniture: nav.top-nav", "furniture: div.share", "furniture: div.related-pages", "furniture: footer.site-footer"} {
		if gen.Dropped[k] != 1 {
			t.Errorf("Dropped[%q] = %d; Dropped = %v", k, gen.Dropped[k], gen.Dropped)
		}
	}
}

// A byline's dateline ("vor 3 Stunden", "Updated on …", a date) is not a name: it
// must not become part of the author a citation names.
func TestBylineDropsItsDateline(t *testing.T) {
	body := strings.Repeat("<p>The history of Charlemagne is long and contested; historians discuss the sources, the chronicles and the archaeology of the palace at Aachen.</p>\n", 8)
	for byline, want := range map[string]string{
		"Von Anna Schmidt · vor 3 Stunden":         "Von Anna Schmidt",
		"By Jane Doe | 3 hours ago":                "Jane Doe",
		"By Jane Doe, Updated on January 31, 2024": "Jane Doe",
		"Par Marie Curie – il y a 2 jours":         "Par Marie Curie",
		"Helen Marsh":                              "Helen Marsh",
		"By Jane Doe · January 31, 2024":           "Jane Doe",
		"Jane Doe | 2024-01-31":                    "Jane Doe",
		"Jean-Paul Sartre":                         "Jean-Paul Sartre",
	} {
		page := `<html><head><title>Karl</title></head><body><article><h1>Karl der Große</h1><p class="byline">` + byline + `</p>` + body + `</article></body></html>`
		res, err := Article([]byte(page), "https://blog.example.org/karl", Rules{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Byline != want {
			t.Errorf("byline %q: Byline = %q, want %q", byline, res.Byline, want)
		}
	}
}
