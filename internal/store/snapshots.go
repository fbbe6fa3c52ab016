package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

const snapshotCols = `id, article_id, captured_at, ` + exactExpr + `, revision_date, published_date, title, byline, url,
	html, text, markdown, fingerprint, words, extractor, warc_file, warc_offset, warc_record_id, payload_digest, pages, declared_canonical`

// An article's snapshots are in the order they were captured in: by their
// full capture time (exactExpr), then seq. captured_at, like the ID, is
// only the second, moved on to the next free one when another snapshot of
// the article holds it: two captures of one second saved in the other
// order (two writers) would sort wrong by it.
const (
	snapshotOrder     = exactExpr + `, seq`
	snapshotOrderDesc = exactExpr + ` DESC, seq DESC`
)

// exactExpr is a snapshot's full capture time: captured_exact, or, for a
// snapshot stored before migration 0012 (NULL there), its second, all
// that is known of it. The index snapshots_article_exact is on it.
const exactExpr = `coalesce(captured_exact, captured_at)`

// exactCol adapts q to an archive opened read-only before migration 0012,
// whose snapshots have no captured_exact column: exactExpr reads such
// snapshots' full time as their captured_at, and so does q then. A live
// reader (serve) reads the schema version again each time until a writer
// has migrated the archive, and from then on the full times it stores:
// ordered by their seconds, two captures of one second stored in the
// other order would be listed the wrong way round until a restart.
func (s *Store) exactCol(ctx context.Context, q string) string {
	if !s.noExact.Load() {
		return q
	}
	if s.exactLater {
		var have int
		// An error here is the query's too, which reports it.
		if err := s.rdb.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err == nil && have >= exactMigration {
			s.noExact.Store(false)
			return q
		}
	}
	return strings.ReplaceAll(q, "captured_exact", "captured_at")
}

// storedSnapshot is a snapshot row with its bodies still compressed.
type storedSnapshot struct {
	Snapshot
	htmlZ, textZ, mdZ []byte
}

func scanSnapshot(r rowScanner) (*storedSnapshot, error) {
	var sn storedSnapshot
	var captured, exact string
	var rev, pub sql.NullString
	if err := r.Scan(&sn.ID, &sn.ArticleID, &captured, &exact, &rev, &pub, &sn.Title, &sn.Byline, &sn.URL,
		&sn.htmlZ, &sn.textZ, &sn.mdZ, &sn.Fingerprint, &sn.Words, &sn.Extractor,
		&sn.WARCFile, &sn.WARCOffset, &sn.WARCRecordID, &sn.PayloadDigest, &sn.Pages, &sn.DeclaredCanonical); err != nil {
		return nil, err
	}
	var err error
	if sn.CapturedAt, err = parseTime(captured); err != nil {
		return nil, err
	}
	if sn.CapturedExact, err = parseTime(exact); err != nil {
		return nil, err
	}
	if sn.RevisionDate, err = parseTimePtr(rev); err != nil {
		return nil, err
	}
	if sn.PublishedDate, err = parseTimePtr(pub); err != nil {
		return nil, err
	}
	return &sn, nil
}

// inflate decompresses the bodies of a stored snapshot, reading the WARC
// payload once if any of them was compressed against it (archives older
// than migration 0003). When that payload cannot be read, the snapshot is
// returned with Damaged set and no bodies: one damaged record costs that
// snapshot's bodies, never the pages that list it.
func (s *Store) inflate(ctx context.Context, st *storedSnapshot) (*Snapshot, error) {
	sn := st.Snapshot
	var body []byte
	if needsBody(st.textZ) || needsBody(st.htmlZ) || needsBody(st.mdZ) {
		var err error
		if body, err = s.warcPayload(ctx, sn.WARCFile, sn.WARCOffset); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			s.log.Warn("snapshot text unreadable: its WARC record is damaged or missing",
				"snapshot", sn.ID, "file", sn.WARCFile, "offset", sn.WARCOffset, "err", err)
			sn.Damaged = fmt.Sprintf("the text of this snapshot was stored against its WARC record %s at offset %d, which is damaged or missing (%v)",
				sn.WARCFile, sn.WARCOffset, err)
			return &sn, nil
		}
	}
	var err error
	if sn.Text, err = decompressText(st.textZ, nil, body); err != nil {
		return nil, fmt.Errorf("snapshot %s text: %w", sn.ID, err)
	}
	dict := dictFor(sn.Text)
	if sn.Markdown, err = decompressText(st.mdZ, dict, body); err != nil {
		return nil, fmt.Errorf("snapshot %s markdown: %w", sn.ID, err)
	}
	if sn.HTML, err = decompressText(st.htmlZ, dict, body); err != nil {
		return nil, fmt.Errorf("snapshot %s html: %w", sn.ID, err)
	}
	return &sn, nil
}

// inflateText decompresses a text column, reading the WARC payload it was
// compressed against when it was (then ErrDamaged when that fails).
func (s *Store) inflateText(ctx context.Context, textZ []byte, file string, offset int64) (string, error) {
	if !needsBody(textZ) {
		return decompressText(textZ, nil, nil)
	}
	body, err := s.warcPayload(ctx, file, offset)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	return decompressText(textZ, nil, body)
}

// warcPayload is the HTTP payload of the response record at file@offset.
func (s *Store) warcPayload(ctx context.Context, file string, offset int64) ([]byte, error) {
	rec, err := s.ReadWARCRecord(ctx, file, offset)
	if err != nil {
		return nil, err
	}
	if rec.Payload == nil {
		return nil, fmt.Errorf("WARC record %s@%d has no HTTP payload", file, offset)
	}
	return rec.Payload, nil
}

func (s *Store) querySnapshot(ctx context.Context, where string, args ...any) (*Snapshot, error) {
	st, err := scanSnapshot(s.rdb.QueryRowContext(ctx, s.exactCol(ctx, `SELECT `+snapshotCols+` FROM snapshots WHERE `+where), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	return s.inflate(ctx, st)
}

// Snapshot returns the snapshot with the given ID ("articleID/YYYYMMDDhhmmss"),
// or ErrNotFound.
func (s *Store) Snapshot(ctx context.Context, id string) (*Snapshot, error) {
	return s.querySnapshot(ctx, `id = ?`, id)
}

// LatestSnapshot returns the article's most recently captured snapshot, or
// ErrNotFound when it has none.
func (s *Store) LatestSnapshot(ctx context.Context, articleID string) (*Snapshot, error) {
	return s.querySnapshot(ctx, `article_id = ? ORDER BY `+snapshotOrderDesc+` LIMIT 1`, articleID)
}

// SnapshotAt returns the snapshot in effect at t, by the rule InEffect
// states. ErrNotFound when the article had none yet.
func (s *Store) SnapshotAt(ctx context.Context, articleID string, t time.Time) (*Snapshot, error) {
	return s.querySnapshot(ctx, `article_id = ? AND captured_at <= ? ORDER BY `+snapshotOrderDesc+` LIMIT 1`,
		articleID, fmtTime(t))
}

// SnapshotBefore returns the snapshot of sn's article captured just before
// sn, in the article's order (snapshotOrder), or ErrNotFound for its first.
// Not SnapshotAt a moment before sn's second: a snapshot stored late,
// captured earlier in a second than the next one, has its ID moved on
// past that one's.
func (s *Store) SnapshotBefore(ctx context.Context, sn *Snapshot) (*Snapshot, error) {
	exact := fmtTime(sn.CapturedExact)
	return s.querySnapshot(ctx, `article_id = ? AND (`+exactExpr+` < ? OR (`+exactExpr+` = ? AND seq < (SELECT seq FROM snapshots WHERE id = ?)))
		ORDER BY `+snapshotOrderDesc+` LIMIT 1`, sn.ArticleID, exact, exact, sn.ID)
}

// InEffect returns the snapshot in effect at t among infos (an article's
// snapshots in their order, as SnapshotInfos lists them): of those whose
// captured_at, the second its ID and citations name, is at or before t,
// the last captured; false when none is. A snapshot captured earlier in
// its second than one saved before it (by another writer) has its ID moved
// on to the next second, but the newer snapshot still follows it, so it
// is never in effect after that one. SnapshotAt is the same rule in SQL.
func InEffect(infos []SnapshotInfo, t time.Time) (SnapshotInfo, bool) {
	for i := len(infos) - 1; i >= 0; i-- {
		if !infos[i].CapturedAt.After(t) {
			return infos[i], true
		}
	}
	return SnapshotInfo{}, false
}

// Snapshots returns all snapshots of an article with their full bodies,
// oldest first. ErrNotFound for an unknown article.
func (s *Store) Snapshots(ctx context.Context, articleID string) ([]Snapshot, error) {
	rows, err := s.rdb.QueryContext(ctx, s.exactCol(ctx, `SELECT `+snapshotCols+` FROM snapshots WHERE article_id = ?
		ORDER BY `+snapshotOrder), articleID)
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	defer rows.Close()
	var stored []*storedSnapshot
	for rows.Next() {
		st, err := scanSnapshot(rows)
		if err != nil {
			return nil, fmt.Errorf("list snapshots: %w", err)
		}
		stored = append(stored, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	rows.Close()
	out := []Snapshot{}
	for _, st := range stored {
		sn, err := s.inflate(ctx, st)
		if err != nil {
			return nil, err
		}
		out = append(out, *sn)
	}
	if len(out) == 0 {
		if _, err := s.Article(ctx, articleID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
