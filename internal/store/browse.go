package store

// Reads for browsing the archive (the web UI): metadata without bodies,
// pages of articles with totals, recent changes across sources, counts for
// metrics. None of them decompress anything unless they say so.

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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
// show as the latest revision. The capture log is indexed by that date,
// so this reads the last changes by date and then the few dated just
// before them that may have been captured later (a snapshot's second is
// never before its capture's: its full time is under its date + 1s), and
// stays fast however big the archive.
func (s *Store) Changes(ctx context.Context, f ChangeFilter) ([]Change, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	where := `c.outcome IN ('new', 'revised')`
	var args []any
	if f.Source != "" {
		where += ` AND c.source = ?`
		args = append(args, f.Source)
	}
	rows, err := s.changeRows(ctx, where, args, limit)
	if err != nil {
		return nil, err
	}
	if len(rows) == limit {
		// Whatever was captured at or after the earliest full time among
		// them is dated after it - 1s: of the rows dated before the last,
		// only those can be among the most recent.
		last, earliest := rows[len(rows)-1], rows[0].CapturedExact
		for _, r := range rows {
			if r.CapturedExact.Before(earliest) {
				earliest = r.CapturedExact
			}
		}
		more, err := s.changeRows(ctx, where+` AND c.captured_at > ? AND (c.captured_at < ? OR (c.captured_at = ? AND c.id < ?))`,
			append(args[:len(args):len(args)], fmtTime(earliest.Add(-time.Second)), last.dated, last.dated, last.captureID), 0)
		if err != nil {
			return nil, err
		}
		rows = append(rows, more...)
	}
	slices.SortStableFunc(rows, func(a, b changeRow) int {
		if c := b.CapturedExact.Compare(a.CapturedExact); c != 0 {
			return c
		}
		return cmp.Compare(b.seq, a.seq)
	})
	out := make([]Change, 0, min(len(rows), limit))
	for _, r := range rows[:min(len(rows), limit)] {
		out = append(out, r.Change)
	}
	return out, nil
}

// changeRow is a Change with where it sits in the capture log (its date
// there and the capture's id) and its snapshot's seq.
type changeRow struct {
	Change
	dated     string
	captureID int64
	seq       int64
}

// changeRows reads the changes where selects, latest dated first (limit
// 0: all), through prepared statements: the home page and every feed
// request run these few texts.
func (s *Store) changeRows(ctx context.Context, where string, args []any, limit int) ([]changeRow, error) {
	q := `SELECT ` + snapshotInfoCols + `, c.outcome, a.source, a.url, c.captured_at, c.id, s.seq
		FROM captures c
		JOIN snapshots s ON s.id = c.snapshot_id
		JOIN articles a ON a.id = s.article_id
		WHERE ` + where + ` ORDER BY c.captured_at DESC, c.id DESC`
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args[:len(args):len(args)], limit)
	}
	rows, err := cachedDB{s.rstmts}.QueryContext(ctx, s.exactCol(ctx, q), args...)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	defer rows.Close()
	var out []changeRow
	for rows.Next() {
		var r changeRow
		si, err := scanSnapshotInfo(rows, &r.Outcome, &r.Source, &r.URL, &r.dated, &r.captureID, &r.seq)
		if err != nil {
			return nil, fmt.Errorf("list changes: %w", err)
		}
		r.SnapshotInfo = *si
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	return out, nil
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
