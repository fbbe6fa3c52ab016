package web

import (
	"encoding/json"
	"encoding/xml"
	"html"
	"net/http"
	"sort"
	"time"

	"annalist/internal/store"
)

// feedEntries is how many changes a feed carries, each with its full text.
const feedEntries = 30

type feedItem struct {
	// at is when it happened in full (a snapshot's full capture time),
	// which orders the entries and dates them: a snapshot stored late,
	// captured earlier in a second than a newer one, is dated by its ID
	// at the next free second, and by that date a feed reader would take
	// it for the latest revision.
	at      time.Time
	outcome string // new, revised, or an event: moved, gone, back
	url     string // the article's URL on its site
	html    string
	link    string // absolute snapshot URL, or the article page's for an event
	id      string // unique entry ID
	title   string
	summary string
}

// feedItems reads the latest changes (of one source, or all) with their
// sanitised HTML.
func (s *Server) feedItems(w http.ResponseWriter, r *http.Request) (title, self string, items []feedItem, ok bool) {
	source := r.PathValue("source")
	title, self = "annalist: new articles, revisions, moves and removals", ""
	if source != "" {
		if !sourceRE.MatchString(source) {
			s.notFound(w, r, "There is no source of that name.")
			return "", "", nil, false
		}
		src, err := s.st.Source(r.Context(), source)
		if err != nil {
			s.storeErr(w, r, err, "There is no source of that name.")
			return "", "", nil, false
		}
		name := src.Title
		if name == "" {
			name = src.Name
		}
		title = name + " in annalist: new articles, revisions, moves and removals"
	}
	changes, err := s.st.Changes(r.Context(), store.ChangeFilter{Source: source, Limit: feedEntries})
	if err != nil {
		s.serverError(w, r, err)
		return "", "", nil, false
	}
	base := s.base(r)
	for _, c := range changes {
		sn, err := s.st.Snapshot(r.Context(), c.ID)
		if err != nil {
			s.serverError(w, r, err)
			return "", "", nil, false
		}
		it := feedItem{at: c.CapturedExact, outcome: c.Outcome, url: c.URL, html: string(bodyHTML(sn)),
			link: base + snapshotPath(c.ID), title: c.Title}
		it.id = it.link
		if c.Outcome == store.OutcomeRevised {
			it.title = "Revised: " + c.Title
			it.summary = "A revision of " + c.URL + ", captured " + c.CapturedAt.UTC().Format(time.RFC3339) + "."
		} else {
			it.summary = "First archived " + c.CapturedAt.UTC().Format(time.RFC3339) + " from " + c.URL + "."
		}
		items = append(items, it)
	}
	evs, err := s.eventItems(r, source, base)
	if err != nil {
		s.serverError(w, r, err)
		return "", "", nil, false
	}
	items = append(items, evs...)
	sort.SliceStable(items, func(i, j int) bool { return items[i].at.After(items[j].at) })
	if len(items) > feedEntries {
		items = items[:feedEntries]
	}
	return title, base + r.URL.Path, items, true
}

// eventItems are the latest moves, removals and returns as feed entries:
// "Gone since …", "Back since …", "Moved: …".
func (s *Server) eventItems(r *http.Request, source, base string) ([]feedItem, error) {
	evs, err := s.st.RecentEvents(r.Context(), source, feedEntries)
	if err != nil {
		return nil, err
	}
	var items []feedItem
	for _, e := range evs {
		a, err := s.st.Article(r.Context(), e.ArticleID)
		if err != nil {
			return nil, err
		}
		name := a.Title
		if name == "" {
			name = a.URL
		}
		at := e.At.UTC().Format(time.RFC3339)
		it := feedItem{at: e.At, outcome: e.Kind, url: a.URL, link: base + "/a/" + a.ID,
			id: base + "/a/" + a.ID + "#" + e.Kind + "-" + e.At.UTC().Format("20060102150405")}
		switch e.Kind {
		case store.EventGone:
			it.title = "Gone: " + name
			it.summary = "Gone since " + at + " (" + e.Detail + "); its snapshots stay in the archive."
		case store.EventBack:
			it.title = "Back: " + name
			it.summary = "Back since " + at + " at " + e.URL + "."
		case store.EventMoved:
			it.title = "Moved: " + name
			it.summary = "Moved on " + at + " from " + e.Detail + " to " + e.URL + "."
		default:
			continue
		}
		it.html = "<p>" + html.EscapeString(it.summary) + "</p>"
		items = append(items, it)
	}
	return items, nil
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Gen     string      `xml:"generator"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	Title     string     `xml:"title"`
	ID        string     `xml:"id"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Links     []atomLink `xml:"link"`
	Category  struct {
		Term string `xml:"term,attr"`
	} `xml:"category"`
	Summary atomText `xml:"summary"`
	Content atomText `xml:"content"`
}

func (s *Server) handleAtom(w http.ResponseWriter, r *http.Request) {
	title, self, items, ok := s.feedItems(w, r)
	if !ok {
		return
	}
	base := s.base(r)
	f := atomFeed{Title: title, ID: self, Updated: s.now().UTC().Format(time.RFC3339),
		Links:  []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: base + "/"}},
		Author: atomPerson{Name: "annalist"}, Gen: "annalist"}
	if len(items) > 0 {
		f.Updated = feedTime(items[0].at)
	}
	for _, it := range items {
		e := atomEntry{Title: it.title, ID: it.id,
			Updated: feedTime(it.at), Published: feedTime(it.at),
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: it.link}, {Rel: "related", Href: it.url}},
			Summary: atomText{Type: "text", Body: it.summary}, Content: atomText{Type: "html", Body: it.html}}
		e.Category.Term = it.outcome
		f.Entries = append(f.Entries, e)
	}
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	w.Write(out)
}

// feedTime is an entry's date in RFC 3339 with its fraction of a second,
// so that two entries of one second keep their order in a feed reader.
func feedTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

type jsonFeed struct {
	Version     string         `json:"version"`
	Title       string         `json:"title"`
	HomePageURL string         `json:"home_page_url"`
	FeedURL     string         `json:"feed_url"`
	Items       []jsonFeedItem `json:"items"`
}

type jsonFeedItem struct {
	ID            string   `json:"id"`
	URL           string   `json:"url"`
	ExternalURL   string   `json:"external_url"`
	Title         string   `json:"title"`
	Summary       string   `json:"summary"`
	ContentHTML   string   `json:"content_html"`
	DatePublished string   `json:"date_published"`
	Tags          []string `json:"tags"`
}

func (s *Server) handleJSONFeed(w http.ResponseWriter, r *http.Request) {
	title, self, items, ok := s.feedItems(w, r)
	if !ok {
		return
	}
	f := jsonFeed{Version: "https://jsonfeed.org/version/1.1", Title: title, HomePageURL: s.base(r) + "/", FeedURL: self,
		Items: []jsonFeedItem{}}
	for _, it := range items {
		f.Items = append(f.Items, jsonFeedItem{ID: it.id, URL: it.link, ExternalURL: it.url, Title: it.title,
			Summary: it.summary, ContentHTML: it.html, DatePublished: feedTime(it.at),
			Tags: []string{it.outcome}})
	}
	w.Header().Set("Content-Type", "application/feed+json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(f)
}
