package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"annalist/internal/view"
)

var historyCommand = command{
	name:    "history",
	summary: "list an article's snapshots, oldest first",
	usage:   "history ARTICLE [--json]",
	run:     runHistory,
}

func runHistory(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	asJSON := fs.Bool("json", false, "print a JSON array on stdout")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("history takes one ARTICLE (an ID or URL)")
	}
	_, st, err := m.openArchiveReadOnly(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := resolve(ctx, st, pos[0])
	if err != nil {
		return err
	}
	snaps, err := st.Snapshots(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("snapshots of %s: %w", a.ID, err)
	}
	rows := make([]view.History, 0, len(snaps))
	for _, s := range snaps {
		rows = append(rows, view.NewHistory(s))
	}
	if *asJSON {
		return m.writeJSON(rows)
	}
	fmt.Fprintf(m.Stdout, "%s  %s\n%s\n\n", a.ID, a.Title, a.URL)
	tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SNAPSHOT\tCAPTURED\tREVISION DATE\tWORDS\tPAGES\tTITLE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", r.ID, deref(r.CapturedAt, "-"), dateOnly(r.RevisionDate), r.Words, r.Pages, truncate(r.Title, 50))
	}
	return tw.Flush()
}
