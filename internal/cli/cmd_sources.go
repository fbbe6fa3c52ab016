package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"annalist/internal/config"
	"annalist/internal/store"
)

var sourcesCommand = command{
	name:    "sources",
	summary: "list the configured sources with their poll health and counts",
	usage:   "sources [--json]",
	run:     runSources,
}

type sourceJSON struct {
	Name        string  `json:"name"`
	Title       string  `json:"title"`
	Feed        string  `json:"feed"`
	Schedule    string  `json:"schedule"`
	NextRun     *string `json:"next_run"`
	LastPollAt  *string `json:"last_poll_at"`
	LastOutcome string  `json:"last_outcome"`
	LastError   string  `json:"last_error"`
	Articles    int     `json:"articles"`
	Snapshots   int     `json:"snapshots"`

	failures int // shown in the table; not in the JSON contract
}

func runSources(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	asJSON := fs.Bool("json", false, "print a JSON array on stdout")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageErr("sources takes no arguments")
	}
	cfg, st, err := m.openArchive(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := sourceRows(ctx, cfg, st, m.Now().UTC())
	if err != nil {
		return err
	}
	if *asJSON {
		return m.writeJSON(rows)
	}
	tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tARTICLES\tSNAPSHOTS\tLAST POLL\tOUTCOME\tNEXT RUN\tFEED")
	for _, r := range rows {
		outcome := r.LastOutcome
		if outcome == "" {
			outcome = "never polled"
		}
		if r.failures > 1 {
			outcome = fmt.Sprintf("failing (%d polls in a row)", r.failures)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\n", r.Name, r.Articles, r.Snapshots, deref(r.LastPollAt, "-"), outcome, deref(r.NextRun, "-"), r.Feed)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	sep := "\n"
	for _, r := range rows {
		if r.LastError != "" {
			fmt.Fprintf(m.Stdout, "%s%s: last error: %s\n", sep, r.Name, r.LastError)
			sep = ""
		}
	}
	return nil
}

// sourceRows joins the configuration with the archive's poll state; a
// source only in the archive (removed from the config, or "manual") is
// listed too, without a schedule.
func sourceRows(ctx context.Context, cfg *config.Config, st *store.Store, now time.Time) ([]sourceJSON, error) {
	known, err := st.Sources(ctx)
	if err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	byName := map[string]store.Source{}
	for _, s := range known {
		byName[s.Name] = s
	}
	rows := []sourceJSON{}
	for _, c := range cfg.Sources {
		r := sourceJSON{Name: c.Name, Title: c.Title, Feed: c.Feed, Schedule: c.Schedule}
		if sched, err := config.ParseSchedule(c.Schedule); err == nil {
			next := sched.Next(now)
			r.NextRun = jsonTime(&next)
		}
		if s, ok := byName[c.Name]; ok {
			fillPollState(&r, s)
			delete(byName, c.Name)
		}
		rows = append(rows, r)
	}
	for _, s := range known {
		if _, ok := byName[s.Name]; !ok {
			continue
		}
		r := sourceJSON{Name: s.Name, Title: s.Title, Feed: s.Feed}
		fillPollState(&r, s)
		rows = append(rows, r)
	}
	return rows, nil
}

func fillPollState(r *sourceJSON, s store.Source) {
	r.LastPollAt = jsonTime(s.LastPollAt)
	r.LastOutcome, r.LastError = s.LastOutcome, s.LastError
	r.Articles, r.Snapshots = s.Articles, s.Snapshots
	r.failures = s.Failures
}

func deref(s *string, def string) string {
	if s == nil {
		return def
	}
	return *s
}

// resolve finds an article by ID or URL, with an error that names the
// reference.
func resolve(ctx context.Context, st *store.Store, ref string) (*store.Article, error) {
	a, err := st.ResolveArticle(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("no article %q in the archive (give an article ID from 'annalist list' or a URL it was fetched from)", ref)
	}
	return a, err
}
