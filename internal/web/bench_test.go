package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"annalist/internal/store"
)

// benchVersion names the cached benchmark archive; change it when the fill
// or the schema changes.
const benchVersion = "web-bench-v4"

// benchArticles × benchRevisions snapshots: 100,000 by default;
// ANNALIST_BENCH_ARTICLES overrides the article count.
const benchRevisions = 10

func benchArticleCount() int {
	n := 10_000
	if v := os.Getenv("ANNALIST_BENCH_ARTICLES"); v != "" {
		fmt.Sscan(v, &n)
	}
	return n
}

var benchWords = strings.Fields(`the of and to in a is that for it as was with be by on not he this are or his from at which
but have an they you were her she there been one all we their has would when if so no will more can what out up other into
could two then them some these its may than only over also new time after first made years people war emperor empire
canal grain river fleet merchant treaty court dynasty province harbour council bishop abbey charter guild city army navy
silver copper silk caravan plague famine harvest revolt reform archive chronicle letter manuscript pamphlet printing press`)

// benchText writes an article of about 450 words; revision r changes a
// few words and adds a sentence, as real revisions do.
func benchText(article, rev int) (string, string) {
	rng := rand.New(rand.NewPCG(uint64(article), 7))
	title := fmt.Sprintf("%s %s of the %s, %d", strings.Title(benchWords[rng.IntN(len(benchWords))]),
		benchWords[rng.IntN(len(benchWords))], benchWords[rng.IntN(len(benchWords))], 1200+article%800)
	var paras []string
	for p := 0; p < 6; p++ {
		var w []string
		for i := 0; i < 75; i++ {
			w = append(w, benchWords[rng.IntN(len(benchWords))])
		}
		paras = append(paras, strings.Join(w, " ")+".")
	}
	edit := rand.New(rand.NewPCG(uint64(article), uint64(rev)+100))
	for r := 1; r <= rev; r++ {
		p := edit.IntN(len(paras))
		ws := strings.Fields(paras[p])
		for k := 0; k < 4; k++ {
			ws[edit.IntN(len(ws))] = benchWords[edit.IntN(len(benchWords))]
		}
		paras[p] = strings.Join(ws, " ") + fmt.Sprintf(" Revised passage number %d adds a sentence.", r)
	}
	return title, strings.Join(paras, "\n\n")
}

// benchArchive returns a store holding benchArticleCount() ×
// benchRevisions snapshots, filled once into a directory under
// os.TempDir() and reused by later runs.
func benchArchive(b *testing.B) (*store.Store, int) {
	b.Helper()
	n := benchArticleCount()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("annalist-%s-%d", benchVersion, n))
	done := filepath.Join(dir, "complete")
	if _, err := os.Stat(done); err != nil {
		os.RemoveAll(dir)
		start := time.Now()
		st, err := store.Open(context.Background(), dir, store.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		sources := []string{"mondo-history", "jstor-daily", "public-domain-review", "medievalists"}
		var next atomic.Int64
		var wg sync.WaitGroup
		var failed atomic.Value
		for w := 0; w < 2*runtime.NumCPU(); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= n*benchRevisions {
						return
					}
					// Revision-major order: every article gets rev 0 before any gets rev 1.
					a, r := i%n, i/n
					title, text := benchText(a, r)
					at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r)*30*24*time.Hour + time.Duration(a)*time.Minute)
					rev := at.Truncate(24 * time.Hour)
					p := pageOf(sources[a%len(sources)], fmt.Sprintf("https://%s.example/a/%d", sources[a%len(sources)], a),
						title, strings.Split(text, "\n\n"), at, &rev, "")
					if _, err := st.SaveCapture(context.Background(), p); err != nil {
						failed.Store(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if err, _ := failed.Load().(error); err != nil {
			b.Fatal(err)
		}
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(done, nil, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Logf("filled %d snapshots in %s (%s)", n*benchRevisions, time.Since(start).Round(time.Second), dir)
	}
	st, err := store.Open(context.Background(), dir, store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st, n
}

// BenchmarkHandlers measures server-side rendering with 100,000 snapshots
// (10,000 articles × 10 revisions) in the archive. Each iteration picks
// another article, so the word-count cache mostly misses:
//
//	go test -run '^$' -bench Handlers -benchtime 200x ./internal/web/
func BenchmarkHandlers(b *testing.B) {
	st, n := benchArchive(b)
	srv, err := New(Options{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = store.ArticleID(fmt.Sprintf("https://%s.example/a/%d", []string{"mondo-history", "jstor-daily", "public-domain-review", "medievalists"}[i%4], i))
	}
	infos, err := st.SnapshotInfos(context.Background(), ids[0])
	if err != nil || len(infos) != benchRevisions {
		b.Fatalf("archive not as expected: %d snapshots of article 0, %v", len(infos), err)
	}
	serve := func(b *testing.B, path string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d\n%s", path, rec.Code, rec.Body.String())
		}
	}
	cases := []struct {
		name string
		path func(i int) string
	}{
		{"home", func(int) string { return "/" }},
		{"source", func(int) string { return "/s/jstor-daily?page=3" }},
		{"article", func(i int) string { return "/a/" + ids[(i*7919)%n] }},
		{"snapshot", func(i int) string {
			return "/a/" + ids[(i*7919)%n] + "/" + stamp(time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC))
		}},
		{"diff", func(i int) string { return "/a/" + ids[(i*7919)%n] + "/diff" }},
		{"diff-side", func(i int) string { return "/a/" + ids[(i*7919)%n] + "/diff?view=side" }},
		{"search-rare", func(int) string { return "/search?q=%22passage+number+9%22+charter+abbey" }},
		{"search-common", func(int) string { return "/search?q=canal" }},
		{"search-latest", func(int) string { return "/search?q=canal+silk&latest=1" }},
		{"timemap", func(i int) string { return "/timemap/" + ids[(i*7919)%n] }},
		{"atom", func(int) string { return "/feed.atom" }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if c.name == "snapshot" {
				// A timestamp without a snapshot redirects; measure a real one.
				c.path = func(i int) string {
					id := ids[(i*7919)%n]
					infos, _ := st.SnapshotInfos(context.Background(), id)
					return "/a/" + infos[len(infos)/2].ID
				}
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				serve(b, c.path(i))
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/op")
		})
	}
}
