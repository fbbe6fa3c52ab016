package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"annalist/internal/store"
	"annalist/internal/view"
)

var searchCommand = command{
	name:    "search",
	summary: "full-text search over the archived snapshots",
	usage:   "search QUERY... [--source NAME] [--latest] [--limit N] [--json]",
	run:     runSearch,
}

func runSearch(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	asJSON := fs.Bool("json", false, "print a JSON array on stdout")
	source := fs.String("source", "", "only this source's articles")
	latest := fs.Bool("latest", false, "search only each article's latest snapshot")
	limit := fs.Int("limit", 50, "at most N results")
	pos, err := m.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *limit < 1 {
		return usageErr("--limit %d: must be 1 or more", *limit)
	}
	query := strings.TrimSpace(strings.Join(pos, " "))
	if query == "" {
		return usageErr("search needs a QUERY")
	}
	cfg, st, err := m.openArchiveReadOnly(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := checkSource(ctx, cfg, st, *source); err != nil {
		return err
	}
	hits, err := st.Search(ctx, query, store.SearchOptions{Source: *source, LatestOnly: *latest, Limit: *limit})
	if err != nil {
		if errors.Is(err, store.ErrBadQuery) {
			return usageErr("%v", err)
		}
		return fmt.Errorf("search %q: %w", query, err)
	}
	rows := make([]view.Hit, 0, len(hits))
	for _, h := range hits {
		rows = append(rows, view.NewHit(h))
	}
	if *asJSON {
		return m.writeJSON(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintf(m.Stdout, "no snapshot matches %s\n", termLine(strconv.Quote(query)))
		return nil
	}
	for _, r := range rows {
		fmt.Fprintf(m.Stdout, "%s  %s\n  %s\n  %s\n\n", r.Snapshot, termLine(r.Title), termLine(r.URL), termLine(strings.Join(strings.Fields(r.Snippet), " ")))
	}
	return nil
}
