package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// TemplateMaxBlocks bounds the template statistics kept per source: past
// it, the blocks seen in fewest articles go first, the least recently seen
// among them first. Furniture recurs, so it climbs out of the eviction
// zone within a few articles, while an article's own paragraphs (seen
// once) are what gets evicted.
const TemplateMaxBlocks = 5000

// TemplateBlock is one block of a page offered to LearnTemplate, or one row
// of a source's statistics.
type TemplateBlock struct {
	Key      string
	Sample   string
	Articles int // distinct articles that held it (from TemplateBlocks)
}

// TemplateBlocks returns how many articles source's statistics were learned
// from and its blocks seen in at least minArticles of them.
func (s *Store) TemplateBlocks(ctx context.Context, source string, minArticles int) (int, []TemplateBlock, error) {
	var learned int
	err := s.rdb.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM template_learned WHERE source = ?`, source).Scan(&learned)
	if err != nil {
		return 0, nil, fmt.Errorf("read template of %s: %w", source, err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT key, sample, articles FROM template_blocks
		WHERE source = ? AND articles >= ? ORDER BY key`, source, minArticles)
	if err != nil {
		return 0, nil, fmt.Errorf("read template of %s: %w", source, err)
	}
	defer rows.Close()
	var out []TemplateBlock
	for rows.Next() {
		var b TemplateBlock
		if err := rows.Scan(&b.Key, &b.Sample, &b.Articles); err != nil {
			return 0, nil, fmt.Errorf("read template of %s: %w", source, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("read template of %s: %w", source, err)
	}
	return learned, out, nil
}

// TemplateLearning is what one archived article of a source adds to the
// source's template statistics.
type TemplateLearning struct {
	URL string // the article's canonical URL: it is learned from once
	// Article, when set, is the article's ID, which names it across moves:
	// the article is then learned from once by its ID (and not at all when
	// its URL was learned from, as archives learned by URL alone).
	Article  string
	Blocks   []TemplateBlock // its body's blocks (duplicate keys count once)
	Snapshot string          // the snapshot stored; "" = none
	Dropped  []string        // text keys of the blocks its page dropped as template
}

// LearnTemplate adds the blocks of one article of source (named by its
// canonical URL) to the source's statistics, once per article: it returns
// false, changing nothing, when that article was learned from before (a
// re-check or a revision is not a new article). Duplicate keys in blocks
// count once.
func (s *Store) LearnTemplate(ctx context.Context, source, articleURL string, blocks []TemplateBlock) (bool, error) {
	n, err := s.LearnTemplates(ctx, source, []TemplateLearning{{URL: articleURL, Blocks: blocks}})
	return n == 1, err
}

// LearnTemplates adds several articles of source in one transaction (see
// LearnTemplate) and records the blocks each snapshot dropped (see
// TemplateDrops); it returns how many articles were new to the
// statistics.
func (s *Store) LearnTemplates(ctx context.Context, source string, arts []TemplateLearning) (int, error) {
	if err := s.writable(); err != nil {
		return 0, fmt.Errorf("learn template of %s: %w", source, err)
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("learn template of %s: %w", source, err)
	}
	defer tx.Rollback()
	if s.pg {
		// Workers sharing the index may learn one source at once (a poll
		// here, the revision watch there): one at a time per source, as
		// SQLite's single writer has it, or their upserts of shared blocks
		// deadlock and both read the same MAX(seq).
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('template:' || ?::text, 0))`, source); err != nil {
			return 0, fmt.Errorf("learn template of %s: lock: %w", source, err)
		}
	}
	var seq int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM template_learned WHERE source = ?`, source).Scan(&seq); err != nil {
		return 0, fmt.Errorf("learn template of %s: %w", source, err)
	}
	// Prepared once a batch: an article adds some twenty blocks, and
	// parsing the statement again for each cost as much as running it.
	insLearned, err := tx.PrepareContext(ctx, `INSERT INTO template_learned (source, url, seq) VALUES (?, ?, ?) ON CONFLICT (source, url) DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("learn template of %s: %w", source, err)
	}
	defer insLearned.Close()
	// A block's sample is stored from its second article on: most rows
	// are an article's own paragraphs, seen once, whose sample nothing
	// reads (TemplateBlocks returns blocks seen in several articles);
	// leaving it out keeps the bounded statistics a third smaller.
	upBlock, err := tx.PrepareContext(ctx, `INSERT INTO template_blocks (source, key, articles, last_seq, sample) VALUES (?1, ?2, 1, ?3, '')
		ON CONFLICT (source, key) DO UPDATE SET articles = template_blocks.articles + 1, last_seq = ?3, sample = ?4`)
	if err != nil {
		return 0, fmt.Errorf("learn template of %s: %w", source, err)
	}
	defer upBlock.Close()
	learned := 0
	for _, a := range arts {
		if a.Snapshot != "" && len(a.Dropped) > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO template_dropped (snapshot, keys) VALUES (?, ?)
				ON CONFLICT (snapshot) DO UPDATE SET keys = excluded.keys`,
				a.Snapshot, strings.Join(a.Dropped, " ")); err != nil {
				return 0, fmt.Errorf("record template drops of %s: %w", a.Snapshot, err)
			}
		}
		if a.URL == "" || len(a.Blocks) == 0 {
			continue
		}
		key := a.URL
		if a.Article != "" {
			key = "article:" + a.Article
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM template_learned WHERE source = ? AND url = ?`, source, a.URL).Scan(&one)
			if err == nil {
				continue // learned from by its URL before
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return 0, fmt.Errorf("learn template of %s: %w", source, err)
			}
		}
		res, err := insLearned.ExecContext(ctx, source, key, seq+1)
		if err != nil {
			return 0, fmt.Errorf("learn template of %s: %w", source, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // learned from before
		}
		seq++
		learned++
		seen := map[string]bool{}
		for _, b := range a.Blocks {
			if seen[b.Key] {
				continue
			}
			seen[b.Key] = true
			if _, err := upBlock.ExecContext(ctx, source, b.Key, seq, b.Sample); err != nil {
				return 0, fmt.Errorf("learn template of %s: %w", source, err)
			}
		}
	}
	if learned > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM template_blocks WHERE source = ?1 AND key IN (
			SELECT key FROM template_blocks WHERE source = ?1 ORDER BY articles, last_seq, key
			LIMIT max(0, (SELECT count(*) FROM template_blocks WHERE source = ?1) - ?2))`, source, TemplateMaxBlocks); err != nil {
			return 0, fmt.Errorf("learn template of %s: evict: %w", source, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("learn template of %s: %w", source, err)
	}
	return learned, nil
}

// TemplateDrops returns the text keys LearnTemplates recorded as dropped
// from snapshot's page (nil if none).
func (s *Store) TemplateDrops(ctx context.Context, snapshot string) ([]string, error) {
	var keys string
	err := s.rdb.QueryRowContext(ctx, `SELECT keys FROM template_dropped WHERE snapshot = ?`, snapshot).Scan(&keys)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read template drops of %s: %w", snapshot, err)
	}
	return strings.Fields(keys), nil
}
