package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"annalist/internal/cli"
)

// wpSite is a loopback WordPress-style site for the outside check of
// template learning: n articles, each with its own paragraphs, and a
// template (newsletter, author blurb, legal line) that can be changed
// between polls. Every response differs in its bytes (a counter), so
// each re-check extracts the page again.
type wpSite struct {
	mu       sync.Mutex
	n        int
	paras    map[int][]string // article -> its own paragraphs
	extra    map[int]string   // article -> raw HTML appended inside the entry content
	letter   string           // the newsletter box's text
	noCanon  bool
	moved    bool           // /a/N answers 301 to /b/N, whose canonical URL it is
	feedLink map[int]string // article -> the link the feed gives, when not /a/N
	served   atomic.Int64
	feedFrom int // first article listed in the feed (1-based); 0 = 1
}

func newWPSite(n int) *wpSite {
	s := &wpSite{n: n, paras: map[int][]string{}, extra: map[int]string{}, feedLink: map[int]string{},
		letter: "Every Friday, one long read about the past, straight to your inbox. Sign up with your email address below."}
	for i := 1; i <= n; i++ {
		for k := 1; k <= 3; k++ {
			s.paras[i] = append(s.paras[i], fmt.Sprintf("Article %d, paragraph %d: in the year %d the council of the town met again, argued over grain prices, tolls and the upkeep of the walls, and recorded its decisions in a ledger.", i, k, 1300+i*7+k))
		}
	}
	return s
}

func (s *wpSite) set(f func(s *wpSite)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *wpSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	base := "http://" + r.Host
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/feed.xml" {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Ledger Notes</title><link>`+base+`/</link>`)
		from, to := 1, s.n
		fmt.Sscan(r.URL.Query().Get("from"), &from)
		fmt.Sscan(r.URL.Query().Get("to"), &to)
		for i := from; i <= to; i++ {
			link := fmt.Sprintf("%s/a/%d", base, i)
			if l, ok := s.feedLink[i]; ok {
				link = base + l
			}
			fmt.Fprintf(w, `<item><title>Ledger %d</title><link>%s</link><guid>%s</guid></item>`, i, link, link)
		}
		fmt.Fprint(w, `</channel></rss>`)
		return
	}
	var i int
	prefix := "a"
	if s.moved {
		if _, err := fmt.Sscanf(r.URL.Path, "/a/%d", &i); err == nil {
			http.Redirect(w, r, fmt.Sprintf("/b/%d", i), http.StatusMovedPermanently)
			return
		}
		prefix = "b"
	}
	if _, err := fmt.Sscanf(r.URL.Path, "/"+prefix+"/%d", &i); err != nil || i < 1 || i > s.n {
		http.NotFound(w, r)
		return
	}
	var b strings.Builder
	canon := ""
	if !s.noCanon {
		canon = fmt.Sprintf(`<link rel="canonical" href="%s/%s/%d">`, base, prefix, i)
	}
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><title>Ledger %d | Ledger Notes</title>%s</head><body>
<div class="top"><a href="/">Ledger Notes</a> <a href="/archive">Archive</a></div>
<article class="post"><h1 class="entry-title">Ledger %d</h1><div class="entry-content">
`, i, canon, i)
	for _, p := range s.paras[i] {
		fmt.Fprintf(&b, "<p>%s</p>\n", p)
	}
	b.WriteString(s.extra[i])
	fmt.Fprintf(&b, `
<div class="box-a"><p>%s</p></div>
<div class="box-b"><p>Maria Okafor is a historian of the Atlantic world and writes about ports, ships and the people who worked them.</p></div>
<p class="small">© 2026 Ledger Notes Ltd. Reproduction in whole or in part without written permission is prohibited.</p>
</div></article><!-- served %d --></body></html>`, s.letter, s.served.Add(1))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, b.String())
}

func newWPFixture(t *testing.T, n int, yaml ...string) (*fixture, *wpSite, string) {
	t.Helper()
	f := newFixture(t)
	site := newWPSite(n)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	src := "title: Ledger Notes\nfeed: " + srv.URL + "/feed.xml\nschedule: \"0 * * * *\"\n" + strings.Join(yaml, "")
	if err := os.WriteFile(filepath.Join(filepath.Dir(f.cfg), "feeds", "ledger.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return f, site, srv.URL
}

// ledgerClock moves on an hour at each poll, as polls do; polls within one
// second of each other are judged as late captures (store.judgeSame).
var ledgerClock = struct {
	sync.Mutex
	t time.Time
}{t: time.Now()}

func (f *fixture) fetchLedger(args ...string) (n, rev, unch int) {
	f.t.Helper()
	ledgerClock.Lock()
	ledgerClock.t = ledgerClock.t.Add(time.Hour)
	now := ledgerClock.t
	ledgerClock.Unlock()
	var out, errb bytes.Buffer
	m := &cli.Main{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Now: func() time.Time { return now },
		Getenv: func(k string) string {
			if k == "ANNALIST_CONFIG" {
				return f.cfg
			}
			return ""
		}}
	if code := m.Run(context.Background(), append([]string{"fetch", "ledger", "--json"}, args...)); code != 0 {
		f.t.Fatalf("fetch: exit %d: %s", code, errb.String())
	}
	var fetched templateFetchJSON
	if err := json.Unmarshal(out.Bytes(), &fetched); err != nil {
		f.t.Fatal(err)
	}
	s := fetched.Sources[0]
	if s.Errors != 0 {
		f.t.Fatalf("fetch errors: %+v", s)
	}
	return s.New, s.Revised, s.Unchanged
}

// A short list of links that is each article's own (its sources, off the
// site), in the same classed place on every page (WordPress's
// ul.wp-block-list, kept by a body selector), is not template: each item
// occurs once. Its place recurring made it "furniture" by shape before.
func TestTemplateKeepsOwnOffSiteLinkLists(t *testing.T) {
	f, site, base := newWPFixture(t, 12, "selectors:\n  body: .entry-content\n")
	site.set(func(s *wpSite) {
		for i := 1; i <= s.n; i++ {
			s.extra[i] = fmt.Sprintf(`<h2 class="wp-block-heading">Sources</h2><ul class="wp-block-list"><li><a href="https://books.example/%d">Register of the town council, volume %d</a></li><li><a href="https://books.example/%d-b">Letters of clerk %d, 1340-1355</a></li></ul>`, i, i, i, i)
		}
	})
	f.fetchLedger()
	var x extractTemplateJSON
	f.runJSON(&x, "extract", "--format", "json", "--source", "ledger", base+"/a/5")
	if !strings.Contains(x.Text, "Register of the town council, volume 5") {
		t.Errorf("an article's own reference (seen once) was dropped as template:\n%s", x.Text)
	}
	// A new article's own source is archived.
	site.set(func(s *wpSite) {
		s.n = 13
		s.paras[13] = []string{"Article 13: a new story about the toll bridge and its keepers, told from the accounts of the bridge wardens over forty years."}
		s.extra[13] = `<ul class="wp-block-list"><li><a href="https://books.example/13">Bridge wardens' accounts, 1390-1430</a></li></ul>`
	})
	f.fetchLedger()
	var list []struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	}
	f.runJSON(&list, "list", "--source", "ledger", "--json")
	for _, a := range list {
		if strings.HasSuffix(a.URL, "/a/13") {
			var shown map[string]any
			f.runJSON(&shown, "show", a.ID, "--format", "json")
			if text, _ := shown["text"].(string); !strings.Contains(text, "Bridge wardens' accounts") {
				t.Errorf("new article's own reference dropped from its snapshot:\n%s", text)
			}
		}
	}
}

// An update note most articles were born with is template by its counts;
// edited in one article, it is a revision of that article alone, and so is
// an edit of an article's own paragraph after the site's newsletter text
// changed.
func TestTemplateCommonNoteEditedInOneArticle(t *testing.T) {
	f, site, base := newWPFixture(t, 12)
	const note = "Update: this article was revised in 2025 to take account of the newly catalogued ledgers."
	site.set(func(s *wpSite) {
		for i := 1; i <= 9; i++ {
			s.paras[i] = append(s.paras[i], note)
		}
	})
	if n, _, _ := f.fetchLedger(); n != 12 {
		t.Fatalf("first poll: %d new", n)
	}
	if _, rev, unch := f.fetchLedger("--recheck", "all"); rev != 0 || unch != 12 {
		t.Fatalf("re-check, nothing changed: %d revised, %d unchanged", rev, unch)
	}
	var x extractTemplateJSON
	f.runJSON(&x, "extract", "--format", "json", "--source", "ledger", base+"/a/5")
	if strings.Contains(x.Text, note) {
		t.Fatalf("the note in 9 of 12 articles is not template; the test proves nothing:\n%s", x.Text)
	}
	site.set(func(s *wpSite) { s.paras[3][3] = strings.Replace(note, "2025", "2026", 1) })
	if _, rev, unch := f.fetchLedger("--recheck", "all"); rev != 1 || unch != 11 {
		t.Fatalf("the note edited in article 3: %d revised, %d unchanged; want 1, 11", rev, unch)
	}
	site.set(func(s *wpSite) {
		s.letter = "New: The Ledger Letter brings you three stories from the archives every month."
	})
	f.fetchLedger("--recheck", "all") // a revision of each (see the report of review5)
	site.set(func(s *wpSite) { s.paras[7][1] = "Article 7, paragraph 2, corrected: the council met in the spring." })
	if _, rev, unch := f.fetchLedger("--recheck", "all"); rev != 1 || unch != 11 {
		t.Fatalf("article 7 edited after the newsletter changed: %d revised, %d unchanged; want 1, 11", rev, unch)
	}
}

// Re-checks add no articles to the statistics, and with 3 articles
// nothing is template, with 10 and 50 the furniture is; every re-check of
// unchanged pages stays unchanged, whichever articles of the first poll
// were archived before the template was learned.
func TestTemplateSiteSizesAndRechecks(t *testing.T) {
	for _, c := range []struct{ n, dropped int }{{3, 0}, {10, 3}, {50, 3}} {
		f, _, base := newWPFixture(t, c.n)
		if n, _, _ := f.fetchLedger(); n != c.n {
			t.Fatalf("%d articles: first poll %d new", c.n, n)
		}
		for k := 0; k < 3; k++ {
			if _, rev, unch := f.fetchLedger("--recheck", "all"); rev != 0 || unch != c.n {
				t.Fatalf("%d articles, re-check %d: %d revised, %d unchanged", c.n, k+1, rev, unch)
			}
		}
		var x extractTemplateJSON
		f.runJSON(&x, "extract", "--format", "json", "--source", "ledger", base+"/a/1")
		if x.TemplateLearned != c.n || len(x.Template) != c.dropped {
			t.Errorf("%d articles after 3 re-checks: learned from %d, %d blocks dropped; want %d, %d", c.n, x.TemplateLearned, len(x.Template), c.n, c.dropped)
		}
	}
}

// A block new to an archived article is a revision of it, however common
// on the site's other pages, also when the page is reached through a URL
// the archive does not know yet (the feed's link changed) and only its
// canonical URL names the archived article.
func TestTemplateNewBlockRevisesArticleReachedByNewURL(t *testing.T) {
	f, site, base := newWPFixture(t, 12)
	const note = "Correction: an earlier version of this article gave the wrong year for the council's first meeting in the new hall."
	site.set(func(s *wpSite) {
		for i := 1; i <= 8; i++ {
			s.paras[i] = append(s.paras[i], note)
		}
	})
	if n, _, _ := f.fetchLedger(); n != 12 {
		t.Fatalf("first poll: %d new", n)
	}
	// The note is now template by its counts (8 of 12); article 10 gets it,
	// and the feed links article 10 with a tracking parameter.
	site.set(func(s *wpSite) {
		s.paras[10] = append(s.paras[10], note)
		s.feedLink[10] = "/a/10?from=feed"
	})
	var x extractTemplateJSON
	f.runJSON(&x, "extract", "--format", "json", "--source", "ledger", base+"/a/10?from=feed")
	if !strings.Contains(x.Text, note) {
		t.Errorf("extract --source drops the note new to article 10:\n%s", x.Text)
	}
	n, rev, unch := f.fetchLedger("--recheck", "none")
	if n != 0 || rev != 1 {
		t.Fatalf("the note added to article 10 (reached by a new URL): %d new, %d revised; want 0 new, 1 revised (%d unchanged)", n, rev, unch)
	}
	var list []struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	}
	f.runJSON(&list, "list", "--source", "ledger", "--json")
	for _, a := range list {
		if strings.HasSuffix(a.URL, "/a/10") {
			var h []map[string]any
			f.runJSON(&h, "history", a.ID, "--json")
			if fp := h[len(h)-1]["fingerprint"]; fp != x.Fingerprint {
				t.Errorf("extract --source gave fingerprint %s, fetch stored %v", x.Fingerprint, fp)
			}
		}
	}
}

// Two sources on one host learn apart: the blurb every article of one
// carries is furniture there, and stays text in the two articles of the
// other source that quote it.
func TestTemplateTwoSourcesOneHost(t *testing.T) {
	f, site, base := newWPFixture(t, 24)
	const blurb = "Maria Okafor is a historian of the Atlantic world and writes about ports, ships and the people who worked them."
	site.set(func(s *wpSite) {
		for i := 13; i <= 24; i++ {
			s.paras[i] = append(s.paras[i], "Ledger Notes Weekly is the letter of the second desk; it reviews one new book on town history each week.")
		}
		s.paras[13] = append(s.paras[13], blurb)
		s.paras[14] = append(s.paras[14], blurb)
	})
	dir := filepath.Join(filepath.Dir(f.cfg), "feeds")
	// Source ledger lists articles 1-12 only; source desk2 13-24, on the same host.
	if err := os.WriteFile(filepath.Join(dir, "ledger.yaml"), []byte("title: Ledger Notes\nfeed: "+base+"/feed.xml?from=1&to=12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "desk2.yaml"), []byte("title: Second desk\nfeed: "+base+"/feed.xml?from=13&to=24\nselectors:\n  body: .entry-content\n  remove: [.box-b]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var fetched templateFetchJSON
	f.runJSON(&fetched, "fetch", "ledger", "desk2", "--json")
	for _, s := range fetched.Sources {
		if s.New != 12 || s.Errors != 0 {
			t.Fatalf("fetch: %+v", fetched)
		}
	}
	var a, b extractTemplateJSON
	f.runJSON(&a, "extract", "--format", "json", "--source", "ledger", base+"/a/5")
	f.runJSON(&b, "extract", "--format", "json", "--source", "desk2", base+"/a/13")
	if a.TemplateLearned != 12 || b.TemplateLearned != 12 || strings.Contains(a.Text, blurb) {
		t.Fatalf("ledger: learned %d, blurb dropped %v; desk2 learned %d", a.TemplateLearned, !strings.Contains(a.Text, blurb), b.TemplateLearned)
	}
	if !strings.Contains(b.Text, blurb) {
		t.Errorf("the blurb quoted in 2 of desk2's 12 articles was dropped there as the other source's template:\n%s", b.Text)
	}
	if strings.Contains(b.Text, "Ledger Notes Weekly is the letter") {
		t.Errorf("desk2's own furniture kept:\n%s", b.Text)
	}
}

// An article counts once in its source's statistics, also when it moves
// to a new URL with new text (a revision under a new canonical URL).
func TestTemplateMovedArticlesCountOnce(t *testing.T) {
	f, site, base := newWPFixture(t, 12)
	if n, _, _ := f.fetchLedger(); n != 12 {
		t.Fatalf("first poll: %d new", n)
	}
	site.set(func(s *wpSite) {
		s.moved = true
		for i := 1; i <= s.n; i++ {
			s.paras[i] = append(s.paras[i], fmt.Sprintf("Added when the site moved: a note on ledger %d and where its pages are kept now.", i))
		}
	})
	if n, rev, _ := f.fetchLedger("--recheck", "all"); n != 0 || rev != 12 {
		t.Fatalf("moved with new text: %d new, %d revised; want 0, 12", n, rev)
	}
	var x extractTemplateJSON
	f.runJSON(&x, "extract", "--format", "json", "--source", "ledger", base+"/b/5")
	if x.TemplateLearned != 12 {
		t.Errorf("after 12 articles moved, the statistics count %d articles, want 12", x.TemplateLearned)
	}
}
