package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CopyReport says what CopyToPostgres copied: rows of every table in the
// SQLite index and then in PostgreSQL.
type CopyReport struct {
	Tables []TableCount `json:"tables"`
	OK     bool         `json:"ok"` // every count agrees
}

// TableCount is one table's rows on both sides.
type TableCount struct {
	Table    string `json:"table"`
	SQLite   int64  `json:"sqlite"`
	Postgres int64  `json:"postgres"`
}

// copyTables are the index's tables in an order foreign keys accept.
var copyTables = []string{"sources", "articles", "article_urls", "snapshots", "captures", "feed_items", "article_events", "notify_outbox", "template_learned", "template_blocks", "template_dropped"}

// CopyToPostgres copies the SQLite index of the archive in dir into the
// empty PostgreSQL database (migrating it first), rebuilds the full-text
// index there from the snapshots' text, and counts the rows on both sides.
// Columns PostgreSQL does not have are not copied. WARC files stay where
// they are: the copy points at the same files and offsets.
func CopyToPostgres(ctx context.Context, dir, database string, opts Options) (*CopyReport, error) {
	if !IsPostgres(database) {
		return nil, fmt.Errorf("copy index: %q is not a postgres:// URL", redactURL(database))
	}
	opts.Database = ""
	src, err := OpenReadOnly(ctx, dir, opts)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	opts.Database = database
	dst, err := open(ctx, dir, opts, false) // migrates; repairs no WARC file
	if err != nil {
		return nil, err
	}
	defer dst.Close()
	var have int64
	if err := dst.rdb.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM snapshots) + (SELECT count(*) FROM sources)`).Scan(&have); err != nil {
		return nil, fmt.Errorf("copy index: %w", err)
	}
	if have > 0 {
		return nil, fmt.Errorf("copy index: PostgreSQL database %s is not empty (it holds sources or snapshots); copy into an empty database", redactURL(database))
	}
	conn, err := pgx.Connect(ctx, database)
	if err != nil {
		return nil, fmt.Errorf("copy index: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy index: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	for _, t := range copyTables {
		if err := copyTable(ctx, src, tx, t); err != nil {
			return nil, fmt.Errorf("copy index: %s: %w", t, err)
		}
	}
	if err := copyFTS(ctx, src, tx); err != nil {
		return nil, fmt.Errorf("copy index: full-text index: %w", err)
	}
	for _, id := range [][2]string{{"snapshots", "seq"}, {"captures", "id"}, {"article_events", "id"}, {"notify_outbox", "id"}} {
		if _, err := tx.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), coalesce(max(%s), 0) + 1, false) FROM %s`,
			id[0], id[1], id[1], id[0])); err != nil {
			return nil, fmt.Errorf("copy index: %s sequence: %w", id[0], err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("copy index: commit: %w", err)
	}
	rep := &CopyReport{OK: true}
	for _, t := range append(copyTables, "snapshots_fts") {
		var c TableCount
		c.Table = t
		from := t
		if t == "snapshots_fts" {
			from = "snapshots" // one index row per snapshot
		}
		if err := src.rdb.QueryRowContext(ctx, `SELECT count(*) FROM `+from).Scan(&c.SQLite); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+t).Scan(&c.Postgres); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		rep.OK = rep.OK && c.SQLite == c.Postgres
		rep.Tables = append(rep.Tables, c)
	}
	return rep, nil
}

// copyTable copies the columns table has on both sides with COPY.
func copyTable(ctx context.Context, src *Store, tx pgx.Tx, table string) error {
	pgCols := map[string]bool{}
	rows, err := tx.Query(ctx, `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, table)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		pgCols[c] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	srows, err := src.rdb.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return err
	}
	var cols []string
	for srows.Next() {
		var c string
		if err := srows.Scan(&c); err != nil {
			srows.Close()
			return err
		}
		if pgCols[c] {
			cols = append(cols, c)
		}
	}
	srows.Close()
	if len(cols) == 0 {
		return fmt.Errorf("no column in common")
	}
	q := "SELECT "
	for i, c := range cols {
		if i > 0 {
			q += ", "
		}
		q += `"` + c + `"`
	}
	data, err := src.rdb.QueryContext(ctx, q+" FROM "+table)
	if err != nil {
		return err
	}
	defer data.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		if !data.Next() {
			return nil, data.Err()
		}
		if err := data.Scan(ptrs...); err != nil {
			return nil, err
		}
		return vals, nil
	}))
	return err
}

// copyFTS indexes every snapshot's title and text, read from SQLite.
func copyFTS(ctx context.Context, src *Store, tx pgx.Tx) error {
	rows, err := src.rdb.QueryContext(ctx, `SELECT seq, id, title FROM snapshots ORDER BY seq`)
	if err != nil {
		return err
	}
	type snap struct {
		seq       int64
		id, title string
	}
	var all []snap
	for rows.Next() {
		var s snap
		if err := rows.Scan(&s.seq, &s.id, &s.title); err != nil {
			rows.Close()
			return err
		}
		all = append(all, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	b := &pgx.Batch{}
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		err := tx.SendBatch(ctx, b).Close()
		b = &pgx.Batch{}
		return err
	}
	for _, s := range all {
		text, err := src.SnapshotText(ctx, s.id)
		if err != nil {
			return fmt.Errorf("snapshot %s: %w", s.id, err)
		}
		b.Queue(`INSERT INTO snapshots_fts (rowid, title, text) VALUES ($1, array_to_tsvector($2::text[]), array_to_tsvector($3::text[]))`,
			s.seq, lexemes(s.title), lexemes(text))
		if b.Len() >= 500 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
