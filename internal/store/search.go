package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ErrBadQuery is returned by Search for a query FTS5 cannot parse.
var ErrBadQuery = errors.New("store: bad search query")

// Hit is one snapshot matching a search.
type Hit struct {
	ArticleID  string
	SnapshotID string
	Source     string
	Title      string    // of the snapshot
	URL        string    // the article's canonical URL
	CapturedAt time.Time // the second its ID names
	// CapturedExact is the snapshot's full capture time
	// (Snapshot.CapturedExact): what orders an article's versions.
	CapturedExact time.Time
	// RevisionDate is the snapshot's declared revision date, nil if none.
	RevisionDate *time.Time
	Snippet      string // a passage of the text, matched words marked «like this»
}

// SearchOptions narrow a search.
type SearchOptions struct {
	Source     string
	LatestOnly bool // only each article's latest snapshot
	Limit      int  // 0 = 50
	// Captured at or after From and before To, when set: filtered before
	// any text is read, so cheaper than taking more hits and dropping some.
	From, To *time.Time
}

// Search finds snapshots whose title or text match query, most recently
// stored first (snapshots.seq descending: capture order, unless captures
// were saved out of order). The query is FTS5 syntax: plain words are
// ANDed, "a phrase", OR, NOT, prefix*, title:word, ^initial. A plain word
// with punctuation in it (Ching-kuo, U.S.) is searched as a phrase. NEAR is
// not supported. A query that cannot be parsed returns an error wrapping
// ErrBadQuery. Snippets mark the matched words with « and ».
//
// There is no relevance ranking: the index is contentless with
// detail=column, and FTS5's bm25 counts term frequencies by re-reading the
// text, which a contentless table lacks, so it scores every row 0. Newest
// first lets FTS5 walk its rowids in order and stop once the page is full,
// so a query matching most of the archive costs no more than a rare one.
// Only the returned hits are decompressed for their snippets.
//
// Phrases and ^ are checked against each candidate's text (the index holds
// no word positions), so their cost grows with the number of snapshots
// holding all the phrase's words that are read before the page is full.
func (s *Store) Search(ctx context.Context, query string, o SearchOptions) ([]Hit, error) {
	q := ftsQuery(query)
	if q == "" {
		return nil, fmt.Errorf("%w: empty query", ErrBadQuery)
	}
	ast, err := parseQuery(q)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrBadQuery, query, err)
	}
	limit := o.Limit
	if limit <= 0 {
		limit = 50
	}
	match, batch := q, limit
	exact := ast.exact()
	if !exact {
		match, batch = ast.relaxed(), max(4*limit, 64)
	}
	// CROSS JOIN keeps the index as the outer loop, walked in rowid order;
	// left to itself the planner may scan snapshots and probe the index
	// once per row.
	sqlq := `SELECT s.seq, s.id, s.article_id, a.source, s.title, a.url, s.captured_at, coalesce(s.captured_exact, s.captured_at), s.revision_date, s.text, s.warc_file, s.warc_offset
		FROM snapshots_fts f
		CROSS JOIN snapshots s ON s.seq = f.rowid
		CROSS JOIN articles a ON a.id = s.article_id
		WHERE snapshots_fts MATCH ? AND f.rowid < ?`
	matchArgs := []any{match}
	if s.pg {
		// PostgreSQL: tsquery over GIN, as relaxed a superset of the hits;
		// the same checks in Go below make it exact.
		matchArgs = nil
		sqlq = `SELECT s.seq, s.id, s.article_id, a.source, s.title, a.url, s.captured_at, coalesce(s.captured_exact, s.captured_at), s.revision_date, s.text, s.warc_file, s.warc_offset
		FROM snapshots_fts f
		JOIN snapshots s ON s.seq = f.rowid
		JOIN articles a ON a.id = s.article_id
		WHERE ` + ast.pgMatch(&matchArgs) + ` AND f.rowid < ?`
	}
	var filter []any
	switch {
	case o.LatestOnly:
		// A set built once per query, probed per candidate: cheaper than
		// two table lookups per candidate when latest snapshots are sparse
		// among the matches. The + keeps SQLite from handing the IN list to
		// FTS5 as rowids to look up one query at a time.
		sqlq += ` AND +f.rowid IN (SELECT latest_seq FROM articles`
		if o.Source != "" {
			sqlq += ` WHERE source = ?`
			filter = append(filter, o.Source)
		}
		sqlq += `)`
	case o.Source != "" && s.sparseSource(ctx, o.Source):
		// A source with a small share of the archive: walking every match
		// and dropping other sources' could visit nearly all of them, so
		// probe a set of the source's snapshots instead.
		sqlq += ` AND +f.rowid IN (SELECT s2.seq FROM articles a2 JOIN snapshots s2 ON s2.article_id = a2.id WHERE a2.source = ?)`
		filter = append(filter, o.Source)
	case o.Source != "":
		sqlq += ` AND a.source = ?`
		filter = append(filter, o.Source)
	}
	if o.From != nil {
		sqlq += ` AND s.captured_at >= ?`
		filter = append(filter, fmtTime(*o.From))
	}
	if o.To != nil {
		sqlq += ` AND s.captured_at < ?`
		filter = append(filter, fmtTime(*o.To))
	}
	sqlq += ` ORDER BY f.rowid DESC LIMIT ?`
	terms := queryTerms(q)
	out := []Hit{}
	for before := int64(math.MaxInt64); ; {
		args := append(append(append([]any{}, matchArgs...), before), filter...)
		found, err := s.searchRows(ctx, query, sqlq, append(args, batch))
		if err != nil {
			return nil, err
		}
		for _, h := range found {
			before = h.seq
			text, err := s.inflateText(ctx, h.textZ, h.file, h.offset)
			if err != nil {
				// The hit stands without a snippet (and unchecked against
				// phrases): a missing WARC file must not hide it.
				s.log.Warn("no text for search hit", "snapshot", h.SnapshotID, "err", err)
			} else if !exact {
				d := newDoc(h.Title, text)
				if !ast.match(&d) {
					continue
				}
			}
			h.Snippet = snippet(text, terms, 30)
			out = append(out, h.Hit)
			if len(out) == limit {
				return out, nil
			}
		}
		if exact || len(found) < batch {
			return out, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		batch = min(2*batch, maxSearchBatch)
	}
}

// sparseShare: a source with fewer than this share of the archive's
// articles is searched through a set of its snapshots.
const sparseShare = 0.2

// sparseSource reports whether source holds a small share of the archive's
// articles (both counts come from indexes).
func (s *Store) sparseSource(ctx context.Context, source string) bool {
	var mine, all int
	err := s.rdb.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM articles WHERE source = ?), (SELECT count(*) FROM articles)`, source).
		Scan(&mine, &all)
	return err == nil && float64(mine) < sparseShare*float64(all)
}

// maxSearchBatch bounds the candidates (with their compressed text) one
// query of a phrase search holds in memory.
const maxSearchBatch = 1024

type hitRow struct {
	Hit
	seq    int64
	textZ  []byte
	file   string
	offset int64
}

// searchRows runs one page of the candidate query.
func (s *Store) searchRows(ctx context.Context, query, sqlq string, args []any) ([]hitRow, error) {
	rows, err := s.rdb.QueryContext(ctx, s.exactCol(ctx, sqlq), args...)
	if err != nil {
		return nil, searchErr(query, err)
	}
	defer rows.Close()
	var found []hitRow
	for rows.Next() {
		var h hitRow
		var at, exact string
		var rev sql.NullString
		if err := rows.Scan(&h.seq, &h.SnapshotID, &h.ArticleID, &h.Source, &h.Title, &h.URL, &at, &exact, &rev, &h.textZ, &h.file, &h.offset); err != nil {
			return nil, searchErr(query, err)
		}
		if h.CapturedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if h.CapturedExact, err = parseTime(exact); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if h.RevisionDate, err = parseTimePtr(rev); err != nil {
			return nil, fmt.Errorf("search: revision date of %s: %w", h.SnapshotID, err)
		}
		found = append(found, h)
	}
	if err := rows.Err(); err != nil {
		return nil, searchErr(query, err)
	}
	return found, nil
}

// searchErr tells a query FTS5 rejected from a failing database.
func searchErr(query string, err error) error {
	msg := err.Error()
	for _, m := range []string{"fts5", "syntax error", "no such column", "unterminated", "unknown special query"} {
		if strings.Contains(msg, m) {
			return fmt.Errorf("%w %q: %s", ErrBadQuery, query, msg)
		}
	}
	return fmt.Errorf("search %q: %w", query, err)
}

// ftsQuery quotes plain words that hold punctuation FTS5 would reject
// (Ching-kuo → "Ching-kuo"); words with FTS5 syntax in them are left as
// they are, so a real syntax error still reaches the user.
func ftsQuery(query string) string {
	var parts []string
	for _, tok := range splitQuery(query) {
		if strings.ContainsAny(tok, `"()*:^{}+`) || isBareword(tok) {
			parts = append(parts, tok)
			continue
		}
		parts = append(parts, `"`+tok+`"`)
	}
	return strings.Join(parts, " ")
}

// splitQuery splits on white space outside double quotes.
func splitQuery(q string) []string {
	var toks []string
	var cur strings.Builder
	inQuote := false
	for _, r := range q {
		switch {
		case r == '"':
			inQuote = !inQuote
			cur.WriteRune(r)
		case unicode.IsSpace(r) && !inQuote:
			if cur.Len() > 0 {
				toks = append(toks, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		toks = append(toks, cur.String())
	}
	return toks
}

func isBareword(s string) bool {
	for _, r := range s {
		if !(r > 127 || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

type term struct {
	word   string
	prefix bool
}

// queryTerms picks the words of an FTS5 query that a snippet should mark.
func queryTerms(q string) []term {
	var terms []term
	for _, tok := range splitQuery(q) {
		if tok == "AND" || tok == "OR" || tok == "NOT" || strings.HasPrefix(tok, "NEAR(") {
			continue
		}
		if i := strings.LastIndex(tok, ":"); i >= 0 && !strings.HasPrefix(tok, `"`) {
			tok = tok[i+1:]
		}
		prefix := strings.HasSuffix(strings.TrimRight(tok, `)"`), "*")
		for _, w := range words(tok) {
			terms = append(terms, term{word: fold(tok[w[0]:w[1]]), prefix: prefix})
		}
	}
	return terms
}

// words returns the [start, end) byte spans of the words in s, as FTS5's
// unicode61 tokenizer sees them: runs of letters, digits and marks.
func words(s string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range s {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || unicode.Is(unicode.Co, r)
		if in && start < 0 {
			start = i
		} else if !in && start >= 0 {
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}

// fold lower-cases and strips diacritics, as remove_diacritics does.
func fold(s string) string {
	d := norm.NFD.String(strings.ToLower(s))
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, d)
}

// snippet returns about n words of text around the densest cluster of
// matched words, with the matches marked «like this».
func snippet(text string, terms []term, n int) string {
	ws := words(text)
	if len(ws) == 0 {
		return ""
	}
	var hits []int
	isHit := make([]bool, len(ws))
	for i, w := range ws {
		f := fold(text[w[0]:w[1]])
		for _, t := range terms {
			if f == t.word || t.prefix && strings.HasPrefix(f, t.word) {
				hits = append(hits, i)
				isHit[i] = true
				break
			}
		}
	}
	start := 0
	if len(hits) > 0 {
		best, j := 0, 0
		for i := range hits {
			for j < len(hits) && hits[j] < hits[i]+n {
				j++
			}
			if j-i > best {
				best, start = j-i, hits[i]
			}
		}
		start = max(0, min(start-n/4, len(ws)-n))
	}
	end := min(len(ws), start+n)
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	pos := ws[start][0]
	for i := start; i < end; i++ {
		w := ws[i]
		b.WriteString(text[pos:w[0]])
		if isHit[i] {
			b.WriteString("«" + text[w[0]:w[1]] + "»")
		} else {
			b.WriteString(text[w[0]:w[1]])
		}
		pos = w[1]
	}
	if end < len(ws) {
		b.WriteString("…")
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
