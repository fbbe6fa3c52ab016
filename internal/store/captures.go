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

// Captures lists captures, newest first (one article's, last recorded first).
func (s *Store) Captures(ctx context.Context, f CaptureFilter) ([]Capture, error) {
	q := `SELECT id, article_id, source, url, captured_at, outcome, error, snapshot_id, fetch_ms, revision_date, http_status FROM captures WHERE 1=1`
	var args []any
	if f.Source != "" {
		q += ` AND source = ?`
		args = append(args, f.Source)
	}
	if f.ArticleID != "" {
		q += ` AND article_id = ?`
		args = append(args, f.ArticleID)
	}
	if f.ArticleID != "" {
		// One article's checks in the order they were recorded: a new
		// snapshot's capture is dated at its ID's second, which can fall
		// before a check made earlier in that second (a gone, then a
		// return with new text, listed the other way round).
		q += ` ORDER BY id DESC`
	} else {
		q += ` ORDER BY captured_at DESC, id DESC`
	}
	q += limitClause(f.Limit, 0)
	rows, err := s.rdb.QueryContext(ctx, q, args...)
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
