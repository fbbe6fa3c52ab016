package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"annalist/internal/export"
	"annalist/internal/store"
)

var exportCommand = command{
	name:    "export",
	summary: "write snapshots' WARC records as a WARC file or a WACZ package (ReplayWeb.page, pywb, warcio)",
	usage:   "export [ARTICLE...] [--source NAME] [--since DATE] [--format wacz|warc] -o FILE [--json]",
	run:     runExport,
}

// exportResult is what `export --json` prints.
type exportResult struct {
	File   string `json:"file"`
	Format string `json:"format"`
	Bytes  int64  `json:"bytes"`
	export.Summary
}

func runExport(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	source := fs.String("source", "", "export the snapshots of this source's articles")
	since := fs.String("since", "", "only snapshots captured at or after this date (RFC 3339, YYYY-MM-DD or YYYYMMDDhhmmss)")
	format := fs.String("format", "", "wacz or warc (default: from the -o file's name, else wacz)")
	out := fs.String("o", "", "the `FILE` to write (required)")
	asJSON := fs.Bool("json", false, "print what was written as JSON on stdout")
	pos, err := m.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return usageErr("-o FILE is required")
	}
	f, err := exportFormat(*format, *out)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(*out); err == nil && fi.IsDir() {
		return usageErr("-o %s is a directory: give the file to write", termLine(*out))
	}
	if _, err := os.Stat(filepath.Dir(*out)); errors.Is(err, os.ErrNotExist) {
		return usageErr("-o %s: no directory %s", termLine(*out), termLine(filepath.Dir(*out)))
	}
	var from time.Time
	if *since != "" {
		if from, err = parseWhen(*since); err != nil {
			return usageErr("--since: %v", err)
		}
	}
	cfg, st, err := m.openArchiveReadOnly(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := checkSource(ctx, cfg, st, *source); err != nil {
		return err
	}
	ids, err := exportSelection(ctx, st, pos, *source, from)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return &exitError{code: 1, msg: "no snapshot matches: nothing written"}
	}
	sum, size, err := writeExport(ctx, m, st, f, *out, ids)
	if err != nil {
		return err
	}
	if *asJSON {
		return m.writeJSON(exportResult{File: *out, Format: f, Bytes: size, Summary: *sum})
	}
	fmt.Fprintf(m.Stdout, "wrote %s (%s): %d snapshots, %d WARC records, %d bytes\n", termLine(*out), f, sum.Snapshots, sum.Records, size)
	return nil
}

// exportFormat is --format, or what the file's name says.
func exportFormat(format, out string) (string, error) {
	switch format {
	case "wacz", "warc":
		return format, nil
	case "":
		if strings.HasSuffix(out, ".warc.gz") || strings.HasSuffix(out, ".warc") {
			return "warc", nil
		}
		return "wacz", nil
	}
	return "", usageErr("--format: %q is not wacz or warc", format)
}

// exportSelection lists the snapshot IDs to export, oldest first within
// each article: the named articles', else the source's, else all.
func exportSelection(ctx context.Context, st *store.Store, refs []string, source string, from time.Time) ([]string, error) {
	var articles []store.Article
	for _, ref := range refs {
		a, err := resolve(ctx, st, ref)
		if err != nil {
			return nil, err
		}
		if source != "" && a.Source != source {
			return nil, usageErr("article %s is from source %q, not %q", a.ID, a.Source, source)
		}
		articles = append(articles, *a)
	}
	if len(refs) == 0 {
		all, err := st.Articles(ctx, store.ArticleFilter{Source: source})
		if err != nil {
			return nil, fmt.Errorf("list articles: %w", err)
		}
		// Oldest article first, as an archive reads.
		for i := len(all) - 1; i >= 0; i-- {
			articles = append(articles, all[i])
		}
	}
	seen := map[string]bool{}
	var ids []string
	for _, a := range articles {
		infos, err := st.SnapshotInfos(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("snapshots of %s: %w", a.ID, err)
		}
		for _, si := range infos {
			if si.CapturedAt.Before(from) || seen[si.ID] {
				continue
			}
			seen[si.ID] = true
			ids = append(ids, si.ID)
		}
	}
	return ids, nil
}

// writeExport writes the file under a temporary name beside it and renames
// it into place, so a failed export leaves no half file. Progress goes to
// stderr at most once a second.
func writeExport(ctx context.Context, m *Main, st *store.Store, format, out string, ids []string) (*export.Summary, int64, error) {
	dir := filepath.Dir(out)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		// Name the file asked for, not the temporary one beside it.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, 0, fmt.Errorf("create %s (in %s): %w", out, dir, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	defer tmp.Close()
	if err := tmp.Chmod(0o644); err != nil { // CreateTemp's 0600 is for secrets
		return nil, 0, fmt.Errorf("create %s: %w", out, err)
	}
	last := m.Now()
	opts := export.Options{
		Now:      m.Now,
		Software: "annalist " + Version,
		Title:    "annalist export",
		TempDir:  dir,
		Progress: func(p export.Progress) {
			if now := m.Now(); now.Sub(last) >= time.Second && p.Done < p.Total {
				last = now
				fmt.Fprintf(m.Stderr, "export: %d/%d snapshots, %d WARC bytes\n", p.Done, p.Total, p.Bytes)
			}
		},
	}
	var sum *export.Summary
	if format == "warc" {
		sum, err = export.WriteWARC(ctx, tmp, filepath.Base(out), st, ids, opts)
	} else {
		sum, err = export.WriteWACZ(ctx, tmp, st, ids, opts)
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrDamaged) {
		return nil, 0, fmt.Errorf("%w (run 'annalist verify')", err)
	}
	if err != nil {
		return nil, 0, err
	}
	if err := tmp.Sync(); err != nil {
		return nil, 0, fmt.Errorf("write %s: %w", out, err)
	}
	fi, err := tmp.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("write %s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, 0, fmt.Errorf("write %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return nil, 0, fmt.Errorf("write %s: %w", out, err)
	}
	return sum, fi.Size(), nil
}
