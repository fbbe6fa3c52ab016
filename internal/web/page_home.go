package web

import (
	"net/http"
	"time"

	"annalist/internal/store"
)

// sourceRow is a source with its health, as the home page and
// /api/sources show it.
type sourceRow struct {
	store.Source
	Schedule string
	NextRun  *time.Time
	// Removed: the configuration no longer has it (its articles stay);
	// nothing will poll it.
	Removed bool
}

type homeData struct {
	Sources []sourceRow
	Changes []store.Change
}

func (s *Server) sourceRows(r *http.Request) ([]sourceRow, error) {
	srcs, err := s.st.Sources(r.Context())
	if err != nil {
		return nil, err
	}
	rows := make([]sourceRow, 0, len(srcs))
	for _, src := range srcs {
		row := sourceRow{Source: src}
		if s.schedule != nil {
			if spec, next, ok := s.schedule(src.Name); ok {
				row.Schedule = spec
				if !next.IsZero() {
					row.NextRun = &next
				}
			} else {
				row.Removed = true
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	rows, err := s.sourceRows(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	changes, err := s.st.Changes(r.Context(), store.ChangeFilter{Limit: 25})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", view{
		Title: "annalist", Nav: "home",
		Alternates: []alternate{
			{Type: "application/atom+xml", Title: "New articles and revisions (Atom)", Href: "/feed.atom"},
			{Type: "application/feed+json", Title: "New articles and revisions (JSON Feed)", Href: "/feed.json"},
			{Type: "application/json", Title: "Sources (JSON)", Href: "/api/sources"},
		},
		Data: homeData{Sources: rows, Changes: changes},
	})
}
