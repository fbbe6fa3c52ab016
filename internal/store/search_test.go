package store

import (
	"context"
	"errors"
	"strings"
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
