package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"annalist/internal/pgtest"
	"annalist/internal/store"
)

// Two workers sharing a PostgreSQL index learn one source's template at
// once (a poll on one, the revision watch on the other), their pages
// listing shared blocks in different orders. Every learning must commit
// (no deadlock between the two transactions' upserts) and count each
// article once.
func TestLearnTemplatesConcurrentWorkersPostgres(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	var workers []*store.Store
	for range 2 {
		s, err := store.Open(ctx, t.TempDir(), store.Options{NoSync: true, Database: db})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		workers = append(workers, s)
	}
	var blocks []store.TemplateBlock
	for k := range 30 {
		blocks = append(blocks, store.TemplateBlock{Key: fmt.Sprintf("k%02d", k), Sample: "block"})
	}
	reversed := slices.Clone(blocks)
	slices.Reverse(reversed)
	const rounds = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*rounds)
	for w, s := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				bs := blocks
				if w == 1 {
					bs = reversed
				}
				arts := []store.TemplateLearning{
					{URL: fmt.Sprintf("https://news.example/w%d/%d/a", w, r), Blocks: bs},
					{URL: fmt.Sprintf("https://news.example/w%d/%d/b", w, r), Blocks: reversed},
				}
				if _, err := s.LearnTemplates(ctx, "news", arts); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent learning failed: %v", err)
	}
	learned, got, err := workers[0].TemplateBlocks(ctx, "news", 1)
	if err != nil {
		t.Fatal(err)
	}
	if learned != 2*2*rounds || len(got) != len(blocks) {
		t.Fatalf("learned %d articles, %d blocks; want %d, %d", learned, len(got), 2*2*rounds, len(blocks))
	}
	for _, b := range got {
		if b.Articles != 2*2*rounds {
			t.Errorf("block %s counted in %d articles, want %d", b.Key, b.Articles, 2*2*rounds)
		}
	}
}
