package cli_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// pastSite is a loopback history magazine of twelve articles whose pages
// carry a template of varied furniture inside the <article>, under class
// names that say nothing (so no single-page rule can know it): a
// newsletter box, an "about the author" blurb (two authors in turn), two
// "more reading" cards whose titles change with every article, a
// support-us appeal and a legal line. Every response differs in its bytes
// (a counter in a comment), so a re-check extracts the page again.
type pastSite struct {
	mu     sync.Mutex
	paras  map[int][]string // article -> its own paragraphs
	served atomic.Int64
}

const pastArticles = 12

var pastAuthors = []string{
	"Maria Okafor is a historian of the Atlantic world and writes about ports, ships and the people who worked them.",
	"Ingrid Solberg is an archivist in Bergen whose research follows Hanseatic merchants through their letters and ledgers.",
}

// A quotation two articles share: not furniture.
const pastSharedQuote = "As the chronicler put it, the harvest failed three years running, and the towns emptied one by one into the hills."

func newPastSite() *pastSite {
	s := &pastSite{paras: map[int][]string{}}
	for i := 1; i <= pastArticles; i++ {
		var ps []string
		for k := 1; k <= 4; k++ {
			ps = append(ps, fmt.Sprintf("Article %d, paragraph %d: in the year %d the council of the town met again, argued over grain prices, tolls and the upkeep of the walls, and recorded its decisions in a ledger that survives, with marginal notes by clerk number %d.", i, k, 1300+i*7+k, i*10+k))
		}
		if i == 8 || i == 9 {
			ps = append(ps, pastSharedQuote)
		}
		if i <= pastArticles/2 {
			ps = append(ps, pastNote)
		}
		s.paras[i] = ps
	}
	return s
}

// An editor's note half the articles are born with: furniture by its
// counts.
const pastNote = "Editor's note: this article has been corrected since it was first published; the corrections are listed at the end."

func (s *pastSite) addParagraph(article int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paras[article] = append(s.paras[article], text)
}

func (s *pastSite) setParagraph(article, k int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paras[article][k] = text
}

func (s *pastSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	base := "http://" + r.Host
	if r.URL.Path == "/feed.xml" {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>The Quarterly Past</title><link>`+base+`/</link>`)
		for i := 1; i <= pastArticles; i++ {
			fmt.Fprintf(w, `<item><title>Town council %d</title><link>%s/a/%d</link><guid>%s/a/%d</guid></item>`, i, base, i, base, i)
		}
		fmt.Fprint(w, `</channel></rss>`)
		return
	}
	var i int
	if _, err := fmt.Sscanf(r.URL.Path, "/a/%d", &i); err != nil || i < 1 || i > pastArticles {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	paras := append([]string(nil), s.paras[i]...)
	s.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><title>Town council %d | The Quarterly Past</title>
<link rel="canonical" href="%s/a/%d"></head><body>
<div class="top"><a href="/">The Quarterly Past</a> <a href="/archive">Archive</a> <a href="/about">About</a></div>
<article><h1>Town council %d</h1>
`, i, base, i, i)
	for _, p := range paras {
		fmt.Fprintf(&b, "<p>%s</p>\n", p)
	}
	j, k := i%pastArticles+1, (i+1)%pastArticles+1
	fmt.Fprintf(&b, `<div class="box-a"><h3>Get the Dispatch</h3><p>Every Friday, one long read about the past, straight to your inbox. Sign up with your email address below.</p></div>
<div class="box-b"><p>%s</p></div>
<div class="more-reading"><div class="tile"><h4><a href="/a/%d">Town council %d: the ledgers</a></h4><p>What the clerks wrote down, and what they left out.</p></div><div class="tile"><h4><a href="/a/%d">Town council %d: the walls</a></h4><p>Who paid for the towers, and who paid again.</p></div></div>
<div class="box-c"><p>The Quarterly Past is free to read because readers like you chip in. If you can, give five pounds a month and keep it that way.</p></div>
<p class="small">© 2026 The Quarterly Past Ltd. Reproduction in whole or in part without written permission is prohibited.</p>
</article><!-- served %d --></body></html>`, pastAuthors[i%2], j, j, k, k, s.served.Add(1))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, b.String())
}

// pastFurniture are the texts of the template's blocks.
var pastFurniture = []string{"Get the Dispatch", "Every Friday, one long read", "readers like you chip in",
	"Reproduction in whole or in part", pastAuthors[0][:30], // article 2's author
	"Town council 3: the ledgers"} // a related card's title, known by its place

func newPastFixture(t *testing.T) (*fixture, *pastSite, string) {
	t.Helper()
	f := newFixture(t)
	site := newPastSite()
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	src := "title: The Quarterly Past\nfeed: " + srv.URL + "/feed.xml\nschedule: \"0 * * * *\"\n"
	if err := os.WriteFile(filepath.Join(filepath.Dir(f.cfg), "feeds", "quarterly-past.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return f, site, srv.URL
}

type extractTemplateJSON struct {
	Text            string `json:"text"`
	Fingerprint     string `json:"fingerprint"`
	TemplateLearned int    `json:"template_learned"`
	Template        []struct {
		Text     string `json:"text"`
		Articles int    `json:"articles"`
		Key      string `json:"key"`
	} `json:"template"`
}

type templateFetchJSON struct {
	Sources []struct {
		Name      string `json:"name"`
		New       int    `json:"new"`
		Revised   int    `json:"revised"`
		Unchanged int    `json:"unchanged"`
		Errors    int    `json:"errors"`
	} `json:"sources"`
}

// Furniture recurring across the source's articles is learned from what
// `fetch` archives and dropped by `extract --source` (which says what it
// dropped and in how many articles it was seen), while the article's own
// paragraphs, and a paragraph only two articles share, stay.
func TestTemplateLearnedFromArchivedArticles(t *testing.T) {
	f, _, base := newPastFixture(t)
	page := base + "/a/2"

	var plain extractTemplateJSON
	f.runJSON(&plain, "extract", "--format", "json", "--source", "quarterly-past", page)
	for _, furn := range pastFurniture {
		if !strings.Contains(plain.Text, furn) {
			t.Fatalf("before any article is archived the generic extractor already drops %q: the test site proves nothing\n%s", furn, plain.Text)
		}
	}
	if len(plain.Template) != 0 || plain.TemplateLearned != 0 {
		t.Fatalf("nothing archived, yet a template: %+v", plain)
	}

	var fetched templateFetchJSON
	f.runJSON(&fetched, "fetch", "quarterly-past", "--json")
	if s := fetched.Sources[0]; s.New != pastArticles || s.Errors != 0 {
		t.Fatalf("fetch = %+v", fetched)
	}

	var x extractTemplateJSON
	f.runJSON(&x, "extract", "--format", "json", "--source", "quarterly-past", page)
	if x.TemplateLearned != pastArticles {
		t.Errorf("template_learned = %d, want %d", x.TemplateLearned, pastArticles)
	}
	for _, furn := range pastFurniture {
		if strings.Contains(x.Text, furn) {
			t.Errorf("template furniture %q kept:\n%s", furn, x.Text)
		}
	}
	for k := 1; k <= 4; k++ {
		if want := fmt.Sprintf("Article 2, paragraph %d:", k); !strings.Contains(x.Text, want) {
			t.Errorf("article paragraph %q dropped:\n%s", want, x.Text)
		}
	}
	// Texts are shortened to 80 characters.
	why := func(text string) int {
		for _, d := range x.Template {
			if strings.HasPrefix(text, strings.TrimSuffix(d.Text, "…")) {
				return d.Articles
			}
		}
		return 0
	}
	if n := why("Get the Dispatch"); n != pastArticles {
		t.Errorf("newsletter heading: dropped as seen in %d articles, want %d (%+v)", n, pastArticles, x.Template)
	}
	if n := why(pastAuthors[0]); n != pastArticles/2 {
		t.Errorf("author blurb: dropped as seen in %d articles, want %d (%+v)", n, pastArticles/2, x.Template)
	}

	// A paragraph two articles share is the articles' own.
	var eight extractTemplateJSON
	f.runJSON(&eight, "extract", "--format", "json", "--source", "quarterly-past", base+"/a/8")
	if !strings.Contains(eight.Text, pastSharedQuote) {
		t.Errorf("a paragraph two articles share was dropped as template:\n%s", eight.Text)
	}

	// The text form says what was dropped and why.
	out, _, code := f.run("extract", "--source", "quarterly-past", page)
	if code != 0 || !strings.Contains(out, "as the source's template (learned from 12 articles)") ||
		!strings.Contains(out, "in 12 articles: Get the Dispatch") {
		t.Errorf("extract text report does not explain the template (exit %d):\n%s", code, out)
	}

}

// Learning never hides a revision, and a block turning into furniture is
// not one: re-checks of pages whose words are unchanged store nothing, even
// for the articles archived before the template was learned; a changed
// paragraph (the one two articles share included) is a revision.
func TestTemplateLearningKeepsRevisions(t *testing.T) {
	f, site, base := newPastFixture(t)
	var fetched templateFetchJSON
	f.runJSON(&fetched, "fetch", "quarterly-past", "--json")
	if s := fetched.Sources[0]; s.New != pastArticles {
		t.Fatalf("fetch = %+v", fetched)
	}
	// Every page's bytes change (the counter): each is extracted again
	// under the template now learned.
	f.runJSON(&fetched, "fetch", "quarterly-past", "--recheck", "all", "--json")
	if s := fetched.Sources[0]; s.Revised != 0 || s.Unchanged != pastArticles || s.Errors != 0 {
		t.Fatalf("re-check with nothing changed but the template learned: %+v, want %d unchanged", s, pastArticles)
	}

	site.setParagraph(7, 2, "Article 7, paragraph 3, corrected: the council met in the spring, not the autumn, as the ledger's second hand makes clear.")
	site.setParagraph(8, 4, strings.Replace(pastSharedQuote, "three years", "four years", 1))
	// A block common on the site's pages but new to this article is a
	// revision of it.
	site.addParagraph(10, pastNote)
	f.runJSON(&fetched, "fetch", "quarterly-past", "--recheck", "all", "--json")
	if s := fetched.Sources[0]; s.Revised != 3 || s.Unchanged != pastArticles-3 {
		t.Fatalf("re-check after three articles were revised: %+v, want 3 revised", s)
	}
	var list []struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	}
	f.runJSON(&list, "list", "--source", "quarterly-past", "--json")
	ids := map[string]string{}
	for _, a := range list {
		ids[a.URL[strings.LastIndex(a.URL, "/")+1:]] = a.ID
	}
	var shown map[string]any
	f.runJSON(&shown, "show", ids["10"], "--format", "json")
	if text, _ := shown["text"].(string); !strings.Contains(text, "Editor's note") {
		t.Errorf("article 10's revision lacks the note added to it:\n%s", text)
	}
	// Checked again, unchanged: the note is kept in that snapshot, and
	// the template may drop it from now on without a revision.
	f.runJSON(&fetched, "fetch", "quarterly-past", "--recheck", "all", "--json")
	if s := fetched.Sources[0]; s.Revised != 0 || s.Unchanged != pastArticles {
		t.Fatalf("re-check with nothing changed: %+v", s)
	}

	// The revision was stored with the template applied: what extract
	// shows is what fetch stored.
	for _, a := range list {
		if !strings.HasSuffix(a.URL, "/a/7") {
			continue
		}
		var history []map[string]any
		f.runJSON(&history, "history", a.ID, "--json")
		var x extractTemplateJSON
		f.runJSON(&x, "extract", "--format", "json", "--source", "quarterly-past", base+"/a/7")
		if len(x.Template) == 0 || history[len(history)-1]["fingerprint"] != x.Fingerprint {
			t.Errorf("extract --source shows fingerprint %s (%d template blocks dropped), fetch stored %v", x.Fingerprint, len(x.Template), history[len(history)-1]["fingerprint"])
		}
		return
	}
	t.Fatal("article 7 not listed")
}
