package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	yaltaA := "Before Chiang Ching-kuo went to the Soviet Union, the United States, the Soviet Union and Britain had signed the Yalta Agreement."
	yaltaB := yaltaA + " Outer Mongolia held a plebiscite in October 1945."
	mustSave(t, s, page("yalta", "The Yalta Agreement", yaltaA, t0))
	mustSave(t, s, page("yalta", "The Yalta Agreement", yaltaB, t0.Add(time.Hour)))
	mustSave(t, s, page("rome", "Rome", "The Roman Republic fell; Augustus became the first emperor of Rome. Café culture came much later.", t0))
	other := page("lincoln", "Lincoln", "Abraham Lincoln led the United States through the Civil War.", t0)
	other.Source = "other"
	mustSave(t, s, other)

	search := func(q string, o SearchOptions) []Hit {
		t.Helper()
		hits, err := s.Search(ctx, q, o)
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		return hits
	}
	if hits := search("soviet britain", SearchOptions{}); len(hits) != 2 {
		t.Errorf("words: %d hits, want both Yalta snapshots", len(hits))
	} else if !strings.Contains(hits[0].Snippet, "«Soviet»") || !strings.Contains(hits[0].Snippet, "«Britain»") ||
		hits[0].Title != "The Yalta Agreement" || hits[0].Source != "example" || hits[0].URL != "https://example.com/yalta" {
		t.Errorf("hit = %+v", hits[0])
	}
	if hits := search("soviet lincoln", SearchOptions{}); len(hits) != 0 {
		t.Errorf("plain words are ANDed: got %d hits", len(hits))
	}
	if hits := search("plebiscite", SearchOptions{}); len(hits) != 1 || !strings.HasSuffix(hits[0].SnapshotID, "090000") {
		t.Errorf("word only in revision: %+v", hits)
	}
	if hits := search("soviet", SearchOptions{LatestOnly: true}); len(hits) != 1 || !strings.HasSuffix(hits[0].SnapshotID, "090000") {
		t.Errorf("LatestOnly: %+v", hits)
	}
	if hits := search("united states", SearchOptions{Source: "other"}); len(hits) != 1 || hits[0].Title != "Lincoln" {
		t.Errorf("source filter: %+v", hits)
	}
	if hits := search(`"united states" AND lincoln`, SearchOptions{}); len(hits) != 1 {
		t.Errorf("phrase: %+v", hits)
	}
	if hits := search("Ching-kuo", SearchOptions{}); len(hits) != 2 || !strings.Contains(hits[0].Snippet, "«Ching»-«kuo»") {
		t.Errorf("hyphenated word: %+v", hits)
	}
	if hits := search("cafe emper*", SearchOptions{}); len(hits) != 1 || !strings.Contains(hits[0].Snippet, "«Café»") || !strings.Contains(hits[0].Snippet, "«emperor»") {
		t.Errorf("diacritics and prefix: %+v", hits)
	}
	if hits := search("title:yalta", SearchOptions{Limit: 1}); len(hits) != 1 {
		t.Errorf("column filter with limit: %+v", hits)
	}

	for _, bad := range []string{`"unterminated`, "AND", "soviet OR", "(rome", "nosuchcolumn:rome", "   "} {
		_, err := s.Search(ctx, bad, SearchOptions{})
		if !errors.Is(err, ErrBadQuery) {
			t.Errorf("Search(%q) err = %v, want ErrBadQuery", bad, err)
		}
	}
}

func TestSnippet(t *testing.T) {
	text := strings.Repeat("filler ", 100) + "the treaty was signed at Yalta in February " + strings.Repeat("more ", 100)
	got := snippet(text, queryTerms("yalta treaty"), 12)
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "«treaty» was signed at «Yalta»") {
		t.Errorf("snippet = %q", got)
	}
	if got := snippet("short text", queryTerms("absent"), 30); got != "short text" {
		t.Errorf("no match: %q", got)
	}
}

// TestSearchNewestFirst: hits come most recently stored first, and a
// limit keeps the newest.
func TestSearchNewestFirst(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	a1 := mustSave(t, s, page("a", "Canal", "The canal was dug in 1820.", t0))
	b := mustSave(t, s, page("b", "Canals", "Another canal, a river too.", t0.Add(time.Hour)))
	a2 := mustSave(t, s, page("a", "Canal", "The canal was dug in 1820 and widened in 1870.", t0.Add(2*time.Hour)))
	want := []string{a2.SnapshotID, b.SnapshotID, a1.SnapshotID}
	for _, q := range []string{"canal", `"the canal" OR river`} { // exact and phrase paths
		for limit := 1; limit <= 3; limit++ {
			hits, err := s.Search(ctx, q, SearchOptions{Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.SnapshotID)
			}
			if !slices.Equal(got, want[:limit]) {
				t.Errorf("Search(%q, limit %d) = %v, want %v", q, limit, got, want[:limit])
			}
		}
	}
}

// TestSearchLatestOnlyOutOfOrder: "latest" is the latest capture, not the
// last one stored, and stays right as revisions arrive.
func TestSearchLatestOnlyOutOfOrder(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	later := mustSave(t, s, page("a", "Grain", "Grain prices rose.", t0.Add(time.Hour)))
	mustSave(t, s, page("a", "Grain", "Grain prices fell, then rose.", t0)) // an older capture, stored after
	mustSave(t, s, page("b", "Grain", "Grain was shipped by canal.", t0))
	b2 := mustSave(t, s, page("b", "Grain", "Grain was shipped by canal and by road.", t0.Add(time.Hour)))
	hits, err := s.Search(ctx, "grain", SearchOptions{LatestOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hits {
		got = append(got, h.SnapshotID)
	}
	slices.Sort(got)
	want := []string{later.SnapshotID, b2.SnapshotID}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("LatestOnly = %v, want %v", got, want)
	}
	if hits, err := s.Search(ctx, `"prices fell"`, SearchOptions{LatestOnly: true}); err != nil || len(hits) != 0 {
		t.Errorf("LatestOnly phrase only in an older capture: %+v, %v", hits, err)
	}
	var stale int
	if err := s.rdb.QueryRow(`SELECT count(*) FROM articles a WHERE a.latest_seq IS NOT (SELECT l.seq FROM snapshots l
		WHERE l.article_id = a.id ORDER BY l.captured_at DESC, l.seq DESC LIMIT 1)`).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("%d articles with a stale latest_seq (%v)", stale, err)
	}
}

// TestSearchReadsOnlyReturnedText: hits past the limit are never
// decompressed (here each read fails, and is logged, as the WARC of these
// legacy-format snapshots is gone).
func TestSearchReadsOnlyReturnedText(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := MustOpenDir(t, dir, Options{NoSync: true, LegacyTextFormat: true})
	for i := range 5 {
		mustSave(t, s, page(fmt.Sprintf("p%d", i), "Plague", "The plague reached the harbour.", t0))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "warc")); err != nil {
		t.Fatal(err)
	}
	var logs countHandler
	s = MustOpenDir(t, dir, Options{NoSync: true, Logger: slog.New(&logs)})
	hits, err := s.Search(ctx, "plague harbour", SearchOptions{Limit: 2})
	if err != nil || len(hits) != 2 {
		t.Fatalf("hits = %+v, err = %v", hits, err)
	}
	if n := logs.n.Load(); n != 2 {
		t.Errorf("%d texts read for 2 hits", n)
	}
}

// countHandler counts "no text for search hit" warnings.
type countHandler struct{ n atomic.Int64 }

func (h *countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "no text for search hit" {
		h.n.Add(1)
	}
	return nil
}
func (h *countHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countHandler) WithGroup(string) slog.Handler      { return h }

func TestSearchDateRange(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	var ids []string
	for i := range 4 {
		ids = append(ids, mustSave(t, s, page(fmt.Sprintf("p%d", i), "Harbour", "The harbour silted up.", t0.Add(time.Duration(i)*time.Hour))).SnapshotID)
	}
	from, to := t0.Add(time.Hour), t0.Add(3*time.Hour)
	for _, c := range []struct {
		o    SearchOptions
		want []string
	}{
		{SearchOptions{From: &from}, []string{ids[3], ids[2], ids[1]}},
		{SearchOptions{To: &to}, []string{ids[2], ids[1], ids[0]}},
		{SearchOptions{From: &from, To: &to, Source: "example"}, []string{ids[2], ids[1]}},
		{SearchOptions{From: &from, To: &to, LatestOnly: true}, []string{ids[2], ids[1]}},
	} {
		for _, q := range []string{"harbour", `"the harbour"`} {
			hits, err := s.Search(ctx, q, c.o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.SnapshotID)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Search(%q, %+v) = %v, want %v", q, c.o, got, c.want)
			}
		}
	}
}

// TestSearchSparseAndCommonSources: a source with a small share of the
// archive is searched through a set of its snapshots, a large one by
// walking the matches; both return exactly their own hits, newest first.
func TestSearchSparseAndCommonSources(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	for i := range 10 {
		p := page(fmt.Sprintf("s%d", i), "Treaty", fmt.Sprintf("the treaty number %d", i), t0.Add(time.Duration(i)*time.Hour))
		if i == 3 {
			p.Source = "rare"
		} else {
			p.Source = "common"
		}
		mustSave(t, s, p)
	}
	if !s.sparseSource(ctx, "rare") || s.sparseSource(ctx, "common") {
		t.Fatal("sparseSource misjudges the shares (1 of 10, 9 of 10)")
	}
	hits, err := s.Search(ctx, "treaty", SearchOptions{Source: "rare"})
	if err != nil || len(hits) != 1 || hits[0].Source != "rare" {
		t.Fatalf("rare source: %+v, %v", hits, err)
	}
	hits, err = s.Search(ctx, "treaty", SearchOptions{Source: "common", Limit: 3})
	if err != nil || len(hits) != 3 {
		t.Fatalf("common source: %+v, %v", hits, err)
	}
	for i, h := range hits {
		if h.Source != "common" || (i > 0 && !h.CapturedAt.Before(hits[i-1].CapturedAt)) {
			t.Fatalf("common source hits not its own, newest first: %+v", hits)
		}
	}
	hits, err = s.Search(ctx, `"treaty number 3"`, SearchOptions{Source: "rare"})
	if err != nil || len(hits) != 1 {
		t.Fatalf("phrase in the rare source: %+v, %v", hits, err)
	}
}
