package store

import (
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"annalist/internal/pgtest"
)

// BenchmarkIngestBackends stores new snapshots of distinct ~50 KB pages on
// SQLite and on PostgreSQL with one and with two workers (two Stores on
// one database, as two daemons would be), side by side in one run. Besides
// the wall time per article it reports the CPU time per article of this
// process (annalist: extraction is not included, storing is) and of the
// PostgreSQL server:
// go test -run '^$' -bench IngestBackends -benchtime 400x ./internal/store
func BenchmarkIngestBackends(b *testing.B) {
	for _, bc := range []struct {
		name    string
		pg      bool
		workers int
	}{{"sqlite", false, 1}, {"postgres-1", true, 1}, {"postgres-2", true, 2}} {
		b.Run(bc.name, func(b *testing.B) {
			opts := Options{NoSync: true}
			if bc.pg {
				opts.Database = pgtest.NewDatabase(b)
			}
			stores := make([]*Store, bc.workers)
			for i := range stores {
				stores[i] = MustOpenDir(b, b.TempDir(), opts)
			}
			head, foot := boilerplate()
			g := newTextGen(1)
			pages := make([]*Page, b.N)
			for i := range pages {
				pages[i] = realisticPage(g, head, foot, i, t0.Add(time.Duration(i)*time.Minute))
			}
			for i, s := range stores { // schema and first WARC file exist before measuring
				mustSave(b, s, realisticPage(g, head, foot, -1-i, t0))
			}
			selfBefore := selfCPU()
			pgBefore, pgOK := pgtest.ServerCPU()
			b.ResetTimer()
			var wg sync.WaitGroup
			for w, s := range stores {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// Each worker stores from 4 callers, as the harvester does.
					var inner sync.WaitGroup
					for c := range 4 {
						inner.Add(1)
						go func() {
							defer inner.Done()
							for i := w*4 + c; i < len(pages); i += 4 * len(stores) {
								if _, err := s.SaveCapture(b.Context(), pages[i]); err != nil {
									b.Error(err)
									return
								}
							}
						}()
					}
					inner.Wait()
				}()
			}
			wg.Wait()
			b.StopTimer()
			n := float64(b.N)
			b.ReportMetric(float64((selfCPU()-selfBefore).Microseconds())/n, "annalist-cpu-µs/article")
			if pgAfter, ok := pgtest.ServerCPU(); ok && pgOK && bc.pg {
				b.ReportMetric(float64((pgAfter-pgBefore).Microseconds())/n, "postgres-cpu-µs/article")
			}
		})
	}
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(fmt.Sprintf("getrusage: %v", err))
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
