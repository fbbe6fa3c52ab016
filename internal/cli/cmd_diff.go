package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"annalist/internal/store"
	"annalist/internal/view"
	"annalist/internal/worddiff"
)

var diffCommand = command{
	name:    "diff",
	summary: "word-level diff of two snapshots of an article (default: the last two)",
	usage:   "diff ARTICLE [FROM TO] [--full] [--color auto|always|never] [--json]",
	run:     runDiff,
}

func runDiff(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	asJSON := fs.Bool("json", false, "print the diff as JSON on stdout")
	full := fs.Bool("full", false, "print the whole text, not only the changes with some context")
	color := fs.String("color", "auto", "mark changes with color too: auto (on a terminal), always or never")
	pos, err := m.parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch *color {
	case "auto", "always", "never":
	default:
		return usageErr("--color %q: must be auto, always or never", *color)
	}
	if len(pos) != 1 && len(pos) != 3 {
		return usageErr("diff takes ARTICLE, or ARTICLE FROM TO (snapshot IDs, 14-digit timestamps or dates)")
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
	var from, to *store.Snapshot
	if len(pos) == 3 {
		if from, err = snapshotRef(ctx, st, a, "FROM", pos[1]); err != nil {
			return err
		}
		if to, err = snapshotRef(ctx, st, a, "TO", pos[2]); err != nil {
			return err
		}
	} else {
		snaps, err := st.Snapshots(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("snapshots of %s: %w", a.ID, err)
		}
		if len(snaps) < 2 {
			return fmt.Errorf("article %s has %d snapshot(s): nothing to compare yet", a.ID, len(snaps))
		}
		from, to = &snaps[len(snaps)-2], &snaps[len(snaps)-1]
	}
	for _, s := range []*store.Snapshot{from, to} {
		if s.Damaged != "" {
			return fmt.Errorf("cannot compare: snapshot %s is damaged: %s (run 'annalist verify')", s.ID, s.Damaged)
		}
	}
	chunks, err := worddiff.Diff(ctx, from.Text, to.Text)
	if err != nil {
		return fmt.Errorf("diff %s %s: %w", from.ID, to.ID, err)
	}
	if *asJSON {
		return m.writeJSON(view.NewDiff(a.ID, view.NewHistory(*from), view.NewHistory(*to), chunks))
	}
	useColor := *color == "always" || (*color == "auto" && isTerminal(m.Stdout))
	printDiff(m.Stdout, from, to, chunks, *full, useColor)
	return nil
}

// printDiff writes a readable word diff of two snapshots.
func printDiff(w io.Writer, from, to *store.Snapshot, chunks []worddiff.Chunk, full, color bool) {
	stats := worddiff.Count(chunks)
	fmt.Fprintf(w, "--- %s  captured %s  revision date %s\n+++ %s  captured %s  revision date %s\n",
		from.ID, from.CapturedAt.UTC().Format("2006-01-02T15:04:05Z"), dateOf(from),
		to.ID, to.CapturedAt.UTC().Format("2006-01-02T15:04:05Z"), dateOf(to))
	if from.Title != to.Title {
		fmt.Fprintf(w, "title: [-%s-] {+%s+}\n", termLine(from.Title), termLine(to.Title))
	}
	fmt.Fprintf(w, "%d words removed, %d added\n\n", stats.Removed, stats.Added)
	if stats.Removed == 0 && stats.Added == 0 {
		fmt.Fprintln(w, "(the texts are the same; the snapshots differ in title or in what the fingerprint ignores)")
		return
	}
	printChunks(w, chunks, full, color)
}

func dateOf(s *store.Snapshot) string {
	if s.RevisionDate == nil {
		return "none"
	}
	return s.RevisionDate.UTC().Format("2006-01-02")
}

// snapshotRef finds a snapshot by ID, 14-digit timestamp or a date (the
// snapshot in effect then); arg ("FROM" or "TO") names it in errors.
func snapshotRef(ctx context.Context, st *store.Store, a *store.Article, arg, ref string) (*store.Snapshot, error) {
	if strings.Contains(ref, "/") {
		if !strings.HasPrefix(ref, a.ID+"/") {
			return nil, usageErr("%s: %s is not a snapshot of article %s", arg, ref, a.ID)
		}
		return pickSnapshot(ctx, st, a, "", ref)
	}
	if len(ref) == 14 && strings.Trim(ref, "0123456789") == "" {
		if s, err := pickSnapshot(ctx, st, a, "", ref); err == nil {
			return s, nil
		}
	}
	if _, err := parseWhen(ref); err != nil {
		return nil, usageErr("%s: %v", arg, err)
	}
	return pickSnapshot(ctx, st, a, ref, "")
}

// printChunks writes an inline word diff: [-removed-] and {+added+}, as
// git's --word-diff=plain does, so it reads without color too. Unless full,
// long unchanged stretches are cut to a few words of context.
func printChunks(w io.Writer, chunks []worddiff.Chunk, full, color bool) {
	const context = 12
	del, delEnd, ins, insEnd := "[-", "-]", "{+", "+}"
	if color {
		del, delEnd = "\033[31m[-", "-]\033[0m"
		ins, insEnd = "\033[32m{+", "+}\033[0m"
	}
	for i, c := range chunks {
		switch c.Op {
		case worddiff.Delete:
			fmt.Fprint(w, marked(del, termText(c.Text), delEnd))
		case worddiff.Insert:
			fmt.Fprint(w, marked(ins, termText(c.Text), insEnd))
		default:
			text := c.Text
			if !full {
				words := strings.Fields(text)
				first, last := i == 0, i == len(chunks)-1
				switch {
				case first && len(words) > context:
					text = "… " + strings.Join(words[len(words)-context:], " ") + " "
				case last && len(words) > context:
					text = " " + strings.Join(words[:context], " ") + " …"
				case !first && !last && len(words) > 2*context:
					text = " " + strings.Join(words[:context], " ") + " …\n\n… " + strings.Join(words[len(words)-context:], " ") + " "
				}
			}
			fmt.Fprint(w, termText(text))
		}
	}
	fmt.Fprintln(w)
}

// marked wraps a changed stretch in its markers with the white space at
// its edges left outside, as git's --word-diff does: "alpha [-beta-] gamma",
// not "alpha [-beta -]gamma". A stretch of white space only (a paragraph
// break added or removed) keeps it inside, so the change stays visible.
func marked(open, text, end string) string {
	core := strings.TrimSpace(text)
	if core == "" {
		return open + text + end
	}
	i := strings.Index(text, core)
	return text[:i] + open + core + end + text[i+len(core):]
}
