package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmtCacheMax bounds how many statements a stmtCache keeps: the hot
// paths use a few dozen fixed texts; anything past this runs unprepared.
const stmtCacheMax = 64

// stmtCache keeps prepared statements of one database by their SQL text.
// SQLite compiles a statement in about the time it takes to run a small
// one, and the ingest path runs the same few dozen for every page
// (BenchmarkFirstPoll spent 9% of its CPU in sqlite3_prepare).
type stmtCache struct {
	db     *sql.DB
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	missed map[string]bool // met inside a transaction; prepared by fill
	closed bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, missed: map[string]bool{}}
}

// lookup returns query's statement if it is prepared.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[query]
}

// stmt returns query's statement, preparing it on c.db if need be; nil
// when the cache is full or closed or the preparation failed (the caller
// then runs the query unprepared, which reports any error in the query).
// Never call it while holding the only connection of c.db (a
// transaction on the writer's database): preparing would wait for it.
func (c *stmtCache) stmt(ctx context.Context, query string) *sql.Stmt {
	c.mu.Lock()
	st, full := c.stmts[query], c.closed || len(c.stmts) >= stmtCacheMax
	c.mu.Unlock()
	if st != nil || full {
		return st
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.stmts[query]; old != nil || c.closed || len(c.stmts) >= stmtCacheMax {
		st.Close() // prepared meanwhile by another caller, or too late
		return old
	}
	c.stmts[query] = st
	return st
}

// miss notes a query met inside a transaction, for fill.
func (c *stmtCache) miss(query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.missed) < stmtCacheMax {
		c.missed[query] = true
	}
}

// fill prepares the queries met inside transactions since the last fill.
// The writer calls it between transactions, when its connection is free.
func (c *stmtCache) fill(ctx context.Context) {
	c.mu.Lock()
	missed := c.missed
	c.missed = map[string]bool{}
	c.mu.Unlock()
	for q := range missed {
		c.stmt(ctx, q)
	}
}

// close closes the statements; the cache prepares no more.
func (c *stmtCache) close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var errs []error
	for q, st := range c.stmts {
		errs = append(errs, st.Close())
		delete(c.stmts, q)
	}
	return errors.Join(errs...)
}

// cachedDB is a queryer on c.db through c's statements.
type cachedDB struct{ c *stmtCache }

func (q cachedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.c.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.c.db.ExecContext(ctx, query, args...)
}

func (q cachedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.c.db.QueryContext(ctx, query, args...)
}

func (q cachedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.c.db.QueryRowContext(ctx, query, args...)
}

// cachedTx is a queryer on tx (of c.db) through the statements c has
// prepared; a query it has not is run unprepared and noted for c.fill,
// since preparing it now could wait for the connection tx holds.
type cachedTx struct {
	c  *stmtCache
	tx *sql.Tx
}

func (q cachedTx) stmt(ctx context.Context, query string) *sql.Stmt {
	st := q.c.lookup(query)
	if st == nil {
		q.c.miss(query)
		return nil
	}
	// Bound to tx; prepared once per connection, and closed with tx.
	return q.tx.StmtContext(ctx, st)
}

func (q cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

func (q cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

func (q cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}
