package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"annalist/internal/canonical"
)

// articleCols selects an Article; scanArticle reads it.
const articleCols = `a.id, a.source, a.url, a.fetch_url, a.title, a.first_seen, a.last_captured_at,
	a.latest_revision_date, a.next_check_at, a.etag, a.last_modified, a.body_key,
	a.state, a.state_since, a.declared_canonical,
	(SELECT count(*) FROM snapshots s WHERE s.article_id = a.id),
	(SELECT json_group_array(u.url) FROM (SELECT url FROM article_urls WHERE article_id = a.id ORDER BY url) u)`

type rowScanner interface{ Scan(dest ...any) error }

func scanArticle(r rowScanner) (*Article, error) {
	var a Article
	var first string
	var last, rev, next, since sql.NullString
	var urls string
	if err := r.Scan(&a.ID, &a.Source, &a.URL, &a.FetchURL, &a.Title, &first, &last, &rev, &next,
		&a.ETag, &a.LastModified, &a.BodyKey, &a.State, &since, &a.DeclaredCanonical, &a.Snapshots, &urls); err != nil {
		return nil, err
	}
	var err error
	if a.FirstSeen, err = parseTime(first); err != nil {
		return nil, err
	}
	if a.LastCapturedAt, err = parseTimePtr(last); err != nil {
		return nil, err
	}
	if a.LatestRevisionDate, err = parseTimePtr(rev); err != nil {
		return nil, err
	}
	if a.NextCheckAt, err = parseTimePtr(next); err != nil {
		return nil, err
	}
	if a.StateSince, err = parseTimePtr(since); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(urls), &a.URLs); err != nil {
		return nil, fmt.Errorf("article urls: %w", err)
	}
	return &a, nil
}

func (s *Store) queryArticle(ctx context.Context, where string, args ...any) (*Article, error) {
	a, err := scanArticle(cachedDB{s.rstmts}.QueryRowContext(ctx, `SELECT `+articleCols+` FROM articles a WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read article: %w", err)
	}
	return a, nil
}

// Article returns the article with the given ID, or ErrNotFound.
func (s *Store) Article(ctx context.Context, id string) (*Article, error) {
	return s.queryArticle(ctx, `a.id = ?`, id)
}

// ArticleByURL returns the article that u (exactly as given) was ever
// reached by, or ErrNotFound.
func (s *Store) ArticleByURL(ctx context.Context, u string) (*Article, error) {
	return s.queryArticle(ctx, `a.id = (SELECT article_id FROM article_urls WHERE url = ?)`, u)
}

// ResolveArticle finds an article by a reference a person typed: its
// 12-hex-digit ID, or any URL it was reached by, tried as given and then in
// canonical form. ErrNotFound when nothing matches.
func (s *Store) ResolveArticle(ctx context.Context, ref string) (*Article, error) {
	ref = strings.TrimSpace(ref)
	if isArticleID(strings.ToLower(ref)) {
		return s.Article(ctx, strings.ToLower(ref))
	}
	a, err := s.ArticleByURL(ctx, ref)
	if !errors.Is(err, ErrNotFound) {
		return a, err
	}
	c, cerr := canonical.URL(ref, nil)
	if cerr != nil || c == ref {
		return nil, ErrNotFound
	}
	a, err = s.ArticleByURL(ctx, c)
	if !errors.Is(err, ErrNotFound) {
		return a, err
	}
	return s.Article(ctx, ArticleID(c))
}

func isArticleID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// ArticleFilter selects articles. Zero values select everything.
type ArticleFilter struct {
	Source string
	Since  *time.Time // first seen, last captured, or with a snapshot dated at or after Since
	Limit  int        // 0 = no limit
	Offset int
}

// Articles lists articles, most recently first seen first.
func (s *Store) Articles(ctx context.Context, f ArticleFilter) ([]Article, error) {
	q := `SELECT ` + articleCols + ` FROM articles a WHERE 1=1`
	var args []any
	if f.Source != "" {
		q += ` AND a.source = ?`
		args = append(args, f.Source)
	}
	if f.Since != nil {
		since := fmtTime(*f.Since)
		// last_captured_at is the latest capture's full time, and a
		// snapshot stored late (another writer stored a newer one of its
		// second first) is dated, as its ID, at the next free second,
		// which can be after it: such a snapshot, shown at that date by
		// history, is at or after Since too.
		q += ` AND (a.first_seen >= ? OR a.last_captured_at >= ?
			OR EXISTS (SELECT 1 FROM snapshots s WHERE s.article_id = a.id AND s.captured_at >= ?))`
		args = append(args, since, since, since)
	}
	q += ` ORDER BY a.first_seen DESC, a.id` + limitClause(f.Limit, f.Offset)
	return s.listArticles(ctx, q, args...)
}

func limitClause(limit, offset int) string {
	if limit <= 0 && offset <= 0 {
		return ""
	}
	if limit <= 0 {
		limit = -1
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, max(offset, 0))
}

func (s *Store) listArticles(ctx context.Context, q string, args ...any) ([]Article, error) {
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	defer rows.Close()
	out := []Article{}
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("list articles: %w", err)
		}
		out = append(out, *a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	return out, nil
}

// SetNextCheck sets (or with nil clears) when the revision watch should
// fetch the article again. ErrNotFound for an unknown article.
func (s *Store) SetNextCheck(ctx context.Context, articleID string, t *time.Time) error {
	if err := s.writable(); err != nil {
		return fmt.Errorf("set next check: %w", err)
	}
	res, err := s.wdb.ExecContext(ctx, `UPDATE articles SET next_check_at = ? WHERE id = ?`, fmtTimePtr(t), articleID)
	if err != nil {
		return fmt.Errorf("set next check: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set next check %s: %w", articleID, ErrNotFound)
	}
	return nil
}

// DueArticles lists articles whose next check is at or before now, the
// longest overdue first; source "" means every source; limit 0 = no limit.
func (s *Store) DueArticles(ctx context.Context, source string, now time.Time, limit int) ([]Article, error) {
	q := `SELECT ` + articleCols + ` FROM articles a WHERE a.next_check_at IS NOT NULL AND a.next_check_at <= ?`
	args := []any{fmtTime(now)}
	if source != "" {
		q += ` AND a.source = ?`
		args = append(args, source)
	}
	q += ` ORDER BY a.next_check_at, a.id` + limitClause(limit, 0)
	return s.listArticles(ctx, q, args...)
}
