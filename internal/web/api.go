package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"annalist/internal/store"
	"annalist/internal/worddiff"
)

// The JSON API has the shapes of the CLI's --json output (README.md), so a
// script can move between `annalist … --json` and the web without change.

type sourceJSON struct {
	Name        string  `json:"name"`
	Title       string  `json:"title"`
	Feed        string  `json:"feed"`
	Schedule    string  `json:"schedule"`
	NextRun     *string `json:"next_run"`
	LastPollAt  *string `json:"last_poll_at"`
	LastOutcome string  `json:"last_outcome"`
	LastError   string  `json:"last_error"`
	Articles    int     `json:"articles"`
	Snapshots   int     `json:"snapshots"`
}

type articleJSON struct {
	ID                 string  `json:"id"`
	Source             string  `json:"source"`
	URL                string  `json:"url"`
	Title              string  `json:"title"`
	Snapshots          int     `json:"snapshots"`
	FirstSeen          *string `json:"first_seen"`
	LastCapturedAt     *string `json:"last_captured_at"`
	LatestRevisionDate *string `json:"latest_revision_date"`
}

type historyJSON struct {
	ID            string  `json:"id"`
	CapturedAt    *string `json:"captured_at"`
	RevisionDate  *string `json:"revision_date"`
	PublishedDate *string `json:"published_date"`
	Title         string  `json:"title"`
	Fingerprint   string  `json:"fingerprint"`
	Words         int     `json:"words"`
}

type warcJSON struct {
	File          string `json:"file"`
	Offset        int64  `json:"offset"`
	RecordID      string `json:"record_id"`
	PayloadDigest string `json:"payload_digest"`
}

type snapshotJSON struct {
	ID            string   `json:"id"`
	Article       string   `json:"article"`
	Source        string   `json:"source"`
	URL           string   `json:"url"`
	CanonicalURL  string   `json:"canonical_url"`
	CapturedAt    *string  `json:"captured_at"`
	RevisionDate  *string  `json:"revision_date"`
	PublishedDate *string  `json:"published_date"`
	Title         string   `json:"title"`
	Byline        string   `json:"byline"`
	Fingerprint   string   `json:"fingerprint"`
	Words         int      `json:"words"`
	Extractor     string   `json:"extractor"`
	WARC          warcJSON `json:"warc"`
	Text          string   `json:"text"`
	Markdown      string   `json:"markdown"`
	HTML          string   `json:"html"`
}

type diffJSON struct {
	Article string           `json:"article"`
	From    historyJSON      `json:"from"`
	To      historyJSON      `json:"to"`
	Removed int              `json:"words_removed"`
	Added   int              `json:"words_added"`
	Chunks  []diffChunkJSON  `json:"chunks"`
	Title   *diffTitleChange `json:"title_change,omitempty"`
}

type diffChunkJSON struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

type diffTitleChange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type hitJSON struct {
	Article    string  `json:"article"`
	Snapshot   string  `json:"snapshot"`
	Source     string  `json:"source"`
	Title      string  `json:"title"`
	URL        string  `json:"url"`
	CapturedAt *string `json:"captured_at"`
	Snippet    string  `json:"snippet"`
}

// changeJSON is a new article or revision (the feeds' items).
type changeJSON struct {
	historyJSON
	Article string `json:"article"`
	Source  string `json:"source"`
	URL     string `json:"url"`
	Outcome string `json:"outcome"`
}

type errorJSON struct {
	Error string `json:"error"`
}

func jsonTime(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func toArticleJSON(a store.Article) articleJSON {
	return articleJSON{ID: a.ID, Source: a.Source, URL: a.URL, Title: a.Title, Snapshots: a.Snapshots,
		FirstSeen: jsonTime(&a.FirstSeen), LastCapturedAt: jsonTime(a.LastCapturedAt), LatestRevisionDate: jsonTime(a.LatestRevisionDate)}
}

func toHistoryJSON(s store.SnapshotInfo) historyJSON {
	return historyJSON{ID: s.ID, CapturedAt: jsonTime(&s.CapturedAt), RevisionDate: jsonTime(s.RevisionDate),
		PublishedDate: jsonTime(s.PublishedDate), Title: s.Title, Fingerprint: s.Fingerprint, Words: s.Words}
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
	out := make([]sourceJSON, 0, len(rows))
	for _, row := range rows {
		out = append(out, sourceJSON{Name: row.Name, Title: row.Title, Feed: row.Feed, Schedule: row.Schedule,
			NextRun: jsonTime(row.NextRun), LastPollAt: jsonTime(row.LastPollAt), LastOutcome: row.LastOutcome,
			LastError: row.LastError, Articles: row.Articles, Snapshots: row.Snapshots})
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
	out := make([]articleJSON, 0, len(arts))
	for _, a := range arts {
		out = append(out, toArticleJSON(a))
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
		out = append(out, changeJSON{historyJSON: toHistoryJSON(c.SnapshotInfo), Article: c.ArticleID, Source: c.Source, URL: c.URL, Outcome: c.Outcome})
	}
	writeJSON(w, r, http.StatusOK, out)
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	d, msg, err := s.search(r)
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
	out := make([]hitJSON, 0, len(d.Hits))
	for _, h := range d.Hits {
		out = append(out, hitJSON{Article: h.ArticleID, Snapshot: h.SnapshotID, Source: h.Source, Title: h.Title,
			URL: h.URL, CapturedAt: jsonTime(&h.CapturedAt), Snippet: h.Hit.Snippet})
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
	if a, ok := s.apiLoadArticle(w, r); ok {
		writeJSON(w, r, http.StatusOK, toArticleJSON(*a))
	}
}

// apiHistory is `annalist history --json`.
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
	out := make([]historyJSON, 0, len(infos))
	for _, si := range infos {
		out = append(out, toHistoryJSON(si))
	}
	writeJSON(w, r, http.StatusOK, out)
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
	writeJSON(w, r, http.StatusOK, snapshotJSON{ID: sn.ID, Article: a.ID, Source: a.Source, URL: sn.URL, CanonicalURL: a.URL,
		CapturedAt: jsonTime(&sn.CapturedAt), RevisionDate: jsonTime(sn.RevisionDate), PublishedDate: jsonTime(sn.PublishedDate),
		Title: sn.Title, Byline: sn.Byline, Fingerprint: sn.Fingerprint, Words: sn.Words, Extractor: sn.Extractor,
		WARC: warcJSON{File: sn.WARCFile, Offset: sn.WARCOffset, RecordID: sn.WARCRecordID, PayloadDigest: sn.PayloadDigest},
		Text: sn.Text, Markdown: sn.Markdown, HTML: sn.HTML})
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
	ft, err := s.st.SnapshotText(r.Context(), from.ID)
	if err != nil {
		s.apiError(w, r, err, 0, "")
		return
	}
	tt, err := s.st.SnapshotText(r.Context(), to.ID)
	if err != nil {
		s.apiError(w, r, err, 0, "")
		return
	}
	chunks := worddiff.Diff(ft, tt)
	st := worddiff.Count(chunks)
	out := diffJSON{Article: a.ID, From: toHistoryJSON(from), To: toHistoryJSON(to), Removed: st.Removed, Added: st.Added,
		Chunks: []diffChunkJSON{}}
	for _, c := range chunks {
		out.Chunks = append(out.Chunks, diffChunkJSON{Op: c.Op.String(), Text: c.Text})
	}
	if from.Title != to.Title {
		out.Title = &diffTitleChange{From: from.Title, To: to.Title}
	}
	writeJSON(w, r, http.StatusOK, out)
}
