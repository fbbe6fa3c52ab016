package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Sentinel errors of read-only opening and writing.
var (
	// ErrNoArchive: the directory holds no annalist.db.
	ErrNoArchive = errors.New("store: no archive")
	// ErrSchemaOld: the database predates this binary's migrations; only
	// a writing process may upgrade it.
	ErrSchemaOld = errors.New("store: archive schema older than this annalist")
	// ErrReadOnly is returned by the write methods of a Store opened with
	// OpenReadOnly.
	ErrReadOnly = errors.New("store: opened read-only")
)

// OpenReadOnly opens an existing archive for reading only: no migration,
// no WARC repair, no directory or file of the archive created, and no
// write transaction ever begun, so that it works on a full disk, on a
// read-only mount, and beside a running daemon. A missing archive is
// ErrNoArchive; a database older than this binary is ErrSchemaOld (run a
// writing command once). The write methods return ErrReadOnly.
func OpenReadOnly(ctx context.Context, dir string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if IsPostgres(opts.Database) {
		return openReadOnlyPG(ctx, dir, opts)
	}
	dbPath := filepath.Join(dir, "annalist.db")
	if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s (no annalist.db there; 'annalist fetch' or 'annalist daemon' creates it)", ErrNoArchive, dir)
	} else if err != nil {
		return nil, fmt.Errorf("open archive: %w", err)
	}
	// Without a -wal file no process has the database open for writing:
	// reading it as immutable creates no -wal and -shm beside it (SQLite
	// would create them even read-only). A long-lived reader (serve) must
	// see a daemon that starts later, so it uses the ordinary shared mode.
	_, werr := os.Stat(dbPath + "-wal")
	immutable := errors.Is(werr, fs.ErrNotExist) && !opts.ReadOnlyLive
	want, need, err := latestMigration()
	if err != nil {
		return nil, err
	}
	rdb, have, err := openReadOnlyDB(ctx, dbPath, immutable)
	if err != nil && !immutable && sharedMemoryFailed(err) {
		// The shared mode needs the -shm (and -wal) file, which a full
		// disk or a read-only mount cannot give: read the database file
		// as it is instead, which needs nothing written. What a writer
		// committed to the WAL since its last checkpoint is not seen.
		opts.Logger.Warn("cannot use the database's -wal/-shm files (disk full or read-only?): reading annalist.db as it is; changes not yet checkpointed and later writers are not seen",
			"database", dbPath, "error", err)
		immutable = true
		rdb, have, err = openReadOnlyDB(ctx, dbPath, true)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case have < need:
		rdb.Close()
		return nil, fmt.Errorf("%w: %s has schema version %d, this annalist reads version %d; run a writing command once ('annalist fetch' or 'annalist daemon') to upgrade it",
			ErrSchemaOld, dbPath, have, need)
	case have > want:
		rdb.Close()
		return nil, fmt.Errorf("open database %s: schema version %d was written by a newer annalist (this one knows up to %d)", dbPath, have, want)
	}
	s := &Store{
		dir:      dir,
		log:      opts.Logger,
		now:      opts.Now,
		rdb:      rdb,
		rstmts:   newStmtCache(rdb),
		readOnly: true,
		// A reader that sees later commits sees a writer's migration too.
		exactLater: !immutable,
	}
	s.noExact.Store(have < exactMigration)
	return s, nil
}

// openReadOnlyDB opens the database read-only and reads its schema
// version, which is the first access that needs the -shm file.
func openReadOnlyDB(ctx context.Context, dbPath string, immutable bool) (*sql.DB, int, error) {
	rdb, err := sql.Open("sqlite", readOnlyDSN(dbPath, immutable))
	if err != nil {
		return nil, 0, fmt.Errorf("open database: %w", err)
	}
	n := max(4, runtime.NumCPU())
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	var have int
	if err := rdb.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		rdb.Close()
		return nil, 0, fmt.Errorf("open database %s: %w", dbPath, err)
	}
	return rdb, have, nil
}

// sharedMemoryFailed reports whether err is SQLite failing to open, create
// or grow a file beside the database: I/O error, cannot open, read-only
// or full.
func sharedMemoryFailed(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_FULL:
		return true
	}
	return false
}

// readOnlyDSN opens the database with SQLITE_OPEN_READONLY: no pragma that
// writes (journal_mode, auto_vacuum) and query_only as a second guard.
func readOnlyDSN(path string, immutable bool) string {
	q := url.Values{}
	q.Set("mode", "ro")
	if immutable {
		q.Set("immutable", "1")
	}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	return "file:" + path + "?" + q.Encode()
}

// latestMigration returns the schema version this binary migrates to and
// the one a reader needs (the newest migration not writer-only).
func latestMigration() (latest, reader int, err error) {
	names, err := migrationFS.ReadDir("migrations")
	if err != nil {
		return 0, 0, fmt.Errorf("migrations: %w", err)
	}
	for _, e := range names {
		v, _, _ := strings.Cut(e.Name(), "_")
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, fmt.Errorf("migrations: bad name %q", e.Name())
		}
		latest = max(latest, n)
		if !writerOnlyMigrations[n] {
			reader = max(reader, n)
		}
	}
	return latest, reader, nil
}

// writerOnlyMigrations add what only a writing process needs (0010
// host_deferrals: the fetcher's Retry-After; 0011 captures_article_id: an
// index the unchanged re-check's look-up uses, which readers' queries do
// without), or a column readers do without (0012 snapshots.captured_exact:
// exactExpr reads the rows stored before it as captured_at, and exactCol
// reads an archive without it so). A reader opens an archive not yet
// migrated past them, so that list, search, verify or serve keep working
// after annalist is upgraded, until the next fetch.
var writerOnlyMigrations = map[int]bool{10: true, 11: true, exactMigration: true}

// exactMigration adds snapshots.captured_exact.
const exactMigration = 12

// ReadOnly reports whether the Store was opened with OpenReadOnly.
func (s *Store) ReadOnly() bool { return s.readOnly }

// writable is checked first by every write method.
func (s *Store) writable() error {
	if s.readOnly {
		return ErrReadOnly
	}
	return nil
}

// isBusy reports SQLite's SQLITE_BUSY (any extended code).
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}
