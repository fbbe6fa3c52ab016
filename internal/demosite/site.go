package demosite

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Site is the in-memory website. It is safe for concurrent use: tests mutate
// it while a harvester fetches from it.
type Site struct {
	mu          sync.Mutex
	articles    map[string]*article
	order       []string // slugs in the order they were added
	extras      []extraItem
	feedMod     time.Time // bumped when extras change the feed
	conditional bool
	requests    map[string]int // GETs by request path, as spelled
	bySlug      map[string]int // GETs of an article, under any spelling
}

// extraItem is a feed item that is not an article's main item: a second
// spelling of an article's link, or an item with no link at all.
type extraItem struct {
	slug  string // alias: the article; linkless: ""
	title string // linkless only
	guid  string
	ref   int // alias number, makes each alias link distinct
}

// New returns the demo site: the Mondo History article from
// samples/mondo-history-article.txt and four short history essays, each at its
// first version. Conditional GET is on.
func New() *Site {
	arts, err := loadArticles()
	if err != nil {
		// The articles are embedded; a failure is a build defect.
		panic(fmt.Sprintf("demosite: %v", err))
	}
	s := newEmpty()
	for _, a := range arts {
		s.add(a)
	}
	return s
}

func newEmpty() *Site {
	return &Site{
		articles:    map[string]*article{},
		conditional: true,
		requests:    map[string]int{},
		bySlug:      map[string]int{},
	}
}

func (s *Site) add(a *article) {
	if _, dup := s.articles[a.slug]; dup {
		panic(fmt.Sprintf("demosite: duplicate slug %q", a.slug))
	}
	s.articles[a.slug] = a
	s.order = append(s.order, a.slug)
	s.feedMod = laterOf(s.feedMod, a.lastMod)
}

// Slugs returns the slugs of all articles, in the order they were added.
func (s *Site) Slugs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.order)
}

// Path returns the URL path of an article's page: /history/{slug}.html.
func Path(slug string) string { return "/history/" + slug + ".html" }

// Title returns an article's title.
func (s *Site) Title(slug string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.must(slug).title
}

// Body returns a copy of an article's paragraphs as plain text.
func (s *Site) Body(slug string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.must(slug).paragraphs)
}

// must returns the article or panics; s.mu must be held.
func (s *Site) must(slug string) *article {
	a, ok := s.articles[slug]
	if !ok {
		panic(fmt.Sprintf("demosite: unknown slug %q", slug))
	}
	return a
}

// change applies fn to an article under the lock and moves its
// Last-Modified forward.
func (s *Site) change(slug string, fn func(a *article)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.must(slug)
	fn(a)
	a.lastMod = laterOf(a.lastMod.Add(time.Second), a.updated)
	s.feedMod = laterOf(s.feedMod, a.lastMod)
}

// Revise makes a real revision: edit receives a copy of the paragraphs and
// returns the new body, and the "Updated on" stamp, article:modified_time and
// the feed item's atom:updated become updated.
func (s *Site) Revise(slug string, updated time.Time, edit func(paragraphs []string) []string) {
	s.change(slug, func(a *article) {
		a.paragraphs = slices.Clone(edit(slices.Clone(a.paragraphs)))
		a.updated = updated.UTC()
	})
}

// SetStamp changes only the updated date (stamp, article:modified_time and
// atom:updated); the body stays as it is.
func (s *Site) SetStamp(slug string, updated time.Time) {
	s.change(slug, func(a *article) { a.updated = updated.UTC() })
}

// SetViews changes only the "N readers today" counter.
func (s *Site) SetViews(slug string, n int) {
	s.change(slug, func(a *article) { a.views = n })
}

// SetRelated replaces the "Related Pages" box. Each entry is a slug of this
// site (linked with its title) or a URL (linked with itself as text).
func (s *Site) SetRelated(slug string, links []string) {
	s.change(slug, func(a *article) { a.related = slices.Clone(links) })
}

// SetAd replaces the text of the advertisement.
func (s *Site) SetAd(slug, text string) {
	s.change(slug, func(a *article) { a.ad = text })
}

// SetBody replaces the body (for example to revert a revision); the stamp is
// left as it is.
func (s *Site) SetBody(slug string, paragraphs []string) {
	s.change(slug, func(a *article) { a.paragraphs = slices.Clone(paragraphs) })
}

// SetGone makes the article's page answer 404 (or serve again). Its feed item
// stays, as stale feeds on real sites do.
func (s *Site) SetGone(slug string, gone bool) {
	s.change(slug, func(a *article) { a.gone = gone })
}

// Remove takes the article down for good: its page answers 410 Gone (or,
// with removed false, serves again). Its feed item stays.
func (s *Site) Remove(slug string, removed bool) {
	s.change(slug, func(a *article) { a.removed = removed })
}

// Move gives the article a new slug: its page is served at Path(newSlug)
// with that canonical link, the old path answers 301 to it, and the feed
// links the new path under the same guid. The article keeps its slug as
// its name in this package (Body, Revise, …).
func (s *Site) Move(slug, newSlug string) {
	s.mu.Lock()
	if _, taken := s.articles[newSlug]; taken {
		s.mu.Unlock()
		panic(fmt.Sprintf("demosite: cannot move %q to %q: taken", slug, newSlug))
	}
	s.mu.Unlock()
	s.change(slug, func(a *article) { a.movedTo = newSlug })
}

// SetListed takes the article's item out of the feed (false) or puts it
// back (true); its page still serves. Feeds on real sites roll items off
// and sometimes bring them back.
func (s *Site) SetListed(slug string, listed bool) {
	s.change(slug, func(a *article) { a.unlisted = !listed })
}

// SetSelectorBreak simulates a redesign: the body div becomes
// class="content-v2", so `div.article-content` matches nothing.
func (s *Site) SetSelectorBreak(slug string, broken bool) {
	s.change(slug, func(a *article) { a.broken = broken })
}

// SetConditional turns ETag / Last-Modified and 304 answers on or off for
// pages and the feed. It is on by default.
func (s *Site) SetConditional(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conditional = on
}

// Requests returns how many GETs the path got, spelled exactly as requested
// (case kept, query string excluded); 304 answers count.
func (s *Site) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// ArticleRequests returns how many GETs an article's page got under any
// spelling of its URL.
func (s *Site) ArticleRequests(slug string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bySlug[slug]
}

// AddFeedAlias adds a second feed item for the article, with another GUID and
// another spelling of its link (/History/{slug}.html?utm_source=feed&ref=xN);
// the page it leads to has the same canonical link.
func (s *Site) AddFeedAlias(slug string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.must(slug)
	n := len(s.extras) + 1
	s.extras = append(s.extras, extraItem{slug: slug, guid: fmt.Sprintf("alias-%d-%s", n, slug), ref: n})
	s.feedMod = s.feedMod.Add(time.Second)
}

// AddLinklessItem adds a feed item with a title and summary but no <link>;
// its GUID is not a permalink (isPermaLink="false"), so nothing can be fetched
// for it.
func (s *Site) AddLinklessItem(title string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.extras) + 1
	s.extras = append(s.extras, extraItem{title: title, guid: fmt.Sprintf("linkless-%d", n)})
	s.feedMod = s.feedMod.Add(time.Second)
}
