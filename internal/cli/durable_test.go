package cli_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"annalist/internal/cli"
	"annalist/internal/demosite"
	"annalist/internal/store"
)

// syncedWriter is a stdout that notes, at its first write, which files
// had been fsynced by then.
type syncedWriter struct {
	mu      sync.Mutex
	synced  []string
	atPrint []string
	printed bool
	buf     bytes.Buffer
}

func (w *syncedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.printed {
		w.printed = true
		w.atPrint = slices.Clone(w.synced)
	}
	return w.buf.Write(p)
}

// TestFetchSyncsBeforeItReports: what `fetch` reports archived must
// survive a power loss, so the database and its WAL are fsynced before the
// first byte of the report (the store is closed, and synced again, later).
func TestFetchSyncsBeforeItReports(t *testing.T) {
	f := newFixture(t)
	for _, args := range [][]string{
		{"fetch", "--json"},
		{"fetch", "--url", f.base + demosite.Path(sample), "--source", "mondo-history", "--json"},
	} {
		w := &syncedWriter{}
		restore := store.TraceSyncs(func(name string) {
			w.mu.Lock()
			w.synced = append(w.synced, name)
			w.mu.Unlock()
		})
		var errb bytes.Buffer
		m := &cli.Main{Stdout: w, Stderr: &errb, Stdin: strings.NewReader(""),
			Getenv: func(k string) string {
				if k == "ANNALIST_CONFIG" {
					return f.cfg
				}
				return ""
			}}
		code := m.Run(context.Background(), args)
		restore()
		if code != 0 {
			t.Fatalf("annalist %v: exit %d\n%s", args, code, errb.String())
		}
		if !w.printed || !slices.Contains(w.atPrint, "annalist.db-wal") {
			t.Fatalf("annalist %v: synced %v before printing (printed %v), want annalist.db-wal among them", args, w.atPrint, w.printed)
		}
	}
}
