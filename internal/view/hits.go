package view

import (
	"slices"

	"annalist/internal/store"
)

// QuerySyntax says how a search is written, for a query the index could
// not parse: the web page and the CLI say the same.
const QuerySyntax = `Plain words are all found; use "quotes" for a phrase, OR between alternatives, NOT before a word to leave out, and word* for a prefix.`

// GroupHits folds search hits, in the store's order (most recently
// archived first), into one group per article, in the order of each
// article's newest matching version; within a group the newest version
// comes first. At most max groups are kept (capped is then set, as it is
// when it comes in set). hit gives a T's store.Hit, so that the web page
// (hits with marked-up snippets) and the CLI group by the same rule.
func GroupHits[T any](hits []T, hit func(T) store.Hit, max int, capped bool) ([][]T, bool) {
	var groups [][]T
	at := map[string]int{}
	for _, h := range hits {
		id := hit(h).ArticleID
		i, ok := at[id]
		if !ok {
			if len(groups) == max {
				capped = true
				continue
			}
			at[id] = len(groups)
			groups = append(groups, []T{h})
			continue
		}
		groups[i] = append(groups[i], h)
	}
	for _, g := range groups {
		// The store lists hits in archiving order; a reindexed archive
		// may have archived an older capture later, and another writer
		// may store a capture older than the newest snapshot after it.
		// Newest first in the article's order (store.SnapshotInfos): by
		// the full capture time, not the ID's second, which for a capture
		// stored late within the second of a newer one is the next.
		slices.SortStableFunc(g, func(a, b T) int { return hit(b).CapturedExact.Compare(hit(a).CapturedExact) })
	}
	return groups, capped
}
