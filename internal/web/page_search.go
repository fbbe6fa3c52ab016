package web

import (
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"annalist/internal/store"
)

const searchLimit = 50

type searchHit struct {
	store.Hit
	Snippet template.HTML
}

type searchData struct {
	Query    string
	Source   string
	Latest   bool
	From, To string
	Sources  []store.Source
	Hits     []searchHit
	Searched bool
	Error    string
	Capped   bool
}

// search runs a query from the request's form values; an error message for
// the reader (bad query or bad date) comes back in msg, a failure in err.
func (s *Server) search(r *http.Request) (d searchData, msg string, err error) {
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
	opts := store.SearchOptions{Source: d.Source, LatestOnly: d.Latest, Limit: searchLimit + 1, From: from}
	if to != nil {
		end := to.Add(24 * time.Hour) // the whole "to" day
		opts.To = &end
	}
	hits, err := s.st.Search(r.Context(), d.Query, opts)
	if errors.Is(err, store.ErrBadQuery) {
		return d, "The search could not be understood. Plain words are all found; use \"quotes\" for a phrase, OR between alternatives, NOT before a word to leave out, and word* for a prefix.", nil
	}
	if err != nil {
		return d, "", err
	}
	d.Searched = true
	for _, h := range hits {
		if len(d.Hits) == searchLimit {
			d.Capped = true // one more than a page matched
			break
		}
		d.Hits = append(d.Hits, searchHit{Hit: h, Snippet: markSnippet(h.Snippet)})
	}
	return d, "", nil
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	d, msg, err := s.search(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
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
