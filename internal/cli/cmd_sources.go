package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"annalist/internal/cause"
	"annalist/internal/config"
	"annalist/internal/store"
	"annalist/internal/view"
)

var sourcesCommand = command{
	name:    "sources",
	summary: "list the configured sources with their poll health and counts; import or export OPML",
	usage:   "sources [--json] | sources import FILE.opml [--write] [--replace] [--json] | sources export [-o FILE]",
	run:     runSources,
}

// sourceRow is a source as listed; it marshals as view.Source plus
// "category" when the source has one and "notify" when it has webhook
// notifications.
type sourceRow struct {
	view.Source
	Category string      `json:"category,omitempty"`
	Notify   *notifyJSON `json:"notify,omitempty"`
	failures int         // shown in the table; not in the JSON contract
	removed  bool        // only in the archive: no longer in the configuration
}

// notifyJSON is a source's webhook notifications by state (`sources
// --json`, key "notify"; documented in the README).
type notifyJSON struct {
	Delivered int    `json:"delivered"`
	Pending   int    `json:"pending"`  // waiting for their first or next attempt
	Retrying  int    `json:"retrying"` // of pending: failed at least once
	Failed    int    `json:"failed"`   // given up
	LastError string `json:"last_error"`
}

func runSources(ctx context.Context, m *Main, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "import":
			return runSourcesImport(ctx, m, args[1:])
		case "export":
			return runSourcesExport(ctx, m, args[1:])
		}
	}
	fs := m.newFlagSet()
	asJSON := fs.Bool("json", false, "print a JSON array on stdout")
	if pos, err := m.parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageErr("sources takes no arguments")
	}
	cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	// No archive yet: the configured sources, never polled (a reader
	// creates nothing).
	var st *store.Store
	if st, err = store.OpenReadOnly(ctx, cfg.DataDir, m.storeOptions(cfg)); errors.Is(err, store.ErrNoArchive) {
		st = nil
	} else if err != nil {
		return dbErr(cfg, fmt.Errorf("open archive %s read-only: %w", cfg.DataDir, err))
	} else {
		defer st.Close()
	}
	rows, err := sourceRows(ctx, cfg, st, m.Now().UTC())
	if err != nil {
		return err
	}
	if *asJSON {
		return m.writeJSON(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(m.Stdout, noSources(cfg))
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
	// A CATEGORY column only when some source has one (imported from OPML).
	categories := false
	for _, r := range rows {
		categories = categories || r.Category != ""
	}
	header := "NAME\tARTICLES\tSNAPSHOTS\tGONE\tLAST POLL\tOUTCOME\tNEXT RUN\tFEED"
	if categories {
		header += "\tCATEGORY"
	}
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		outcome := r.LastOutcome
		if outcome == "" {
			outcome = "never polled"
		}
		if r.failures > 1 {
			outcome = fmt.Sprintf("failing (%d polls in a row)", r.failures)
		}
		if r.LastOutcome == store.PollError && r.LastError != "" {
			// The short cause here; the whole error below the table.
			outcome += ": " + cause.OfText(r.LastError)
		}
		next := deref(r.NextRun, "-")
		if r.removed {
			// Its articles stay in the archive; nothing polls it any more.
			next = "not configured"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s", termLine(r.Name), r.Articles, r.Snapshots, r.Gone, deref(r.LastPollAt, "-"), termLine(outcome), next, termLine(r.Feed))
		if categories {
			fmt.Fprintf(tw, "\t%s", termLine(r.Category))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	sep := "\n"
	for _, r := range rows {
		if r.LastError != "" {
			fmt.Fprintf(m.Stdout, "%s%s: last error: %s\n", sep, termLine(r.Name), termLine(r.LastError))
			sep = ""
		}
	}
	for _, r := range rows {
		if n := r.Notify; n != nil && n.Failed+n.Retrying > 0 {
			fmt.Fprintf(m.Stdout, "%s%s: notifications: %d failed (given up), %d retrying, %d pending, %d delivered; last error: %s\n",
				sep, termLine(r.Name), n.Failed, n.Retrying, n.Pending, n.Delivered, termLine(n.LastError))
			sep = ""
		}
	}
	return nil
}

// sourceRows joins the configuration with the archive's poll state; a
// source only in the archive (removed from the config, or "manual") is
// listed too, without a schedule. A nil st is an archive not created yet.
func sourceRows(ctx context.Context, cfg *config.Config, st *store.Store, now time.Time) ([]sourceRow, error) {
	var known []store.Source
	if st != nil {
		var err error
		if known, err = st.Sources(ctx); err != nil {
			return nil, fmt.Errorf("read sources: %w", err)
		}
	}
	notes := map[string]store.NotifyCount{}
	if st != nil {
		var err error
		if notes, err = st.NotifyCounts(ctx); err != nil {
			return nil, err
		}
	}
	noteOf := func(name string) *notifyJSON {
		c, ok := notes[name]
		if !ok {
			return nil
		}
		return &notifyJSON{Delivered: c.Delivered, Pending: c.Pending, Retrying: c.Retrying, Failed: c.Failed, LastError: c.LastError}
	}
	byName := map[string]store.Source{}
	for _, s := range known {
		byName[s.Name] = s
	}
	rows := []sourceRow{}
	for _, c := range cfg.Sources {
		// The poll state is the archive's (zero if never polled); the
		// rest is the configuration's.
		s := byName[c.Name]
		delete(byName, c.Name)
		s.Name, s.Title, s.Feed = c.Name, c.Title, c.Feed
		var next *time.Time
		if sched, err := config.ParseSchedule(c.Schedule); err == nil {
			t := sched.Next(now)
			next = &t
		}
		rows = append(rows, sourceRow{Source: view.NewSource(s, c.Schedule, next), Category: c.Category, Notify: noteOf(c.Name), failures: s.Failures})
	}
	for _, s := range known {
		if _, ok := byName[s.Name]; !ok {
			continue
		}
		rows = append(rows, sourceRow{Source: view.NewSource(s, "", nil), Notify: noteOf(s.Name), failures: s.Failures, removed: true})
	}
	return rows, nil
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
