package store

// Reads for browsing the archive (the web UI): metadata without bodies,
// pages of articles with totals, recent changes across sources, counts for
// metrics. None of them decompress anything unless they say so.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SnapshotInfo is a snapshot's metadata without its bodies: what a
// timeline needs, read from SQLite alone.
type SnapshotInfo struct {
	ID            string
	ArticleID     string
	CapturedAt    time.Time // the second its ID names
	CapturedExact time.Time // as Snapshot.CapturedExact
	RevisionDate  *time.Time
	PublishedDate *time.Time
	Title         string
	Fingerprint   string
	Words         int
	Pages         int // pages of a paginated article joined (1 for most)
	// Changes since the snapshot before; nil for the first snapshot and
	// when not computed yet (see FillWordChanges).
	Changes *WordChanges
	// TextDamaged is set by FillWordChanges when this snapshot's text or
	// the previous one's cannot be read (ErrDamaged): no change counted.
	TextDamaged bool
	// DeclaredCanonical is the off-site rel=canonical of the page ("" = none).
	DeclaredCanonical string
}

const snapshotInfoCols = `s.id, s.article_id, s.captured_at, coalesce(s.captured_exact, s.captured_at), s.revision_date, s.published_date, s.title, s.fingerprint, s.words, s.pages,
	s.words_added, s.words_removed, s.declared_canonical`

func scanSnapshotInfo(r rowScanner, extra ...any) (*SnapshotInfo, error) {
	var si SnapshotInfo
	var captured, exact string
	var rev, pub sql.NullString
	var added, removed sql.NullInt64
	dest := append([]any{&si.ID, &si.ArticleID, &captured, &exact, &rev, &pub, &si.Title, &si.Fingerprint, &si.Words, &si.Pages,
		&added, &removed, &si.DeclaredCanonical}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	if added.Valid && removed.Valid {
		si.Changes = &WordChanges{Added: int(added.Int64), Removed: int(removed.Int64)}
	}
	var err error
	if si.CapturedAt, err = parseTime(captured); err != nil {
		return nil, err
	}
	if si.CapturedExact, err = parseTime(exact); err != nil {
		return nil, err
	}
	if si.RevisionDate, err = parseTimePtr(rev); err != nil {
		return nil, err
	}
	if si.PublishedDate, err = parseTimePtr(pub); err != nil {
		return nil, err
	}
	return &si, nil
}

// SnapshotInfos lists an article's snapshots, oldest first, without their
// bodies. ErrNotFound for an unknown article; an article whose every
// capture failed has none.
func (s *Store) SnapshotInfos(ctx context.Context, articleID string) ([]SnapshotInfo, error) {
	rows, err := s.rdb.QueryContext(ctx, s.exactCol(ctx, `SELECT `+snapshotInfoCols+` FROM snapshots s
		WHERE s.article_id = ? ORDER BY `+snapshotOrder), articleID)
	if err != nil {
		return nil, fmt.Errorf("list snapshot infos: %w", err)
	}
	defer rows.Close()
	out := []SnapshotInfo{}
	for rows.Next() {
		si, err := scanSnapshotInfo(rows)
		if err != nil {
			return nil, fmt.Errorf("list snapshot infos: %w", err)
		}
		out = append(out, *si)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list snapshot infos: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		if _, err := s.Article(ctx, articleID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SnapshotText returns only the plain text of one snapshot: cheaper than
// Snapshot, which also inflates its HTML and Markdown. ErrNotFound for an
// unknown snapshot.
func (s *Store) SnapshotText(ctx context.Context, snapshotID string) (string, error) {
	var textZ []byte
	var file string
	var offset int64
	err := s.rdb.QueryRowContext(ctx, `SELECT text, warc_file, warc_offset FROM snapshots WHERE id = ?`, snapshotID).
		Scan(&textZ, &file, &offset)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read snapshot text %s: %w", snapshotID, err)
	}
	text, err := s.inflateText(ctx, textZ, file, offset)
	if err != nil {
		return "", fmt.Errorf("snapshot %s text: %w", snapshotID, err)
	}
	return text, nil
}

// ArticleQuery selects a page of articles. Zero values select everything.
type ArticleQuery struct {
	Source string
	From   *time.Time // first seen at or after From
	To     *time.Time // first seen before To
	Limit  int        // 0 = no limit
	Offset int
}

func (q ArticleQuery) where() (string, []any) {
	w := ` WHERE 1=1`
	var args []any
	if q.Source != "" {
		w += ` AND a.source = ?`
		args = append(args, q.Source)
	}
	if q.From != nil {
		w += ` AND a.first_seen >= ?`
		args = append(args, fmtTime(*q.From))
	}
	if q.To != nil {
		w += ` AND a.first_seen < ?`
		args = append(args, fmtTime(*q.To))
	}
	return w, args
}

// ArticlePage lists the articles q selects, most recently first seen first,
// and how many it selects in all (ignoring Limit and Offset).
func (s *Store) ArticlePage(ctx context.Context, q ArticleQuery) ([]Article, int, error) {
	w, args := q.where()
	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM articles a`+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count articles: %w", err)
	}
	arts, err := s.listArticles(ctx, `SELECT `+articleCols+` FROM articles a`+w+
		` ORDER BY a.first_seen DESC, a.id`+limitClause(q.Limit, q.Offset), args...)
	if err != nil {
		return nil, 0, err
	}
	return arts, total, nil
}

// Change is a stored snapshot seen as an event: an article archived for the
// first time ("new") or a revision of it ("revised").
type Change struct {
	SnapshotInfo
	Outcome string // OutcomeNew or OutcomeRevised
	Source  string
	URL     string // the article's canonical URL
}

// ChangeFilter selects changes. Zero values select everything.
type ChangeFilter struct {
	Source string
	Limit  int // 0 = 50
}

// Changes lists new articles and revisions, most recent first in the
// order of their full capture times (then seq, as snapshotOrder), from
// the capture log. Not by the second a change is dated at: a snapshot
// stored late, captured earlier in a second than a newer one stored
// before it, has its ID and date moved on past that one's, and would
// show as the latest revision. Two look-ups on the capture log's index
// by time keep this fast however big the archive (changesAfter).
func (s *Store) Changes(ctx context.Context, f ChangeFilter) ([]Change, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	after, err := s.changesAfter(ctx, f.Source, limit)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	q := `SELECT ` + snapshotInfoCols + `, c.outcome, a.source, a.url
		FROM captures c
		JOIN snapshots s ON s.id = c.snapshot_id
		JOIN articles a ON a.id = s.article_id
		WHERE c.outcome IN ('new', 'revised') AND c.captured_at > ?`
	args := []any{after}
	if f.Source != "" {
		q += ` AND c.source = ?`
		args = append(args, f.Source)
	}
	q += ` ORDER BY coalesce(s.captured_exact, s.captured_at) DESC, s.seq DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.rdb.QueryContext(ctx, s.exactCol(ctx, q), args...)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	defer rows.Close()
	out := []Change{}
	for rows.Next() {
		var c Change
		si, err := scanSnapshotInfo(rows, &c.Outcome, &c.Source, &c.URL)
		if err != nil {
			return nil, fmt.Errorf("list changes: %w", err)
		}
		c.SnapshotInfo = *si
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	return out, nil
}

// changesAfter bounds the capture log's dates (captured_at, a stored
// snapshot's second) that can hold the limit most recent changes by full
// capture time: the last limit changes by date are limit changes captured
// at or after the earliest full time m among them, and a change dated at
// or before m-1s was captured before m (a snapshot's second is never
// before its capture's, so its full time is under its date + 1s). "" when
// there are none.
func (s *Store) changesAfter(ctx context.Context, source string, limit int) (string, error) {
	q := `SELECT coalesce(s.captured_exact, s.captured_at) FROM captures c JOIN snapshots s ON s.id = c.snapshot_id
		WHERE c.outcome IN ('new', 'revised')`
	var args []any
	if source != "" {
		q += ` AND c.source = ?`
		args = append(args, source)
	}
	q += ` ORDER BY c.captured_at DESC, c.id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.rdb.QueryContext(ctx, s.exactCol(ctx, q), args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var earliest time.Time
	n := 0
	for rows.Next() {
		var exact string
		if err := rows.Scan(&exact); err != nil {
			return "", err
		}
		t, err := parseTime(exact)
		if err != nil {
			return "", err
		}
		if n == 0 || t.Before(earliest) {
			earliest = t
		}
		n++
	}
	if err := rows.Err(); err != nil || n == 0 {
		return "", err
	}
	return fmtTime(earliest.Add(-time.Second)), nil
}

// CaptureCount is how many captures of one source had one outcome.
type CaptureCount struct {
	Source  string
	Outcome string
	N       int
}

// ArchiveStats are whole-archive counts, for metrics.
type ArchiveStats struct {
	Articles  int
	Snapshots int
	Captures  []CaptureCount // by source, then outcome
	Fetches   []FetchLatency // by source
}

// FetchBuckets are the upper bounds (seconds) of the fetch-latency
// histogram in ArchiveStats.
var FetchBuckets = []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// FetchLatency is the histogram of one source's page fetch durations.
type FetchLatency struct {
	Source  string
	Count   int
	Sum     float64 // seconds
	Buckets []int   // cumulative counts, one per FetchBuckets bound
}

// Stats counts articles, snapshots, and captures by source and outcome.
// It scans the capture log: call it at a metrics scrape, not per page.
func (s *Store) Stats(ctx context.Context) (*ArchiveStats, error) {
	var st ArchiveStats
	if err := s.rdb.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM snapshots)`).
		Scan(&st.Articles, &st.Snapshots); err != nil {
		return nil, fmt.Errorf("archive stats: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT source, outcome, count(*) FROM captures GROUP BY source, outcome ORDER BY source, outcome`)
	if err != nil {
		return nil, fmt.Errorf("archive stats: %w", err)
	}
	defer rows.Close()
	st.Captures = []CaptureCount{}
	for rows.Next() {
		var c CaptureCount
		if err := rows.Scan(&c.Source, &c.Outcome, &c.N); err != nil {
			return nil, fmt.Errorf("archive stats: %w", err)
		}
		st.Captures = append(st.Captures, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive stats: %w", err)
	}
	if st.Fetches, err = s.fetchLatency(ctx); err != nil {
		return nil, fmt.Errorf("archive stats: %w", err)
	}
	return &st, nil
}

// fetchLatency builds the fetch-duration histogram of each source from the
// captures that recorded one.
func (s *Store) fetchLatency(ctx context.Context) ([]FetchLatency, error) {
	q := `SELECT source, count(*), sum(fetch_ms)`
	for _, b := range FetchBuckets {
		q += fmt.Sprintf(", sum(fetch_ms <= %d)", int64(b*1000))
	}
	q += ` FROM captures WHERE fetch_ms IS NOT NULL GROUP BY source ORDER BY source`
	rows, err := s.rdb.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []FetchLatency{}
	for rows.Next() {
		var f FetchLatency
		var sumMS int64
		f.Buckets = make([]int, len(FetchBuckets))
		dest := []any{&f.Source, &f.Count, &sumMS}
		for i := range f.Buckets {
			dest = append(dest, &f.Buckets[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		f.Sum = float64(sumMS) / 1000
		out = append(out, f)
	}
	return out, rows.Err()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	var one int
	if err := s.rdb.QueryRowContext(ctx, `SELECT 1 FROM sources LIMIT 1`).Scan(&one); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// SourceNames lists the sources by name with their title and feed only:
// no counts, so it costs nothing however big the archive.
func (s *Store) SourceNames(ctx context.Context) ([]Source, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT name, title, feed FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list source names: %w", err)
	}
	defer rows.Close()
	out := []Source{}
	for rows.Next() {
		var src Source
		if err := rows.Scan(&src.Name, &src.Title, &src.Feed); err != nil {
			return nil, fmt.Errorf("list source names: %w", err)
		}
		out = append(out, src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list source names: %w", err)
	}
	return out, nil
}
