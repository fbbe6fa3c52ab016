package harvest_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// historySite is a small history site on loopback, read with the generic
// extractor (no selectors): a feed, articles, a home and a section page,
// and whatever status, redirect or page a test sets for a path.
type historySite struct {
	mu    sync.Mutex
	srv   *httptest.Server
	pages map[string]sitePage
	items []siteItem
}

type sitePage struct {
	status   int
	location string // for 3xx
	body     string
	hang     bool // never answers (until the client gives up)
}

type siteItem struct{ guid, path, title string }

func newHistorySite(t *testing.T) *historySite {
	t.Helper()
	s := &historySite{pages: map[string]sitePage{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	s.set("/", sitePage{body: listPage("Latest from Rome History", "/news/2024/fall-of-rome")})
	s.set("/news/", sitePage{body: listPage("News – Rome History", "/news/2024/fall-of-rome")})
	return s
}

func (s *historySite) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/rss.xml" {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Rome History</title><link>`+s.srv.URL+`/</link>`)
		for _, it := range s.items {
			fmt.Fprintf(w, `<item><title>%s</title><link>%s</link><guid isPermaLink="false">%s</guid></item>`,
				html.EscapeString(it.title), s.srv.URL+it.path, it.guid)
		}
		fmt.Fprint(w, `</channel></rss>`)
		return
	}
	p, ok := s.pages[r.URL.RequestURI()]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if p.hang {
		s.mu.Unlock()
		<-r.Context().Done()
		s.mu.Lock() // for the deferred Unlock
		return
	}
	if p.location != "" {
		http.Redirect(w, r, p.location, p.status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if p.status != 0 {
		w.WriteHeader(p.status)
	}
	fmt.Fprint(w, strings.ReplaceAll(p.body, "{{site}}", s.srv.URL))
}

func (s *historySite) set(path string, p sitePage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = p
}

func (s *historySite) feed(items ...siteItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = items
}

// articlePage is an article with a canonical link (path, or an absolute
// URL), about 250 words of text, and the sentence extra.
func articlePage(title, canonical, extra string) string {
	if strings.HasPrefix(canonical, "/") {
		canonical = "{{site}}" + canonical
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html><head><title>%s – Rome History</title><link rel="canonical" href="%s"></head><body>
<nav><a href="/">Home</a> <a href="/news/">News</a></nav><article><h1>%s</h1>`, title, canonical, title)
	for i := range 10 {
		fmt.Fprintf(&b, "<p>In the year %d the western empire lost another province, and the senators of Rome argued once more about the taxes that no longer reached the treasury, while the armies on the frontier waited for pay.</p>\n", 400+i*7)
	}
	fmt.Fprintf(&b, "<p>%s</p></article><footer>© Rome History</footer></body></html>", extra)
	return b.String()
}

func listPage(title string, links ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html><head><title>%s</title><link rel="canonical" href="{{site}}/"></head><body><h1>%s</h1><ul>`, title, title)
	for _, l := range links {
		fmt.Fprintf(&b, `<li><a href="%s">An article</a> A short teaser about the end of the empire.</li>`, l)
	}
	b.WriteString(`</ul></body></html>`)
	return b.String()
}

const notFoundBody = `<!doctype html><html><head><title>Page not found – Rome History</title></head><body><h1>Page not found</h1><p>Sorry, this page does not exist. <a href="/">Home</a></p></body></html>`

// lifeEnv is a history site and an archive with a harvester.
type lifeEnv struct {
	t     *testing.T
	site  *historySite
	src   config.Source
	st    *store.Store
	h     *harvest.Harvester
	clock *clock
}

func newLifeEnv(t *testing.T) *lifeEnv {
	t.Helper()
	e := &lifeEnv{t: t, site: newHistorySite(t), clock: &clock{t: time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC)}}
	e.src = config.Source{Name: "rome", Title: "Rome History", Feed: e.site.srv.URL + "/rss.xml",
		Watch: []time.Duration{time.Hour, 24 * time.Hour}}
	e.st = openStore(t, t.TempDir(), e.clock.Now)
	cfg := &config.Config{HTTP: config.HTTP{MaxBody: 1 << 20, PerHostConcurrency: 4}, Defaults: config.Defaults{Watch: e.src.Watch}}
	e.h = newHarvester(cfg, e.st, e.clock.Now)
	return e
}

func (e *lifeEnv) url(path string) string { return e.site.srv.URL + path }

func (e *lifeEnv) poll(recheck harvest.Recheck) harvest.PollResult {
	e.t.Helper()
	r := e.h.PollSource(context.Background(), e.src, harvest.PollOptions{Recheck: recheck})
	if r.Err != nil {
		e.t.Fatalf("poll: %v", r.Err)
	}
	return r
}

func (e *lifeEnv) article(ref string) *store.Article {
	e.t.Helper()
	a, err := e.st.ResolveArticle(context.Background(), ref)
	if err != nil {
		e.t.Fatalf("article %s: %v", ref, err)
	}
	return a
}

func (e *lifeEnv) articles() []store.Article {
	e.t.Helper()
	arts, err := e.st.Articles(context.Background(), store.ArticleFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return arts
}

func (e *lifeEnv) events(id string) []string {
	e.t.Helper()
	evs, err := e.st.Events(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Kind)
	}
	return out
}

// lastOutcome is the outcome of the article's latest capture.
func (e *lifeEnv) lastOutcome(id string) store.Capture {
	e.t.Helper()
	caps, err := e.st.Captures(context.Background(), store.CaptureFilter{ArticleID: id})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(caps) == 0 {
		e.t.Fatalf("no capture of %s", id)
	}
	last := caps[0]
	for _, c := range caps {
		if c.CapturedAt.After(last.CapturedAt) || c.CapturedAt.Equal(last.CapturedAt) && c.ID > last.ID {
			last = c
		}
	}
	return last
}

const (
	oldPath = "/news/2024/fall-of-rome"
	newPath = "/news/2024/the-fall-of-rome-476"
)

// archiveOne publishes the article at oldPath and archives it.
func (e *lifeEnv) archiveOne() *store.Article {
	e.t.Helper()
	e.site.set(oldPath, sitePage{body: articlePage("The fall of Rome", oldPath, "The end.")})
	e.site.feed(siteItem{guid: "rome-1", path: oldPath, title: "The fall of Rome"})
	r := e.poll(harvest.RecheckNone)
	if r.New != 1 {
		e.t.Fatalf("first poll: %+v %v", r.Counts, r.PageErrors)
	}
	return e.article(e.url(oldPath))
}

func (e *lifeEnv) wantOneArticle(id string, snapshots int) *store.Article {
	e.t.Helper()
	arts := e.articles()
	if len(arts) != 1 {
		var urls []string
		for _, a := range arts {
			urls = append(urls, a.ID+" "+a.URL)
		}
		e.t.Fatalf("%d articles, want 1: %v", len(arts), urls)
	}
	a := arts[0]
	if a.ID != id {
		e.t.Fatalf("article ID %s, want the one already cited, %s", a.ID, id)
	}
	if a.Snapshots != snapshots {
		e.t.Fatalf("%d snapshots, want %d", a.Snapshots, snapshots)
	}
	return &a
}

// A move: 301 from the old slug to a new one, the feed links the new URL
// under the same guid. One article, its ID kept, the new URL canonical,
// the old one an alias, no snapshot for the same text, a "moved" event.
func TestLifeMove301(t *testing.T) {
	e := newLifeEnv(t)
	before := e.archiveOne()
	e.site.set(oldPath, sitePage{status: http.StatusMovedPermanently, location: newPath})
	e.site.set(newPath, sitePage{body: articlePage("The fall of Rome", newPath, "The end.")})
	e.site.feed(siteItem{guid: "rome-1", path: newPath, title: "The fall of Rome"})
	e.clock.Advance(2 * time.Hour)
	r := e.poll(harvest.RecheckDue)
	if r.Moved != 1 || r.New+r.Revised != 0 || r.Errors != 0 {
		t.Fatalf("counts %+v %v, want one moved", r.Counts, r.PageErrors)
	}
	a := e.wantOneArticle(before.ID, 1)
	if a.URL != e.url(newPath) {
		t.Errorf("canonical URL %s, want the new one", a.URL)
	}
	for _, u := range []string{e.url(oldPath), e.url(newPath)} {
		if got := e.article(u); got.ID != before.ID {
			t.Errorf("%s resolves to %s, want %s", u, got.ID, before.ID)
		}
	}
	if got := e.events(a.ID); strings.Join(got, ",") != "moved" {
		t.Errorf("events %v, want [moved]", got)
	}
	if c := e.lastOutcome(a.ID); c.Outcome != store.OutcomeMoved {
		t.Errorf("last capture %q, want moved", c.Outcome)
	}
	// The watch and later polls go on with the same article.
	e.site.set(newPath, sitePage{body: articlePage("The fall of Rome", newPath, "The end, revised in 2024 with new sources.")})
	e.clock.Advance(30 * time.Hour)
	r = e.poll(harvest.RecheckAll)
	if r.Revised != 1 {
		t.Fatalf("after the move: %+v %v, want one revision", r.Counts, r.PageErrors)
	}
	e.wantOneArticle(before.ID, 2)
}

// Variation: the old URL redirects, but the new page still declares the old
// canonical URL: the same article, unchanged, no move.
func TestLifeMoveOldCanonical(t *testing.T) {
	e := newLifeEnv(t)
	before := e.archiveOne()
	e.site.set(oldPath, sitePage{status: http.StatusMovedPermanently, location: newPath})
	e.site.set(newPath, sitePage{body: articlePage("The fall of Rome", oldPath, "The end.")})
	e.clock.Advance(2 * time.Hour)
	r := e.poll(harvest.RecheckAll)
	if r.Unchanged != 1 || r.Moved+r.New+r.Revised+r.Errors != 0 {
		t.Fatalf("counts %+v %v, want one unchanged", r.Counts, r.PageErrors)
	}
	a := e.wantOneArticle(before.ID, 1)
	if a.URL != e.url(oldPath) {
		t.Errorf("canonical URL %s, want the declared (old) one", a.URL)
	}
	if e.article(e.url(newPath)).ID != before.ID {
		t.Error("the new URL is not an alias of the article")
	}
}

// Variation: no redirect at all; the feed item keeps its guid and links a
// new URL whose page declares itself canonical (the old URL now 404s).
func TestLifeMoveByGUID(t *testing.T) {
	e := newLifeEnv(t)
	before := e.archiveOne()
	e.site.set(oldPath, sitePage{status: http.StatusNotFound, body: notFoundBody})
	e.site.set(newPath, sitePage{body: articlePage("The fall of Rome", newPath, "The end.")})
	e.site.feed(siteItem{guid: "rome-1", path: newPath, title: "The fall of Rome"})
	e.clock.Advance(10 * time.Minute)
	r := e.poll(harvest.RecheckNone)
	if r.Moved != 1 || r.New != 0 {
		t.Fatalf("counts %+v %v, want one moved", r.Counts, r.PageErrors)
	}
	a := e.wantOneArticle(before.ID, 1)
	if a.URL != e.url(newPath) || a.State != store.StateLive {
		t.Errorf("article %s %s, want live at the new URL", a.URL, a.State)
	}
}

// Removals: every shape marks the archived article gone since the check,
// keeps its snapshot, files no new article; a re-check that finds it again
// marks it back.
func TestLifeGoneAndBack(t *testing.T) {
	for _, c := range []struct {
		name   string
		page   sitePage
		status int    // captures.http_status of the gone check
		reason string // in the gone capture's text
	}{
		{"404", sitePage{status: http.StatusNotFound, body: notFoundBody}, 404, "404 Not Found"},
		{"410", sitePage{status: http.StatusGone, body: "gone"}, 410, "410 Gone"},
		{"302 to the home page", sitePage{status: http.StatusFound, location: "/"}, 200, "home page"},
		{"302 to the section page", sitePage{status: http.StatusFound, location: "/news/"}, 200, "section page"},
		{"301 to the section page", sitePage{status: http.StatusMovedPermanently, location: "/news/"}, 200, "section page"},
		{"soft 404", sitePage{body: notFoundBody}, 200, "soft 404"},
		{"German soft 404", sitePage{body: strings.ReplaceAll(notFoundBody, "Page not found", "Seite nicht gefunden")}, 200, "Seite nicht gefunden"},
		{"a page whose canonical is the home page", sitePage{body: listPage("Latest from Rome History", "/other")}, 200, "canonical URL is the home page"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newLifeEnv(t)
			before := e.archiveOne()
			e.site.set(oldPath, c.page)
			e.clock.Advance(2 * time.Hour)
			r := e.poll(harvest.RecheckAll)
			if r.Gone != 1 || r.Errors+r.New+r.Revised != 0 {
				t.Fatalf("counts %+v %v, want one gone", r.Counts, r.PageErrors)
			}
			a := e.wantOneArticle(before.ID, 1)
			if a.State != store.StateGone || a.StateSince == nil {
				t.Fatalf("state %q since %v, want gone", a.State, a.StateSince)
			}
			if a.NextCheckAt == nil || !a.NextCheckAt.After(*a.StateSince) {
				t.Fatalf("a gone article is not re-checked: next check %v", a.NextCheckAt)
			}
			since := *a.StateSince
			cp := e.lastOutcome(a.ID)
			if cp.Outcome != store.OutcomeGone || !strings.Contains(cp.Error, c.reason) || cp.HTTPStatus != c.status {
				t.Errorf("gone capture %q %q status %d, want gone %q %d", cp.Outcome, cp.Error, cp.HTTPStatus, c.reason, c.status)
			}
			if _, err := e.st.LatestSnapshot(context.Background(), a.ID); err != nil {
				t.Errorf("the gone article's snapshot: %v", err)
			}
			// Still gone at the next check: the state keeps its date, one event.
			e.clock.Advance(2 * time.Hour)
			r = e.poll(harvest.RecheckAll)
			if r.Gone != 1 {
				t.Fatalf("second check %+v %v, want gone", r.Counts, r.PageErrors)
			}
			a = e.wantOneArticle(before.ID, 1)
			if !a.StateSince.Equal(since) {
				t.Errorf("state_since moved from %v to %v", since, a.StateSince)
			}
			// Back with its text, seen by the revision watch when due: no
			// snapshot, state back.
			e.site.set(oldPath, sitePage{body: articlePage("The fall of Rome", oldPath, "The end.")})
			e.clock.Advance(25 * time.Hour)
			r = e.poll(harvest.RecheckDue)
			if r.Back != 1 || r.Revised+r.New+r.Errors != 0 {
				t.Fatalf("return %+v %v, want one back", r.Counts, r.PageErrors)
			}
			a = e.wantOneArticle(before.ID, 1)
			if a.State != store.StateBack || !a.StateSince.After(since) {
				t.Errorf("state %q since %v, want back after %v", a.State, a.StateSince, since)
			}
			if got := strings.Join(e.events(a.ID), ","); got != "gone,back" {
				t.Errorf("events %s, want gone,back", got)
			}
		})
	}
}

// A gone article that comes back revised is a revision and a return.
func TestLifeBackRevised(t *testing.T) {
	e := newLifeEnv(t)
	before := e.archiveOne()
	e.site.set(oldPath, sitePage{status: http.StatusGone})
	e.clock.Advance(2 * time.Hour)
	e.poll(harvest.RecheckAll)
	e.site.set(oldPath, sitePage{body: articlePage("The fall of Rome", oldPath, "The end, restored with a correction about Odoacer.")})
	e.clock.Advance(2 * time.Hour)
	r := e.poll(harvest.RecheckAll)
	if r.Revised != 1 || r.Back != 1 {
		t.Fatalf("counts %+v %v, want one revised, also counted back", r.Counts, r.PageErrors)
	}
	a := e.wantOneArticle(before.ID, 2)
	if a.State != store.StateBack {
		t.Errorf("state %q, want back", a.State)
	}
	if got := strings.Join(e.events(a.ID), ","); got != "gone,back" {
		t.Errorf("events %s, want gone,back", got)
	}
}

// Transient faults never mark an article gone.
func TestLifeTransientNeverGone(t *testing.T) {
	for _, code := range []int{http.StatusServiceUnavailable, http.StatusInternalServerError, http.StatusTooManyRequests, http.StatusForbidden} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			e := newLifeEnv(t)
			before := e.archiveOne()
			e.site.set(oldPath, sitePage{status: code, body: "try later"})
			e.clock.Advance(2 * time.Hour)
			r := e.h.PollSource(context.Background(), e.src, harvest.PollOptions{Recheck: harvest.RecheckAll})
			if r.Errors != 1 || r.Gone != 0 {
				t.Fatalf("counts %+v, want one error", r.Counts)
			}
			a := e.wantOneArticle(before.ID, 1)
			if a.State != store.StateLive {
				t.Errorf("state %q after %d, want live", a.State, code)
			}
			if c := e.lastOutcome(a.ID); c.HTTPStatus != code {
				t.Errorf("error capture status %d, want %d", c.HTTPStatus, code)
			}
		})
	}
	t.Run("timeout", func(t *testing.T) {
		e := newLifeEnv(t)
		before := e.archiveOne()
		e.h.Fetch = fetch.New(fetch.Options{UserAgent: "annalist-test", Timeout: 300 * time.Millisecond, MaxBody: 1 << 20,
			PerHostConcurrency: 4, AllowPrivateNetworks: true, Now: e.clock.Now})
		e.site.set(oldPath, sitePage{hang: true})
		e.clock.Advance(2 * time.Hour)
		res := e.h.WatchSource(context.Background(), e.src, harvest.RecheckAll, nil)
		if res.Errors != 1 || !strings.Contains(strings.Join(res.PageErrors, ""), "timeout") {
			t.Fatalf("counts %+v %v, want one timeout error", res.Counts, res.PageErrors)
		}
		if a := e.wantOneArticle(before.ID, 1); a.State != store.StateLive {
			t.Errorf("state %q after a timeout, want live", a.State)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		e := newLifeEnv(t)
		before := e.archiveOne()
		e.site.srv.Close()
		e.clock.Advance(2 * time.Hour)
		res := e.h.WatchSource(context.Background(), e.src, harvest.RecheckAll, nil)
		if res.Errors != 1 {
			t.Fatalf("counts %+v, want one error", res.Counts)
		}
		if a := e.wantOneArticle(before.ID, 1); a.State != store.StateLive {
			t.Errorf("state %q, want live", a.State)
		}
	})
}

// A new feed item that lands on the home page is never archived as an
// article: no article, no snapshot, an error capture that says why.
func TestLifeRedirectToHomeNeverArchived(t *testing.T) {
	e := newLifeEnv(t)
	e.site.set("/news/2024/withdrawn", sitePage{status: http.StatusFound, location: "/"})
	e.site.set("/news/2024/soft", sitePage{body: notFoundBody})
	e.site.feed(siteItem{guid: "w", path: "/news/2024/withdrawn", title: "Withdrawn"}, siteItem{guid: "s", path: "/news/2024/soft", title: "Soft"})
	r := e.h.PollSource(context.Background(), e.src, harvest.PollOptions{Recheck: harvest.RecheckNone})
	if r.Errors != 2 || r.New != 0 {
		t.Fatalf("counts %+v %v, want two errors", r.Counts, r.PageErrors)
	}
	if arts := e.articles(); len(arts) != 0 {
		t.Fatalf("%d articles archived, want none (first: %s)", len(arts), arts[0].Title)
	}
	if !strings.Contains(strings.Join(r.PageErrors, "\n"), "not an article") {
		t.Errorf("page errors %v, want 'not an article'", r.PageErrors)
	}
}

// A syndicated copy keeps the canonical it declares to its original on
// another site; the original lists its copies. They stay two articles.
func TestLifeSyndicatedCopy(t *testing.T) {
	e := newLifeEnv(t)
	orig := e.archiveOne()
	partner := newHistorySite(t)
	// Another host name: sites are told apart by host, not port.
	partnerURL := strings.Replace(partner.srv.URL, "127.0.0.1", "localhost", 1)
	copyPath := "/syndicated/fall-of-rome"
	partner.set(copyPath, sitePage{body: articlePage("The fall of Rome", e.url(oldPath), "Republished with permission. The end.")})
	pr := e.h.CaptureURL(context.Background(), nil, partnerURL+copyPath)
	if pr.Err != nil || pr.Outcome != store.OutcomeNew {
		t.Fatalf("capture copy: %+v", pr)
	}
	if pr.ArticleID == orig.ID {
		t.Fatal("the copy was merged into the original")
	}
	cp := e.article(pr.ArticleID)
	if cp.DeclaredCanonical != e.url(oldPath) || cp.URL != partnerURL+copyPath {
		t.Errorf("copy: url %s declared %q, want its own URL and the original's", cp.URL, cp.DeclaredCanonical)
	}
	sn, err := e.st.LatestSnapshot(context.Background(), cp.ID)
	if err != nil || sn.DeclaredCanonical != e.url(oldPath) {
		t.Errorf("copy snapshot declared %q, %v", sn.DeclaredCanonical, err)
	}
	copies, err := e.st.SyndicatedCopies(context.Background(), orig)
	if err != nil || len(copies) != 1 || copies[0].ID != cp.ID {
		t.Errorf("syndicated copies of the original: %v, %v", copies, err)
	}
	if o, _ := e.st.SyndicatedCopies(context.Background(), cp); len(o) != 0 {
		t.Errorf("the copy has copies: %v", o)
	}
	// The original's own page declares itself: no declared canonical.
	if got := e.article(orig.ID); got.DeclaredCanonical != "" {
		t.Errorf("original declared %q", got.DeclaredCanonical)
	}
}

// A move with new text is a revision and a move: the poll counts it as
// both, as the timeline and the feeds show both.
func TestLifeMoveRevisedCounted(t *testing.T) {
	e := newLifeEnv(t)
	before := e.archiveOne()
	e.site.set(oldPath, sitePage{status: http.StatusMovedPermanently, location: newPath})
	e.site.set(newPath, sitePage{body: articlePage("The fall of Rome", newPath, "The end, revised with the move to a new address.")})
	e.clock.Advance(2 * time.Hour)
	r := e.poll(harvest.RecheckAll)
	if r.Revised != 1 || r.Moved != 1 || r.New+r.Errors+r.Unchanged != 0 {
		t.Fatalf("counts %+v %v, want one revised, also counted moved", r.Counts, r.PageErrors)
	}
	e.wantOneArticle(before.ID, 2)
	if got := strings.Join(e.events(before.ID), ","); got != "moved" {
		t.Errorf("events %s, want moved", got)
	}
}
