package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"annalist/internal/evidence"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrClosed is returned by SaveCapture after Close.
var ErrClosed = errors.New("store: closed")

// DefaultWARCMaxSize is the size past which a WARC file is closed and a new one begun.
const DefaultWARCMaxSize = 1 << 30

// Options configures Open. The zero value is usable.
type Options struct {
	Logger      *slog.Logger
	Now         func() time.Time
	WARCMaxSize int64 // rotate WARC files past this size; default 1 GiB
	NoSync      bool  // tests/benchmarks only: skip fsync
	// SyncCommits makes every commit durable on its own (SQLite
	// synchronous=FULL: the WAL is fsynced at each commit), for a
	// long-running writer (the daemon) that tells of what it stored as it
	// goes. Without it a commit survives a crash of the process at once
	// but a power loss only after Sync or Close (synchronous=NORMAL), which
	// saves an fsync a commit. PostgreSQL commits are durable either way.
	SyncCommits bool
	// LegacyTextFormat stores snapshot text compressed against its WARC
	// payload, as archives made before migration 0003 hold it: tests of
	// reading such archives only.
	LegacyTextFormat bool
	// ReadOnlyLive is for a long-lived OpenReadOnly (serve): it sees what
	// a writer starting later commits, at the cost of SQLite creating its
	// -wal and -shm lock files beside the database when they are missing.
	ReadOnlyLive bool
	// Notify lists the webhooks whose events are queued in the outbox
	// (SetNotifyHooks changes them later).
	Notify []NotifyHook
	// Database names the index's database: "" keeps SQLite in the
	// archive's directory (annalist.db); a postgres:// URL uses that
	// PostgreSQL database (WARC files stay under the directory).
	Database string
	// Worker goes into the names of the WARC files this Store writes, so
	// that workers sharing one WARC directory name their files apart.
	Worker string
}

// Store is the archive in one directory: annalist.db and warc/. It is safe
// for concurrent use, and several Stores (in one process or several) may
// share a directory: SQLite serialises writers, and each Store writes its
// own WARC files.
type Store struct {
	dir string
	log *slog.Logger
	now func() time.Time

	wdb *sql.DB // one connection: every write goes through it
	rdb *sql.DB

	warc *evidence.Writer

	legacyText bool // Options.LegacyTextFormat
	pg         bool // the index is PostgreSQL (postgres.go)
	readOnly   bool // OpenReadOnly: wdb, warc and the writer are nil
	// noExact: opened read-only before migration 0012, so snapshots have
	// no captured_exact column (exactCol); exactLater: a reader that sees
	// what a writer commits (serve), which looks again until a writer has
	// migrated the archive.
	noExact    atomic.Bool
	exactLater bool
	noSync     bool // Options.NoSync: no fsync anywhere

	mu      sync.RWMutex // guards closed against sends on queue
	closed  bool
	queue   chan *saveReq
	writerD chan struct{}
	// prepSlots bounds the callers of SaveCapture building records at
	// once (prepareSlot); nil: no bound.
	prepSlots chan struct{}

	// Statements of the writer's hot path, prepared on wdb by Open
	// (see saveUnchanged); closed by Close after the writer ends.
	unchangedStmts *unchangedStmts
	// Prepared statements by SQL text: the writer's (saveOne) and the
	// readers' (SaveCapture, queryArticle). wstmts is nil when read-only.
	wstmts, rstmts *stmtCache

	// hooks are the webhooks events are queued for (SetNotifyHooks).
	hooks atomic.Pointer[[]NotifyHook]

	// preparing counts SaveCapture calls preparing a page for the writer;
	// groupWait bounds the writer's wait for them (gather).
	preparing atomic.Int64
	groupWait time.Duration
	// commits counts the group committer's committed transactions (tests).
	commits atomic.Int64
	// unexpected wakes a writer holding a batch open when an expected
	// write is taken back (ExpectWrite) and none is left to wait for.
	unexpected chan struct{}
}

// Open opens (creating if needed) the archive in dir, applies pending
// migrations, and repairs WARC files a dead process left open.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	return open(ctx, dir, opts, true)
}

// open is Open; repair false leaves .open WARC files alone (reindex: the
// new database cannot say which offsets the old one referenced).
func open(ctx context.Context, dir string, opts Options, repair bool) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.WARCMaxSize <= 0 {
		opts.WARCMaxSize = DefaultWARCMaxSize
	}
	warcDir := filepath.Join(dir, "warc")
	if err := os.MkdirAll(warcDir, 0o755); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	pg := IsPostgres(opts.Database)
	var wdb, rdb *sql.DB
	var err error
	dbPath := filepath.Join(dir, "annalist.db")
	existing := !pg && hasDatabase(dbPath)
	if pg {
		if wdb, rdb, err = openPG(opts.Database, max(4, runtime.NumCPU())); err != nil {
			return nil, err
		}
	} else {
		if opts.Database != "" {
			return nil, fmt.Errorf("open database: %q is not a postgres:// URL (leave database unset for SQLite in the data directory)", redactURL(opts.Database))
		}
		if fs := detectNetworkFS(dir); fs != "" {
			opts.Logger.Warn("archive is on a network file system; SQLite locking may be unreliable there",
				"dir", dir, "fs", fs)
		}
		if wdb, rdb, err = openSQLite(dbPath, opts, existing); err != nil {
			return nil, err
		}
	}

	s := &Store{
		dir:       dir,
		log:       opts.Logger,
		now:       opts.Now,
		wdb:       wdb,
		rdb:       rdb,
		wstmts:    newStmtCache(wdb),
		rstmts:    newStmtCache(rdb),
		queue:     make(chan *saveReq, 256),
		groupWait: defaultGroupWait,
		writerD:   make(chan struct{}),

		unexpected: make(chan struct{}, 1),

		prepSlots: make(chan struct{}, runtime.GOMAXPROCS(0)),

		legacyText: opts.LegacyTextFormat,
		pg:         pg,
		noSync:     opts.NoSync,
	}
	s.SetNotifyHooks(opts.Notify)
	if existing {
		// Meanwhile, on the other core, a reader reads the schema.
		defer s.warmReader(ctx)()
	}
	migrate := s.migrate
	if pg {
		migrate = s.migratePG
	}
	if err := retryBusy(ctx, 10*time.Second, migrate); err != nil {
		wdb.Close()
		rdb.Close()
		if sharedMemoryFailed(err) {
			// SQLite's own words ("disk I/O error (4874)") do not say it.
			return nil, fmt.Errorf("%w (cannot write %s or its -wal/-shm files: is the disk full or read-only?)", err, dbPath)
		}
		return nil, err
	}
	s.warc = evidence.NewWriter(warcDir, opts.WARCMaxSize, opts.NoSync, opts.Now, opts.Logger)
	s.warc.Worker = opts.Worker
	if repair {
		if err := evidence.RepairOpen(warcDir, s.maxReferencedOffset(ctx), opts.Logger); err != nil {
			wdb.Close()
			rdb.Close()
			return nil, err
		}
	}
	// Prepared before the writer starts: wdb's one connection is then free.
	if s.unchangedStmts, err = prepareUnchanged(ctx, wdb); err != nil {
		s.warc.Close()
		wdb.Close()
		rdb.Close()
		return nil, err
	}
	go s.runWriter()
	return s, nil
}

// openSQLite opens the writer's pool (one connection) and the readers'
// of the SQLite database at dbPath; existing says it has content already.
func openSQLite(dbPath string, opts Options, existing bool) (wdb, rdb *sql.DB, err error) {
	syncMode := "NORMAL"
	if opts.SyncCommits {
		syncMode = "FULL"
	}
	if opts.NoSync {
		syncMode = "OFF"
	}
	wdb, err = sql.Open("sqlite", dsn(dbPath, syncMode, true, !existing))
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxIdleTime(0)
	wdb.SetConnMaxLifetime(0)
	rdb, err = sql.Open("sqlite", dsn(dbPath, syncMode, false, false))
	if err != nil {
		wdb.Close()
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	n := max(4, runtime.NumCPU())
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	return wdb, rdb, nil
}

// warmReader opens a connection of the readers' pool and has it read the
// schema, in the background, and returns the func that waits for it. A
// new SQLite connection parses the whole schema at its first statement
// (about a millisecond for this one); done while the writer's connection
// migrates, the command's first query does not wait for it.
func (s *Store) warmReader(ctx context.Context) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		var n int
		// Errors are the first real query's to report.
		_ = s.rdb.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n)
	}()
	return func() { <-done }
}

// dsn builds a modernc.org/sqlite DSN. The writer pool begins every
// transaction with BEGIN IMMEDIATE so that the read-decide-write of
// SaveCapture cannot interleave with another writer. create says the
// database file is new (or empty): only then is auto_vacuum set.
func dsn(path, synchronous string, writer, create bool) string {
	q := url.Values{}
	if writer && create {
		// Freed pages (FTS5 segment merges free many) go back to the file
		// system at each commit instead of to a free list. Takes effect only
		// when the file is created, so it must precede journal_mode. On an
		// existing archive it would change nothing, yet setting it is a
		// write transaction (a WAL frame and its fsyncs at every open), so
		// it is left out there.
		q.Add("_pragma", "auto_vacuum(FULL)")
	}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous("+synchronous+")")
	if writer {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// hasDatabase reports whether the SQLite file at path exists and has
// content: a file still empty (a process creating the archive at this
// moment) counts as none, so that auto_vacuum is set whichever process
// writes its first page (the setting is in that page).
func hasDatabase(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Size() > 0
}

// detectNetworkFS names the network file system an archive is on ("" for a
// local one); a variable so that tests can stand in for an NFS mount.
var detectNetworkFS = networkFS

// migrate applies the embedded migrations newer than PRAGMA user_version,
// all in one transaction.
func (s *Store) migrate(ctx context.Context) error {
	names, err := migrationFS.ReadDir("migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	type mig struct {
		version int
		name    string
	}
	var migs []mig
	for _, e := range names {
		v, _, ok := strings.Cut(e.Name(), "_")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			return fmt.Errorf("migrate: bad migration name %q", e.Name())
		}
		migs = append(migs, mig{n, e.Name()})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].version < migs[j].version })

	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback()
	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	applied := 0
	for _, m := range migs {
		if m.version <= current {
			continue
		}
		body, err := migrationFS.ReadFile("migrations/" + m.name)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migrate: %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			return fmt.Errorf("migrate: set version: %w", err)
		}
		current = m.version
		applied++
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	if applied > 0 {
		s.log.Info("database migrated", "version", current, "applied", applied)
	}
	return nil
}

// maxReferencedOffset answers repair's question: the highest offset in a
// WARC file that a committed snapshot points at.
func (s *Store) maxReferencedOffset(ctx context.Context) evidence.RefOffset {
	return func(final string) (int64, bool, error) {
		var off sql.NullInt64
		if err := s.wdb.QueryRowContext(ctx, `SELECT max(warc_offset) FROM snapshots WHERE warc_file = ?`, final).Scan(&off); err != nil {
			return 0, false, fmt.Errorf("snapshots in %s: %w", final, err)
		}
		return off.Int64, off.Valid, nil
	}
}

// isClosed reports whether Close has been called.
func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}

// Close flushes pending SaveCapture calls, closes the WARC file (dropping
// its .open suffix) and the database. Calls after the first return nil.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	if s.readOnly {
		s.closed = true
		s.mu.Unlock()
		s.rstmts.close()
		if err := s.rdb.Close(); err != nil {
			return fmt.Errorf("close database: %w", err)
		}
		return nil
	}
	s.closed = true
	close(s.queue)
	s.mu.Unlock()
	<-s.writerD

	var errs []error
	if err := s.unchangedStmts.close(); err != nil {
		errs = append(errs, fmt.Errorf("close statements: %w", err))
	}
	if err := errors.Join(s.wstmts.close(), s.rstmts.close()); err != nil {
		errs = append(errs, fmt.Errorf("close statements: %w", err))
	}
	if err := s.warc.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close warc: %w", err))
	}
	if err := s.rdb.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close database: %w", err))
	}
	if err := s.wdb.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close database: %w", err))
	}
	// The last connection to close checkpoints the WAL into the database
	// and fsyncs it; with another process holding the archive open (a
	// daemon beside a one-off fetch) the WAL stays, unsynced.
	if err := s.syncFiles(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Sync makes every commit so far durable against a power loss: with
// synchronous=NORMAL a commit is written to the WAL but fsynced only at the
// next checkpoint, so Sync fsyncs annalist.db-wal, and its directory (a WAL
// created by this run has its name there). The database file needs none:
// SQLite fsyncs it after every checkpoint, the only time it is written.
// Commands call it before they report what they stored; WARC records are
// fsynced before the commits that point at them. A no-op on PostgreSQL,
// with Options.NoSync, and when there is no WAL (checkpointed away).
func (s *Store) Sync(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.syncFiles()
}

// Durability says when a commit of this Store survives a power loss, as
// the writer's connection is set: "each commit" (SQLite synchronous=FULL, or
// PostgreSQL), "at sync" (NORMAL: at Sync, Close or a checkpoint) or "none"
// (OFF: Options.NoSync).
func (s *Store) Durability(ctx context.Context) (string, error) {
	if s.pg {
		return "each commit", nil
	}
	if s.readOnly {
		return "", errors.New("durability: archive opened read-only")
	}
	var mode int
	if err := s.wdb.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&mode); err != nil {
		return "", fmt.Errorf("durability: %w", err)
	}
	switch mode {
	case 0:
		return "none", nil
	case 1:
		return "at sync", nil
	default: // 2 FULL, 3 EXTRA
		return "each commit", nil
	}
}

// syncFile is os.File.Sync; a variable so that a test can see which files
// were synced and when.
var syncFile = (*os.File).Sync

// syncFiles fsyncs annalist.db-wal and then the archive's directory, if
// the WAL exists.
func (s *Store) syncFiles() error {
	if s.pg || s.noSync || s.readOnly {
		return nil
	}
	for i, name := range []string{filepath.Join(s.dir, "annalist.db-wal"), s.dir} {
		f, err := os.Open(name)
		if i == 0 && errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("sync %s: %w", name, err)
		}
		err = syncFile(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", name, err)
		}
	}
	return nil
}

// WARCDir is the directory holding the WARC files.
func (s *Store) WARCDir() string { return filepath.Join(s.dir, "warc") }

// retryBusy runs f again while it fails with SQLITE_BUSY, for up to wait.
// Two processes opening a new archive at the same moment (a daemon and a
// one-off fetch started together) meet locks SQLite answers at once even
// with a busy timeout (the WAL index being set up by the other), and the
// loser failed with "migrate: begin: database is locked" (seen once in
// about 60 such starts).
func retryBusy(ctx context.Context, wait time.Duration, f func(context.Context) error) error {
	deadline := time.Now().Add(wait)
	for delay := 10 * time.Millisecond; ; delay = min(2*delay, 500*time.Millisecond) {
		err := f(ctx)
		if err == nil || !isBusy(err) || time.Now().Add(delay).After(deadline) {
			return err
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return err
		}
	}
}
