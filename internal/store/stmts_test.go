package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestStatementCache: after the first page, the writer's transaction and
// SaveCapture's reads run on statements prepared once, and saving goes on
// exactly as before (a new snapshot, then a revision, then unchanged).
func TestStatementCache(t *testing.T) {
	s := MustOpenDir(t, t.TempDir(), Options{NoSync: true})
	ctx := context.Background()
	mustSave(t, s, page("a", "A", "first text", t0))
	wn, rn := len(s.wstmts.stmts), len(s.rstmts.stmts)
	if wn < 8 || rn < 1 {
		t.Fatalf("after one page: %d writer and %d reader statements prepared; want the writer's hot path and SaveCapture's read", wn, rn)
	}
	outcomes := []string{}
	for i, text := range []string{"second text", "second text"} {
		res := mustSave(t, s, page("a", "A", text, t0.Add(time.Duration(i+1)*time.Hour)))
		outcomes = append(outcomes, res.Outcome)
	}
	if fmt.Sprint(outcomes) != fmt.Sprint([]string{OutcomeRevised, OutcomeUnchanged}) {
		t.Errorf("outcomes %v; want revised, unchanged", outcomes)
	}
	if len(s.wstmts.missed) != 0 {
		t.Errorf("queries left unprepared after a transaction: %v", s.wstmts.missed)
	}
	if _, err := s.ArticleByURL(ctx, "https://example.com/a"); err != nil {
		t.Fatal(err)
	}
	if n := len(s.rstmts.stmts); n <= rn {
		t.Errorf("queryArticle's statement not kept: %d reader statements, had %d", n, rn)
	}

	// Bounded: past stmtCacheMax texts, queries run unprepared.
	for i := range stmtCacheMax + 10 {
		var n int
		if err := (cachedDB{s.rstmts}).QueryRowContext(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&n); err != nil || n != i {
			t.Fatalf("SELECT %d: %d, %v", i, n, err)
		}
	}
	if n := len(s.rstmts.stmts); n != stmtCacheMax {
		t.Errorf("%d statements kept; want at most %d", n, stmtCacheMax)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if len(s.wstmts.stmts)+len(s.rstmts.stmts) != 0 {
		t.Error("statements left open after Close")
	}
	if _, err := s.ArticleByURL(ctx, "https://example.com/a"); err == nil {
		t.Error("a read after Close succeeded")
	}
}
