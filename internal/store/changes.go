package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"annalist/internal/worddiff"
)

// WordChanges counts the words a snapshot added and removed since the
// snapshot before it.
type WordChanges struct {
	Added, Removed int
}

// wordChanges is a diff computed before the write: valid for the stored
// snapshot only if the one before it is still prevSeq.
type wordChanges struct {
	prevSeq int64
	WordChanges
}

// changesSince diffs text against the snapshot with seq prev. It is called
// outside the writer (a diff is bounded but not free); nil when there is
// nothing to compare or the previous text cannot be read, which leaves the
// counts to FillWordChanges.
func (s *Store) changesSince(ctx context.Context, prev *latestInfo, text string) *wordChanges {
	if prev == nil {
		return nil
	}
	var textZ []byte
	var file string
	var offset int64
	err := s.rdb.QueryRowContext(ctx, `SELECT text, warc_file, warc_offset FROM snapshots WHERE seq = ?`, prev.seq).
		Scan(&textZ, &file, &offset)
	var prevText string
	if err == nil {
		prevText, err = s.inflateText(ctx, textZ, file, offset)
	}
	var chunks []worddiff.Chunk
	if err == nil {
		chunks, err = worddiff.Diff(ctx, prevText, text)
	}
	if err != nil {
		s.log.Warn("cannot count the words changed since the previous snapshot; left for later", "snapshot_seq", prev.seq, "err", err)
		return nil
	}
	st := worddiff.Count(chunks)
	return &wordChanges{prevSeq: prev.seq, WordChanges: WordChanges{Added: st.Added, Removed: st.Removed}}
}

// previousSeq is the seq of the snapshot just before (full capture time,
// seq) in the article's order (snapshotOrder); 0 when none.
const previousSeqSQL = `SELECT seq FROM snapshots WHERE article_id = ?
	AND (` + exactExpr + ` < ? OR (` + exactExpr + ` = ? AND seq < ?))
	ORDER BY ` + snapshotOrderDesc + ` LIMIT 1`

// storeWordChanges records c for the snapshot just inserted (seq) when it
// was computed against the snapshot now before it, and forgets the counts
// of the snapshot after it, whose predecessor this one now is (a late
// capture stored between two others). latest says the snapshot is the
// article's latest: none follows it, and the look-up is spared.
func storeWordChanges(ctx context.Context, tx queryer, articleID string, seq int64, exact string, c *wordChanges, latest bool) error {
	if c != nil {
		var prev int64
		err := tx.QueryRowContext(ctx, previousSeqSQL, articleID, exact, exact, seq).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("previous snapshot: %w", err)
		}
		if err == nil && prev == c.prevSeq {
			if _, err := tx.ExecContext(ctx, `UPDATE snapshots SET words_added = ?, words_removed = ? WHERE seq = ?`,
				c.Added, c.Removed, seq); err != nil {
				return fmt.Errorf("store word changes: %w", err)
			}
		}
	}
	if latest {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE snapshots SET words_added = NULL, words_removed = NULL WHERE seq = (
		SELECT n.seq FROM snapshots n WHERE n.article_id = ? AND (coalesce(n.captured_exact, n.captured_at) > ? OR (coalesce(n.captured_exact, n.captured_at) = ? AND n.seq > ?))
		ORDER BY coalesce(n.captured_exact, n.captured_at), n.seq LIMIT 1)`, articleID, exact, exact, seq); err != nil {
		return fmt.Errorf("reset word changes of the next snapshot: %w", err)
	}
	return nil
}

// FillWordChanges computes the word changes infos (an article's snapshots,
// oldest first, as SnapshotInfos gives them) lack, each against the one
// before, stores them, and sets them in infos. Only archives written
// before the counts were kept, or a snapshot whose predecessor changed,
// need it: once stored, counts are read, never recomputed. Each diff is
// bounded (worddiff.DefaultBudget); ctx stops it between and inside diffs.
func (s *Store) FillWordChanges(ctx context.Context, infos []SnapshotInfo) error {
	// A read-only store (serve) computes the counts without keeping them.
	persist := s.writable() == nil
	var prevText string
	havePrev := false
	for i := 1; i < len(infos); i++ {
		if infos[i].Changes != nil {
			havePrev = false
			continue
		}
		if !havePrev {
			t, err := s.SnapshotText(ctx, infos[i-1].ID)
			if errors.Is(err, ErrDamaged) {
				// One damaged snapshot costs its own counts, not the timeline.
				infos[i].TextDamaged = true
				continue
			}
			if err != nil {
				return err
			}
			prevText = t
		}
		text, err := s.SnapshotText(ctx, infos[i].ID)
		if errors.Is(err, ErrDamaged) {
			infos[i].TextDamaged, havePrev = true, false
			continue
		}
		if err != nil {
			return err
		}
		chunks, err := worddiff.Diff(ctx, prevText, text)
		if err != nil {
			return fmt.Errorf("word changes of %s: %w", infos[i].ID, err)
		}
		st := worddiff.Count(chunks)
		c := &WordChanges{Added: st.Added, Removed: st.Removed}
		// Only if the snapshot before it is still the one diffed against.
		if persist {
			if _, err := s.wdb.ExecContext(ctx, `UPDATE snapshots SET words_added = ?, words_removed = ?
			WHERE id = ? AND words_added IS NULL AND (SELECT p.id FROM snapshots p WHERE p.article_id = snapshots.article_id
				AND (coalesce(p.captured_exact, p.captured_at) < coalesce(snapshots.captured_exact, snapshots.captured_at)
					OR (coalesce(p.captured_exact, p.captured_at) = coalesce(snapshots.captured_exact, snapshots.captured_at) AND p.seq < snapshots.seq))
				ORDER BY coalesce(p.captured_exact, p.captured_at) DESC, p.seq DESC LIMIT 1) = ?`,
				c.Added, c.Removed, infos[i].ID, infos[i-1].ID); err != nil {
				return fmt.Errorf("store word changes of %s: %w", infos[i].ID, err)
			}
		}
		infos[i].Changes = c
		prevText, havePrev = text, true
	}
	return nil
}
