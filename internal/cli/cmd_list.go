package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"annalist/internal/store"
	"annalist/internal/view"
)

var listCommand = command{
	name:    "list",
	summary: "list archived articles, newest first",
	usage:   "list [--source NAME] [--since DATE] [--limit N] [--json]",
	run:     runList,
}

func runList(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	asJSON := fs.Bool("json", false, "print a JSON array on stdout")
	source := fs.String("source", "", "only articles of this source")
	since := fs.String("since", "", "only articles first seen, checked, or with a snapshot dated at or after this date (RFC 3339, YYYY-MM-DD or YYYYMMDDhhmmss)")
	limit := fs.Int("limit", 0, "at most N articles (0 = all)")
	if pos, err := m.parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageErr("list takes no arguments (did you mean 'annalist history %s'?)", pos[0])
	}
	if *limit < 0 {
		return usageErr("--limit %d: must be 0 (all) or more", *limit)
	}
	f := store.ArticleFilter{Source: *source, Limit: *limit}
	if *since != "" {
		t, err := parseWhen(*since)
		if err != nil {
			return usageErr("--since: %v", err)
		}
		f.Since = &t
	}
	cfg, st, err := m.openArchiveReadOnly(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := checkSource(ctx, cfg, st, *source); err != nil {
		return err
	}
	arts, err := st.Articles(ctx, f)
	if err != nil {
		return fmt.Errorf("list articles: %w", err)
	}
	rows := make([]view.Article, 0, len(arts))
	for _, a := range arts {
		rows = append(rows, view.NewArticle(a))
	}
	if *asJSON {
		return m.writeJSON(rows)
	}
	if len(rows) == 0 {
		// A header over nothing reads like a failure; say what is so.
		switch {
		case *source != "" || f.Since != nil:
			fmt.Fprintln(m.Stdout, "no articles match")
		case len(cfg.Sources) == 0:
			fmt.Fprintln(m.Stdout, "no articles in the archive yet; "+noSources(cfg))
		default:
			fmt.Fprintln(m.Stdout, "no articles in the archive yet: 'annalist fetch' polls the sources now")
		}
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSOURCE\tSNAPS\tREVISED\tTITLE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s%s\n", r.ID, termLine(r.Source), r.Snapshots, dateOnly(r.LatestRevisionDate), stateMarker(r), termLine(truncate(r.Title, 70)))
	}
	return tw.Flush()
}

func dateOnly(s *string) string {
	if s == nil {
		return "-"
	}
	if len(*s) >= 10 {
		return (*s)[:10]
	}
	return *s
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// stateMarker prefixes a gone or returned article's title in the table.
func stateMarker(a view.Article) string {
	switch a.State {
	case store.StateGone:
		return "[gone " + dateOnly(a.StateSince) + "] "
	case store.StateBack:
		return "[back " + dateOnly(a.StateSince) + "] "
	}
	return ""
}
