package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// CaptureFilter selects captures. Zero values select everything.
type CaptureFilter struct {
	Source    string
	ArticleID string
	Limit     int // 0 = no limit
}

// Captures lists captures, newest first, in the order they were taken
// (the last first).
func (s *Store) Captures(ctx context.Context, f CaptureFilter) ([]Capture, error) {
	// A check that stored a snapshot is dated at the snapshot's ID's
	// second, which can fall before a check made earlier in that second
	// (a gone, then a return with new text) or, moved on, after a newer
	// one: such a check is placed by its snapshot's full capture time.
	// Not the order they were recorded in either: two writers (a daemon
	// and a fetch) record a late check after a newer one.
	q := `SELECT c.id, c.article_id, c.source, c.url, c.captured_at, c.outcome, c.error, c.snapshot_id, c.fetch_ms, c.revision_date, c.http_status
		FROM captures c LEFT JOIN snapshots s ON s.id = c.snapshot_id WHERE 1=1`
	var args []any
	if f.Source != "" {
		q += ` AND c.source = ?`
		args = append(args, f.Source)
	}
	if f.ArticleID != "" {
		q += ` AND c.article_id = ?`
		args = append(args, f.ArticleID)
	}
	q += ` ORDER BY coalesce(s.captured_exact, c.captured_at) DESC, c.id DESC`
	q += limitClause(f.Limit, 0)
	rows, err := s.rdb.QueryContext(ctx, s.exactCol(ctx, q), args...)
	if err != nil {
		return nil, fmt.Errorf("list captures: %w", err)
	}
	defer rows.Close()
	out := []Capture{}
	for rows.Next() {
		var c Capture
		var article, snap, rev sql.NullString
		var fetchMS, status sql.NullInt64
		var at string
		if err := rows.Scan(&c.ID, &article, &c.Source, &c.URL, &at, &c.Outcome, &c.Error, &snap, &fetchMS, &rev, &status); err != nil {
			return nil, fmt.Errorf("list captures: %w", err)
		}
		c.ArticleID, c.SnapshotID = article.String, snap.String
		c.FetchDuration = time.Duration(fetchMS.Int64) * time.Millisecond
		c.HTTPStatus = int(status.Int64)
		if c.RevisionDate, err = parseTimePtr(rev); err != nil {
			return nil, fmt.Errorf("list captures: %w", err)
		}
		if c.CapturedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("list captures: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list captures: %w", err)
	}
	return out, nil
}
