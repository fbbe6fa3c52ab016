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
			return usageErr("the search %q could not be understood (%s). %s", query, queryTrouble(query, err), view.QuerySyntax)
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
	groups, _ := view.GroupHits(hits, func(h store.Hit) store.Hit { return h }, len(hits), false)
	for _, g := range groups {
		printHitGroup(m, g)
	}
	return nil
}

// printHitGroup prints an article's matching versions as the web's search
// page shows them: the newest with its snippet, then the earlier ones by
// snapshot ID (and revision date, when declared).
func printHitGroup(m *Main, g []store.Hit) {
	h := g[0]
	fmt.Fprintf(m.Stdout, "%s  %s\n  %s\n  %s\n", h.SnapshotID, termLine(h.Title), termLine(h.URL),
		termLine(strings.Join(strings.Fields(h.Snippet), " ")))
	if len(g) > 1 {
		ids := make([]string, 0, len(g)-1)
		for _, e := range g[1:] {
			id := e.SnapshotID
			if e.RevisionDate != nil {
				id += " (revised " + e.RevisionDate.UTC().Format("2006-01-02") + ")"
			}
			ids = append(ids, id)
		}
		versions := "version"
		if len(ids) > 1 {
			versions += "s"
		}
		fmt.Fprintf(m.Stdout, "  also in %d earlier %s: %s\n", len(ids), versions, strings.Join(ids, ", "))
	}
	fmt.Fprintln(m.Stdout)
}

// queryTrouble is what the index's parser found wrong with query, in the
// reader's words where its own speak of columns: "col:x" reads as a field
// named col.
func queryTrouble(query string, err error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, fmt.Sprintf("%q: ", query)); ok {
		msg = after
	}
	msg = strings.TrimPrefix(msg, "fts5: ")
	if col, ok := strings.CutPrefix(msg, "no such column: "); ok {
		return fmt.Sprintf("%q before a colon names a field, and there is none of that name; quote the words to search for them", col)
	}
	return msg
}
