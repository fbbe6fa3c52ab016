package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"annalist/internal/config"
	"annalist/internal/store"
)

var migrateCommand = command{
	name:    "migrate-archive",
	summary: "copy the SQLite index (with its search index) into an empty PostgreSQL database and check the counts",
	usage:   "migrate-archive --to postgres://USER@HOST/DB [--data DIR] [--json]",
	run:     runMigrate,
}

func runMigrate(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	to := fs.String("to", "", "the PostgreSQL database to copy into (postgres://…); it must be empty")
	data := fs.String("data", "", "archive directory (default: data_dir of the config)")
	asJSON := fs.Bool("json", false, `print {"ok","tables":[{"table","sqlite","postgres"}…]} on stdout`)
	if pos, err := m.parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageErr("migrate-archive takes no arguments")
	}
	if *to == "" {
		return usageErr("--to postgres://… is required")
	}
	if err := config.CheckDatabase(*to); err != nil {
		return usageErr("--to: %v", err)
	}
	dir := *data
	if dir == "" {
		cfg, err := config.Load(m.configPath)
		if err != nil {
			return fmt.Errorf("%w (or pass --data DIR)", err)
		}
		dir = cfg.DataDir
	}
	rep, err := store.CopyToPostgres(ctx, dir, *to, store.Options{Logger: m.logger, Now: m.Now})
	if err != nil {
		return fmt.Errorf("migrate archive %s: %w", dir, err)
	}
	if *asJSON {
		if err := m.writeJSON(rep); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TABLE\tSQLITE\tPOSTGRESQL")
		for _, c := range rep.Tables {
			fmt.Fprintf(tw, "%s\t%d\t%d\n", c.Table, c.SQLite, c.Postgres)
		}
		tw.Flush()
	}
	if !rep.OK {
		return &exitError{code: 1, msg: "the counts differ after the copy"}
	}
	if !*asJSON {
		fmt.Fprintln(m.Stdout, "all counts agree; set database: in config.yaml (or $ANNALIST_DATABASE) to use it")
	}
	return nil
}
