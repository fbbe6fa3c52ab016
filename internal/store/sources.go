package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Poll outcomes for RecordPoll.
const (
	PollOK          = "ok"
	PollNotModified = "not-modified"
	PollError       = "error"
	// PollInterrupted: the poll was stopped (Ctrl-C, a daemon's shutdown) after archiving some
	// of its pages; the rest are due at the next poll. It is no failure of
	// the source: the count of failures in a row stays as it was.
	PollInterrupted = "interrupted"
)

// SyncSources records the configured sources' name, title and feed URL,
// keeping their poll state. Sources no longer configured stay, with their
// articles.
func (s *Store) SyncSources(ctx context.Context, srcs []Source) error {
	if err := s.writable(); err != nil {
		return fmt.Errorf("sync sources: %w", err)
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sync sources: begin: %w", err)
	}
	defer tx.Rollback()
	for _, src := range srcs {
		if src.Name == "" {
			return errors.New("sync sources: source without a name")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sources (name, title, feed) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET title = excluded.title, feed = excluded.feed`,
			src.Name, src.Title, src.Feed); err != nil {
			return fmt.Errorf("sync sources: %s: %w", src.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sync sources: commit: %w", err)
	}
	return nil
}

const sourceCols = `s.name, s.title, s.feed, s.etag, s.last_modified, s.last_poll_at, s.last_outcome, s.last_error, s.failures,
	(SELECT count(*) FROM articles a WHERE a.source = s.name),
	(SELECT count(*) FROM snapshots n JOIN articles a ON a.id = n.article_id WHERE a.source = s.name),
	(SELECT count(*) FROM articles a WHERE a.source = s.name AND a.state = 'gone')`

func scanSource(r rowScanner) (*Source, error) {
	var src Source
	var polled sql.NullString
	if err := r.Scan(&src.Name, &src.Title, &src.Feed, &src.ETag, &src.LastModified, &polled,
		&src.LastOutcome, &src.LastError, &src.Failures, &src.Articles, &src.Snapshots, &src.Gone); err != nil {
		return nil, err
	}
	var err error
	if src.LastPollAt, err = parseTimePtr(polled); err != nil {
		return nil, err
	}
	return &src, nil
}

// Sources lists every source the store knows, configured or seen in a
// capture, with article and snapshot counts and poll state, by name.
func (s *Store) Sources(ctx context.Context) ([]Source, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+sourceCols+` FROM sources s ORDER BY s.name`)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	out := []Source{}
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		out = append(out, *src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return out, nil
}

// Source returns one source, or ErrNotFound.
func (s *Store) Source(ctx context.Context, name string) (*Source, error) {
	src, err := scanSource(s.rdb.QueryRowContext(ctx, `SELECT `+sourceCols+` FROM sources s WHERE s.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read source: %w", err)
	}
	return src, nil
}

// RecordPoll records the outcome of one feed poll: "ok", "not-modified" or
// "error" (with errText); Source.Failures counts the errors in a row. etag and lastModified are the validators for the
// next conditional GET: set by an "ok" poll (even to ""), kept otherwise.
func (s *Store) RecordPoll(ctx context.Context, name string, at time.Time, outcome, errText, etag, lastModified string) error {
	switch outcome {
	case PollOK, PollNotModified, PollError, PollInterrupted:
	default:
		return fmt.Errorf("record poll %s: unknown outcome %q", name, outcome)
	}
	// A good or interrupted poll sets the validators, even to "" (a server
	// that sent none, or a harvester that wants the full feed next time); a
	// 304 or a failure keeps the old ones.
	if err := s.writable(); err != nil {
		return fmt.Errorf("record poll %s: %w", name, err)
	}
	keep := outcome == PollNotModified || outcome == PollError
	if _, err := s.wdb.ExecContext(ctx, `INSERT INTO sources (name, last_poll_at, last_outcome, last_error, etag, last_modified, failures)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?3 = 'error' THEN 1 ELSE 0 END)
		ON CONFLICT (name) DO UPDATE SET
			failures = CASE excluded.last_outcome WHEN 'error' THEN sources.failures + 1 WHEN 'interrupted' THEN sources.failures ELSE 0 END,
			last_poll_at = excluded.last_poll_at,
			last_outcome = excluded.last_outcome,
			last_error = excluded.last_error,
			etag = CASE WHEN ?7 THEN sources.etag ELSE excluded.etag END,
			last_modified = CASE WHEN ?7 THEN sources.last_modified ELSE excluded.last_modified END`,
		name, fmtTime(at), outcome, errText, etag, lastModified, keep); err != nil {
		return fmt.Errorf("record poll %s: %w", name, err)
	}
	return nil
}
