package cli_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"annalist/internal/config"
)

// addSite is a loopback history site: a home page declaring its feeds with
// <link rel=alternate> (unless noLinks), an RSS feed of two articles, and
// the articles' pages in a layout with named title, body and update stamp.
type addSite struct {
	srv       *httptest.Server
	oldHits   atomic.Int32
	noLinks   bool   // the home page declares no feed
	feedPath  string // where the feed is served
	jsonFeed  bool   // a JSON Feed instead of RSS
	robotsTxt string
	gone      bool // the articles answer 404
	// titleInBody: the article's <h1> is inside the <article> that holds
	// its text, as most blog themes have it.
	titleInBody bool
	feedTitle   string // the RSS channel's <title>, as written ("" = Loopback History)
	feedAsHTML  bool   // the RSS feed is served as text/html, as misconfigured servers do
}

func newAddSite(t *testing.T, configure func(*addSite)) *addSite {
	t.Helper()
	s := &addSite{feedPath: "/rss.xml", robotsTxt: "User-agent: *\nAllow: /\n"}
	if configure != nil {
		configure(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

const addArticle = `<!doctype html><html><head><title>The Siege of Vienna | Loopback History</title></head><body>
<header><nav><a href="/">Home</a> <a href="/topics">Topics</a> <a href="/about">About</a></nav></header>
<main>
<h1 class="article-title">The Siege of Vienna</h1>
<p class="meta">By A. Historian · <span class="update-time">Updated on 2024-02-03</span></p>
<div class="article-content">
<p>In the summer of 1683 an Ottoman army of great size marched up the Danube and laid siege to Vienna, the capital of the Habsburg monarchy, which had been fortified over the previous century.</p>
<p>The defenders, commanded by Count Ernst Rüdiger von Starhemberg, held the walls for two months while sappers dug mines beneath the bastions and the garrison dwindled through disease and fighting.</p>
<p>A relief army under the Polish king John III Sobieski arrived on the Kahlenberg in September, and on the twelfth its cavalry charged down the slopes and broke the besiegers' lines before nightfall.</p>
<p>Historians still debate how close the city came to falling, and what the battle meant for the balance of power in central Europe during the decades of war that followed it.</p>
</div>
<aside class="related"><h3>Related</h3><ul><li><a href="/a/1">Lepanto</a></li><li><a href="/a/2">Mohács</a></li></ul></aside>
</main>
<footer><p>© Loopback History</p></footer>
</body></html>`

// addArticleTitleInBody is addArticle with the title inside the element
// that holds the text.
var addArticleTitleInBody = strings.NewReplacer(
	`<main>
<h1 class="article-title">The Siege of Vienna</h1>`, `<main>`,
	`<div class="article-content">`, `<div class="article-content">
<h1 class="article-title">The Siege of Vienna</h1>`).Replace(addArticle)

func (s *addSite) serve(w http.ResponseWriter, r *http.Request) {
	base := s.srv.URL
	switch r.URL.Path {
	case "/robots.txt":
		fmt.Fprint(w, s.robotsTxt)
	case "/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		links := ""
		if !s.noLinks {
			links = `<link rel="alternate" type="application/atom+xml" title="Atom" href="/broken.xml">
<link rel="alternate" type="application/rss+xml" title="RSS" href="` + s.feedPath + `">`
		}
		fmt.Fprintf(w, `<!doctype html><html><head><title>Loopback History</title>%s</head><body><h1>Loopback History</h1><a href="/articles/new">The Siege of Vienna</a></body></html>`, links)
	case s.feedPath:
		if s.jsonFeed {
			w.Header().Set("Content-Type", "application/feed+json")
			fmt.Fprintf(w, `{"version":"https://jsonfeed.org/version/1.1","title":"Loopback History","home_page_url":"%[1]s/","items":[
{"id":"old","url":"%[1]s/articles/old","title":"Old","date_published":"2024-01-01T00:00:00Z"},
{"id":"new","url":"%[1]s/articles/new","title":"The Siege of Vienna","date_published":"2024-02-01T00:00:00Z"}]}`, base)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		if s.feedAsHTML {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		title := "Loopback History"
		if s.feedTitle != "" {
			title = s.feedTitle
		}
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%[2]s</title><link>%[1]s/</link>
<item><title>Old</title><link>%[1]s/articles/old</link><guid>old</guid><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>
<item><title>The Siege of Vienna</title><link>%[1]s/articles/new</link><guid>new</guid><pubDate>Thu, 01 Feb 2024 00:00:00 GMT</pubDate></item>
</channel></rss>`, base, title)
	case "/articles/new":
		if s.gone {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if s.titleInBody {
			fmt.Fprint(w, addArticleTitleInBody)
			return
		}
		fmt.Fprint(w, addArticle)
	case "/articles/old":
		s.oldHits.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, strings.Replace(addArticle, "Siege of Vienna", "Old Story", -1))
	default:
		http.NotFound(w, r)
	}
}

type addOut struct {
	URL      string `json:"url"`
	FinalURL string `json:"final_url"`
	Feeds    []struct {
		URL     string `json:"url"`
		Title   string `json:"title"`
		Format  string `json:"format"`
		Items   int    `json:"items"`
		FoundBy string `json:"found_by"`
		Error   string `json:"error"`
	} `json:"feeds"`
	Feed   string `json:"feed"`
	Site   string `json:"site"`
	Newest *struct {
		URL        string  `json:"url"`
		Title      string  `json:"title"`
		Published  *string `json:"published_date"`
		Revised    *string `json:"revision_date"`
		Words      int     `json:"words"`
		FirstWords string  `json:"first_words"`
		Extractor  string  `json:"extractor"`
		Body       string  `json:"body"`
		Error      string  `json:"error"`
	} `json:"newest"`
	Selectors         map[string]string `json:"selectors"`
	SelectorsVerified bool              `json:"selectors_verified"`
	Name              string            `json:"name"`
	File              string            `json:"file"`
	Written           bool              `json:"written"`
	YAML              string            `json:"yaml"`
}

// TestAddDiscoversFeedAndWritesSource: `add URL` finds the feeds the page
// declares (a broken one reported as such), tries the newest item with the
// generic extractor, suggests the selectors of its layout (and checks that
// they give the same text), and writes a commented feeds file only with
// --write; the file loads, and its suggested selectors, uncommented, load
// and extract the article too.
func TestAddDiscoversFeedAndWritesSource(t *testing.T) {
	f := newFixture(t)
	site := newAddSite(t, nil)
	base := site.srv.URL
	dir := filepath.Dir(f.cfg)

	var out addOut
	f.runJSON(&out, "add", base+"/", "--json")
	if out.Feed != base+"/rss.xml" || len(out.Feeds) != 2 {
		t.Fatalf("feed %q, feeds %+v", out.Feed, out.Feeds)
	}
	if b := out.Feeds[0]; b.URL != base+"/broken.xml" || b.Error != "HTTP 404" || b.FoundBy != "link" {
		t.Errorf("broken declared feed: %+v", b)
	}
	if r := out.Feeds[1]; r.Format != "rss" || r.Items != 2 || r.Title != "Loopback History" || r.FoundBy != "link" || r.Error != "" {
		t.Errorf("rss feed: %+v", r)
	}
	n := out.Newest
	if n == nil || n.URL != base+"/articles/new" || n.Title != "The Siege of Vienna" || n.Revised == nil || !strings.HasPrefix(*n.Revised, "2024-02-03") ||
		n.Extractor != "generic" || n.Words < 100 || !strings.Contains(n.FirstWords, "In the summer of 1683") || !strings.HasSuffix(n.FirstWords, "…") {
		t.Fatalf("newest: %+v", n)
	}
	if site.oldHits.Load() != 0 {
		t.Errorf("the older item was fetched too")
	}
	want := map[string]string{"title": "h1.article-title", "body": "p.meta, div.article-content", "updated": "span.update-time"}
	for k, v := range want {
		if out.Selectors[k] != v {
			t.Errorf("selectors[%s] = %q, want %q", k, out.Selectors[k], v)
		}
	}
	if !out.SelectorsVerified {
		t.Error("selectors_verified is false")
	}
	file := filepath.Join(dir, "feeds", "loopback-history.yaml")
	if out.Name != "loopback-history" || out.File != file || out.Written {
		t.Fatalf("name %q file %q written %v", out.Name, out.File, out.Written)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("a dry run wrote %s", file)
	}

	stdout, stderr, code := f.run("add", base+"/", "--write")
	if code != 0 || !strings.Contains(stdout, "wrote "+file) || !strings.Contains(stdout, "suggested selectors (give the same text)") {
		t.Fatalf("add --write: exit %d\n%s\n%s", code, stdout, stderr)
	}
	cfg, err := config.Load(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	src, ok := cfg.Source("loopback-history")
	if !ok || src.Feed != base+"/rss.xml" || src.Site != base+"/" || src.Title != "Loopback History" || !src.Selectors.Empty() {
		t.Fatalf("written source: %+v", src)
	}
	// A second add of the same site refuses: the feed is configured.
	if _, stderr, code := f.run("add", base+"/"); code != 1 || !strings.Contains(stderr, "already configured as source loopback-history") {
		t.Fatalf("second add: exit %d, %s", code, stderr)
	}

	// Uncommented, the suggestions are a valid source that extracts the
	// article with its selectors.
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "# selectors:")
	if i < 0 {
		t.Fatalf("no suggested selectors in:\n%s", text)
	}
	text = text[:i] + strings.ReplaceAll(text[i:], "# ", "")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if cfg, err = config.Load(f.cfg); err != nil {
		t.Fatalf("uncommented selectors do not load: %v\n%s", err, text)
	}
	if src, _ := cfg.Source("loopback-history"); src.Selectors.Body != "p.meta, div.article-content" {
		t.Fatalf("uncommented selectors: %+v", src.Selectors)
	}
	var ex struct {
		Title     string `json:"title"`
		Extractor string `json:"extractor"`
		Fallback  bool   `json:"fallback"`
	}
	f.runJSON(&ex, "extract", "--source", "loopback-history", "--format", "json", base+"/articles/new")
	if ex.Extractor != "selectors" || ex.Fallback || ex.Title != "The Siege of Vienna" {
		t.Fatalf("extract with the suggested selectors: %+v", ex)
	}
}

// TestAddTriesUsualPaths: a page that declares no feed has its site's usual
// feed paths tried until one parses (here a JSON Feed at /feed.json); --name
// names the source.
func TestAddTriesUsualPaths(t *testing.T) {
	f := newFixture(t)
	site := newAddSite(t, func(s *addSite) { s.noLinks, s.feedPath, s.jsonFeed = true, "/feed.json", true })
	var out addOut
	f.runJSON(&out, "add", site.srv.URL+"/articles/new", "--name", "vienna", "--json")
	if out.Feed != site.srv.URL+"/feed.json" || len(out.Feeds) != 1 || out.Feeds[0].FoundBy != "path" || out.Feeds[0].Format != "json" || out.Feeds[0].Items != 2 {
		t.Fatalf("feeds %+v", out.Feeds)
	}
	// The site is the JSON Feed's home_page_url, not the article given.
	if out.Name != "vienna" || out.Site != site.srv.URL+"/" || out.Newest == nil || out.Newest.Title != "The Siege of Vienna" {
		t.Fatalf("name %q newest %+v", out.Name, out.Newest)
	}
	// The URL of a feed is taken as the feed.
	out = addOut{}
	f.runJSON(&out, "add", site.srv.URL+"/feed.json", "--json")
	if out.Feed != site.srv.URL+"/feed.json" || out.Feeds[0].FoundBy != "url" {
		t.Fatalf("feed URL: %+v", out.Feeds)
	}
	// Any valid source name is accepted, '.' and '_' included.
	out = addOut{}
	f.runJSON(&out, "add", site.srv.URL+"/feed.json", "--name", "vienna_1683.at", "--json")
	if out.Name != "vienna_1683.at" || filepath.Base(out.File) != "vienna_1683.at.yaml" {
		t.Fatalf("--name vienna_1683.at: name %q file %q", out.Name, out.File)
	}
	// A --name already taken is a usage error.
	if _, stderr, code := f.run("add", site.srv.URL+"/", "--name", "mondo-history"); code != 2 || !strings.Contains(stderr, "mondo-history") {
		t.Fatalf("taken name: exit %d, %s", code, stderr)
	}
}

// TestAddNewestItemFails: an article that cannot be fetched is reported in
// newest.error; the source is still written, without suggestions.
func TestAddNewestItemFails(t *testing.T) {
	f := newFixture(t)
	site := newAddSite(t, func(s *addSite) { s.gone = true })
	var out addOut
	f.runJSON(&out, "add", site.srv.URL+"/", "--write", "--json")
	if out.Newest == nil || !strings.Contains(out.Newest.Error, "404") || len(out.Selectors) != 0 || !out.Written {
		t.Fatalf("%+v", out)
	}
	if _, err := config.Load(f.cfg); err != nil {
		t.Fatal(err)
	}
}

// TestAddNoFeedAndGuards: no feed anywhere is an error listing what was
// tried; robots.txt and the private-network guard apply to add's requests.
func TestAddNoFeedAndGuards(t *testing.T) {
	f := newFixture(t)
	site := newAddSite(t, func(s *addSite) { s.noLinks, s.feedPath = true, "/nowhere" })
	_, stderr, code := f.run("add", site.srv.URL+"/")
	if code != 1 || !strings.Contains(stderr, "no feed found for "+site.srv.URL+"/") || !strings.Contains(stderr, "tried /feed (HTTP 404)") || !strings.Contains(stderr, "/feed.json (HTTP 404)") {
		t.Fatalf("no feed: exit %d\n%s", code, stderr)
	}

	blocked := newAddSite(t, func(s *addSite) { s.robotsTxt = "User-agent: *\nDisallow: /\n" })
	_, stderr, code = f.run("add", blocked.srv.URL+"/")
	if code != 1 || !strings.Contains(stderr, "robots.txt") {
		t.Fatalf("robots.txt disallowing: exit %d\n%s", code, stderr)
	}

	// Without allow_private_networks, a loopback site is refused.
	strict := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(strict, []byte("data_dir: archive\nhttp:\n  per_host_interval: 0s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = f.run("--config", strict, "add", site.srv.URL+"/")
	if code != 1 || !strings.Contains(stderr, "private") {
		t.Fatalf("private network: exit %d\n%s", code, stderr)
	}
	// A page that cannot be fetched: its URL is said once.
	if n := strings.Count(stderr, site.srv.URL+"/:"); code != 1 || n != 1 {
		t.Fatalf("the error names the page %d times, want once:\n%s", n, stderr)
	}
}

// TestAddTitleInsideBody: when the page's <h1> sits inside the element
// that holds the text, the suggestion removes it from the body (as the
// generic extractor leaves the title out of the text) and leaves the
// title to the page's <h1>, so the selectors give the same text;
// uncommented, they load.
func TestAddTitleInsideBody(t *testing.T) {
	f := newFixture(t)
	site := newAddSite(t, func(s *addSite) { s.titleInBody = true })
	if !strings.Contains(addArticleTitleInBody, `<div class="article-content">
<h1 class="article-title">`) {
		t.Fatal("the test page does not have its title inside the body")
	}
	var out addOut
	f.runJSON(&out, "add", site.srv.URL+"/", "--json")
	if _, ok := out.Selectors["title"]; ok || out.Selectors["remove"] != "h1.article-title" || out.Selectors["body"] == "" || !out.SelectorsVerified {
		t.Fatalf("selectors %v, verified %v: want body, remove h1.article-title (no title rule), verified", out.Selectors, out.SelectorsVerified)
	}
	if !strings.Contains(out.YAML, `#   remove: ["h1.article-title"]  # the title, inside the body`) {
		t.Fatalf("the file does not suggest removing the title:\n%s", out.YAML)
	}
	// Uncommented, the suggestion loads as a source's selectors.
	yml := strings.ReplaceAll(out.YAML, "\n# selectors:", "\nselectors:")
	yml = strings.ReplaceAll(yml, "\n#   ", "\n  ")
	src, err := config.ParseSource(strings.NewReader(yml), "x.yaml", "x")
	if err != nil {
		t.Fatalf("uncommented suggestion: %v\n%s", err, yml)
	}
	if len(src.Selectors.Remove) != 1 || src.Selectors.Remove[0] != "h1.article-title" || src.Selectors.Body == "" {
		t.Fatalf("uncommented selectors: %+v", src.Selectors)
	}
}

// TestAddFeedTitleOnOneLine: a channel title written over several lines
// (as hand-made feeds have it) becomes a one-line source title.
func TestAddFeedTitleOnOneLine(t *testing.T) {
	f := newFixture(t)
	site := newAddSite(t, func(s *addSite) { s.feedTitle = "\n    Loopback\n    History\t– Essays\n  " })
	var out addOut
	f.runJSON(&out, "add", site.srv.URL+"/", "--write", "--json")
	src, err := config.ParseSource(strings.NewReader(out.YAML), out.File, out.Name)
	if err != nil {
		t.Fatal(err)
	}
	if src.Title != "Loopback History – Essays" || out.Name != "loopback-history-essays" {
		t.Fatalf("title %q, name %q: want the title on one line", src.Title, out.Name)
	}
}

// TestAddFeedServedAsHTML: the URL of a feed that its server labels
// text/html (the daemon polls it all the same) is taken as the feed.
func TestAddFeedServedAsHTML(t *testing.T) {
	f := newFixture(t)
	site := newAddSite(t, func(s *addSite) { s.feedAsHTML, s.feedPath = true, "/syndication/history.rss" })
	var out addOut
	f.runJSON(&out, "add", site.srv.URL+"/syndication/history.rss", "--json")
	if out.Feed != site.srv.URL+"/syndication/history.rss" || len(out.Feeds) == 0 || out.Feeds[0].FoundBy != "url" || out.Feeds[0].Items != 2 {
		t.Fatalf("feed %q, feeds %+v: want the URL given, found by url", out.Feed, out.Feeds)
	}
}
