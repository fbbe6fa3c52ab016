package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// recordEvent applies p's event inside SaveCapture's transaction: a move
// renames the article (its ID stays; the old URLs stay in article_urls),
// a return sets the state back. Callers decide the event (harvest);
// the store only writes it.
func (s *Store) recordEvent(ctx context.Context, tx queryer, id string, p *Page) error {
	if p.MovedFrom != "" {
		fetchURL := p.FinalURL
		if fetchURL == "" {
			fetchURL = p.Canonical
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET url = ?, fetch_url = ? WHERE id = ?`, p.Canonical, fetchURL, id); err != nil {
			return fmt.Errorf("move article: %w", err)
		}
		if err := s.insertEvent(ctx, tx, Event{ArticleID: id, Source: p.Source, At: p.CapturedAt, Kind: EventMoved, URL: p.Canonical, Detail: p.MovedFrom}); err != nil {
			return err
		}
	}
	if p.Back {
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET state = ?, state_since = ? WHERE id = ? AND state = ?`,
			StateBack, fmtTime(p.CapturedAt), id, StateGone); err != nil {
			return fmt.Errorf("article back: %w", err)
		}
		if err := s.insertEvent(ctx, tx, Event{ArticleID: id, Source: p.Source, At: p.CapturedAt, Kind: EventBack, URL: p.FinalURL}); err != nil {
			return err
		}
	}
	return nil
}

// insertEvent writes e and queues its webhook notifications in the same
// transaction.
func (s *Store) insertEvent(ctx context.Context, q queryer, e Event) error {
	// RETURNING, not LastInsertId: PostgreSQL's driver has no last ID.
	var eventID int64
	if err := q.QueryRowContext(ctx, `INSERT INTO article_events (article_id, source, at, kind, url, detail) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		e.ArticleID, e.Source, fmtTime(e.At), e.Kind, e.URL, e.Detail).Scan(&eventID); err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return s.queueNotify(ctx, q, notice{event: e.Kind, articleID: e.ArticleID, source: e.Source, eventID: eventID})
}

// Gone is a check that found an archived article gone.
type Gone struct {
	ArticleID  string
	Source     string
	URL        string    // the URL fetched
	CapturedAt time.Time // zero = now
	HTTPStatus int       // of the last response (0 = none)
	Reason     string    // what showed it gone: "410 Gone", "redirected to the home page …", "soft 404: …"
	// FetchDuration is how long the fetch took (0 = unknown).
	FetchDuration time.Duration
	NextCheckAt   *time.Time // nil keeps the article's current re-check time
}

// RecordGone records a check that found the article gone: a capture with
// outcome "gone" (the reason as its text) and, when the article was not
// gone already, the state "gone" since this check and a "gone" event. Its
// snapshots stay. The page validators and body key are forgotten, so the
// article's return is fetched and read in full. An article the archive
// does not have is ErrNotFound.
func (s *Store) RecordGone(ctx context.Context, g Gone) error {
	if g.ArticleID == "" || g.Source == "" {
		return errors.New("record gone: needs ArticleID and Source")
	}
	if err := s.writable(); err != nil {
		return fmt.Errorf("record gone %s: %w", g.ArticleID, err)
	}
	if g.CapturedAt.IsZero() {
		g.CapturedAt = s.now()
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record gone: begin: %w", err)
	}
	defer tx.Rollback()
	if s.pg {
		// The read of the state and the gone event must not interleave
		// with another worker's check of the article (see lockArticles).
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?::text, 0))`, g.ArticleID); err != nil {
			return fmt.Errorf("record gone: lock article: %w", err)
		}
	}
	var state string
	err = tx.QueryRowContext(ctx, `SELECT state FROM articles WHERE id = ?`, g.ArticleID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("record gone %s: %w", g.ArticleID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("record gone: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sources(name) VALUES (?) ON CONFLICT DO NOTHING`, g.Source); err != nil {
		return fmt.Errorf("record gone: %w", err)
	}
	if err := insertCapture(ctx, tx, g.ArticleID, g.Source, g.URL, g.CapturedAt, OutcomeGone, g.Reason, "", g.FetchDuration, nil, g.HTTPStatus); err != nil {
		return fmt.Errorf("record gone: %w", err)
	}
	at := fmtTime(g.CapturedAt)
	if _, err := tx.ExecContext(ctx, `UPDATE articles SET
			last_captured_at = max(coalesce(last_captured_at, ''), ?),
			next_check_at = coalesce(?, next_check_at),
			etag = '', last_modified = '', body_key = ''
		WHERE id = ?`, at, fmtTimePtr(g.NextCheckAt), g.ArticleID); err != nil {
		return fmt.Errorf("record gone: %w", err)
	}
	if state != StateGone {
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET state = ?, state_since = ? WHERE id = ?`, StateGone, at, g.ArticleID); err != nil {
			return fmt.Errorf("record gone: %w", err)
		}
		if err := s.insertEvent(ctx, tx, Event{ArticleID: g.ArticleID, Source: g.Source, At: g.CapturedAt, Kind: EventGone, URL: g.URL, Detail: g.Reason}); err != nil {
			return fmt.Errorf("record gone: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record gone: commit: %w", err)
	}
	return nil
}

const eventCols = `e.article_id, e.source, e.at, e.kind, e.url, e.detail`

func (s *Store) queryEvents(ctx context.Context, q string, args ...any) ([]Event, error) {
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&e.ArticleID, &e.Source, &at, &e.Kind, &e.URL, &e.Detail); err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return out, nil
}

// Events lists an article's moves, removals and returns, oldest first.
func (s *Store) Events(ctx context.Context, articleID string) ([]Event, error) {
	return s.queryEvents(ctx, `SELECT `+eventCols+` FROM article_events e WHERE e.article_id = ? ORDER BY e.at, e.id`, articleID)
}

// RecentEvents lists the latest events of every article (of source, if
// not ""), most recent first; limit 0 = 50.
func (s *Store) RecentEvents(ctx context.Context, source string, limit int) ([]Event, error) {
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT ` + eventCols + ` FROM article_events e`
	var args []any
	if source != "" {
		q += ` WHERE e.source = ?`
		args = append(args, source)
	}
	q += ` ORDER BY e.at DESC, e.id DESC LIMIT ?`
	return s.queryEvents(ctx, q, append(args, limit)...)
}

// SyndicatedCopies lists the articles whose page declares one of a's URLs
// as its canonical: copies on other sites naming a as their original.
func (s *Store) SyndicatedCopies(ctx context.Context, a *Article) ([]Article, error) {
	return s.listArticles(ctx, `SELECT `+articleCols+` FROM articles a
		WHERE a.declared_canonical != '' AND a.id != ? AND a.declared_canonical IN (SELECT url FROM article_urls WHERE article_id = ?)
		ORDER BY a.first_seen, a.id`, a.ID, a.ID)
}
