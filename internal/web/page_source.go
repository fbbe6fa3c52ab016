package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"annalist/internal/store"
)

const sourcePageSize = 50

type sourceData struct {
	Source     store.Source
	Schedule   string     // its cron spec, when the configuration has it
	NextRun    *time.Time // its next poll, when scheduled
	Removed    bool       // the configuration no longer has it: nothing polls it
	Articles   []store.Article
	Total      int
	From, To   string // as typed, for the form
	First      int    // 1-based number of the first article shown
	Last       int
	PrevPage   string
	NextPage   string
	FilterNote string
}

func (s *Server) handleSource(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("source")
	if !sourceRE.MatchString(name) {
		s.notFound(w, r, "There is no source of that name.")
		return
	}
	src, err := s.st.Source(r.Context(), name)
	if err != nil {
		s.storeErr(w, r, err, "There is no source of that name.")
		return
	}
	q := r.URL.Query()
	from, ok1 := dateParam(q.Get("from"))
	to, ok2 := dateParam(q.Get("to"))
	page, err := strconv.Atoi(q.Get("page"))
	if q.Get("page") == "" {
		page, err = 1, nil
	}
	if !ok1 || !ok2 || err != nil || page < 1 || page > 1_000_000 {
		s.badRequest(w, r, "Dates are YYYY-MM-DD and the page is a positive number.")
		return
	}
	aq := store.ArticleQuery{Source: name, From: from, Limit: sourcePageSize, Offset: (page - 1) * sourcePageSize}
	if to != nil {
		end := to.Add(24 * time.Hour) // "to" is inclusive of its day
		aq.To = &end
	}
	arts, total, err := s.st.ArticlePage(r.Context(), aq)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := sourceData{Source: *src, Articles: arts, Total: total, From: q.Get("from"), To: q.Get("to"),
		First: aq.Offset + 1, Last: aq.Offset + len(arts)}
	if s.schedule != nil {
		if spec, next, ok := s.schedule(name); ok {
			d.Schedule = spec
			if !next.IsZero() {
				d.NextRun = &next
			}
		} else {
			d.Removed = true
		}
	}
	link := func(p int) string {
		v := url.Values{}
		if d.From != "" {
			v.Set("from", d.From)
		}
		if d.To != "" {
			v.Set("to", d.To)
		}
		if p > 1 {
			v.Set("page", strconv.Itoa(p))
		}
		if len(v) == 0 {
			return "/s/" + name
		}
		return "/s/" + name + "?" + v.Encode()
	}
	if page > 1 {
		d.PrevPage = link(page - 1)
	}
	if aq.Offset+len(arts) < total {
		d.NextPage = link(page + 1)
	}
	title := src.Title
	if title == "" {
		title = src.Name
	}
	s.render(w, r, http.StatusOK, "source", view{
		Title: title, Up: "/", Prev: d.PrevPage, Next: d.NextPage,
		Alternates: []alternate{
			{Type: "application/atom+xml", Title: title + ": new articles and revisions (Atom)", Href: "/s/" + name + "/feed.atom"},
			{Type: "application/feed+json", Title: title + ": new articles and revisions (JSON Feed)", Href: "/s/" + name + "/feed.json"},
			{Type: "application/json", Title: "Articles (JSON)", Href: "/api/articles?source=" + url.QueryEscape(name)},
		},
		Data: d,
	})
}
