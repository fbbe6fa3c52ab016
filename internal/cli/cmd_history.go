package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"annalist/internal/store"
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
	_, st, err := m.openArchive(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := resolve(ctx, st, pos[0])
	if err != nil {
		return err
	}
	infos, err := st.SnapshotInfos(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("snapshots of %s: %w", a.ID, err)
	}
	rows := view.NewHistoryEntries(*a, infos)
	if *asJSON {
		return m.writeJSON(rows)
	}
	events, err := st.Events(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("events of %s: %w", a.ID, err)
	}
	fmt.Fprintf(m.Stdout, "%s  %s\n%s\n", a.ID, a.Title, a.URL)
	fmt.Fprintf(m.Stdout, "state: %s\n", stateText(*a))
	if a.DeclaredCanonical != "" {
		fmt.Fprintf(m.Stdout, "declared canonical (a syndicated copy of): %s\n", a.DeclaredCanonical)
	}
	fmt.Fprintln(m.Stdout)
	tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SNAPSHOT\tCAPTURED\tREVISION DATE\tWORDS\tTITLE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", r.ID, deref(r.CapturedAt, "-"), dateOnly(r.RevisionDate), r.Words, truncate(r.Title, 50))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(events) > 0 {
		fmt.Fprintln(m.Stdout, "\nEVENTS")
		for _, e := range events {
			fmt.Fprintf(m.Stdout, "%s  %s\n", e.At.UTC().Format(time.RFC3339), eventText(e))
		}
	}
	return nil
}

// stateText is an article's state for people: "live", "gone since …",
// "back since …".
func stateText(a store.Article) string {
	if a.StateSince == nil || a.State == "" || a.State == store.StateLive {
		return store.StateLive
	}
	return a.State + " since " + a.StateSince.UTC().Format(time.RFC3339)
}

// eventText says what an event was.
func eventText(e store.Event) string {
	switch e.Kind {
	case store.EventMoved:
		return "moved from " + e.Detail + " to " + e.URL
	case store.EventGone:
		return "gone: " + e.Detail
	case store.EventBack:
		return "back at " + e.URL
	}
	return e.Kind + " " + e.URL + " " + e.Detail
}
