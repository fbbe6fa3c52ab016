package cli

import (
	"context"
	"fmt"

	"annalist/internal/store"
)

var reindexCommand = command{
	name:    "reindex",
	summary: "rebuild annalist.db from the WARC files alone (--from-warc)",
	usage:   "reindex --from-warc [--data DIR] [--force] [--json]",
	run:     runReindex,
}

func runReindex(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	fromWARC := fs.Bool("from-warc", false, "rebuild the database from the metadata records of the WARC files (required)")
	data := fs.String("data", "", "archive directory (default: data_dir of the config)")
	force := fs.Bool("force", false, "move an existing annalist.db aside (to annalist.db.before-reindex-TIME) instead of refusing")
	asJSON := fs.Bool("json", false, `print {"files","records","sources","articles","snapshots","duplicates","no_metadata","damaged","raw_damaged","moved_aside"} on stdout`)
	if pos, err := m.parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageErr("reindex takes no arguments")
	}
	if !*fromWARC {
		return usageErr("say where to rebuild from: --from-warc")
	}
	dir, db, err := m.dataDir(*data)
	if err != nil {
		return err
	}

	pp := m.newProgress("reindex")
	rep, err := store.Reindex(ctx, dir, store.Options{Logger: m.logger, Now: m.Now, Database: db.Database}, store.ReindexOptions{Force: *force, Progress: pp.report})
	pp.done()
	if err != nil {
		return dbErr(db, fmt.Errorf("rebuild %s: %w", dir, err))
	}
	if *asJSON {
		return m.writeJSON(rep)
	}
	if rep.MovedAside != "" {
		fmt.Fprintf(m.Stdout, "old database moved aside to %s\n", rep.MovedAside)
	}
	fmt.Fprintf(m.Stdout, "read %d WARC files, %d records: rebuilt %d sources, %d articles, %d snapshots\n",
		rep.Files, rep.Records, rep.Sources, rep.Articles, rep.Snapshots)
	if rep.NoMetadata > 0 {
		fmt.Fprintf(m.Stdout, "%d responses have no metadata record (archived before metadata records, or damaged): not rebuilt\n", rep.NoMetadata)
	}
	if rep.Damaged > 0 {
		fmt.Fprintf(m.Stdout, "%d damaged stretches skipped (run 'annalist verify')\n", rep.Damaged)
	}
	if rep.RawDamaged > 0 {
		fmt.Fprintf(m.Stdout, "%d snapshots rebuilt from their metadata record although their raw response is damaged\n", rep.RawDamaged)
	}
	if rep.Duplicates > 0 {
		fmt.Fprintf(m.Stdout, "%d metadata records repeated a snapshot already rebuilt\n", rep.Duplicates)
	}
	return nil
}
