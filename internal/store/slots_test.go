package store_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"annalist/internal/fetch"
	"annalist/internal/pgtest"
	"annalist/internal/store"
)

// sharedPacing opens a Store on the PostgreSQL database db (a worker) and
// returns its shared pacing.
func sharedPacing(t *testing.T, db string) *store.Pacing {
	t.Helper()
	s, err := store.Open(context.Background(), t.TempDir(), store.Options{NoSync: true, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p, err := s.Pacing()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func slotClient(p *store.Pacing, concurrency int) *fetch.Client {
	return fetch.New(fetch.Options{Timeout: 10 * time.Second, MaxBody: 1 << 20, PerHostConcurrency: concurrency,
		AllowPrivateNetworks: true, SharedPacing: p})
}

// inFlight is a loopback server that records the most requests it had in
// flight at once.
type inFlight struct {
	*httptest.Server
	now, most, total atomic.Int64
}

func newInFlight(t *testing.T, hold time.Duration) *inFlight {
	f := &inFlight{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.total.Add(1)
		n := f.now.Add(1)
		for m := f.most.Load(); n > m && !f.most.CompareAndSwap(m, n); m = f.most.Load() {
		}
		time.Sleep(hold)
		f.now.Add(-1) // before the answer, which the client may read whole before the handler returns
		w.Write([]byte("ok"))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *inFlight) hostKey(t *testing.T) string {
	u, err := url.Parse(f.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// Two workers (two clients, each with its own Store on one PostgreSQL
// index) with per_host_concurrency 2 have at most 2 requests in flight to
// one host between them, not 2 each.
func TestSharedConcurrency(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	srv := newInFlight(t, 100*time.Millisecond)
	var wg sync.WaitGroup
	for range 2 {
		c := slotClient(sharedPacing(t, db), 2)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 2 {
					if _, err := c.Get(ctx, fetch.Request{URL: srv.URL + "/page"}); err != nil {
						t.Error(err)
					}
				}
			}()
		}
	}
	wg.Wait()
	if got := srv.total.Load(); got != 16 {
		t.Errorf("%d requests served, want 16", got)
	}
	if most := srv.most.Load(); most > 2 {
		t.Errorf("%d requests in flight to one host at once across two workers; per_host_concurrency is 2", most)
	}
}

const envSlotHolder = "ANNALIST_TEST_SLOT_HOLDER" // database URL and host, space-separated

// TestSlotHolderChild is the worker that TestSharedSlotOfDeadWorkerTakenOver
// kills: it takes both slots of a host with a 1 s lease, says so, and
// holds them (renewing) until it is killed.
func TestSlotHolderChild(t *testing.T) {
	db, host, ok := strings.Cut(os.Getenv(envSlotHolder), " ")
	if !ok {
		t.Skip("run by TestSharedSlotOfDeadWorkerTakenOver")
	}
	p := sharedPacing(t, db)
	p.SetSlotLease(time.Second)
	for range 2 {
		if _, ok, err := p.TakeSlot(context.Background(), host, 2); err != nil || !ok {
			t.Fatalf("child: take slot: %v, %v", ok, err)
		}
	}
	os.Stdout.WriteString("held\n")
	time.Sleep(time.Minute)
}

// The slots of a worker that is killed (kill -9: nothing is given back)
// are taken over when their lease ends; while the worker lives, it renews
// them and nobody else gets one.
func TestSharedSlotOfDeadWorkerTakenOver(t *testing.T) {
	db := pgtest.NewDatabase(t)
	srv := newInFlight(t, 0)
	host := srv.hostKey(t)
	child := exec.Command(os.Args[0], "-test.run=^TestSlotHolderChild$", "-test.count=1")
	child.Env = append(os.Environ(), envSlotHolder+"="+db+" "+host)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "held\n" {
		t.Fatalf("child worker: %q, %v", line, err)
	}
	c := slotClient(sharedPacing(t, db), 2)

	// Three leases long, the live worker keeps its slots.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	_, err = c.Get(ctx, fetch.Request{URL: srv.URL + "/page"})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || srv.total.Load() != 0 {
		t.Fatalf("request while a live worker holds both slots: %v (%d sent), want the deadline", err, srv.total.Load())
	}

	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	killed := time.Now()
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.Get(ctx, fetch.Request{URL: srv.URL + "/page"}); err != nil {
		t.Fatalf("request after the holder was killed: %v", err)
	}
	t.Logf("slot taken over %v after the kill (lease 1s)", time.Since(killed).Round(time.Millisecond))
}

// Waiting for a shared slot gives up when the request's Stop closes, as
// the wait for a local slot does.
func TestSharedSlotWaitStops(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	srv := newInFlight(t, 0)
	other := sharedPacing(t, db)
	if _, ok, err := other.TakeSlot(ctx, srv.hostKey(t), 1); err != nil || !ok {
		t.Fatalf("other worker: take slot: %v, %v", ok, err)
	}
	c := slotClient(sharedPacing(t, db), 1)
	stop := make(chan struct{})
	time.AfterFunc(300*time.Millisecond, func() { close(stop) })
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := c.Get(ctx, fetch.Request{URL: srv.URL + "/page", Stop: stop}); !errors.Is(err, fetch.ErrStopped) {
		t.Fatalf("request stopped while waiting for a shared slot: %v, want ErrStopped", err)
	}
	if n := srv.total.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// A database error while taking a slot fails the request at once, naming
// the host and the database's problem; nothing is sent.
func TestSharedSlotDatabaseError(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	srv := newInFlight(t, 0)
	c := slotClient(sharedPacing(t, db), 2)
	conn := pgConn(t, db)
	if _, err := conn.Exec(ctx, `DROP TABLE host_slots`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := c.Get(ctx, fetch.Request{URL: srv.URL + "/page"})
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("request with the slot table gone: %v, want the database's error", err)
	}
	for _, want := range []string{srv.hostKey(t), "host_slots", "does not exist"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	// Once in the URL, once where the slots are named: not again in the
	// store's own words.
	if n := strings.Count(err.Error(), srv.hostKey(t)); n != 2 {
		t.Errorf("error %q names the host %d times, want twice (the URL, the slots)", err, n)
	}
	if n := srv.total.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// A worker books a host's starts and takes its slots in their rows
// without making them again each time; rows that went (the tables emptied
// under it) are made again.
func TestSharedPacingRowMadeAgain(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	srv := newInFlight(t, 0)
	c := slotClient(sharedPacing(t, db), 2)
	conn := pgConn(t, db)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for i := range 3 {
		if _, err := c.Get(ctx, fetch.Request{URL: srv.URL + "/page"}); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if _, err := conn.Exec(ctx, `DELETE FROM host_pacing; DELETE FROM host_slots`); err != nil {
			t.Fatal(err)
		}
	}
}

// lateBooking is a worker's shared pacing whose booking takes its round
// trip on a clock that moves to the database's time (an hour on) only once
// the booking is back.
type lateBooking struct {
	*store.Pacing
	mu  sync.Mutex
	off time.Duration // the worker's clock's offset from the real time
}

func (l *lateBooking) now() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Now().Add(l.off)
}

func (l *lateBooking) Reserve(ctx context.Context, host string, interval, patience time.Duration) (start, blocked time.Time, err error) {
	start, blocked, err = l.Pacing.Reserve(ctx, host, interval, patience)
	l.mu.Lock()
	l.off = 0
	l.mu.Unlock()
	return start, blocked, err
}

// A request waits for its booked start as the clock reads after the
// booking, not before it: a start that fell due during the booking's
// round trip is not waited for again (the wait from before the booking
// would be an hour here; it is a round trip's worth of timer sleep a
// request on a real clock).
func TestSharedPacingWaitCountedAfterBooking(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db := pgtest.NewDatabase(t)
	srv := newInFlight(t, 0)
	l := &lateBooking{Pacing: sharedPacing(t, db), off: -time.Hour}
	c := fetch.New(fetch.Options{Timeout: 10 * time.Second, MaxBody: 1 << 20, PerHostConcurrency: 2,
		AllowPrivateNetworks: true, SharedPacing: l, Now: l.now})
	if _, err := c.Get(ctx, fetch.Request{URL: srv.URL + "/page"}); err != nil {
		t.Fatalf("request whose booked start fell due during the booking: %v", err)
	}
}

// lockedBuffer is a log sink safe for the renewer's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The leases' renewer ends when its Store closes, even with a slot still
// held (its lease then frees it): it does not go on trying a closed
// database every third of the lease for as long as the process lives.
func TestSlotRenewerEndsWithStore(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	var logs lockedBuffer
	s, err := store.Open(ctx, t.TempDir(), store.Options{NoSync: true, Database: db,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Pacing()
	if err != nil {
		t.Fatal(err)
	}
	p.SetSlotLease(time.Second) // renewed every 333 ms
	if _, ok, err := p.TakeSlot(ctx, "example.org:443", 2); err != nil || !ok {
		t.Fatalf("take slot: %v, %v", ok, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1200 * time.Millisecond)
	if l := logs.String(); strings.Contains(l, "not renewed") {
		t.Errorf("the renewer went on after the store closed:\n%s", l)
	}
}

// delayProxy forwards TCP connections to addr, holding each chunk the
// server sends for delay (while it is set) before passing it on.
type delayProxy struct {
	ln    net.Listener
	delay atomic.Int64 // nanoseconds
}

func newDelayProxy(t *testing.T, addr string) *delayProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &delayProxy{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c, addr)
		}
	}()
	return p
}

func (p *delayProxy) serve(c net.Conn, addr string) {
	defer c.Close()
	s, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer s.Close()
	go func() {
		io.Copy(s, c)
		s.Close()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := s.Read(buf)
		if n > 0 {
			time.Sleep(time.Duration(p.delay.Load()))
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// A request whose context ends while the database's answer to its taking
// of a slot is on the way (Stop, a daemon shutting down) may have taken
// the slot there: it is freed, not left held until its lease ends (30 s,
// a daemon's --lease-ttl) while the other workers wait for it.
func TestSharedSlotTakenAsContextEndsIsFreed(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	u, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newDelayProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	p := sharedPacing(t, u.String())
	const host = "slow-answer.example:443"
	release, ok, err := p.TakeSlot(ctx, host, 1) // the rows made, a connection open
	if err != nil || !ok {
		t.Fatalf("take slot: %v, %v", ok, err)
	}
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	proxy.delay.Store(int64(300 * time.Millisecond))
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, ok, err = p.TakeSlot(cctx, host, 1)
	cancel()
	if err == nil || ok {
		t.Fatalf("take slot as the context ends: %v, %v; want the context's error", ok, err)
	}
	proxy.delay.Store(0)
	conn := pgConn(t, db)
	var held int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM host_slots WHERE host = $1 AND expires_at > clock_timestamp()`, host).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held != 0 {
		t.Errorf("%d slot(s) of %s held after the taking was given up", held, host)
	}
}

// pgConn is a connection of its own to the test database, closed at the
// test's end: the test's look at the tables behind the store's back.
func pgConn(t *testing.T, db string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}
