package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"annalist/internal/store"
	"annalist/internal/view"
)

var historyCommand = command{
	name:    "history",
	summary: "list an article's snapshots, oldest first (with --captures, every check too)",
	usage:   "history ARTICLE [--captures] [--json]",
	run:     runHistory,
}

func runHistory(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	asJSON := fs.Bool("json", false, "print a JSON array on stdout (with --captures, an object with snapshots and captures)")
	withCaptures := fs.Bool("captures", false, "also list every check of the article (runs of identical outcomes folded)")
	pos, err := m.parseArgs(fs, args)
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
	infos, err := st.SnapshotInfos(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("snapshots of %s: %w", a.ID, err)
	}
	rows := view.NewHistoryEntries(*a, infos)
	var runs []view.CaptureRun
	if *withCaptures {
		caps, err := st.Captures(ctx, store.CaptureFilter{ArticleID: a.ID})
		if err != nil {
			return fmt.Errorf("captures of %s: %w", a.ID, err)
		}
		runs = view.CaptureRuns(caps)
	}
	if *asJSON {
		if !*withCaptures {
			return m.writeJSON(rows)
		}
		return m.writeJSON(view.HistoryWithCaptures{Snapshots: rows, Captures: view.NewCaptures(runs)})
	}
	events, err := st.Events(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("events of %s: %w", a.ID, err)
	}
	fmt.Fprintf(m.Stdout, "%s  %s\n%s\n", a.ID, termLine(a.Title), termLine(a.URL))
	fmt.Fprintf(m.Stdout, "state: %s\n", stateText(*a))
	if a.DeclaredCanonical != "" {
		fmt.Fprintf(m.Stdout, "declared canonical (a syndicated copy of): %s\n", termLine(a.DeclaredCanonical))
	}
	fmt.Fprintln(m.Stdout)
	tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SNAPSHOT\tCAPTURED\tREVISION DATE\tWORDS\tPAGES\tTITLE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", r.ID, deref(r.CapturedAt, "-"), dateOnly(r.RevisionDate), r.Words, r.Pages, termLine(truncate(r.Title, 50)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(events) > 0 {
		fmt.Fprintln(m.Stdout, "\nEVENTS")
		for _, e := range events {
			fmt.Fprintf(m.Stdout, "%s  %s\n", e.At.UTC().Format(time.RFC3339), termLine(eventText(e)))
		}
	}
	if *withCaptures {
		fmt.Fprintln(m.Stdout)
		return printCaptures(m.Stdout, runs)
	}
	return nil
}

// printCaptures lists every check: a folded run shows as
// "unchanged ×14" with its first and last time.
func printCaptures(w io.Writer, runs []view.CaptureRun) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECKED\tOUTCOME\tHTTP\tREVISION DATE\tSNAPSHOT OR ERROR")
	const stamp = "2006-01-02T15:04:05Z"
	for _, r := range runs {
		c := r.First
		when, outcome := c.CapturedAt.UTC().Format(stamp), c.Outcome
		if r.Count > 1 {
			when += " … " + r.Last.CapturedAt.UTC().Format(stamp)
			outcome += " ×" + strconv.Itoa(r.Count)
		}
		status := "-"
		if c.HTTPStatus > 0 {
			status = strconv.Itoa(c.HTTPStatus)
		}
		rev := "-"
		if c.RevisionDate != nil {
			rev = c.RevisionDate.UTC().Format("2006-01-02")
		}
		what := c.SnapshotID
		if c.Error != "" {
			what = termLine(truncate(c.Error, 80))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", when, outcome, status, rev, what)
	}
	return tw.Flush()
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
