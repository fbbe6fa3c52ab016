package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// FeedItem is what the store remembers of one item of a source's feed,
// keyed by the feed package's deterministic item key.
type FeedItem struct {
	Source    string
	Key       string
	Link      string
	Updated   *time.Time
	LastSeen  time.Time
	ArticleID string // "" until the item's article has been stored
}

// FeedItems returns the remembered items of a source, by key.
func (s *Store) FeedItems(ctx context.Context, source string) (map[string]FeedItem, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT key, link, updated, last_seen, article_id FROM feed_items WHERE source = ?`, source)
	if err != nil {
		return nil, fmt.Errorf("feed items %s: %w", source, err)
	}
	defer rows.Close()
	out := map[string]FeedItem{}
	for rows.Next() {
		it := FeedItem{Source: source}
		var updated sql.NullString
		var seen string
		if err := rows.Scan(&it.Key, &it.Link, &updated, &seen, &it.ArticleID); err != nil {
			return nil, fmt.Errorf("feed items %s: %w", source, err)
		}
		if it.Updated, err = parseTimePtr(updated); err != nil {
			return nil, fmt.Errorf("feed items %s: %w", source, err)
		}
		if it.LastSeen, err = parseTime(seen); err != nil {
			return nil, fmt.Errorf("feed items %s: %w", source, err)
		}
		out[it.Key] = it
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feed items %s: %w", source, err)
	}
	return out, nil
}

// SaveFeedItems inserts or replaces items by (Source, Key), in one
// transaction. A zero LastSeen means now.
func (s *Store) SaveFeedItems(ctx context.Context, items []FeedItem) error {
	if len(items) == 0 {
		return nil
	}
	if err := s.writable(); err != nil {
		return fmt.Errorf("save feed items: %w", err)
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save feed items: begin: %w", err)
	}
	defer tx.Rollback()
	// Prepared once for the whole feed: compiling the statement cost more
	// than running it, once per item of every poll.
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO feed_items (source, key, link, updated, last_seen, article_id)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (source, key) DO UPDATE SET link = excluded.link, updated = excluded.updated,
				last_seen = excluded.last_seen, article_id = excluded.article_id`)
	if err != nil {
		return fmt.Errorf("save feed items: prepare: %w", err)
	}
	defer stmt.Close()
	now := s.now()
	for _, it := range items {
		if it.Source == "" || it.Key == "" {
			return errors.New("save feed items: item without source or key")
		}
		seen := it.LastSeen
		if seen.IsZero() {
			seen = now
		}
		if _, err := stmt.ExecContext(ctx, it.Source, it.Key, it.Link, fmtTimePtr(it.Updated), fmtTime(seen), it.ArticleID); err != nil {
			return fmt.Errorf("save feed items: %s %q: %w", it.Source, it.Key, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save feed items: commit: %w", err)
	}
	return nil
}
