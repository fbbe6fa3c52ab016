package cli_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"annalist/internal/demosite"
	"annalist/internal/pgtest"
)

// feedFarm is a loopback site with n feeds (/feed/N.xml), each listing two
// articles of a synthetic demo site; a feed answers after delay, so that
// a poll is in flight long enough to be cut by a kill. It records when
// each feed was requested, and the most requests it had in flight at once.
type feedFarm struct {
	url   string
	mu    sync.Mutex
	times map[int][]time.Time
	all   []time.Time // every feed and page request
	now   int         // requests in flight
	most  int         // the most at once
}

func newFeedFarm(t *testing.T, n int, delay time.Duration) *feedFarm {
	site := demosite.NewSynthetic(2*n, 4<<10, 7)
	slugs := site.Slugs()
	inner := site.Handler()
	f := &feedFarm{times: map[int][]time.Time{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		if r.URL.Path != "/robots.txt" {
			f.all = append(f.all, time.Now())
		}
		f.now++
		f.most = max(f.most, f.now)
		f.mu.Unlock()
		// Out of flight when the answer starts: a client may have read
		// it whole (and sent its next request) before the handler returns.
		answered := sync.OnceFunc(func() {
			f.mu.Lock()
			f.now--
			f.mu.Unlock()
		})
		defer answered()
		w = answerWriter{w, answered}
		num, ok := strings.CutPrefix(r.URL.Path, "/feed/")
		if !ok {
			inner.ServeHTTP(w, r)
			return
		}
		i, err := strconv.Atoi(strings.TrimSuffix(num, ".xml"))
		if err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		f.mu.Lock()
		f.times[i] = append(f.times[i], time.Now())
		f.mu.Unlock()
		time.Sleep(delay)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %d</title><link>%s/</link>`, i, f.url)
		for _, slug := range slugs[2*i : 2*i+2] {
			fmt.Fprintf(w, `<item><title>%s</title><link>%s/history/%s.html</link><guid>%s</guid><pubDate>Mon, 02 Jan 2023 06:00:00 GMT</pubDate></item>`,
				site.Title(slug), f.url, slug, slug)
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// answerWriter calls answered before the first byte of the answer.
type answerWriter struct {
	http.ResponseWriter
	answered func()
}

func (w answerWriter) WriteHeader(code int) {
	w.answered()
	w.ResponseWriter.WriteHeader(code)
}

func (w answerWriter) Write(b []byte) (int, error) {
	w.answered()
	return w.ResponseWriter.Write(b)
}

func (f *feedFarm) requests() map[int][]time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[int][]time.Time{}
	for k, v := range f.times {
		out[k] = append([]time.Time(nil), v...)
	}
	return out
}

// TestWorkersShareOneIndex: three daemons share one PostgreSQL index and
// 30 sources on a loopback site. Each due source is polled once, by one
// worker; no snapshot is stored twice; the site's per_host_interval and
// per_host_concurrency hold across the workers; after kill -9 of a worker the sources it held are
// polled by the others within the lease time.
func TestWorkersShareOneIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three daemons")
	}
	const sources, ttl, pace, concurrency = 30, 3 * time.Second, 40 * time.Millisecond, 4
	db := pgtest.NewDatabase(t)
	bin := annalistBinary(t)
	farm := newFeedFarm(t, sources, 700*time.Millisecond)
	cfg := writeFarmConfig(t, farm.url, sources)
	workers, logs := startDaemons(t, bin, cfg, db, ttl, 3)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	// A request slot is leased for --lease-ttl, so that a dead worker's
	// slots are free when its jobs are taken over.
	waitSlotLeased(ctx, t, conn, ttl)

	// Kill the first worker as soon as it holds a poll in flight.
	victim := workers[0]
	suffix := fmt.Sprintf("-%d", victim.Process.Pid)
	var held []string
	deadline := time.Now().Add(60 * time.Second)
	for len(held) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the first worker never claimed a poll; its log:\n%s", logs[0].raw.String())
		}
		held, _ = pollsHeld(ctx, conn, suffix)
		if len(held) == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := victim.Process.Kill(); err != nil { // SIGKILL: no clean-up at all
		t.Fatal(err)
	}
	killed := time.Now()
	victim.Wait()
	// What it held at its death (it may have finished some in between).
	if held, err = pollsHeld(ctx, conn, suffix); err != nil {
		t.Fatal(err)
	}

	// Every source's poll finishes once.
	for {
		var done int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM leases WHERE name LIKE 'poll:%' AND runs >= 1`).Scan(&done); err != nil {
			t.Fatal(err)
		}
		if done == sources {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d sources polled; logs:\n%s\n%s", done, sources, logs[1].raw.String(), logs[2].raw.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	var runs, snapshots, articles, dups int
	conn.QueryRow(ctx, `SELECT coalesce(sum(runs), 0) FROM leases WHERE name LIKE 'poll:%'`).Scan(&runs)
	conn.QueryRow(ctx, `SELECT count(*) FROM snapshots`).Scan(&snapshots)
	conn.QueryRow(ctx, `SELECT count(*) FROM articles`).Scan(&articles)
	conn.QueryRow(ctx, `SELECT count(*) FROM (SELECT article_id FROM snapshots GROUP BY article_id, fingerprint HAVING count(*) > 1) d`).Scan(&dups)
	if runs != sources {
		t.Errorf("%d poll runs finished, want %d (one per source)", runs, sources)
	}
	if articles != 2*sources || snapshots != 2*sources || dups != 0 {
		t.Errorf("%d articles, %d snapshots, %d stored twice; want %d, %d, 0", articles, snapshots, dups, 2*sources, 2*sources)
	}
	heldSet := map[string]bool{}
	for _, n := range held {
		heldSet[n] = true
	}
	reqs := farm.requests()
	for i := range sources {
		name := fmt.Sprintf("poll:s%02d", i)
		got := reqs[i]
		switch {
		case heldSet[name]:
			// Claimed by the dead worker (its feed perhaps fetched already),
			// then taken over after its lease ran out: polled once more.
			if len(got) < 1 || len(got) > 2 {
				t.Errorf("%s (held by the killed worker): feed fetched %d times, want 1 or 2", name, len(got))
				continue
			}
			last := got[len(got)-1]
			// The README's bound: the lease time plus the 1-5 s between
			// claims.
			if late := last.Sub(killed); late < 0 || late > ttl+5*time.Second {
				t.Errorf("%s polled again %v after the kill; the lease time is %v (+ up to 5 s between claims)", name, late, ttl)
			}
		case len(got) != 1:
			t.Errorf("%s: feed fetched %d times, want exactly once", name, len(got))
		}
	}
	farm.mu.Lock()
	all := append([]time.Time(nil), farm.all...)
	most := farm.most
	farm.mu.Unlock()
	// Each worker runs up to 4 polls whose feeds take 700 ms: 12 feeds
	// would be in flight at once if each worker kept its own 8.
	if most > concurrency {
		t.Errorf("%d requests in flight to the one host at once; per_host_concurrency is %d across the workers", most, concurrency)
	}
	checkPaced(t, all, pace)
	t.Logf("killed worker held %v; taken over; %d polls, %d snapshots, %d requests paced, at most %d in flight", held, runs, snapshots, len(all), most)
}

// startDaemons starts n `annalist daemon` workers on the config and the
// PostgreSQL database, killed at the test's end, with their logs.
func startDaemons(t *testing.T, bin, cfg, db string, ttl time.Duration, n int) ([]*exec.Cmd, []*logLines) {
	t.Helper()
	var workers []*exec.Cmd
	var logs []*logLines
	for range n {
		cmd := exec.Command(bin, "daemon", "--config", cfg, "--log-format", "json", "--no-web", "--lease-ttl", ttl.String())
		cmd.Env = append(os.Environ(), "ANNALIST_DATABASE="+db)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		l := &logLines{}
		go l.read(stderr)
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		workers = append(workers, cmd)
		logs = append(logs, l)
	}
	return workers, logs
}

// waitSlotLeased waits until a worker holds a request slot and checks
// that its lease is no longer than ttl (--lease-ttl).
func waitSlotLeased(ctx context.Context, t *testing.T, conn *pgx.Conn, ttl time.Duration) {
	t.Helper()
	for slotsBy := time.Now().Add(60 * time.Second); ; {
		var secs float64
		err := conn.QueryRow(ctx, `SELECT coalesce(extract(epoch FROM max(expires_at - clock_timestamp())), 0) FROM host_slots`).Scan(&secs)
		lease := time.Duration(secs * float64(time.Second))
		if err == nil && lease > ttl+time.Second {
			t.Fatalf("a request slot is leased for %v more; --lease-ttl is %v", lease, ttl)
		}
		if err == nil && lease > 0 {
			break
		}
		if time.Now().After(slotsBy) {
			t.Fatalf("no request slot taken (%v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pollsHeld names the polls whose leases the worker with suffix holds.
func pollsHeld(ctx context.Context, conn *pgx.Conn, suffix string) ([]string, error) {
	rows, err := conn.Query(ctx, `SELECT name FROM leases WHERE worker LIKE '%' || $1 AND name LIKE 'poll:%'`, suffix)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var held []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		held = append(held, n)
	}
	return held, rows.Err()
}

// checkPaced checks that the request starts to the one host were kept
// pace apart across the workers.
func checkPaced(t *testing.T, all []time.Time, pace time.Duration) {
	t.Helper()
	sort.Slice(all, func(i, j int) bool { return all[i].Before(all[j]) })
	// Starts are booked pace apart across the workers. Timers firing late
	// on a loaded machine can bunch a few requests together, so each gap
	// counts up to one interval and their sum is checked: a long pause (the
	// takeover) adds nothing, and three workers pacing each on its own
	// would leave about a third of it.
	var paced time.Duration
	for i := 1; i < len(all); i++ {
		paced += min(all[i].Sub(all[i-1]), pace)
	}
	if want := time.Duration(len(all)-1) * pace; len(all) > 1 && paced < want*7/10 {
		t.Errorf("%d requests to the one host: gaps capped at per_host_interval %v sum to %v, want at least 70%% of %v", len(all), pace, paced, want)
	}
}

// writeFarmConfig writes a config (per_host_interval 40ms,
// per_host_concurrency 4) and one source a feed of the farm at url, and
// returns the config's path.
func writeFarmConfig(t *testing.T, url string, sources int) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "feeds"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("data_dir: archive\nhttp:\n  per_host_interval: 40ms\n  per_host_concurrency: 4\n  allow_private_networks: true\n  respect_robots: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := string(demosite.SourceYAML("FEED"))
	src = strings.Replace(src, `schedule: "0 */2 * * *"`, `schedule: "@every 1h"`, 1)
	for i := range sources {
		y := strings.Replace(src, "feed: FEED", fmt.Sprintf("feed: %s/feed/%d.xml", url, i), 1)
		if err := os.WriteFile(filepath.Join(dir, "feeds", fmt.Sprintf("s%02d.yaml", i)), []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return cfg
}
