package web

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"time"

	"annalist/internal/store"
)

// feedEntries is how many changes a feed carries, each with its full text.
const feedEntries = 30

type feedItem struct {
	change  store.Change
	html    string
	link    string // absolute snapshot URL
	title   string
	summary string
}

// feedItems reads the latest changes (of one source, or all) with their
// sanitised HTML.
func (s *Server) feedItems(w http.ResponseWriter, r *http.Request) (title, self string, items []feedItem, ok bool) {
	source := r.PathValue("source")
	title, self = "annalist: new articles and revisions", ""
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
		title = name + " in annalist: new articles and revisions"
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
		it := feedItem{change: c, html: string(bodyHTML(sn)), link: base + snapshotPath(c.ID), title: c.Title}
		if c.Outcome == store.OutcomeRevised {
			it.title = "Revised: " + c.Title
			it.summary = "A revision of " + c.URL + ", captured " + c.CapturedAt.UTC().Format(time.RFC3339) + "."
		} else {
			it.summary = "First archived " + c.CapturedAt.UTC().Format(time.RFC3339) + " from " + c.URL + "."
		}
		items = append(items, it)
	}
	return title, base + r.URL.Path, items, true
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
		f.Updated = items[0].change.CapturedAt.UTC().Format(time.RFC3339)
	}
	for _, it := range items {
		e := atomEntry{Title: it.title, ID: it.link,
			Updated: it.change.CapturedAt.UTC().Format(time.RFC3339), Published: it.change.CapturedAt.UTC().Format(time.RFC3339),
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: it.link}, {Rel: "related", Href: it.change.URL}},
			Summary: atomText{Type: "text", Body: it.summary}, Content: atomText{Type: "html", Body: it.html}}
		e.Category.Term = it.change.Outcome
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
		f.Items = append(f.Items, jsonFeedItem{ID: it.link, URL: it.link, ExternalURL: it.change.URL, Title: it.title,
			Summary: it.summary, ContentHTML: it.html, DatePublished: it.change.CapturedAt.UTC().Format(time.RFC3339),
			Tags: []string{it.change.Outcome}})
	}
	w.Header().Set("Content-Type", "application/feed+json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(f)
}
