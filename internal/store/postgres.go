package store

// PostgreSQL as the index: the same SQL as SQLite's, rewritten at the
// driver by pgSQL for PostgreSQL's placeholders and the few SQLite
// functions it lacks, so that one body of queries serves both backends
// (and the conformance suite holds them to the same answers). What cannot
// be rewritten (the full-text index, migrations) branches on Store.pg.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

//go:embed migrations_pg/*.sql
var pgMigrationFS embed.FS

// IsPostgres reports whether database (Options.Database, the config's
// database: or $ANNALIST_DATABASE) names a PostgreSQL server.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// openPG opens two pools on the PostgreSQL database at dsn: the writer's
// (one connection, as with SQLite: the group-commit writer is its only
// user) and the readers'.
func openPG(dsn string, readers int) (wdb, rdb *sql.DB, err error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	wdb = sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	rdb = sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	rdb.SetMaxOpenConns(readers)
	rdb.SetMaxIdleConns(readers)
	return wdb, rdb, nil
}

// migratePG applies the embedded PostgreSQL migrations newer than the
// version in annalist_schema, in one transaction, under an advisory lock
// so that workers starting together migrate once.
func (s *Store) migratePG(ctx context.Context) error {
	names, err := pgMigrationFS.ReadDir("migrations_pg")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Slice(names, func(i, j int) bool { return names[i].Name() < names[j].Name() })
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7468521)`); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS annalist_schema (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	current := 0
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM annalist_schema`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	applied := 0
	for _, e := range names {
		v, _, _ := strings.Cut(e.Name(), "_")
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("migrate: bad migration name %q", e.Name())
		}
		if n <= current {
			continue
		}
		body, err := pgMigrationFS.ReadFile("migrations_pg/" + e.Name())
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migrate: %s: %w", e.Name(), err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM annalist_schema; INSERT INTO annalist_schema VALUES (`+strconv.Itoa(n)+`)`); err != nil {
			return fmt.Errorf("migrate: set version: %w", err)
		}
		current = n
		applied++
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	if applied > 0 {
		s.log.Info("database migrated", "backend", "postgres", "version", current, "applied", applied)
	}
	return nil
}

// indexSnapshot adds a snapshot's title and text to the full-text index.
// PostgreSQL gets the words as annalist folds them (foldedWords, as the
// query side does), not through a text search parser, so that a word
// means the same on both backends whatever the database's locale.
func (s *Store) indexSnapshot(ctx context.Context, q queryer, seq int64, title, text string) error {
	if !s.pg {
		_, err := q.ExecContext(ctx, `INSERT INTO snapshots_fts (rowid, title, text) VALUES (?, ?, ?)`, seq, title, text)
		return err
	}
	_, err := q.ExecContext(ctx, `INSERT INTO snapshots_fts (rowid, title, text) VALUES (?, array_to_tsvector(?::text[]), array_to_tsvector(?::text[]))`,
		seq, lexemes(title), lexemes(text))
	return err
}

// lexemes are the distinct folded words of s.
func lexemes(s string) []string {
	ws := foldedWords(s)
	seen := make(map[string]bool, len(ws))
	out := ws[:0]
	for _, w := range ws {
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// pgConnector wraps pgx's connector so that every statement is rewritten
// by pgSQL on its way to the server.
type pgConnector struct{ inner driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{conn.(*stdlib.Conn)}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(query string) (driver.Stmt, error) { return c.Conn.Prepare(pgSQL(query)) }

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, pgSQL(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, pgSQL(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, pgSQL(query), args)
}

var (
	pgCache     sync.Map // SQLite text -> PostgreSQL text
	pgCacheSize atomic.Int64
)

// pgCacheMax bounds pgCache: some statements carry values in their text
// (LIMIT and OFFSET from a web request), which must not grow it forever.
const pgCacheMax = 1024

// pgSQL rewrites a statement written for SQLite into PostgreSQL's dialect:
// ? placeholders become $1, $2…; two-argument max/min become
// GREATEST/LEAST; json_group_array becomes json_agg (as text, [] when
// empty); sum over a comparison counts it as an integer; SQLite's
// LIMIT -1 (no limit, before an OFFSET) becomes LIMIT ALL.
func pgSQL(q string) string {
	if v, ok := pgCache.Load(q); ok {
		return v.(string)
	}
	out := rewriteCalls(q)
	out = sumBool.ReplaceAllString(out, "sum(($1)::int)")
	out = strings.ReplaceAll(out, " LIMIT -1 ", " LIMIT ALL ")
	out = placeholders(out)
	if pgCacheSize.Load() < pgCacheMax {
		if _, loaded := pgCache.LoadOrStore(q, out); !loaded {
			pgCacheSize.Add(1)
		}
	}
	return out
}

var (
	sumBool = regexp.MustCompile(`sum\(([a-z_.]+ *(?:<=|>=|<|>|=|!=) *[0-9]+)\)`)
	callRe  = regexp.MustCompile(`(?i)\b(max|min|json_group_array)\(`)
)

// rewriteCalls rewrites max(a, b), min(a, b) and json_group_array(x).
func rewriteCalls(q string) string {
	var b strings.Builder
	for {
		loc := callRe.FindStringSubmatchIndex(q)
		if loc == nil {
			b.WriteString(q)
			return b.String()
		}
		name := strings.ToLower(q[loc[2]:loc[3]])
		open := loc[1] // just past "("
		end, comma := closeParen(q, open)
		if end < 0 {
			b.WriteString(q)
			return b.String()
		}
		inner := rewriteCalls(q[open:end])
		b.WriteString(q[:loc[0]])
		switch {
		case name == "json_group_array":
			b.WriteString("coalesce(json_agg(" + inner + ")::text, '[]')")
		case comma && name == "max":
			b.WriteString("GREATEST(" + inner + ")")
		case comma && name == "min":
			b.WriteString("LEAST(" + inner + ")")
		default:
			b.WriteString(q[loc[2]:loc[3]] + "(" + inner + ")")
		}
		q = q[end+1:]
	}
}

// closeParen finds the parenthesis closing the one before q[from], and
// whether a comma stands at its top level.
func closeParen(q string, from int) (end int, comma bool) {
	depth := 0
	inStr := false
	for i := from; i < len(q); i++ {
		c := q[i]
		switch {
		case inStr:
			if c == '\'' {
				inStr = false
			}
		case c == '\'':
			inStr = true
		case c == '(':
			depth++
		case c == ')':
			if depth == 0 {
				return i, comma
			}
			depth--
		case c == ',' && depth == 0:
			comma = true
		}
	}
	return -1, false
}

// placeholders numbers the ? outside string literals; ?NNN keeps its number.
func placeholders(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	inStr := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case inStr:
			if c == '\'' {
				inStr = false
			}
		case c == '\'':
			inStr = true
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if j > i+1 { // ?NNN: SQLite's numbered parameter
				b.WriteString("$" + q[i+1:j])
				i = j - 1
				continue
			}
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// pgMatch renders n as a PostgreSQL condition on snapshots_fts f that
// matches at least every row n matches (as relaxed does for FTS5), its
// tsquery values appended to args.
func (n *qnode) pgMatch(args *[]any) string {
	switch n.kind {
	case nodePhrase:
		if len(n.words) == 0 || n.cols == 0 {
			return "false" // an empty phrase or column set matches nothing, as in FTS5
		}
		var tq strings.Builder
		for i, w := range n.words {
			if i > 0 {
				tq.WriteString(" & ")
			}
			tq.WriteString("'" + strings.ReplaceAll(w.word, "'", "''") + "'")
			if w.prefix {
				tq.WriteString(":*")
			}
		}
		*args = append(*args, tq.String())
		switch n.cols {
		case colTitle:
			return "f.title @@ ?::tsquery"
		case colText:
			return "f.text @@ ?::tsquery"
		}
		return "(f.title || f.text) @@ ?::tsquery"
	case nodeAnd:
		return "(" + n.left.pgMatch(args) + " AND " + n.right.pgMatch(args) + ")"
	case nodeOr:
		return "(" + n.left.pgMatch(args) + " OR " + n.right.pgMatch(args) + ")"
	default: // nodeNot: an inexact right side cannot be relaxed to a subset, so drop it
		if !n.right.exact() {
			return n.left.pgMatch(args)
		}
		return "(" + n.left.pgMatch(args) + " AND NOT " + n.right.pgMatch(args) + ")"
	}
}

// openReadOnlyPG opens a PostgreSQL index for reading only (serve and the
// browse commands): no migration, and the schema must be current.
func openReadOnlyPG(ctx context.Context, dir string, opts Options) (*Store, error) {
	wdb, rdb, err := openPG(opts.Database, 8)
	if err != nil {
		return nil, err
	}
	wdb.Close()
	var have int
	if err := rdb.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM annalist_schema`).Scan(&have); err != nil {
		rdb.Close()
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "42P01" { // undefined_table: never written to
			return nil, fmt.Errorf("%w in PostgreSQL database %s ('annalist fetch' or 'annalist daemon' creates it)", ErrNoArchive, redactURL(opts.Database))
		}
		return nil, fmt.Errorf("open database %s: %w", redactURL(opts.Database), err)
	}
	want, err := latestPGMigration()
	if err != nil {
		rdb.Close()
		return nil, err
	}
	if have < want {
		rdb.Close()
		return nil, fmt.Errorf("%w: PostgreSQL database %s has schema version %d, this annalist reads version %d; run a writing command once ('annalist fetch' or 'annalist daemon') to upgrade it",
			ErrSchemaOld, redactURL(opts.Database), have, want)
	}
	if have > want {
		rdb.Close()
		return nil, fmt.Errorf("open database %s: schema version %d was written by a newer annalist (this one knows up to %d)", redactURL(opts.Database), have, want)
	}
	return &Store{dir: dir, log: opts.Logger, now: opts.Now, rdb: rdb, rstmts: newStmtCache(rdb), readOnly: true, pg: true}, nil
}

func latestPGMigration() (int, error) {
	names, err := pgMigrationFS.ReadDir("migrations_pg")
	if err != nil {
		return 0, err
	}
	latest := 0
	for _, e := range names {
		v, _, _ := strings.Cut(e.Name(), "_")
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("bad migration name %q", e.Name())
		}
		latest = max(latest, n)
	}
	return latest, nil
}

// redactURL is a database URL fit for messages and logs: without its password.
func redactURL(s string) string {
	cfg, err := pgx.ParseConfig(s)
	if err != nil {
		return "(unparsable database URL)"
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

// lockArticles takes a transaction-scoped advisory lock on every article
// the batch writes. Workers sharing a PostgreSQL index may save one
// article at once (a poll on one, a revision watch on another), and the
// read-decide-write of a save must not interleave, as SQLite's one writer
// ensures; the locks are taken in one order, so two batches never
// deadlock.
func lockArticles(ctx context.Context, tx *sql.Tx, reqs []*saveReq) error {
	ids := make([]string, 0, len(reqs)+1)
	for _, r := range reqs {
		switch {
		case r.u != nil:
			ids = append(ids, r.u.ArticleID)
		default:
			ids = append(ids, r.id)
			if r.p.ArticleID != "" {
				ids = append(ids, r.p.ArticleID)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(id, 0))
		FROM (SELECT DISTINCT unnest(?::text[]) AS id ORDER BY 1) t`, ids); err != nil {
		return fmt.Errorf("lock articles: %w", err)
	}
	return nil
}
