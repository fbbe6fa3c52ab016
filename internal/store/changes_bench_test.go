package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkChanges lists the 50 latest changes (the home page's, a feed's)
// of an archive of 20,000 snapshots and 200,000 captures, of all sources
// and of one of 20: it must stay a look-up on the capture log's index by
// time, however big the archive.
func BenchmarkChanges(b *testing.B) {
	ctx := context.Background()
	s := MustOpen(b)
	fillChanges(b, s, 2000, 10, 10)
	for _, f := range []ChangeFilter{{}, {Source: "src7"}} {
		name := "all"
		if f.Source != "" {
			name = "source"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				ch, err := s.Changes(ctx, f)
				if err != nil || len(ch) != 50 {
					b.Fatalf("Changes = %d, %v", len(ch), err)
				}
			}
		})
	}
}

// BenchmarkArticlesSince lists the articles captured since a recent date
// (list --since) in the archive BenchmarkChanges lists.
func BenchmarkArticlesSince(b *testing.B) {
	ctx := context.Background()
	s := MustOpen(b)
	fillChanges(b, s, 2000, 10, 10)
	since := time.Date(2024, 1, 11, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		arts, err := s.Articles(ctx, ArticleFilter{Since: &since})
		if err != nil || len(arts) == 0 {
			b.Fatalf("Articles = %d, %v", len(arts), err)
		}
	}
}

// fillChanges writes rows straight into the index (no WARC records):
// articles of 20 sources, each with snaps snapshots a day apart and
// checks unchanged captures after each.
func fillChanges(b *testing.B, s *Store, articles, snaps, checks int) {
	b.Helper()
	ctx := context.Background()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for src := range 20 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sources(name) VALUES (?)`, fmt.Sprintf("src%d", src)); err != nil {
			b.Fatal(err)
		}
	}
	for a := range articles {
		id, src := fmt.Sprintf("%012x", a), fmt.Sprintf("src%d", a%20)
		start := t0.Add(time.Duration(a) * 37 * time.Second)
		last := start.Add(time.Duration(snaps-1)*24*time.Hour + time.Duration(checks)*time.Hour + 300*time.Millisecond)
		if _, err := tx.ExecContext(ctx, `INSERT INTO articles (id, source, url, first_seen, last_captured_at) VALUES (?, ?, ?, ?, ?)`,
			id, src, "https://x.example/"+id, fmtTime(start.Truncate(time.Second)), fmtTime(last)); err != nil {
			b.Fatal(err)
		}
		for n := range snaps {
			at := start.Add(time.Duration(n)*24*time.Hour + 300*time.Millisecond)
			snapID := snapshotIDFor(id, at.Truncate(time.Second))
			outcome := OutcomeRevised
			if n == 0 {
				outcome = OutcomeNew
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO snapshots (id, article_id, captured_at, captured_exact, title, fingerprint)
				VALUES (?, ?, ?, ?, 'T', ?)`, snapID, id, fmtTime(at.Truncate(time.Second)), fmtTime(at), fmt.Sprintf("fp%d", n)); err != nil {
				b.Fatal(err)
			}
			if err := insertCapture(ctx, tx, id, src, "https://x.example/"+id, at.Truncate(time.Second), outcome, "", snapID, 0, nil, 200); err != nil {
				b.Fatal(err)
			}
			for c := range checks {
				if err := insertCapture(ctx, tx, id, src, "https://x.example/"+id, at.Add(time.Duration(c+1)*time.Hour), OutcomeUnchanged, "", "", 0, nil, 200); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
