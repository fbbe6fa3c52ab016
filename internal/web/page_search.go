package web

import (
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"annalist/internal/store"
	jsonview "annalist/internal/view"
)

// searchLimit is the most hits /api/search answers and the most articles
// the search page lists; the page reads up to groupLimit hits to fill them.
const (
	searchLimit = 50
	groupLimit  = 4 * searchLimit
)

type searchHit struct {
	store.Hit
	Snippet template.HTML
}

// hitGroup is an article's matching versions: the newest, whose snippet
// is shown, and the earlier ones, newest first.
type hitGroup struct {
	searchHit
	Earlier []searchHit
}

type searchData struct {
	Query    string
	Source   string
	Latest   bool
	From, To string
	Sources  []store.Source
	Hits     []searchHit
	Groups   []hitGroup // the page's: Hits by article
	Searched bool
	Error    string
	Capped   bool
}

// search runs a query from the request's form values; an error message for
// the reader (bad query or bad date) comes back in msg, a failure in err.
//
// limit is the most hits read; Capped is set when there were more.
func (s *Server) search(r *http.Request, limit int) (d searchData, msg string, err error) {
	q := r.URL.Query()
	d = searchData{Query: strings.TrimSpace(q.Get("q")), Source: q.Get("source"), Latest: q.Get("latest") == "1",
		From: q.Get("from"), To: q.Get("to")}
	if d.Query == "" {
		return d, "", nil
	}
	if len(d.Query) > 500 {
		return d, "The query is too long (500 characters at most).", nil
	}
	if d.Source != "" && !sourceRE.MatchString(d.Source) {
		return d, "There is no source of that name.", nil
	}
	from, ok1 := dateParam(d.From)
	to, ok2 := dateParam(d.To)
	if !ok1 || !ok2 {
		return d, "Dates are YYYY-MM-DD.", nil
	}
	opts := store.SearchOptions{Source: d.Source, LatestOnly: d.Latest, Limit: limit + 1, From: from}
	if to != nil {
		end := to.Add(24 * time.Hour) // the whole "to" day
		opts.To = &end
	}
	hits, err := s.st.Search(r.Context(), d.Query, opts)
	if errors.Is(err, store.ErrBadQuery) {
		return d, "The search could not be understood. " + jsonview.QuerySyntax, nil
	}
	if err != nil {
		return d, "", err
	}
	d.Searched = true
	for _, h := range hits {
		if len(d.Hits) == limit {
			d.Capped = true // one more than a page matched
			break
		}
		d.Hits = append(d.Hits, searchHit{Hit: h, Snippet: markSnippet(h.Snippet)})
	}
	return d, "", nil
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	d, msg, err := s.search(r, groupLimit)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Groups, d.Capped = groupHits(d.Hits, searchLimit, d.Capped)
	d.Error = msg
	if d.Sources, err = s.st.SourceNames(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	status := http.StatusOK
	if msg != "" {
		status = http.StatusBadRequest
	}
	title := "Search"
	if d.Query != "" {
		title = "Search: " + d.Query
	}
	s.render(w, r, status, "search", view{Title: title, Nav: "search", Query: d.Query, Up: "/", Data: d})
}

// groupHits folds hits into one entry per article (jsonview.GroupHits); at
// most max articles (capped is then set).
func groupHits(hits []searchHit, max int, capped bool) ([]hitGroup, bool) {
	gs, capped := jsonview.GroupHits(hits, func(h searchHit) store.Hit { return h.Hit }, max, capped)
	groups := make([]hitGroup, len(gs))
	for i, g := range gs {
		groups[i] = hitGroup{searchHit: g[0], Earlier: g[1:]}
	}
	return groups, capped
}
