package web

import (
	"context"
	"database/sql"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"annalist/internal/store"
)

// hugeText is about size bytes of random words in paragraphs.
func hugeText(size int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 7))
	var paras []string
	n := 0
	for n < size {
		w := make([]string, 80)
		for i := range w {
			b := make([]byte, 3+r.IntN(7))
			for j := range b {
				b[j] = byte('a' + r.IntN(26))
			}
			w[i] = string(b)
		}
		p := strings.Join(w, " ") + "."
		paras = append(paras, p)
		n += len(p) + 2
	}
	return paras
}

// hugeArticle serves an archive holding an article with two unrelated
// ~1 MB revisions (256 KB under the race detector): the worst case for a
// word diff.
func hugeArticle(t *testing.T) (*Server, *httptest.Server, string) {
	t.Helper()
	st := store.MustOpen(t)
	const u = "https://mondo.example/history/huge.html"
	size := 1 << 20
	if raceEnabled {
		// The race detector makes everything ten times slower, storing
		// and rendering the page as much as diffing it.
		size = 256 << 10
	}
	r := save(t, st, pageOf("mondo-history", u, "Huge", hugeText(size, 1), t0, nil, ""))
	save(t, st, pageOf("mondo-history", u, "Huge", hugeText(size, 2), t0.Add(day(1)), nil, ""))
	srv, err := New(Options{Store: st, MaxDiffs: 1})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return srv, hs, r.ArticleID
}

func getStatus(ctx context.Context, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// Twenty diff requests on an article with two huge revisions leave the
// article page and the home page answering: diffs run in bounded slots and
// the timeline reads word counts stored at capture time.
func TestConcurrentDiffsLeaveOtherPagesAnswering(t *testing.T) {
	if testing.Short() {
		t.Skip("diffs two 1 MB texts")
	}
	srv, hs, id := hugeArticle(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := "/a/" + id + "/diff"
			if i%2 == 1 {
				path = "/api/a/" + id + "/diff"
			}
			getStatus(ctx, hs.URL+path)
		}()
	}
	time.Sleep(200 * time.Millisecond) // the diffs are under way
	for _, path := range []string{"/a/" + id, "/", "/a/" + id} {
		code, err := getStatus(context.Background(), hs.URL+path)
		if err != nil || code != http.StatusOK {
			t.Fatalf("GET %s during the diffs: %d, %v", path, code, err)
		}
		// Ordering, not a clock (the machine is shared): the page answered
		// while diffs were still waiting for the one slot, so it did not
		// queue behind them.
		if n := srv.diffsRun.Load(); n >= 20 {
			t.Fatalf("GET %s answered only after all %d diffs had started", path, n)
		}
	}
	cancel()
	wg.Wait()
	if n := srv.diffsPeak.Load(); n > 1 {
		t.Fatalf("%d diffs ran at once, the server allows 1", n)
	}
	if srv.diffsRun.Load() == 0 {
		t.Fatal("no diff ran")
	}
}

// A diff request whose client left is not computed: waiting requests give
// up their turn.
func TestDiffStopsWhenClientLeaves(t *testing.T) {
	if testing.Short() {
		t.Skip("diffs two 1 MB texts")
	}
	srv, hs, id := hugeArticle(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			getStatus(ctx, hs.URL+"/a/"+id+"/diff")
		}()
	}
	wg.Wait()
	// Each diff takes its whole budget on these texts: had the requests
	// not been dropped, they would run one after another for seconds.
	time.Sleep(2 * time.Second)
	if n := srv.diffsRun.Load(); n > 5 {
		t.Fatalf("%d of 20 abandoned diff requests were computed", n)
	}
}

// TestTimelineWithoutCountsAnswersWhileDiffsRun: an article whose word
// counts are not stored (an archive from before they were, or served
// read-only) still answers at once while every diff slot is taken,
// without the counts, instead of queueing behind the diffs for diffWait.
func TestTimelineWithoutCountsAnswersWhileDiffsRun(t *testing.T) {
	dir := t.TempDir()
	st := store.MustOpenDir(t, dir, store.Options{NoSync: true})
	const u = "https://mondo.example/history/uncounted.html"
	r := save(t, st, pageOf("mondo-history", u, "Uncounted", []string{"the first wording of the annals"}, t0, nil, ""))
	save(t, st, pageOf("mondo-history", u, "Uncounted", []string{"the second wording of the annals"}, t0.Add(day(1)), nil, ""))
	db, err := sql.Open("sqlite", filepath.Join(dir, "annalist.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE snapshots SET words_added = NULL, words_removed = NULL`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	srv, err := New(Options{Store: st, MaxDiffs: 1})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	srv.diffs <- struct{}{} // a long diff holds the only slot
	defer func() { <-srv.diffs }()
	ctx, cancel := context.WithTimeout(context.Background(), diffWait/2)
	defer cancel()
	if code, err := getStatus(ctx, hs.URL+"/a/"+r.ArticleID); err != nil || code != http.StatusOK {
		t.Fatalf("GET /a/%s while the diff slots are taken: %d, %v", r.ArticleID, code, err)
	}
}
