package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"annalist/internal/store"
	"annalist/internal/view"
)

var showCommand = command{
	name:    "show",
	summary: "print one snapshot of an article (default: the latest)",
	usage:   "show ARTICLE [--at TIME | --snapshot ID] [--format text|markdown|html|json|bibtex|csl-json]",
	run:     runShow,
}

func runShow(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	at := fs.String("at", "", "the snapshot in effect at this time (RFC 3339, YYYY-MM-DD or YYYYMMDDhhmmss)")
	snapID := fs.String("snapshot", "", "this snapshot (its ID, or its 14-digit timestamp)")
	format := fs.String("format", "text", "text, markdown, html, json, or the citation as bibtex or csl-json")
	pos, err := m.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("show takes one ARTICLE (an ID or URL)")
	}
	if *at != "" && *snapID != "" {
		return usageErr("give --at or --snapshot, not both")
	}
	switch *format {
	case "text", "markdown", "html", "json", "bibtex", "csl-json":
	default:
		return usageErr("--format: %q is not text, markdown, html, json, bibtex or csl-json", *format)
	}
	cfg, st, err := m.openArchiveReadOnly(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := resolve(ctx, st, pos[0])
	if err != nil {
		return err
	}
	s, err := pickSnapshot(ctx, st, a, *at, *snapID)
	if err != nil {
		return err
	}
	if s.Damaged != "" && *format != "json" {
		return fmt.Errorf("snapshot %s is damaged: %s (run 'annalist verify'; history and --format json still show its metadata)", s.ID, s.Damaged)
	}
	switch *format {
	case "json":
		return m.writeJSON(view.NewSnapshot(a, s))
	case "bibtex", "csl-json":
		title := ""
		if src, err := st.Source(ctx, a.Source); err == nil {
			title = src.Title
		}
		c := view.NewCitation(a, s, title, cfg.Web.ArchiveBase())
		if *format == "bibtex" {
			fmt.Fprint(m.Stdout, termText(c.BibTeX()))
			return nil
		}
		b, err := c.CSLJSON()
		if err != nil {
			return fmt.Errorf("citation of %s: %w", s.ID, err)
		}
		fmt.Fprintf(m.Stdout, "%s\n", b)
	case "markdown":
		fmt.Fprintf(m.Stdout, "# %s\n\n%s\n", termLine(s.Title), termText(strings.TrimRight(s.Markdown, "\n")))
	case "html":
		fmt.Fprintln(m.Stdout, termText(s.HTML))
	default:
		fmt.Fprintf(m.Stdout, "%s\n%s\nsnapshot %s · captured %s", termLine(s.Title), termLine(a.URL), s.ID, s.CapturedAt.UTC().Format("2006-01-02T15:04:05Z"))
		if s.RevisionDate != nil {
			fmt.Fprintf(m.Stdout, " · revision date %s", s.RevisionDate.UTC().Format("2006-01-02"))
		}
		if a.State == store.StateGone || a.State == store.StateBack {
			fmt.Fprintf(m.Stdout, "\nthe article is %s", stateText(*a))
		}
		if s.DeclaredCanonical != "" {
			fmt.Fprintf(m.Stdout, "\na syndicated copy of %s", termLine(s.DeclaredCanonical))
		}
		fmt.Fprintf(m.Stdout, "\n\n%s\n", termText(strings.TrimRight(s.Text, "\n")))
	}
	return nil
}

// pickSnapshot returns the snapshot named by --snapshot or --at, else the
// latest.
func pickSnapshot(ctx context.Context, st *store.Store, a *store.Article, at, id string) (*store.Snapshot, error) {
	var (
		s   *store.Snapshot
		err error
	)
	switch {
	case id != "":
		if !strings.Contains(id, "/") {
			id = a.ID + "/" + id
		}
		if !strings.HasPrefix(id, a.ID+"/") {
			return nil, usageErr("--snapshot %s is not a snapshot of article %s", id, a.ID)
		}
		s, err = st.Snapshot(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("no snapshot %s (see 'annalist history %s')", id, a.ID)
		}
	case at != "":
		t, perr := parseWhen(at)
		if perr != nil {
			return nil, usageErr("--at: %v", perr)
		}
		s, err = st.SnapshotAt(ctx, a.ID, t)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("article %s had no snapshot yet at %s", a.ID, t.Format("2006-01-02T15:04:05Z"))
		}
	default:
		s, err = st.LatestSnapshot(ctx, a.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("article %s has no snapshot yet (every capture failed; see 'annalist sources')", a.ID)
		}
	}
	return s, err
}
