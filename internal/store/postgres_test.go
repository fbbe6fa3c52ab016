package store

import (
	"fmt"
	"testing"
)

func TestPGSQLRewrite(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT a FROM t WHERE x = ? AND y = ?`, `SELECT a FROM t WHERE x = $1 AND y = $2`},
		{`VALUES (?1, ?2, (SELECT z FROM t WHERE id = ?1))`, `VALUES ($1, $2, (SELECT z FROM t WHERE id = $1))`},
		{`SELECT '?' , ?`, `SELECT '?' , $1`},
		{`SET a = max(coalesce(a, ''), ?)`, `SET a = GREATEST(coalesce(a, ''), $1)`},
		{`SELECT max(warc_offset) FROM s`, `SELECT max(warc_offset) FROM s`},
		{`SELECT min(a, max(b, c))`, `SELECT LEAST(a, GREATEST(b, c))`},
		{`(SELECT json_group_array(u.url) FROM u)`, `(SELECT coalesce(json_agg(u.url)::text, '[]') FROM u)`},
		{`SELECT sum(fetch_ms <= 100) FROM c`, `SELECT sum((fetch_ms <= 100)::int) FROM c`},
		{`SELECT a FROM t ORDER BY a LIMIT -1 OFFSET 20`, `SELECT a FROM t ORDER BY a LIMIT ALL OFFSET 20`},
	} {
		if got := pgSQL(tc.in); got != tc.want {
			t.Errorf("pgSQL(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// Statements with values in their text (LIMIT/OFFSET of a web request)
// must not grow the rewrite cache without bound.
func TestPGSQLCacheIsBounded(t *testing.T) {
	for i := range 3 * pgCacheMax {
		pgSQL(fmt.Sprintf("SELECT a FROM t WHERE b = ? LIMIT 10 OFFSET %d", i))
	}
	n := 0
	pgCache.Range(func(_, _ any) bool { n++; return true })
	if n > pgCacheMax {
		t.Errorf("%d statements cached, want at most %d", n, pgCacheMax)
	}
}
