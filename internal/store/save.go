package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"annalist/internal/evidence"
)

// errWARCWrite marks a failed WARC append: the batch it happened in is
// not committed.
var errWARCWrite = errors.New("write warc")

// maxBatch bounds one group commit.
const maxBatch = 64

// defaultGroupWait bounds how long the writer holds a batch open for
// callers still preparing their pages (gather).
const defaultGroupWait = 4 * time.Millisecond

// ArticleID names the article with the given canonical URL: the first 6
// bytes of its SHA-256, as 12 lowercase hex digits. Stable across archives.
func ArticleID(canonicalURL string) string {
	sum := sha256.Sum256([]byte(canonicalURL))
	return hex.EncodeToString(sum[:6])
}

// queryer is what *sql.DB and *sql.Tx share.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type saveReq struct {
	ctx  context.Context
	p    *Page
	u    *Unchanged // instead of p: RecordUnchanged
	id   string
	prep *prepared
	// preparing: counted in Store.preparing (SaveCapture, until queued).
	preparing bool
	// appended is where the WARC records of this request went in a run of
	// its batch that was rolled back; saveBatch's second run reuses them.
	appended *appended
	done     chan saveAns
}

// appended is one WARC append of a request's records.
type appended struct {
	snapID       string    // the snapshot ID its metadata record names
	prep         *prepared // the records written
	file         string
	offset, size int64
}

// what names the request in errors.
func (r *saveReq) what() string {
	if r.u != nil {
		return "record unchanged " + r.u.ArticleID
	}
	return "save capture " + r.p.Canonical
}

type saveAns struct {
	res *SaveResult
	err error
}

// prepared is the costly part of storing a new snapshot, done by the caller.
type prepared struct {
	textZ, mdZ, htmlZ []byte
	pair              *evidence.Pair
	metaSnapID        string       // the snapshot ID pair.Meta names
	words             int          // WordCount of the text, counted outside the writer
	changes           *wordChanges // since the latest snapshot when prepared; nil = left for later
}

// prepare compresses the bodies (each on its own, so that the database
// alone can give them back; legacy: text against the WARC payload, as
// archives before migration 0003 did) and builds the WARC records,
// assuming the snapshot gets the ID of its capture second.
func prepare(p *Page, legacy bool) (*prepared, error) {
	pr := prepared{words: WordCount(p.Text)}
	var err error
	if legacy {
		pr.textZ, err = compressWithBody(p.Text, p.Body)
	} else {
		pr.textZ, err = compressText(p.Text, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("compress text: %w", err)
	}
	dict := dictFor(p.Text)
	if pr.mdZ, err = compressText(p.Markdown, dict); err != nil {
		return nil, fmt.Errorf("compress markdown: %w", err)
	}
	if legacy {
		pr.htmlZ, err = compressBest(p.HTML, dict, p.Body)
	} else {
		pr.htmlZ, err = compressText(p.HTML, dict)
	}
	if err != nil {
		return nil, fmt.Errorf("compress html: %w", err)
	}
	if pr.pair, err = evidence.BuildPair(p.warcPage()); err != nil {
		return nil, err
	}
	id := ArticleID(p.Canonical)
	pr.metaSnapID = snapshotIDFor(id, p.CapturedAt)
	if pr.pair.Meta, err = evidence.BuildMetaRecord(newSnapshotMeta(p, id, pr.metaSnapID, p.CapturedAt.UTC().Truncate(time.Second)), pr.pair.Target, p.CapturedAt, pr.pair.RecordID); err != nil {
		return nil, err
	}
	return &pr, nil
}

// SaveCapture stores one fetch of an article. When the caller found it the
// same as the article's latest snapshot (p.Judged, p.Same), or when its
// fingerprint equals the latest's, it records an "unchanged" capture and
// writes nothing to WARC; otherwise it writes the WARC records, syncs them,
// and then commits snapshot, capture, search index and URLs in one
// transaction ("new" or "revised"). The decision is taken inside that
// transaction, so concurrent callers and other processes never store the
// same state twice. Safe for concurrent use; concurrent calls are committed
// together.
func (s *Store) SaveCapture(ctx context.Context, p *Page) (*SaveResult, error) {
	if p == nil || p.Canonical == "" || p.Source == "" || p.Fingerprint == "" {
		return nil, errors.New("save capture: page needs Source, Canonical and Fingerprint")
	}
	if p.CapturedAt.IsZero() {
		cp := *p
		cp.CapturedAt = s.now()
		p = &cp
	}
	id := p.ArticleID
	if id == "" {
		id = ArticleID(p.Canonical)
	}
	// Counted as on its way to the writer (gather) until it is queued.
	s.preparing.Add(1)
	req := &saveReq{ctx: ctx, p: p, id: id, preparing: true, done: make(chan saveAns, 1)}
	// Guess, outside the write lock, whether a snapshot will be stored: if
	// so, compress and build the WARC records here, in parallel with other
	// callers, rather than in the single writer.
	if latest, err := latestSnapshotInfo(ctx, cachedDB{s.rstmts}, req.id); err != nil || !sameState(latest, p) {
		release, err := s.prepareSlot(ctx)
		if err != nil {
			return nil, fmt.Errorf("save capture %s: %w", p.Canonical, err)
		}
		prep, err := prepare(p, s.legacyText)
		release()
		if err != nil {
			s.queued(req)
			return nil, fmt.Errorf("save capture %s: %w", p.Canonical, err)
		}
		prep.changes = s.changesSince(ctx, latest, p.Text)
		req.prep = prep
	}
	return s.enqueue(ctx, req)
}

// prepareSlot waits for one of GOMAXPROCS slots to build a page's records
// in and returns its release. Compressing is CPU-bound: more callers
// building at once than there are processors go no faster, since the
// scheduler time-slices them, but each holds its compressors' windows and
// half-built records meanwhile (about 1.5 MB a page), which the
// collector's goal then doubles: with 16 callers on 2 cores, half the
// live heap.
func (s *Store) prepareSlot(ctx context.Context) (release func(), err error) {
	if s.prepSlots == nil {
		return func() {}, nil
	}
	select {
	case s.prepSlots <- struct{}{}:
		return func() { <-s.prepSlots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// enqueue hands req to the group committer and waits for its answer.
func (s *Store) enqueue(ctx context.Context, req *saveReq) (*SaveResult, error) {
	if err := s.send(ctx, req); err != nil {
		return nil, err
	}
	ans := <-req.done
	return ans.res, ans.err
}

// send queues req for the writer.
func (s *Store) send(ctx context.Context, req *saveReq) error {
	// Before the send: the writer must not wait for a page it already holds.
	s.queued(req)
	if err := s.writable(); err != nil {
		return fmt.Errorf("%s: %w", req.what(), err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	select {
	case s.queue <- req:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// queued stops counting req as being prepared.
func (s *Store) queued(req *saveReq) {
	if req.preparing {
		req.preparing = false
		s.preparing.Add(-1)
	}
}

// runWriter is the group committer: it takes whatever is queued and
// commits it in one transaction with one WARC sync.
func (s *Store) runWriter() {
	defer close(s.writerD)
	for req := range s.queue {
		s.commitBatch(s.gather([]*saveReq{req}))
	}
}

// gather adds to batch what is queued and, while other SaveCapture callers
// are still preparing their pages (compressing them and building WARC
// records, a few milliseconds), waits for those too, up to s.groupWait: a
// transaction costs the writer about as much again as a page (FTS5 writes
// its pending terms as a new segment and merges segments, the WAL gets its
// frames, WARC is fsynced), so one for several pages saves that on all but
// one. Nobody is answered before the commit either way.
func (s *Store) gather(batch []*saveReq) []*saveReq {
	var timeout <-chan time.Time
	for len(batch) < maxBatch {
		select {
		case r, ok := <-s.queue:
			if !ok {
				return batch
			}
			batch = append(batch, r)
			continue
		default:
		}
		if s.preparing.Load() == 0 {
			return batch
		}
		if timeout == nil {
			t := time.NewTimer(s.groupWait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case r, ok := <-s.queue:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		case <-s.unexpected:
			// An expected write was taken back: look again.
		case <-timeout:
			return batch
		}
	}
	return batch
}

func (s *Store) commitBatch(batch []*saveReq) {
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- saveAns{err: err}
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	answers, err := s.saveBatch(live)
	if err == nil {
		for i, r := range live {
			r.done <- answers[i]
		}
		return
	}
	if len(live) == 1 {
		live[0].done <- saveAns{err: fmt.Errorf("%s: %w", live[0].what(), err)}
		return
	}
	s.log.Warn("group commit failed; saving pages one by one", "pages", len(live), "err", err)
	for _, r := range live {
		// The batch's WARC file may have failed: write the records afresh.
		r.appended = nil
		answers, err := s.saveBatch([]*saveReq{r})
		if err != nil {
			r.done <- saveAns{err: fmt.Errorf("%s: %w", r.what(), err)}
			continue
		}
		r.done <- answers[0]
	}
}

// errPageFailed marks a batch run without savepoints in which one page
// failed: nothing was committed, and the batch is run again with them.
var errPageFailed = errors.New("a page of the batch failed")

// saveBatch saves reqs in one transaction; one failing page is answered
// with its error and the others still commit. An error return means
// nothing was committed.
//
// The batch first runs without savepoints: a savepoint per page makes
// SQLite copy every database page it touches to a statement journal and
// FTS5 flush its pending terms as a segment of their own: a tenth to a
// fifth of the writer's CPU (BenchmarkWriterRealPages), spent only for the
// rare page that fails. When one does,
// the transaction is rolled back and the batch run again with a savepoint
// per page, reusing the WARC records the first run appended.
func (s *Store) saveBatch(reqs []*saveReq) ([]saveAns, error) {
	answers, err := s.runBatch(reqs, false)
	if !errors.Is(err, errPageFailed) {
		return answers, err
	}
	if len(reqs) == 1 {
		// Alone in its batch: nothing else to commit.
		return answers, nil
	}
	return s.runBatch(reqs, true)
}

// runBatch runs reqs in one transaction, each page inside a savepoint
// when savepoints is set; without, a failing page ends the run with
// errPageFailed, its error in its answer, and nothing is committed.
func (s *Store) runBatch(reqs []*saveReq, savepoints bool) ([]saveAns, error) {
	// Not the callers' contexts: one caller giving up must not roll back the others.
	ctx := context.Background()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	// After tx ends (defers run last first): the connection is free to
	// prepare the statements saveOne met unprepared.
	defer s.wstmts.fill(ctx)
	defer tx.Rollback()
	if s.pg {
		if err := lockArticles(ctx, tx, reqs); err != nil {
			return nil, err
		}
	}
	answers := make([]saveAns, len(reqs))
	wroteWARC := false
	for i, r := range reqs {
		if savepoints {
			if _, err := tx.ExecContext(ctx, "SAVEPOINT page"); err != nil {
				return nil, fmt.Errorf("savepoint: %w", err)
			}
		}
		res, err := s.saveOne(ctx, tx, r)
		if res != nil && res.WARCBytes > 0 {
			wroteWARC = true
		}
		if errors.Is(err, errWARCWrite) && len(reqs) > 1 {
			// Records of earlier pages in this batch may sit in a WARC
			// file that failed and will not be synced: commit none of the
			// batch; the caller saves its pages one by one.
			return nil, err
		}
		if err != nil && !savepoints {
			answers[i] = saveAns{err: fmt.Errorf("%s: %w", r.what(), err)}
			return answers, errPageFailed
		}
		if err != nil {
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO page"); rerr != nil {
				return nil, fmt.Errorf("rollback to savepoint: %w", rerr)
			}
			answers[i] = saveAns{err: fmt.Errorf("%s: %w", r.what(), err)}
		} else {
			answers[i] = saveAns{res: res}
		}
		if savepoints {
			if _, err := tx.ExecContext(ctx, "RELEASE page"); err != nil {
				return nil, fmt.Errorf("release savepoint: %w", err)
			}
		}
	}
	// The WARC records must be durable before any snapshot points at them.
	if wroteWARC {
		if err := s.warc.Sync(); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	s.commits.Add(1)
	return answers, nil
}

// saveOne decides and writes one page inside the batch transaction. On
// error the returned result may still report WARC bytes written (orphans).
func (s *Store) saveOne(ctx context.Context, tx *sql.Tx, r *saveReq) (*SaveResult, error) {
	if r.u != nil {
		return s.saveUnchanged(ctx, tx, r.u)
	}
	p, id := r.p, r.id
	q := cachedTx{s.wstmts, tx}
	latest, same, err := judgeSame(ctx, q, id, p)
	if err != nil {
		return nil, err
	}
	late := latest != nil && p.CapturedAt.Before(latest.capturedExact)
	captured := fmtTime(p.CapturedAt)
	var snapID string
	var snapAt time.Time
	if !same {
		// A snapshot's capture time is its ID's, to the second, so that
		// what a citation names and what the page shows agree.
		if latest == nil {
			// The article has no snapshot, so no ID under its own is taken:
			// spare the look-up.
			snapAt = p.CapturedAt.UTC().Truncate(time.Second)
			snapID = snapshotIDFor(id, snapAt)
		} else if snapID, snapAt, err = freeSnapshotID(ctx, q, id, p.CapturedAt); err != nil {
			return nil, err
		}
		captured = fmtTime(snapAt)
	}
	bodyKey := p.BodyKey
	if late {
		// A capture older than the latest snapshot, whether it stores one
		// (not the latest) or finds the state in effect when it was taken:
		// its body says nothing about the article's current state, and a
		// re-check whose key matched it would be recorded as unchanged
		// against the latest snapshot without extraction.
		bodyKey = ""
	}
	if err := s.upsertArticle(ctx, q, id, p, captured, bodyKey); err != nil {
		return nil, err
	}
	fetched := p.FinalURL
	if fetched == "" {
		fetched = p.FetchURL
	}
	if same {
		outcome := sameOutcome(p)
		if err := insertCapture(ctx, q, id, p.Source, fetched, p.CapturedAt, outcome, "", "", p.FetchDuration, p.RevisionDate, p.StatusCode); err != nil {
			return nil, err
		}
		return &SaveResult{ArticleID: id, Outcome: outcome}, nil
	}
	outcome := OutcomeRevised
	if latest == nil {
		outcome = OutcomeNew
	}
	return s.insertSnapshot(ctx, q, r, newSnap{id: id, snapID: snapID, snapAt: snapAt, captured: captured,
		exact: fmtTime(p.CapturedAt), fetched: fetched, outcome: outcome, latest: !late})
}

// judgeSame reads the article's latest snapshot and says whether p holds
// the same state as the snapshot in effect when p was captured.
func judgeSame(ctx context.Context, q queryer, id string, p *Page) (*latestInfo, bool, error) {
	latest, err := latestSnapshotInfo(ctx, q, id)
	if err != nil {
		return nil, false, err
	}
	if latest == nil || !p.CapturedAt.Before(latest.capturedExact) {
		return latest, sameState(latest, p), nil
	}
	// A capture older than the latest snapshot (another worker or process
	// stored a newer one while this page was being fetched) is compared
	// with the snapshot in effect when it was taken, not with the latest:
	// otherwise A, then B stored meanwhile, then this late A would store
	// A a second time. Older by the full capture times: B may have been
	// captured later in the very second this page was.
	// A late capture equal to the snapshot that follows it (the same state,
	// stored first by the other writer) is no new state either.
	before, err := snapshotInfoAt(ctx, q, id, p.CapturedAt, false)
	if err != nil {
		return nil, false, err
	}
	after, err := snapshotInfoAt(ctx, q, id, p.CapturedAt, true)
	if err != nil {
		return nil, false, err
	}
	return latest, sameState(before, p) || sameState(after, p), nil
}

// sameOutcome is the outcome of a capture that stores no new state.
func sameOutcome(p *Page) string {
	switch {
	case p.Back:
		return OutcomeBack
	case p.MovedFrom != "":
		return OutcomeMoved
	}
	return OutcomeUnchanged
}

// upsertArticle creates or updates the article's row (and its source's)
// and records its URLs and any life event; what the latest capture says
// wins only when this capture is not older than it, by full capture
// times: last_captured_at is p's (captured, a new snapshot's second, is
// only a new article's first_seen).
func (s *Store) upsertArticle(ctx context.Context, q queryer, id string, p *Page, captured, bodyKey string) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO sources(name) VALUES (?) ON CONFLICT DO NOTHING`, p.Source); err != nil {
		return fmt.Errorf("insert source: %w", err)
	}
	if _, err := q.ExecContext(ctx, `
		INSERT INTO articles (id, source, url, fetch_url, first_seen, last_captured_at, next_check_at, etag, last_modified, body_key, declared_canonical)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			declared_canonical = CASE WHEN excluded.last_captured_at >= coalesce(articles.last_captured_at, '') THEN excluded.declared_canonical ELSE articles.declared_canonical END,
			fetch_url = CASE WHEN excluded.last_captured_at >= coalesce(articles.last_captured_at, '') THEN excluded.fetch_url ELSE articles.fetch_url END,
			etag = CASE WHEN excluded.last_captured_at >= coalesce(articles.last_captured_at, '') THEN excluded.etag ELSE articles.etag END,
			last_modified = CASE WHEN excluded.last_captured_at >= coalesce(articles.last_captured_at, '') THEN excluded.last_modified ELSE articles.last_modified END,
			last_captured_at = max(coalesce(articles.last_captured_at, ''), excluded.last_captured_at),
			next_check_at = coalesce(excluded.next_check_at, articles.next_check_at),
			body_key = excluded.body_key`,
		id, p.Source, p.Canonical, p.FetchURL, captured, fmtTime(p.CapturedAt), fmtTimePtr(p.NextCheckAt), p.ETag, p.LastModified, bodyKey, p.DeclaredCanonical,
	); err != nil {
		return fmt.Errorf("upsert article: %w", err)
	}
	if err := s.recordEvent(ctx, q, id, p); err != nil {
		return err
	}
	return recordURLs(ctx, q, id, p)
}

// newSnap is what saveOne decided about a page that is a new state.
type newSnap struct {
	id, snapID        string
	snapAt            time.Time // its ID's second
	captured, fetched string
	exact             string // the page's full capture time (captured_exact)
	outcome           string
	latest            bool // it becomes the article's latest snapshot
}

// insertSnapshot writes the page's WARC records, then its snapshot,
// search index, word changes and capture rows.
func (s *Store) insertSnapshot(ctx context.Context, q queryer, r *saveReq, n newSnap) (*SaveResult, error) {
	p, id := r.p, n.id
	a, err := s.appendRecords(r, n)
	if err != nil {
		return nil, err
	}
	prep, file, offset, written := a.prep, a.file, a.offset, a.size
	res := &SaveResult{ArticleID: id, Outcome: n.outcome, SnapshotID: n.snapID, WARCBytes: written}
	var seq int64
	err = q.QueryRowContext(ctx, `
		INSERT INTO snapshots (id, article_id, captured_at, captured_exact, revision_date, published_date, title, byline, url,
			html, text, markdown, fingerprint, fp_version, words, extractor,
			warc_file, warc_offset, warc_record_id, payload_digest, pages, declared_canonical)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING seq`,
		n.snapID, id, n.captured, n.exact, fmtTimePtr(p.RevisionDate), fmtTimePtr(p.PublishedDate), p.Title, p.Byline, n.fetched,
		prep.htmlZ, prep.textZ, prep.mdZ, p.Fingerprint, fpVersion(p.Fingerprint), prep.words, p.Extractor,
		file, offset, prep.pair.RecordID, prep.pair.PayloadDigest, 1+len(p.MorePages), p.DeclaredCanonical,
	).Scan(&seq)
	if err != nil {
		return res, fmt.Errorf("insert snapshot: %w", err)
	}
	if err := s.indexSnapshot(ctx, q, seq, p.Title, p.Text); err != nil {
		return res, fmt.Errorf("index snapshot: %w", err)
	}
	if err := storeWordChanges(ctx, q, id, seq, n.exact, prep.changes, n.latest); err != nil {
		return res, err
	}
	if n.latest {
		// Same order as latestSnapshotInfo: a tie in the full capture time
		// goes to the higher seq, which this snapshot has.
		if _, err := q.ExecContext(ctx, `UPDATE articles SET title = ?, latest_revision_date = ?, latest_seq = ? WHERE id = ?`,
			p.Title, fmtTimePtr(p.RevisionDate), seq, id); err != nil {
			return res, fmt.Errorf("update article: %w", err)
		}
	}
	if err := insertCapture(ctx, q, id, p.Source, n.fetched, n.snapAt, n.outcome, "", n.snapID, p.FetchDuration, p.RevisionDate, p.StatusCode); err != nil {
		return res, err
	}
	if err := s.queueNotify(ctx, q, notice{event: n.outcome, articleID: id, source: p.Source, snapshotID: n.snapID}); err != nil {
		return res, err
	}
	return res, nil
}

// appendRecords writes r's WARC records naming snapshot n, or returns
// where an earlier, rolled-back run of the batch wrote them for the same
// snapshot ID (they are synced with this run's).
func (s *Store) appendRecords(r *saveReq, n newSnap) (*appended, error) {
	if a := r.appended; a != nil && a.snapID == n.snapID {
		return a, nil
	}
	p := r.p
	prep := r.prep
	if prep == nil {
		var err error
		if prep, err = prepare(p, s.legacyText); err != nil {
			return nil, err
		}
	}
	if n.snapID != prep.metaSnapID {
		// Its second was taken: the metadata record must name the ID the
		// snapshot really gets.
		meta, err := evidence.BuildMetaRecord(newSnapshotMeta(p, n.id, n.snapID, n.snapAt), prep.pair.Target, p.CapturedAt, prep.pair.RecordID)
		if err != nil {
			return nil, err
		}
		pair := *prep.pair
		pair.Meta = meta
		prep = &prepared{textZ: prep.textZ, mdZ: prep.mdZ, htmlZ: prep.htmlZ, pair: &pair, metaSnapID: n.snapID, words: prep.words}
	}
	file, offset, written, err := s.warc.Append(prep.pair)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errWARCWrite, err)
	}
	r.appended = &appended{snapID: n.snapID, prep: prep, file: file, offset: offset, size: written}
	return r.appended, nil
}

// recordURLs remembers every URL the article was reached by. The canonical
// URL always names this article; other spellings keep their first owner.
func recordURLs(ctx context.Context, tx queryer, id string, p *Page) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_urls (url, article_id) VALUES (?, ?)
		ON CONFLICT (url) DO UPDATE SET article_id = excluded.article_id`, p.Canonical, id); err != nil {
		return fmt.Errorf("record url: %w", err)
	}
	seen := map[string]bool{p.Canonical: true}
	for _, u := range append([]string{p.FetchURL, p.FinalURL}, p.OtherURLs...) {
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_urls (url, article_id) VALUES (?, ?)
			ON CONFLICT (url) DO NOTHING`, u, id); err != nil {
			return fmt.Errorf("record url: %w", err)
		}
	}
	return nil
}

func insertCapture(ctx context.Context, q queryer, articleID, source, url string, at time.Time, outcome, errText, snapshotID string, fetch time.Duration, revised *time.Time, httpStatus int) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO captures (article_id, source, url, captured_at, outcome, error, snapshot_id, fetch_ms, revision_date, http_status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullIfEmpty(articleID), source, url, fmtTime(at), outcome, errText, nullIfEmpty(snapshotID), fetchMS(fetch), fmtTimePtr(revised), httpStatusOrNull(httpStatus)); err != nil {
		return fmt.Errorf("insert capture: %w", err)
	}
	return nil
}

// fetchMS stores a fetch duration in milliseconds, NULL when unknown.
func fetchMS(d time.Duration) any {
	if d <= 0 {
		return nil
	}
	return d.Milliseconds()
}

// httpStatusOrNull stores an HTTP status, NULL when no response came back.
func httpStatusOrNull(code int) any {
	if code <= 0 {
		return nil
	}
	return code
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// freeSnapshotID returns articleID/YYYYMMDDhhmmss for t, moved on by a
// second at a time while taken, and the time it names: the snapshot's
// capture time.
func freeSnapshotID(ctx context.Context, q queryer, articleID string, t time.Time) (string, time.Time, error) {
	ts := t.UTC().Truncate(time.Second)
	for {
		id := articleID + "/" + ts.Format("20060102150405")
		var one int
		err := q.QueryRowContext(ctx, `SELECT 1 FROM snapshots WHERE id = ?`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return id, ts, nil
		}
		if err != nil {
			return "", time.Time{}, fmt.Errorf("snapshot id: %w", err)
		}
		ts = ts.Add(time.Second)
	}
}

// latestInfo is what the dedup rule needs of an article's latest snapshot.
type latestInfo struct {
	seq           int64
	id            string
	capturedExact time.Time
	fp            string
}

// latestSnapshotInfo returns nil, nil when the article has no snapshot.
func latestSnapshotInfo(ctx context.Context, q queryer, articleID string) (*latestInfo, error) {
	var l latestInfo
	var captured string
	err := q.QueryRowContext(ctx, `SELECT seq, id, `+exactExpr+`, fingerprint FROM snapshots
		WHERE article_id = ? ORDER BY `+snapshotOrderDesc+` LIMIT 1`, articleID).
		Scan(&l.seq, &l.id, &captured, &l.fp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest snapshot: %w", err)
	}
	if l.capturedExact, err = parseTime(captured); err != nil {
		return nil, err
	}
	return &l, nil
}

// snapshotInfoAt is latestSnapshotInfo as of t, a capture's full time:
// the snapshot captured last at or before t, or with next the first one
// captured after it; nil if none. A whole second, as a citation names it,
// is InEffect's; this compares full capture times.
func snapshotInfoAt(ctx context.Context, q queryer, articleID string, t time.Time, next bool) (*latestInfo, error) {
	var l latestInfo
	var captured string
	query := `SELECT seq, id, ` + exactExpr + `, fingerprint FROM snapshots
		WHERE article_id = ? AND ` + exactExpr + ` <= ? ORDER BY ` + snapshotOrderDesc + ` LIMIT 1`
	if next {
		query = `SELECT seq, id, ` + exactExpr + `, fingerprint FROM snapshots
		WHERE article_id = ? AND ` + exactExpr + ` > ? ORDER BY ` + snapshotOrder + ` LIMIT 1`
	}
	err := q.QueryRowContext(ctx, query, articleID, fmtTime(t)).
		Scan(&l.seq, &l.id, &captured, &l.fp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot in effect: %w", err)
	}
	if l.capturedExact, err = parseTime(captured); err != nil {
		return nil, err
	}
	return &l, nil
}

// sameState reports whether p holds the state of the snapshot l: as the
// caller judged it when l is the snapshot it compared with, else by
// fingerprint (a snapshot stored meanwhile by another writer carries the
// current normaliser's fingerprint).
func sameState(l *latestInfo, p *Page) bool {
	if l == nil {
		return false
	}
	if p.Judged != "" && l.id == p.Judged {
		return p.Same
	}
	return l.fp == p.Fingerprint
}

// fpVersion is the normaliser version a fingerprint carries: "n1" of "n1:…".
func fpVersion(fp string) string {
	v, _, ok := strings.Cut(fp, ":")
	if !ok {
		return ""
	}
	return v
}

// RecordCapture records a fetch that stored no snapshot: outcome
// "not-modified" or "error". For not-modified with ArticleID set it also
// moves the article's last_captured_at forward. A zero CapturedAt means now.
func (s *Store) RecordCapture(ctx context.Context, c Capture) error {
	if err := s.writable(); err != nil {
		return fmt.Errorf("record capture: %w", err)
	}
	if c.Outcome != OutcomeNotModified && c.Outcome != OutcomeError {
		return fmt.Errorf("record capture: outcome %q is not %q or %q", c.Outcome, OutcomeNotModified, OutcomeError)
	}
	if c.CapturedAt.IsZero() {
		c.CapturedAt = s.now()
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record capture: begin: %w", err)
	}
	defer tx.Rollback()
	if c.Source != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sources(name) VALUES (?) ON CONFLICT DO NOTHING`, c.Source); err != nil {
			return fmt.Errorf("record capture: %w", err)
		}
	}
	if err := insertCapture(ctx, tx, c.ArticleID, c.Source, c.URL, c.CapturedAt, c.Outcome, c.Error, "", c.FetchDuration, c.RevisionDate, c.HTTPStatus); err != nil {
		return fmt.Errorf("record capture: %w", err)
	}
	if c.Outcome == OutcomeNotModified && c.ArticleID != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET last_captured_at = max(coalesce(last_captured_at, ''), ?) WHERE id = ?`,
			fmtTime(c.CapturedAt), c.ArticleID); err != nil {
			return fmt.Errorf("record capture: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record capture: commit: %w", err)
	}
	return nil
}
