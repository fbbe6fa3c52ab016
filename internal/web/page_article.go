package web

import (
	"html/template"
	"net/http"
	"slices"

	"annalist/internal/store"
	jsonview "annalist/internal/view"
)

type articleData struct {
	Article    store.Article
	Source     string
	Entries    []entry // newest first
	Latest     *store.Snapshot
	LatestHTML template.HTML
	Silent     int
	Bumps      int
	// Checks is every check of the article, newest first, runs of
	// identical outcomes folded: captures are evidence even when they
	// stored nothing.
	Checks   []jsonview.CaptureRun
	Events   []store.Event   // moves, removals, returns; oldest first
	Original *store.Article  // the archived article the declared canonical names, if any
	Copies   []store.Article // archived syndicated copies naming this article as their original
}

// checks folds captures (newest first) into runs, newest first.
func checks(caps []store.Capture) []jsonview.CaptureRun {
	runs := jsonview.CaptureRuns(caps)
	slices.Reverse(runs)
	return runs
}

// loadArticle validates {article} and reads it, answering 404 itself.
func (s *Server) loadArticle(w http.ResponseWriter, r *http.Request) (*store.Article, bool) {
	id, ok := articleParam(r)
	if !ok {
		s.notFound(w, r, "Article IDs are 12 hexadecimal digits.")
		return nil, false
	}
	a, err := s.st.Article(r.Context(), id)
	if err != nil {
		s.storeErr(w, r, err, "There is no article "+id+" in this archive.")
		return nil, false
	}
	return a, true
}

func (s *Server) handleArticle(w http.ResponseWriter, r *http.Request) {
	a, ok := s.loadArticle(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	infos, err := s.st.SnapshotInfos(ctx, a.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	caps, err := s.st.Captures(ctx, store.CaptureFilter{ArticleID: a.ID})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	entries, err := s.timeline(ctx, infos, caps)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := articleData{Article: *a, Source: a.Source, Checks: checks(caps)}
	if d.Events, err = s.st.Events(ctx, a.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Copies, err = s.st.SyndicatedCopies(ctx, a); err != nil {
		s.serverError(w, r, err)
		return
	}
	if a.DeclaredCanonical != "" {
		if o, err := s.st.ArticleByURL(ctx, a.DeclaredCanonical); err == nil && o.ID != a.ID {
			d.Original = o
		}
	}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.SilentEdit {
			d.Silent++
		}
		if e.EmptyBump {
			d.Bumps++
		}
		d.Bumps += e.LaterBumps
		d.Entries = append(d.Entries, e)
	}
	if len(infos) > 0 {
		d.Entries[0].Current = true
		latest, err := s.st.Snapshot(ctx, infos[len(infos)-1].ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Latest = latest
		d.LatestHTML = bodyHTML(latest)
	}
	v := view{Title: a.Title, Up: "/s/" + a.Source, Data: d,
		Alternates: []alternate{
			{Type: "application/json", Title: "History (JSON)", Href: "/api/a/" + a.ID + "/history"},
			{Type: "application/link-format", Title: "TimeMap", Href: "/timemap/" + a.ID},
		}}
	if v.Title == "" {
		v.Title = a.URL
	}
	if len(infos) > 0 {
		v.Next = snapshotPath(infos[0].ID) // into the timeline, oldest first
	}
	s.render(w, r, http.StatusOK, "article", v)
}
