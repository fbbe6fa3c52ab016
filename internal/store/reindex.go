package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"annalist/internal/evidence"
)

// ErrDatabaseExists: reindex would overwrite a database it was not told to
// move aside.
var ErrDatabaseExists = errors.New("store: annalist.db exists")

// ReindexOptions tunes Reindex.
type ReindexOptions struct {
	// Force moves an existing annalist.db (with its -wal and -shm) aside to
	// annalist.db.before-reindex-<UTC time> instead of refusing.
	Force bool
	// Progress is told how far the WARC files have been read.
	Progress VerifyProgress
}

// ReindexReport summarises a rebuild.
type ReindexReport struct {
	Files      int    `json:"files"`
	Records    int    `json:"records"`
	Sources    int    `json:"sources"`
	Articles   int    `json:"articles"`
	Snapshots  int    `json:"snapshots"`
	Duplicates int    `json:"duplicates"`  // metadata records naming a snapshot already rebuilt
	NoMetadata int    `json:"no_metadata"` // responses without an intact metadata record: not rebuilt
	Damaged    int    `json:"damaged"`     // damaged stretches skipped
	RawDamaged int    `json:"raw_damaged"` // snapshots rebuilt from their metadata record whose response record is damaged
	MovedAside string `json:"moved_aside"` // "" when no database was moved aside
}

// foundMeta locates one snapshot's metadata record and its response. The
// record itself is read again at import time: holding every text of a
// large archive in memory at once is not an option.
type foundMeta struct {
	path                    string // the file as found (maybe .open)
	metaOffset              int64
	capturedAt, snapshotID  string
	exact                   string // the full capture time (captured_exact), as fmtTime gives it
	file                    string // final name, as snapshots store it
	offset                  int64  // of the response
	recordID, payloadDigest string
}

// Reindex rebuilds annalist.db in dir from the WARC files alone: sources,
// articles, their URLs, snapshots (text, Markdown, HTML, dates, WARC
// pointers), a capture per snapshot and the search index, from the
// metadata record written beside each response. Responses without one
// (archives older than migration 0003) cannot be rebuilt and are counted.
// It refuses when annalist.db exists unless ro.Force, and when a live
// writer holds a WARC file open.
func Reindex(ctx context.Context, dir string, opts Options, ro ReindexOptions) (*ReindexReport, error) {
	warcDir := filepath.Join(dir, "warc")
	if _, err := os.Stat(warcDir); err != nil {
		return nil, fmt.Errorf("reindex: no WARC files in %s: %w", dir, err)
	}
	if err := checkNoLiveWriter(warcDir); err != nil {
		return nil, err
	}
	rep := &ReindexReport{}
	if IsPostgres(opts.Database) {
		return reindexPG(ctx, dir, warcDir, opts, ro, rep)
	}
	dbPath := filepath.Join(dir, "annalist.db")
	if _, err := os.Stat(dbPath); err == nil && !ro.Force {
		return nil, fmt.Errorf("%w in %s; pass --force to move it aside and rebuild", ErrDatabaseExists, dir)
	}
	// Read everything first: a failure leaves the old database in place.
	metas, err := readMetas(ctx, warcDir, ro.Progress, rep)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dbPath); err == nil {
		if !ro.Force {
			return nil, fmt.Errorf("%w in %s; pass --force to move it aside and rebuild", ErrDatabaseExists, dir)
		}
		now := time.Now
		if opts.Now != nil {
			now = opts.Now
		}
		aside := dbPath + ".before-reindex-" + now().UTC().Format("20060102150405")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(dbPath+suffix, aside+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("reindex: move old database aside: %w", err)
			}
		}
		rep.MovedAside = aside
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reindex: %w", err)
	}

	s, err := open(ctx, dir, opts, false)
	if err != nil {
		return nil, err
	}
	if err := s.importMetas(ctx, metas, rep); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.Close(); err != nil {
		return nil, err
	}
	return rep, nil
}

// checkNoLiveWriter refuses while a process holds a WARC file open for
// writing: its database is in use.
func checkNoLiveWriter(warcDir string) error {
	if !evidence.LockSupported {
		return nil
	}
	entries, err := os.ReadDir(warcDir)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), evidence.OpenSuffix) {
			continue
		}
		f, err := os.Open(filepath.Join(warcDir, e.Name()))
		if err != nil {
			continue
		}
		ok, _ := evidence.TryLock(f)
		f.Close()
		if !ok {
			return fmt.Errorf("reindex: %s is being written by a running annalist; stop it first", e.Name())
		}
	}
	return nil
}

// readMetas scans every WARC file for annalist's metadata records and the
// responses they refer to.
func readMetas(ctx context.Context, warcDir string, progress VerifyProgress, rep *ReindexReport) ([]foundMeta, error) {
	files, total, err := evidence.ListFiles(warcDir)
	if err != nil {
		return nil, fmt.Errorf("reindex: %w", err)
	}
	rep.Files = len(files)
	var metas []foundMeta
	var done int64
	for _, f := range files {
		type resp struct {
			offset        int64
			payloadDigest string
			date          string // WARC-Date: the capture's time, in full
			hasMeta       bool
		}
		responses := map[string]*resp{}
		// damagedAt is where the last damaged stretch since the last intact
		// response began: a response is written just before its request
		// and metadata record, so a metadata record whose response is not
		// found had it there.
		damagedAt := int64(-1)
		err := evidence.ScanFile(filepath.Join(warcDir, f.Name), func(m *evidence.Member) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if progress != nil {
				progress(done+m.End, total, f.Final)
			}
			if m.Err != nil {
				rep.Damaged++
				if damagedAt < 0 {
					damagedAt = m.Offset
				}
				return nil
			}
			rep.Records++
			r := m.Rec
			switch r.Type {
			case "response":
				responses[r.RecordID] = &resp{offset: m.Offset, payloadDigest: r.PayloadDigest, date: r.Date}
				damagedAt = -1
			case "metadata":
				meta, ok := evidence.ParseSnapshotMeta(r.Block)
				if !ok || r.CheckDigests() != "" {
					return nil
				}
				fm := foundMeta{path: filepath.Join(warcDir, f.Name), metaOffset: m.Offset,
					capturedAt: meta.CapturedAt, snapshotID: meta.SnapshotID, file: f.Final, recordID: r.RefersTo,
					exact: exactTime(meta.CapturedAt, r.Date)}
				if rp := responses[r.RefersTo]; rp != nil {
					rp.hasMeta = true
					fm.offset, fm.payloadDigest = rp.offset, rp.payloadDigest
					fm.exact = exactTime(meta.CapturedAt, rp.date)
				} else if damagedAt >= 0 {
					// Its response is damaged: the snapshot still has its
					// text here and points at the damaged record, as it
					// did in the database (its raw response shows as
					// damaged), rather than being lost with it.
					fm.offset = damagedAt
					rep.RawDamaged++
				} else {
					return nil // no response of its own in this file: not ours to rebuild
				}
				metas = append(metas, fm)
			}
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("reindex %s: %w", f.Name, err)
		}
		for _, rp := range responses {
			if !rp.hasMeta {
				rep.NoMetadata++
			}
		}
		done += f.Size
	}
	// By their seconds; ties (snapshots of one second) keep their WARC
	// order, which is the order they were first stored in: seq, and so
	// search order, agree with the archive's before the rebuild. Not by
	// their full times: two writers store captures of one second in the
	// other order, and seq would then differ. An article's own order comes
	// from the full times (snapshotOrder), whatever seq says.
	sort.SliceStable(metas, func(i, j int) bool {
		return metas[i].capturedAt < metas[j].capturedAt
	})
	return metas, nil
}

// exactTime is a snapshot's full capture time as the WARC gives it: the
// WARC-Date of its records (written with the capture's full time), else
// its captured_at second when that date is missing, unreadable or after
// the second (the snapshot's second is never before its capture's).
func exactTime(capturedAt, warcDate string) string {
	sec, err := parseTime(capturedAt)
	if err != nil {
		return capturedAt // importSnapshot reports it
	}
	at, err := time.Parse(time.RFC3339Nano, warcDate)
	if err != nil || at.Truncate(time.Second).After(sec) {
		return fmtTime(sec)
	}
	return fmtTime(at)
}

// importMetas writes the snapshots, oldest first, in transactions of a
// few hundred, then sets each article's latest-snapshot fields.
func (s *Store) importMetas(ctx context.Context, metas []foundMeta, rep *ReindexReport) error {
	const batch = 500
	files := map[string]*os.File{}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	read := func(fm foundMeta) (*SnapshotMeta, error) {
		f := files[fm.path]
		if f == nil {
			var err error
			if f, err = os.Open(fm.path); err != nil {
				return nil, err
			}
			files[fm.path] = f
		}
		rec, _, err := evidence.ReadMemberAt(f, fm.metaOffset)
		if err != nil {
			return nil, err
		}
		m, ok := evidence.ParseSnapshotMeta(rec.Block)
		if !ok {
			return nil, errors.New("metadata record no longer readable")
		}
		return m, nil
	}
	for start := 0; start < len(metas); start += batch {
		tx, err := s.wdb.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("reindex: begin: %w", err)
		}
		for _, fm := range metas[start:min(start+batch, len(metas))] {
			m, err := read(fm)
			if err == nil {
				var added bool
				if added, err = s.importSnapshot(ctx, tx, m, fm); err == nil && !added {
					rep.Duplicates++
					continue
				}
			}
			if err != nil {
				tx.Rollback()
				return fmt.Errorf("reindex: snapshot %s (%s@%d): %w", fm.snapshotID, fm.file, fm.metaOffset, err)
			}
			rep.Snapshots++
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("reindex: commit: %w", err)
		}
	}
	if _, err := s.wdb.ExecContext(ctx, `UPDATE articles SET
		latest_seq = (SELECT seq FROM snapshots n WHERE n.article_id = articles.id ORDER BY `+snapshotOrderDesc+` LIMIT 1),
		title = coalesce((SELECT title FROM snapshots n WHERE n.article_id = articles.id ORDER BY `+snapshotOrderDesc+` LIMIT 1), title),
		latest_revision_date = (SELECT revision_date FROM snapshots n WHERE n.article_id = articles.id ORDER BY `+snapshotOrderDesc+` LIMIT 1),
		declared_canonical = coalesce((SELECT declared_canonical FROM snapshots n WHERE n.article_id = articles.id ORDER BY `+snapshotOrderDesc+` LIMIT 1), declared_canonical)`); err != nil {
		return fmt.Errorf("reindex: latest snapshots: %w", err)
	}
	if err := s.rdb.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM articles)`).
		Scan(&rep.Sources, &rep.Articles); err != nil {
		return fmt.Errorf("reindex: count: %w", err)
	}
	return nil
}

// importSnapshot adds one snapshot read back from WARC; false when a
// snapshot of that ID is there already.
func (s *Store) importSnapshot(ctx context.Context, tx *sql.Tx, m *SnapshotMeta, fm foundMeta) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM snapshots WHERE id = ?`, m.SnapshotID).Scan(&one)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	captured, err := parseTime(m.CapturedAt)
	if err != nil {
		return false, err
	}
	rev, err := optTime(m.RevisionDate)
	if err != nil {
		return false, err
	}
	pub, err := optTime(m.PublishedDate)
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sources(name) VALUES (?) ON CONFLICT DO NOTHING`, m.Source); err != nil {
		return false, fmt.Errorf("insert source: %w", err)
	}
	at := fmtTime(captured)
	if _, err := parseTime(fm.exact); err != nil {
		return false, err
	}
	// Oldest second first: the first snapshot sets first_seen; the fetch
	// URL is the newest capture's by full time, whichever comes last here.
	if _, err := tx.ExecContext(ctx, `INSERT INTO articles (id, source, url, fetch_url, first_seen, last_captured_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			fetch_url = CASE WHEN excluded.last_captured_at >= articles.last_captured_at THEN excluded.fetch_url ELSE articles.fetch_url END,
			last_captured_at = max(articles.last_captured_at, excluded.last_captured_at)`,
		m.ArticleID, m.Source, m.CanonicalURL, m.FetchURL, at, fm.exact); err != nil {
		return false, fmt.Errorf("upsert article: %w", err)
	}
	p := &Page{Canonical: m.CanonicalURL, FetchURL: m.FetchURL, FinalURL: m.FinalURL, OtherURLs: m.OtherURLs}
	if err := recordURLs(ctx, tx, m.ArticleID, p); err != nil {
		return false, err
	}
	textZ, err := compressText(m.Text, nil)
	if err != nil {
		return false, err
	}
	dict := dictFor(m.Text)
	mdZ, err := compressText(m.Markdown, dict)
	if err != nil {
		return false, err
	}
	htmlZ, err := compressText(m.HTML, dict)
	if err != nil {
		return false, err
	}
	fetched := m.FinalURL
	if fetched == "" {
		fetched = m.FetchURL
	}
	var seq int64
	err = tx.QueryRowContext(ctx, `
		INSERT INTO snapshots (id, article_id, captured_at, captured_exact, revision_date, published_date, title, byline, url,
			html, text, markdown, fingerprint, fp_version, words, extractor,
			warc_file, warc_offset, warc_record_id, payload_digest, pages, declared_canonical)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING seq`,
		m.SnapshotID, m.ArticleID, at, fm.exact, fmtTimePtr(rev), fmtTimePtr(pub), m.Title, m.Byline, fetched,
		htmlZ, textZ, mdZ, m.Fingerprint, fpVersion(m.Fingerprint), len(strings.Fields(m.Text)), m.Extractor,
		fm.file, fm.offset, fm.recordID, fm.payloadDigest, max(1, m.Pages), m.DeclaredCanonical).Scan(&seq)
	if err != nil {
		return false, fmt.Errorf("insert snapshot: %w", err)
	}
	if err := s.indexSnapshot(ctx, tx, seq, m.Title, m.Text); err != nil {
		return false, fmt.Errorf("index snapshot: %w", err)
	}
	outcome := OutcomeRevised
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM snapshots WHERE article_id = ?`, m.ArticleID).Scan(&n); err != nil {
		return false, err
	}
	if n == 1 {
		outcome = OutcomeNew
	}
	if err := insertCapture(ctx, tx, m.ArticleID, m.Source, fetched, captured, outcome, "", m.SnapshotID, 0, rev, m.HTTPStatus); err != nil {
		return false, err
	}
	return true, nil
}

func optTime(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := parseTime(s)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// reindexPG rebuilds the index in an empty PostgreSQL database (the WARC
// files of every worker lie in one directory); a database already holding
// snapshots is refused, --force or not: it is not ours to move aside.
func reindexPG(ctx context.Context, dir, warcDir string, opts Options, ro ReindexOptions, rep *ReindexReport) (*ReindexReport, error) {
	s, err := open(ctx, dir, opts, false)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var have int64
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM snapshots`).Scan(&have); err != nil {
		return nil, fmt.Errorf("reindex: %w", err)
	}
	if have > 0 {
		return nil, fmt.Errorf("%w: PostgreSQL database %s holds %d snapshots; reindex into an empty database", ErrDatabaseExists, redactURL(opts.Database), have)
	}
	metas, err := readMetas(ctx, warcDir, ro.Progress, rep)
	if err != nil {
		return nil, err
	}
	if err := s.importMetas(ctx, metas, rep); err != nil {
		return nil, err
	}
	return rep, s.Close()
}
