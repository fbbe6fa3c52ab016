package notify_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"annalist/internal/fetch"
	"annalist/internal/notify"
	"annalist/internal/store"
)

// countingReceiver answers every POST after delay with status (0 = hang
// until the sender gives up) and counts the requests per delivery ID.
type countingReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	seen  map[string]int
	total int
}

func newCountingReceiver(t *testing.T, delay time.Duration, status int) *countingReceiver {
	r := &countingReceiver{seen: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body) // the server sees the sender hang up only once the body is read
		r.mu.Lock()
		r.seen[req.Header.Get(notify.HeaderDelivery)]++
		r.total++
		r.mu.Unlock()
		if status == 0 {
			select {
			case <-req.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		time.Sleep(delay)
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *countingReceiver) counts() (map[string]int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.seen))
	for k, v := range r.seen {
		out[k] = v
	}
	return out, r.total
}

// A slow receiver (each answer takes most of the timeout) and two
// deliverers on one archive (the daemon and a fetch): no row is claimed
// for longer than its lease can cover, so the second deliverer never
// takes a row the first is still going to send, and each event arrives
// once.
func TestSlowReceiverTwoDeliverersNoDuplicates(t *testing.T) {
	rcv := newCountingReceiver(t, 60*time.Millisecond, http.StatusOK)
	h := hook(rcv.URL)
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{NoSync: true, Notify: notify.StoreHooks([]notify.Hook{h})})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const events = 12
	for i := range events {
		save(t, st, page(fmt.Sprintf("p%d", i), fmt.Sprintf("Page %d", i), fmt.Sprintf("Text of page %d.", i), t0))
	}
	newD := func() *notify.Deliverer {
		d := &notify.Deliverer{Store: st, Client: notify.NewClient(fetch.Options{AllowPrivateNetworks: true}),
			Policy: notify.Policy{Timeout: 100 * time.Millisecond, Lease: 200 * time.Millisecond, FirstDelay: time.Hour, MaxAttempts: 5}}
		d.SetHooks([]notify.Hook{h})
		return d
	}
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 350 * time.Millisecond)
			for range 20 { // until nothing is left
				if _, err := newD().DeliverDue(context.Background()); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	seen, total := rcv.counts()
	if len(seen) != events || total != events {
		t.Errorf("receiver got %d requests for %d deliveries, want %d each once: %v", total, len(seen), events, seen)
	}
}

// One webhook hangs: its first timeout stops its other attempts for the
// pass, so the healthy webhook gets every event in that pass instead of
// one per timeout of the hanging one.
func TestHangingHookDoesNotHoldBackOthers(t *testing.T) {
	bad := newCountingReceiver(t, 0, 0)
	good := newCountingReceiver(t, 0, http.StatusOK)
	clk := &clock{t: t0}
	hb, hg := hook(bad.URL), hook(good.URL)
	st := openStore(t, t.TempDir(), clk, hb, hg)
	defer st.Close()
	const events = 6
	for i := range events {
		save(t, st, page(fmt.Sprintf("p%d", i), fmt.Sprintf("Page %d", i), fmt.Sprintf("Text of page %d.", i), t0))
	}
	d := deliverer(st, clk, hb, hg)
	r := deliver(t, d)
	if _, n := bad.counts(); n != 1 {
		t.Errorf("the hanging webhook got %d requests in one pass, want 1", n)
	}
	if _, n := good.counts(); n != events || r.Delivered != events || r.Retrying != 1 {
		t.Errorf("the healthy webhook got %d of %d (result %+v), want all delivered and 1 retrying", n, events, r)
	}
	// The skipped rows were not counted as attempts; when their lease
	// ends they are tried again.
	clk.Add(3 * time.Minute)
	deliver(t, d)
	if _, n := bad.counts(); n != 2 {
		t.Errorf("after the lease, the hanging webhook got %d requests in all, want 2", n)
	}
	counts, err := st.NotifyCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c := counts["example"]; c.Delivered != events || c.Pending != events || c.Retrying != 1 {
		t.Errorf("counts = %+v, want %d delivered, %d pending of which 1 retrying (the oldest, tried twice)", c, events, events)
	}
}

// A row given up while its attempt is under way (a reload removed its
// webhook) cannot be recorded; the pass goes on with the other rows
// instead of stopping with an error.
func TestRowGivenUpMidAttemptDoesNotStopThePass(t *testing.T) {
	clk := &clock{t: t0}
	var stp atomic.Pointer[store.Store]
	var once sync.Once
	good := newCountingReceiver(t, 0, http.StatusOK)
	removed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		once.Do(func() {
			if _, err := stp.Load().AbandonNotifications(req.Context(), []string{good.URL}, clk.Now()); err != nil {
				t.Error(err)
			}
		})
	}))
	defer removed.Close()
	hr, hg := hook(removed.URL), hook(good.URL)
	st := openStore(t, t.TempDir(), clk, hr)
	stp.Store(st)
	defer st.Close()
	save(t, st, page("p0", "Page 0", "Text of page 0.", t0))
	st.SetNotifyHooks(notify.StoreHooks([]notify.Hook{hg}))
	save(t, st, page("p1", "Page 1", "Text of page 1.", t0))
	r, err := deliverer(st, clk, hr, hg).DeliverDue(context.Background())
	if err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	if _, n := good.counts(); n != 1 || r.Delivered != 1 {
		t.Errorf("the other webhook got %d requests (result %+v), want its notification delivered", n, r)
	}
}
