package cli_test

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// BenchmarkRealPagesRecheckUpgrade times a `fetch --recheck all` of the
// real pages that extracts every page again (their body keys cleared, as
// when a page's bytes changed), with the latest snapshots' fingerprints
// as this version stores them (current) or as an older normaliser made
// them (older: each re-check then fingerprints the stored snapshot once
// more, until the article's next revision):
//
//	ANNALIST_EXTRACTION_DATA=../shared/data/extraction-dev go test -run '^$' -bench RealPagesRecheckUpgrade -benchtime 10x ./internal/cli/
func BenchmarkRealPagesRecheckUpgrade(b *testing.B) {
	for _, older := range []bool{false, true} {
		name := "current"
		if older {
			name = "older"
		}
		b.Run(name, func(b *testing.B) {
			site := newRealSite(b)
			n := len(site.paths)
			cfgPath, dataDir := realArchive(b, site.srv.URL+"/rss.xml")
			if c := runFetch(b, cfgPath); c["new"] != n || c["errors"] != 0 {
				b.Fatalf("first poll: %v, want %d new", c, n)
			}
			db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "annalist.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if older {
				// Any other fingerprint: the page's no longer equals it.
				if _, err := db.Exec(`UPDATE snapshots SET fingerprint = 'n2:' || substr(fingerprint, 4), fp_version = 'n2'`); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				if _, err := db.Exec(`UPDATE articles SET body_key = ''`); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				c := runFetch(b, cfgPath, "--recheck", "all")
				if c["unchanged"] != n {
					b.Fatalf("re-check: %v, want %d unchanged", c, n)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()*1000/float64(n*b.N), "ms/page")
		})
	}
}
