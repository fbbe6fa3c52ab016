package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrBodyKeyStale is returned by RecordUnchanged when the article's stored
// body key is no longer the one given (another capture stored a different
// page meanwhile, or the article has none): the caller must process the
// page in full and call SaveCapture instead.
var ErrBodyKeyStale = errors.New("store: the article's body key changed")

// Unchanged is a re-fetch of an article whose page is byte for byte the one
// last stored for it, with the same extraction inputs (Article.BodyKey).
type Unchanged struct {
	ArticleID    string
	Source       string
	URL          string    // URL fetched (after redirects)
	CapturedAt   time.Time // zero = now
	BodyKey      string    // must equal the article's Article.BodyKey
	NextCheckAt  *time.Time
	ETag         string // of this response; stored as SaveCapture stores it
	LastModified string
	// FetchDuration is how long the fetch took (0 = unknown).
	FetchDuration time.Duration
	HTTPStatus    int // of the response (0 = unknown)
	// NotModified: the server answered 304 to a conditional GET. What
	// RecordCapture of a "not-modified" check and SetNextCheck write is
	// written instead (BodyKey, ETag and LastModified are not used), in
	// the same group commit.
	NotModified bool
}

// RecordUnchanged records an "unchanged" capture without re-extracting or
// fingerprinting the page: it writes what SaveCapture's unchanged outcome
// writes (capture row, last_captured_at, next_check_at unless nil, ETag and
// Last-Modified), and only if the article's body key still equals
// u.BodyKey when written; otherwise nothing is written and the error wraps
// ErrBodyKeyStale. It goes through SaveCapture's group committer, so a
// re-check of many unchanged pages costs a few transactions, not one each.
func (s *Store) RecordUnchanged(ctx context.Context, u Unchanged) error {
	return s.SendUnchanged(ctx, u)()
}

// SendUnchanged is RecordUnchanged in two steps: it hands u to the group
// committer and returns at once, and wait blocks until u is committed (or
// not) and returns what RecordUnchanged would. A re-check of many
// unchanged pages then fetches the next page while the rows of the last
// ones are committed, instead of each worker standing idle for its row's
// transaction. The row is written whether or not wait is called; the
// caller calls it to learn the outcome (a stale key, a failed commit);
// calling it again returns the same.
func (s *Store) SendUnchanged(ctx context.Context, u Unchanged) (wait func() error) {
	if u.ArticleID == "" || u.Source == "" || (u.BodyKey == "" && !u.NotModified) {
		return func() error { return errors.New("record unchanged: needs ArticleID, Source and BodyKey") }
	}
	if u.CapturedAt.IsZero() {
		u.CapturedAt = s.now()
	}
	req := &saveReq{ctx: ctx, u: &u, id: u.ArticleID, done: make(chan saveAns, 1)}
	if err := s.send(ctx, req); err != nil {
		return func() error { return err }
	}
	return sync.OnceValue(func() error {
		ans := <-req.done
		return ans.err
	})
}

// ExpectWrite tells the group committer that the caller is about to hand
// it a write (a re-check that will most likely find its page unchanged),
// so that a batch is held open for it as for a SaveCapture still being
// prepared (gather, up to the group wait): a re-check of a whole source
// then commits several pages a transaction instead of one each. The
// returned func takes the expectation back; call it before the write is
// sent, or when no write will come. Calling it more than once is harmless.
func (s *Store) ExpectWrite() (done func()) {
	s.preparing.Add(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			if s.preparing.Add(-1) == 0 {
				select {
				case s.unexpected <- struct{}{}:
				default: // a wake-up is pending already
				}
			}
		})
	}
}

// saveUnchanged is RecordUnchanged inside the group commit. The key is
// checked here, under the write lock: a page stored by another writer
// since the caller read the article wins. A re-check of a whole source
// runs this once per page, so its statements are prepared once.
func (s *Store) saveUnchanged(ctx context.Context, tx *sql.Tx, u *Unchanged) (*SaveResult, error) {
	if u.NotModified {
		return s.saveNotModified(ctx, tx, u)
	}
	st := s.unchangedStmts
	var articleSource string
	err := tx.StmtContext(ctx, st.update).QueryRowContext(ctx,
		fmtTime(u.CapturedAt), fmtTimePtr(u.NextCheckAt), u.ETag, u.LastModified, u.ArticleID, u.BodyKey).
		Scan(&articleSource)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrBodyKeyStale
	}
	if err != nil {
		return nil, fmt.Errorf("update article: %w", err)
	}
	if u.Source != articleSource {
		// The article's own source exists (foreign key); another may not.
		if _, err := tx.ExecContext(ctx, `INSERT INTO sources(name) VALUES (?) ON CONFLICT DO NOTHING`, u.Source); err != nil {
			return nil, fmt.Errorf("insert source: %w", err)
		}
	}
	if _, err := tx.StmtContext(ctx, st.capture).ExecContext(ctx,
		u.ArticleID, u.Source, u.URL, fmtTime(u.CapturedAt), OutcomeUnchanged, fetchMS(u.FetchDuration), httpStatusOrNull(u.HTTPStatus)); err != nil {
		return nil, fmt.Errorf("insert capture: %w", err)
	}
	return &SaveResult{ArticleID: u.ArticleID, Outcome: OutcomeUnchanged}, nil
}

// saveNotModified is saveUnchanged of a 304: RecordCapture's
// "not-modified" capture and SetNextCheck in one write.
func (s *Store) saveNotModified(ctx context.Context, tx *sql.Tx, u *Unchanged) (*SaveResult, error) {
	q := cachedTx{s.wstmts, tx}
	var articleSource string
	err := q.QueryRowContext(ctx, `UPDATE articles SET
			last_captured_at = max(coalesce(last_captured_at, ''), ?),
			next_check_at = coalesce(?, next_check_at)
		WHERE id = ? RETURNING source`, fmtTime(u.CapturedAt), fmtTimePtr(u.NextCheckAt), u.ArticleID).Scan(&articleSource)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("article %s: %w", u.ArticleID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("update article: %w", err)
	}
	if u.Source != articleSource {
		if _, err := q.ExecContext(ctx, `INSERT INTO sources(name) VALUES (?) ON CONFLICT DO NOTHING`, u.Source); err != nil {
			return nil, fmt.Errorf("insert source: %w", err)
		}
	}
	if err := insertCapture(ctx, q, u.ArticleID, u.Source, u.URL, u.CapturedAt, OutcomeNotModified, "", "", u.FetchDuration, nil, u.HTTPStatus); err != nil {
		return nil, err
	}
	return &SaveResult{ArticleID: u.ArticleID, Outcome: OutcomeNotModified}, nil
}

// lastReadRevision is the revision date recorded by the article ?1's last
// capture that read a page.
const lastReadRevision = `SELECT revision_date FROM captures
	WHERE article_id = ?1 AND outcome IN ('new', 'revised', 'unchanged', 'moved', 'back') ORDER BY id DESC LIMIT 1`

type unchangedStmts struct {
	update, capture *sql.Stmt
}

// prepareUnchanged prepares saveUnchanged's statements on db. Not from
// inside a transaction of db: it needs one of its connections.
func prepareUnchanged(ctx context.Context, db *sql.DB) (*unchangedStmts, error) {
	var st unchangedStmts
	var err error
	if st.update, err = db.PrepareContext(ctx, `UPDATE articles SET
			last_captured_at = max(coalesce(last_captured_at, ''), ?),
			next_check_at = coalesce(?, next_check_at),
			etag = ?,
			last_modified = ?
		WHERE id = ? AND body_key = ? AND latest_seq IS NOT NULL
		RETURNING source`); err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	// The same bytes declare the same revision date: the one recorded by
	// the capture that stored them (the last that fetched and read a page),
	// so that the check still shows the date the page declares.
	// The look-up walks captures_article_id backwards (migration 0011) and
	// stops at the first match, however many checks the article has had.
	if st.capture, err = db.PrepareContext(ctx, `INSERT INTO captures (article_id, source, url, captured_at, outcome, fetch_ms, http_status, revision_date)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (`+lastReadRevision+`))`); err != nil {
		st.update.Close()
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return &st, nil
}

func (st *unchangedStmts) close() error {
	if st == nil {
		return nil
	}
	return errors.Join(st.update.Close(), st.capture.Close())
}
