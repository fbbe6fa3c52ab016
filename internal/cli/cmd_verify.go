package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"annalist/internal/config"
	"annalist/internal/store"
)

var verifyCommand = command{
	name:    "verify",
	summary: "check every WARC record's digests and every snapshot's pointer; exit 1 if anything is damaged",
	usage:   "verify [--data DIR] [--json]",
	run:     runVerify,
}

// verifyJSON is verify's --json document.
type verifyJSON struct {
	OK bool `json:"ok"`
	*store.VerifyReport
}

func runVerify(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	asJSON := fs.Bool("json", false, `print {"ok","files","records","snapshots","bytes","damaged":[…]} on stdout`)
	data := fs.String("data", "", "archive directory (default: data_dir of the config)")
	if pos, err := m.parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageErr("verify takes no arguments")
	}
	dir, db, err := m.dataDir(*data)
	if err != nil {
		return err
	}
	st, err := store.OpenReadOnly(ctx, dir, store.Options{Logger: m.logger, Now: m.Now, Database: db.Database})
	if errors.Is(err, store.ErrNoArchive) {
		return noArchive(dir, err)
	}
	if err != nil {
		return dbErr(db, fmt.Errorf("open archive %s read-only: %w", dir, err))
	}
	defer st.Close()
	pp := m.newProgress("verify")
	rep, err := st.Verify(ctx, pp.report)
	pp.done()
	if err != nil {
		return err
	}
	if *asJSON {
		if err := m.writeJSON(verifyJSON{OK: len(rep.Damaged) == 0, VerifyReport: rep}); err != nil {
			return err
		}
	} else {
		for _, d := range rep.Damaged {
			rec := d.RecordID
			if rec == "" {
				rec = "(record ID unreadable)"
			}
			// A damaged record's ID and what could not be parsed in it are
			// whatever bytes the file holds.
			fmt.Fprintf(m.Stdout, "DAMAGED warc/%s offset %d %s: %s\n", d.File, d.Offset, termLine(rec), termLine(d.Problem))
			for _, id := range d.Snapshots {
				fmt.Fprintf(m.Stdout, "  affects snapshot %s\n", id)
			}
		}
		fmt.Fprintf(m.Stdout, "checked %d WARC files (%d bytes), %d records, %d snapshots: ", rep.Files, rep.Bytes, rep.Records, rep.Snapshots)
		if len(rep.Damaged) == 0 {
			fmt.Fprintln(m.Stdout, "all well")
		} else {
			fmt.Fprintf(m.Stdout, "%d damaged (see 'Damage and recovery' in the README)\n", len(rep.Damaged))
		}
	}
	if len(rep.Damaged) > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d damaged records or pointers in %s", len(rep.Damaged), dir)}
	}
	return nil
}

// dataDir is --data when given, else the config's data_dir.
// The database is the config's (or $ANNALIST_DATABASE); with --data DIR
// only $ANNALIST_DATABASE. db carries it with where it was set (dbErr).
func (m *Main) dataDir(flagValue string) (dir string, db *config.Config, err error) {
	if flagValue != "" {
		db = &config.Config{Database: m.Getenv("ANNALIST_DATABASE"), DatabaseFrom: "$ANNALIST_DATABASE"}
		if db.Database != "" {
			if err := config.CheckDatabase(db.Database); err != nil {
				return "", nil, &exitError{code: 2, msg: "ANNALIST_DATABASE: " + err.Error()}
			}
		}
		return flagValue, db, nil
	}
	cfg, err := m.loadConfig()
	if err != nil {
		return "", nil, fmt.Errorf("%w (or pass --data DIR)", err)
	}
	return cfg.DataDir, cfg, nil
}

// progress prints "verb: 42% file" on stderr when it is a terminal, at
// most a few times a second.
type progress struct {
	mu   sync.Mutex
	con  *console // shared with the logger: a log record never lands on the line
	verb string
	last time.Time
	on   bool
}

func (m *Main) newProgress(verb string) *progress {
	return &progress{con: m.console(), verb: verb, on: isTerminal(m.Stderr)}
}

func (p *progress) report(done, total int64, file string) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Sub(p.last) >= 200*time.Millisecond {
		p.last = now
		pct := 100.0
		if total > 0 {
			pct = 100 * float64(done) / float64(total)
		}
		p.con.show(fmt.Sprintf("%s: %3.0f%% %s", p.verb, pct, file))
	}
}

func (p *progress) done() {
	if p.on {
		p.con.clear()
	}
}
