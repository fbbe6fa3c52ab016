package web

import (
	"errors"
	"html/template"
	"net/http"

	"annalist/internal/store"
	jsonview "annalist/internal/view"
)

type snapshotData struct {
	Article    store.Article
	Snapshot   *store.Snapshot
	HTML       template.HTML
	N, Of      int
	Prev, Next *store.SnapshotInfo
	IsLatest   bool
	Permalink  string // absolute
	Citation   string
	// SourceTitle names the source in the citation block.
	SourceTitle string
	Requested   string // the timestamp asked for, when redirected here
}

func (s *Server) handleSnapshot(w http.ResponseWriter, r *http.Request) {
	a, ok := s.loadArticle(w, r)
	if !ok {
		return
	}
	t, ok := timestampParam(r.PathValue("ts"))
	if !ok {
		s.notFound(w, r, "Snapshot timestamps are 14 digits: YYYYMMDDhhmmss (UTC).")
		return
	}
	ctx := r.Context()
	infos, err := s.st.SnapshotInfos(ctx, a.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(infos) == 0 {
		s.notFound(w, r, "This article has no snapshot yet: every capture of it failed.")
		return
	}
	idx := -1
	want := a.ID + "/" + stamp(t)
	for i, si := range infos {
		if si.ID == want {
			idx = i
			break
		}
	}
	if idx < 0 {
		// Like a web archive: a timestamp without a snapshot leads to the
		// nearest one, and the URL then says which it is.
		http.Redirect(w, r, snapshotPath(nearest(infos, t).ID), http.StatusFound)
		return
	}
	sn, err := s.st.Snapshot(ctx, want)
	if err != nil {
		s.storeErr(w, r, err, "No such snapshot.")
		return
	}
	d := snapshotData{Article: *a, Snapshot: sn, HTML: bodyHTML(sn), N: idx + 1, Of: len(infos),
		IsLatest: idx == len(infos)-1, Permalink: s.base(r) + snapshotPath(sn.ID)}
	v := view{Title: sn.Title, Up: articlePath(a.ID), Data: &d,
		Alternates: []alternate{
			{Type: "application/json", Title: "Snapshot (JSON)", Href: "/api/a/" + sn.ID},
		}}
	if idx > 0 {
		d.Prev = &infos[idx-1]
		v.Prev = snapshotPath(d.Prev.ID)
	}
	if idx < len(infos)-1 {
		d.Next = &infos[idx+1]
		v.Next = snapshotPath(d.Next.ID)
	}
	c := s.citation(r, a, sn)
	d.Citation = c.Text()
	d.SourceTitle = c.SourceTitle
	v.Meta = c.Meta()
	v.Alternates = append(v.Alternates,
		alternate{Type: bibTeXType, Title: "Citation (BibTeX)", Href: snapshotPath(sn.ID) + "/cite.bib"},
		alternate{Type: cslJSONType, Title: "Citation (CSL-JSON)", Href: snapshotPath(sn.ID) + "/cite.json"})
	if v.Title == "" {
		v.Title = a.URL
	}
	s.mementoHeaders(w, r, a, infos, sn.CapturedAt)
	s.render(w, r, http.StatusOK, "snapshot", v)
}

// Media types of the citation downloads.
const (
	bibTeXType  = "application/x-bibtex"
	cslJSONType = "application/vnd.citationstyles.csl+json"
)

// citation is how snapshot sn of article a is cited: its source named by
// the source's title, the archive by the configured base URL.
func (s *Server) citation(r *http.Request, a *store.Article, sn *store.Snapshot) jsonview.Citation {
	title := "" // NewCitation then names the source by its slug
	src, err := s.st.Source(r.Context(), a.Source)
	switch {
	case err == nil:
		title = src.Title
	case !errors.Is(err, store.ErrNotFound):
		s.log.Warn("web: source title for a citation", "source", a.Source, "error", err)
	}
	return jsonview.NewCitation(a, sn, title, s.base(r))
}

// loadSnapshot loads the article and the snapshot the path names (an
// exact 14-digit timestamp), or answers 404 and returns false.
func (s *Server) loadSnapshot(w http.ResponseWriter, r *http.Request) (*store.Article, *store.Snapshot, bool) {
	a, ok := s.loadArticle(w, r)
	if !ok {
		return nil, nil, false
	}
	ts := r.PathValue("ts")
	if !timestampRE.MatchString(ts) {
		s.notFound(w, r, "Snapshot timestamps are 14 digits.")
		return nil, nil, false
	}
	sn, err := s.st.Snapshot(r.Context(), a.ID+"/"+ts)
	if err != nil {
		s.storeErr(w, r, err, "No such snapshot.")
		return nil, nil, false
	}
	return a, sn, true
}

// handleCite serves a snapshot's citation as BibTeX (cite.bib) or
// CSL-JSON (cite.json), for reference managers.
func (s *Server) handleCite(w http.ResponseWriter, r *http.Request) {
	a, sn, ok := s.loadSnapshot(w, r)
	if !ok {
		return
	}
	ts := r.PathValue("ts")
	c := s.citation(r, a, sn)
	var body []byte
	var ctype, ext string
	var err error
	switch r.PathValue("format") {
	case "cite.bib":
		body, ctype, ext = []byte(c.BibTeX()), bibTeXType+"; charset=utf-8", ".bib"
	case "cite.json":
		if body, err = c.CSLJSON(); err != nil {
			s.serverError(w, r, err)
			return
		}
		ctype, ext = cslJSONType, ".json"
	default:
		s.notFound(w, r, "No such page.")
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `inline; filename="`+a.ID+"-"+ts+ext+`"`)
	h.Set("Content-Length", itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
