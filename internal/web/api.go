package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"annalist/internal/store"
	// Aliased: this package's own view is the page model.
	jsonview "annalist/internal/view"
)

// The JSON API has the shapes of the CLI's --json output (README.md), so a
// script can move between `annalist … --json` and the web without change;
// package view holds them for both.

// changeJSON is a new article or revision (the feeds' items).
type changeJSON struct {
	jsonview.History
	Article string `json:"article"`
	Source  string `json:"source"`
	URL     string `json:"url"`
	Outcome string `json:"outcome"`
}

type errorJSON struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error, status int, msg string) {
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			status = http.StatusNotFound
		} else if errors.Is(err, store.ErrDamaged) {
			status, msg = http.StatusGone, "damaged: the archived text this needs cannot be read (its WARC record is damaged or missing)"
		} else {
			s.log.Error("web: api request failed", "path", r.URL.Path, "error", err)
			status, msg = http.StatusInternalServerError, "internal error: the archive could not be read"
		}
	}
	writeJSON(w, r, status, errorJSON{Error: msg})
}

func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) {
	rows, err := s.sourceRows(r)
	if err != nil {
		s.apiError(w, r, err, 0, "")
		return
	}
	out := make([]jsonview.Source, 0, len(rows))
	for _, row := range rows {
		out = append(out, jsonview.NewSource(row.Source, row.Schedule, row.NextRun))
	}
	writeJSON(w, r, http.StatusOK, out)
}

// intParam parses an optional non-negative integer form value.
func intParam(v string, def, max int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > max {
		return 0, false
	}
	return n, true
}

// apiArticles is `annalist list --json`, with from/to (YYYY-MM-DD, first
// seen) and offset for paging; limit defaults to 100, at most 1000.
func (s *Server) apiArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	source := q.Get("source")
	from, ok1 := dateParam(q.Get("from"))
	to, ok2 := dateParam(q.Get("to"))
	limit, ok3 := intParam(q.Get("limit"), 100, 1000)
	offset, ok4 := intParam(q.Get("offset"), 0, 1<<30)
	if !ok1 || !ok2 || !ok3 || !ok4 || (source != "" && !sourceRE.MatchString(source)) {
		s.apiError(w, r, nil, http.StatusBadRequest, "source is a source name, from and to are YYYY-MM-DD, limit is 0-1000, offset a number")
		return
	}
	if to != nil {
		end := to.Add(24 * time.Hour)
		to = &end
	}
	arts, total, err := s.st.ArticlePage(r.Context(), store.ArticleQuery{Source: source, From: from, To: to, Limit: limit, Offset: offset})
	if err != nil {
		s.apiError(w, r, err, 0, "")
		return
	}
	out := make([]jsonview.Article, 0, len(arts))
	for _, a := range arts {
		out = append(out, jsonview.NewArticle(a))
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	writeJSON(w, r, http.StatusOK, out)
}

func (s *Server) apiChanges(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	source := q.Get("source")
	limit, ok := intParam(q.Get("limit"), 50, 1000)
	if !ok || (source != "" && !sourceRE.MatchString(source)) {
		s.apiError(w, r, nil, http.StatusBadRequest, "source is a source name, limit is 0-1000")
		return
	}
	changes, err := s.st.Changes(r.Context(), store.ChangeFilter{Source: source, Limit: limit})
	if err != nil {
		s.apiError(w, r, err, 0, "")
		return
	}
	out := make([]changeJSON, 0, len(changes))
	for _, c := range changes {
		out = append(out, changeJSON{History: jsonview.HistoryFromInfo(c.SnapshotInfo), Article: c.ArticleID, Source: c.Source, URL: c.URL, Outcome: c.Outcome})
	}
	writeJSON(w, r, http.StatusOK, out)
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	d, msg, err := s.search(r, searchLimit)
	if err != nil {
		s.apiError(w, r, err, 0, "")
		return
	}
	if msg != "" || d.Query == "" {
		if msg == "" {
			msg = "q is required"
		}
		s.apiError(w, r, nil, http.StatusBadRequest, msg)
		return
	}
	out := make([]jsonview.Hit, 0, len(d.Hits))
	for _, h := range d.Hits {
		out = append(out, jsonview.NewHit(h.Hit))
	}
	writeJSON(w, r, http.StatusOK, out)
}

func (s *Server) apiLoadArticle(w http.ResponseWriter, r *http.Request) (*store.Article, bool) {
	id, ok := articleParam(r)
	if !ok {
		s.apiError(w, r, nil, http.StatusNotFound, "article IDs are 12 hexadecimal digits")
		return nil, false
	}
	a, err := s.st.Article(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err, 0, "no article "+id)
		return nil, false
	}
	return a, true
}

func (s *Server) apiArticle(w http.ResponseWriter, r *http.Request) {
	a, ok := s.apiLoadArticle(w, r)
	if !ok {
		return
	}
	evs, err := s.st.Events(r.Context(), a.ID)
	if err != nil {
		s.apiError(w, r, err, 0, "")
		return
	}
	copies, err := s.st.SyndicatedCopies(r.Context(), a)
	if err != nil {
		s.apiError(w, r, err, 0, "")
		return
	}
	out := jsonview.ArticleDetail{Article: jsonview.NewArticle(*a), DeclaredCanonical: a.DeclaredCanonical,
		Events: jsonview.NewEvents(evs), SyndicatedCopies: []string{}}
	for _, c := range copies {
		out.SyndicatedCopies = append(out.SyndicatedCopies, c.ID)
	}
	writeJSON(w, r, http.StatusOK, out)
}

// apiHistory is `annalist history --json`, or with ?captures=1
// `annalist history --captures --json`.
func (s *Server) apiHistory(w http.ResponseWriter, r *http.Request) {
	a, ok := s.apiLoadArticle(w, r)
	if !ok {
		return
	}
	infos, err := s.st.SnapshotInfos(r.Context(), a.ID)
	if err != nil {
		s.apiError(w, r, err, 0, "")
		return
	}
	out := jsonview.NewHistoryEntries(*a, infos)
	if r.URL.Query().Get("captures") != "1" {
		writeJSON(w, r, http.StatusOK, out)
		return
	}
	caps, err := s.st.Captures(r.Context(), store.CaptureFilter{ArticleID: a.ID})
	if err != nil {
		s.apiError(w, r, err, 0, "")
		return
	}
	writeJSON(w, r, http.StatusOK, jsonview.HistoryWithCaptures{Snapshots: out, Captures: jsonview.NewCaptures(jsonview.CaptureRuns(caps))})
}

// apiSnapshot is `annalist show --format json`; a timestamp without a
// snapshot answers 404 (the HTML page redirects instead).
func (s *Server) apiSnapshot(w http.ResponseWriter, r *http.Request) {
	a, ok := s.apiLoadArticle(w, r)
	if !ok {
		return
	}
	ts := r.PathValue("ts")
	if !timestampRE.MatchString(ts) {
		s.apiError(w, r, nil, http.StatusNotFound, "snapshot timestamps are 14 digits")
		return
	}
	sn, err := s.st.Snapshot(r.Context(), a.ID+"/"+ts)
	if err != nil {
		s.apiError(w, r, err, 0, "no snapshot "+a.ID+"/"+ts)
		return
	}
	writeJSON(w, r, http.StatusOK, jsonview.NewSnapshot(a, sn))
}

// apiDiff is `annalist diff --json`: ?from=TS&to=TS, default the last two.
func (s *Server) apiDiff(w http.ResponseWriter, r *http.Request) {
	a, ok := s.apiLoadArticle(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	fromTS, toTS := q.Get("from"), q.Get("to")
	if (fromTS != "" && !timestampRE.MatchString(fromTS)) || (toTS != "" && !timestampRE.MatchString(toTS)) {
		s.apiError(w, r, nil, http.StatusBadRequest, "from and to are 14-digit snapshot timestamps")
		return
	}
	infos, err := s.st.SnapshotInfos(r.Context(), a.ID)
	if err != nil {
		s.apiError(w, r, err, 0, "")
		return
	}
	from, to, ok := pickPair(infos, fromTS, toTS)
	if !ok {
		s.apiError(w, r, nil, http.StatusNotFound, "no such pair of snapshots (an article needs two to compare)")
		return
	}
	chunks, err := s.diffSnapshots(r.Context(), from.ID, to.ID)
	if err != nil {
		s.diffFailed(w, r, err, true)
		return
	}
	writeJSON(w, r, http.StatusOK, jsonview.NewDiff(a.ID, jsonview.HistoryFromInfo(from), jsonview.HistoryFromInfo(to), chunks))
}
