package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"annalist/internal/canonical"
	"annalist/internal/config"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
	"annalist/internal/store"
	"annalist/internal/view"
)

var fetchCommand = command{
	name:    "fetch",
	summary: "poll sources now (all, or the ones named), or archive one page with --url",
	usage:   "fetch [SOURCE...] [--recheck none|due|all] [--json]\n       annalist fetch --url URL [--source NAME] [--json]",
	run:     runFetch,
}

// fetchSourceJSON is one element of `fetch --json`'s "sources" array; its
// keys are a documented contract: name and the counts, nothing else.
type fetchSourceJSON struct {
	Name string `json:"name"`
	harvest.Counts
	// NextDue is when the revision watch next re-checks one of the
	// not_due items (null: none is watched), RFC 3339 in UTC to the second
	// as every date printed.
	NextDue         *string  `json:"next_due"`
	NotModifiedFeed bool     `json:"-"`
	Error           string   `json:"-"`
	PageErrors      []string `json:"-"`
	Checked         int      `json:"-"` // pages checked, whatever their outcome
}

func fetchRow(r harvest.PollResult) fetchSourceJSON {
	j := fetchSourceJSON{Name: r.Source, Counts: r.Counts, NextDue: view.Time(r.NextDue), NotModifiedFeed: r.FeedNotModified,
		PageErrors: r.PageErrors, Checked: r.Checked()}
	if r.Err != nil {
		j.Error = r.Err.Error()
	}
	return j
}

func runFetch(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	asJSON := fs.Bool("json", false, "print the result as JSON on stdout")
	recheck := fs.String("recheck", "due", "also re-fetch known articles: none, due (those the revision watch says are due) or all")
	pageURL := fs.String("url", "", "archive this one page now instead of polling feeds")
	sourceName := fs.String("source", "", "with --url: the source whose selectors and ignore patterns apply")
	names, err := m.parseArgs(fs, args)
	if err != nil {
		return err
	}
	mode, err := harvest.ParseRecheck(*recheck)
	if err != nil {
		return usageErr("--recheck %s: must be none, due or all", *recheck)
	}
	if flagSet(fs, "url") && strings.TrimSpace(*pageURL) == "" {
		// An empty --url (a script's unset variable) is no page, not a
		// request to poll every source.
		return usageErr("--url is empty: give the URL of the page to archive")
	}
	if *pageURL == "" && *sourceName != "" {
		return usageErr("--source goes with --url; to poll a source, name it: annalist fetch %s", *sourceName)
	}
	if *pageURL != "" && len(names) > 0 {
		return usageErr("--url archives one page; do not name sources with it")
	}
	if *pageURL != "" {
		// A value that is no http(s) URL is a mistyped flag, not a page
		// that failed: nothing is recorded of it.
		if _, err := canonical.URL(*pageURL, nil); err != nil {
			return usageErr("--url %q is no absolute http or https URL (such as https://example.org/page)", *pageURL)
		}
	}
	cfg, st, err := m.openArchive(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := syncSources(ctx, cfg, st); err != nil {
		return err
	}
	h := m.newHarvester(cfg, st)
	deliverer, err := m.newDeliverer(cfg, st)
	if err != nil {
		return err
	}
	h.ReportsFailures = true // printed below, once
	m.abandonRemovedHooks(ctx, cfg, st)

	// The first SIGINT/SIGTERM closes stop: no new page is taken, the pages
	// in flight are stored, the polls are recorded as interrupted and the
	// store is closed (by the defer above). A second one quits at once;
	// the archive survives that as it survives kill -9.
	stop := make(chan struct{})
	stopSignals := m.interruptible(stop)
	defer stopSignals()
	// Before the store closes: what this fetch queued goes out now,
	// unless the user asked to stop.
	defer func() {
		select {
		case <-stop:
		default:
			m.deliverAfterFetch(ctx, deliverer)
		}
	}()

	if *pageURL != "" {
		restore, large := m.limitMemory(1)
		defer restore()
		h.LargeBody = large
		return m.fetchOne(ctx, cfg, st, h, *pageURL, *sourceName, *asJSON)
	}

	srcs, err := pickSources(cfg, names)
	if err != nil {
		return err
	}
	restore, large := m.limitMemory(h.Workers * len(srcs)) // the sources are polled at once
	defer restore()
	h.LargeBody = large
	progress := m.progress()
	results := make([]harvest.PollResult, len(srcs))
	var wg sync.WaitGroup
	for i, src := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = h.PollSource(ctx, src, harvest.PollOptions{Recheck: mode, Progress: progress.update, Stop: stop})
		}()
	}
	wg.Wait()
	progress.done()
	// What is reported must survive a power loss, not only a crash.
	if err := st.Sync(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("archive %s: %w", cfg.DataDir, err)
	}

	return m.reportFetch(ctx, results, *asJSON)
}

// reportFetch prints the polls' results (JSON or text, errors on stderr
// with --json) and says how the command exits: 1 when a source failed or
// the fetch was interrupted.
func (m *Main) reportFetch(ctx context.Context, results []harvest.PollResult, asJSON bool) error {
	failed := false
	archived, planned := 0, 0
	out := struct {
		Sources     []fetchSourceJSON `json:"sources"`
		Interrupted bool              `json:"interrupted,omitempty"`
	}{Sources: []fetchSourceJSON{}}
	for _, r := range results {
		archived, planned = archived+r.Archived(), planned+r.Pages
		out.Interrupted = out.Interrupted || r.Interrupted
		failed = failed || r.Failed()
		out.Sources = append(out.Sources, fetchRow(r))
	}
	if asJSON {
		if err := m.writeJSON(out); err != nil {
			return err
		}
		printFetchErrors(m.Stderr, out.Sources)
	} else {
		printFetch(m.Stdout, out.Sources)
	}
	if out.Interrupted {
		summary := fmt.Sprintf("interrupted: %d of %d archived", archived, planned)
		if asJSON {
			fmt.Fprintln(m.Stderr, summary)
		} else {
			fmt.Fprintln(m.Stdout, summary)
		}
		return &exitError{code: 1}
	}
	if ctx.Err() != nil {
		return &exitError{code: 1, msg: "interrupted"}
	}
	if failed {
		return &exitError{code: 1}
	}
	return nil
}

func (m *Main) fetchOne(ctx context.Context, cfg *config.Config, st *store.Store, h *harvest.Harvester, pageURL, sourceName string, asJSON bool) error {
	var src *config.Source
	if sourceName != "" {
		s, ok := cfg.Source(sourceName)
		if !ok {
			return usageErr("--source: no source named %q in %s", sourceName, m.configPath)
		}
		src = s
	} else {
		if err := st.SyncSources(ctx, []store.Source{{Name: harvest.ManualSource, Title: "Pages archived with fetch --url"}}); err != nil {
			return err
		}
		// Built here, not by CaptureURL, so that http.respect_robots applies
		// to manual captures as it does to every source by default.
		src = &config.Source{Name: harvest.ManualSource, RespectRobots: cfg.HTTP.RespectRobots, Watch: cfg.Defaults.Watch}
	}
	r := h.CaptureURL(ctx, src, pageURL)
	if err := st.Sync(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("archive %s: %w", cfg.DataDir, err)
	}
	if asJSON {
		if err := m.writeJSON(r); err != nil {
			return err
		}
	} else if r.Err == nil {
		fmt.Fprintf(m.Stdout, "%s: %s", pageURL, r.Outcome)
		if r.SnapshotID != "" {
			fmt.Fprintf(m.Stdout, " (snapshot %s)", r.SnapshotID)
		}
		fmt.Fprintf(m.Stdout, "\narticle %s\n", r.ArticleID)
	}
	if r.Err != nil {
		return &exitError{code: 1, msg: pageURL + " could not be archived: " + fetch.Reason(pageURL, r.Err)}
	}
	return nil
}

// exitNow ends the process on a second interrupt.
var exitNow = os.Exit

// interruptible closes stop on the first SIGINT or SIGTERM and exits at once
// on the second. The returned function stops listening.
func (m *Main) interruptible(stop chan struct{}) (release func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			m.logger.Warn("interrupted: finishing the pages in flight; interrupt again to quit now", "signal", sig.String())
			close(stop)
		case <-done:
			return
		}
		select {
		case sig := <-sigs:
			m.logger.Error("interrupted again: quitting now", "signal", sig.String())
			exitNow(1)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}

// pickSources returns the named sources (each once), or every source when
// none is named.
func pickSources(cfg *config.Config, names []string) ([]config.Source, error) {
	if len(names) == 0 {
		if len(cfg.Sources) == 0 {
			return nil, errors.New(noSources(cfg))
		}
		return cfg.Sources, nil
	}
	var out []config.Source
	named := map[string]bool{}
	for _, n := range names {
		if named[n] {
			continue // a source named twice is polled once, not twice at the same time
		}
		named[n] = true
		s, ok := cfg.Source(n)
		if !ok {
			known := make([]string, 0, len(cfg.Sources))
			for _, s := range cfg.Sources {
				known = append(known, s.Name)
			}
			return nil, usageErr("no source named %q (configured: %s)", n, strings.Join(known, ", "))
		}
		out = append(out, *s)
	}
	return out, nil
}

// printFetch writes one summary per source. Every feed item is in one
// category: fetched (new … errors), not due, later or without a link; a
// failed feed says so first, with no item counts.
func printFetch(w io.Writer, rows []fetchSourceJSON) {
	for _, r := range rows {
		if r.Error != "" {
			fmt.Fprintf(w, "%s: %s\n", r.Name, termLine(r.Error))
			if r.Checked > 0 {
				fmt.Fprintf(w, "  %d known %s re-checked: %s\n", r.Checked, plural(r.Checked, "article", "articles"), outcomeCounts(r))
			}
		} else {
			head := fmt.Sprintf("%d %s", r.Items, plural(r.Items, "item", "items"))
			if r.Rechecked > 0 {
				head += fmt.Sprintf(" and %d older %s re-checked", r.Rechecked, plural(r.Rechecked, "article", "articles"))
			}
			if r.NotModifiedFeed {
				head = "feed not modified since the last poll; " + head
			}
			var parts []string
			if r.Checked > 0 || r.Items == 0 || r.NotDue+r.Later+r.NoLink == 0 {
				parts = append(parts, outcomeCounts(r))
			}
			if r.NotDue > 0 {
				parts = append(parts, fmt.Sprintf("%d not due", r.NotDue))
			}
			if r.Later > 0 {
				parts = append(parts, fmt.Sprintf("%d left for the next poll (http.max_items)", r.Later))
			}
			if r.NoLink > 0 {
				parts = append(parts, fmt.Sprintf("%d without a link", r.NoLink))
			}
			fmt.Fprintf(w, "%s: %s: %s\n", r.Name, head, strings.Join(parts, ", "))
			if r.NotDue > 0 {
				fmt.Fprintf(w, "  %s\n", notDueText(r))
			}
		}
		for _, e := range r.PageErrors {
			fmt.Fprintf(w, "  page error: %s\n", termLine(e))
		}
	}
}

func outcomeCounts(r fetchSourceJSON) string {
	s := fmt.Sprintf("%d new, %d revised, %d unchanged, %d not modified, %d errors",
		r.New, r.Revised, r.Unchanged, r.NotModified, r.Errors)
	if r.Moved+r.Gone+r.Back > 0 {
		s += fmt.Sprintf(", %d moved, %d gone, %d back", r.Moved, r.Gone, r.Back)
	}
	return s
}

// notDueText says why known items were not fetched, when the next is due
// and how to fetch them all now.
func notDueText(r fetchSourceJSON) string {
	s := fmt.Sprintf("not due: %d known %s unchanged in the feed and not yet due for a re-check", r.NotDue, plural(r.NotDue, "item", "items"))
	if r.NextDue != nil {
		s += fmt.Sprintf(" (the next is due %s)", *r.NextDue)
	} else {
		s += " (the revision watch is off for them: watch: [])"
	}
	return s + fmt.Sprintf("; 'annalist fetch --recheck all %s' re-checks them now", r.Name)
}

// printFetchErrors writes each source's errors to w (stderr with --json,
// where stdout holds only the JSON document).
func printFetchErrors(w io.Writer, rows []fetchSourceJSON) {
	for _, r := range rows {
		if r.Error != "" {
			fmt.Fprintf(w, "%s: error: %s\n", r.Name, termLine(r.Error))
		}
		for _, e := range r.PageErrors {
			fmt.Fprintf(w, "%s: page error: %s\n", r.Name, termLine(e))
		}
	}
}
