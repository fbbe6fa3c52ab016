package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"
)

func learnAll(t *testing.T, s *Store, order []int, pages map[int][]TemplateBlock) {
	t.Helper()
	for _, i := range order {
		if ok, err := s.LearnTemplate(context.Background(), "src", fmt.Sprintf("https://example.com/%d", i), pages[i]); err != nil || !ok {
			t.Fatalf("learn article %d: %v, %v", i, ok, err)
		}
	}
}

// The statistics count distinct articles, whatever order they come in; a
// re-check (the same article again) counts nothing.
func TestLearnTemplateCountsDistinctArticlesInAnyOrder(t *testing.T) {
	ctx := context.Background()
	pages := map[int][]TemplateBlock{}
	for i := 0; i < 6; i++ {
		pages[i] = []TemplateBlock{{Key: "tfooter", Sample: "© footer"}, {Key: fmt.Sprintf("town%d", i), Sample: "own"}}
		if i%2 == 0 {
			pages[i] = append(pages[i], TemplateBlock{Key: "tauthor", Sample: "about the author"}, TemplateBlock{Key: "tauthor", Sample: "twice on one page"})
		}
	}
	var got [][]TemplateBlock
	for _, order := range [][]int{{0, 1, 2, 3, 4, 5}, {5, 3, 1, 4, 2, 0}} {
		s := MustOpen(t)
		learnAll(t, s, order, pages)
		ok, err := s.LearnTemplate(ctx, "src", "https://example.com/2", pages[2])
		if err != nil || ok {
			t.Fatalf("a re-check of an article learned from counted again: %v, %v", ok, err)
		}
		learned, blocks, err := s.TemplateBlocks(ctx, "src", 1)
		if err != nil {
			t.Fatal(err)
		}
		if learned != 6 {
			t.Errorf("learned = %d, want 6", learned)
		}
		if other, b, _ := s.TemplateBlocks(ctx, "other", 1); other != 0 || len(b) != 0 {
			t.Errorf("another source has statistics: %d, %v", other, b)
		}
		got = append(got, blocks)
	}
	if !reflect.DeepEqual(got[0], got[1]) {
		t.Errorf("statistics depend on the order:\n%v\n%v", got[0], got[1])
	}
	want := map[string]int{"tfooter": 6, "tauthor": 3}
	for _, b := range got[0] {
		if n, ok := want[b.Key]; ok && b.Articles != n {
			t.Errorf("%s seen in %d articles, want %d", b.Key, b.Articles, n)
		}
		if b.Key == "town1" && b.Articles != 1 {
			t.Errorf("an article's own block seen in %d articles", b.Articles)
		}
	}
}

// The statistics of a source are bounded: past TemplateMaxBlocks the
// blocks seen once go, least recently seen first, and furniture stays.
func TestLearnTemplateIsBounded(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	const perPage = 400
	n := TemplateMaxBlocks/perPage + 3
	for i := 0; i < n; i++ {
		blocks := []TemplateBlock{{Key: "tlegal", Sample: "legal"}}
		for k := 0; k < perPage; k++ {
			blocks = append(blocks, TemplateBlock{Key: fmt.Sprintf("t%d-%d", i, k), Sample: "own"})
		}
		if _, err := s.LearnTemplate(ctx, "src", fmt.Sprintf("https://example.com/%d", i), blocks); err != nil {
			t.Fatal(err)
		}
	}
	var rows int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM template_blocks WHERE source = 'src'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != TemplateMaxBlocks {
		t.Errorf("%d blocks kept, want the bound %d", rows, TemplateMaxBlocks)
	}
	_, blocks, err := s.TemplateBlocks(ctx, "src", 1)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]int{}
	for _, b := range blocks {
		found[b.Key] = b.Articles
	}
	if found["tlegal"] != n {
		t.Errorf("furniture seen in every article: %d, want %d", found["tlegal"], n)
	}
	if _, ok := found["t0-0"]; ok {
		t.Error("the oldest block seen once was kept past the bound")
	}
	if _, ok := found[fmt.Sprintf("t%d-0", n-1)]; !ok {
		t.Error("the newest article's blocks were evicted")
	}
}

// A block seen in one article keeps no sample (nothing reads it, and such
// rows are most of the bounded statistics); from its second article on it
// has one.
func TestLearnTemplateSampleFromSecondArticle(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	learnAll(t, s, []int{1, 2}, map[int][]TemplateBlock{
		1: {{Key: "tfooter", Sample: "© footer"}, {Key: "town1", Sample: "article one's own paragraph"}},
		2: {{Key: "tfooter", Sample: "© footer"}, {Key: "town2", Sample: "article two's own paragraph"}},
	})
	got := map[string]string{}
	rows, err := s.rdb.QueryContext(ctx, `SELECT key, sample FROM template_blocks WHERE source = 'src'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		got[k] = v
	}
	want := map[string]string{"tfooter": "© footer", "town1": "", "town2": ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("samples = %q, want %q", got, want)
	}
}

// An article named by its ID counts once across moves (a new canonical
// URL), and an article learned from by its URL alone (before IDs were
// used) is not learned from again.
func TestLearnTemplatesOncePerArticleAcrossMoves(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	blocks := []TemplateBlock{{Key: "tfooter", Sample: "© footer"}}
	if _, err := s.LearnTemplate(ctx, "src", "https://example.com/legacy", blocks); err != nil {
		t.Fatal(err)
	}
	for _, l := range []TemplateLearning{
		{URL: "https://example.com/a/1", Article: "aaaaaaaaaaaa", Blocks: blocks},
		{URL: "https://example.com/b/1", Article: "aaaaaaaaaaaa", Blocks: blocks}, // moved
		{URL: "https://example.com/legacy", Article: "bbbbbbbbbbbb", Blocks: blocks},
		{URL: "https://example.com/c/2", Article: "cccccccccccc", Blocks: blocks},
	} {
		if _, err := s.LearnTemplates(ctx, "src", []TemplateLearning{l}); err != nil {
			t.Fatal(err)
		}
	}
	learned, got, err := s.TemplateBlocks(ctx, "src", 1)
	if err != nil {
		t.Fatal(err)
	}
	if learned != 3 || len(got) != 1 || got[0].Articles != 3 {
		t.Errorf("learned from %d articles, blocks %+v; want 3 articles, the footer in 3", learned, got)
	}
}
