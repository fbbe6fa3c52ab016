package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"annalist/internal/fetch"
	"annalist/internal/notify"
	"annalist/internal/store"
)

var t0 = time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC)

const secret = "s3cret"

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// receiver is a loopback webhook endpoint that answers each request with
// the next of its scripted answers (200 once the script is done) and
// verifies the signature the way a receiver would.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	script   []int // status per request; 0 = hang until the sender gives up
	requests []received
}

type received struct {
	delivery, event string
	status          int
	sigOK           bool
	payload         notify.Payload
}

func newReceiver(t *testing.T, script ...int) *receiver {
	r := &receiver{script: script}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		got := req.Header.Get("X-Annalist-Signature")
		rec := received{delivery: req.Header.Get("X-Annalist-Delivery"), event: req.Header.Get("X-Annalist-Event"),
			sigOK: hmac.Equal([]byte(got), []byte(want))}
		if err := json.Unmarshal(body, &rec.payload); err != nil {
			t.Errorf("receiver: payload is not JSON: %v: %s", err, body)
		}
		r.mu.Lock()
		status := http.StatusOK
		if n := len(r.requests); n < len(r.script) {
			status = r.script[n]
		}
		rec.status = status
		r.requests = append(r.requests, rec)
		r.mu.Unlock()
		if status == 0 {
			select {
			case <-req.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.requests...)
}

// accepted is what the receiver answered 2xx to, by delivery ID.
func (r *receiver) accepted() map[string][]notify.Payload {
	out := map[string][]notify.Payload{}
	for _, q := range r.got() {
		if q.status >= 200 && q.status < 300 {
			out[q.delivery] = append(out[q.delivery], q.payload)
		}
	}
	return out
}

func fp(title, text string) string {
	sum := sha256.Sum256([]byte(title + "\n" + strings.Join(strings.Fields(text), " ")))
	return "n1:" + hex.EncodeToString(sum[:])
}

func page(slug, title, text string, at time.Time) *store.Page {
	u := "https://example.com/" + slug
	body := fmt.Sprintf("<html><head><title>%s</title></head><body><article><h1>%s</h1><p>%s</p></article></body></html>", title, title, text)
	return &store.Page{
		Source: "example", FetchURL: u, FinalURL: u, Canonical: u, CapturedAt: at,
		StatusCode: 200, Proto: "HTTP/1.1", Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
		Body: []byte(body), RawRequest: []byte("GET /" + slug + " HTTP/1.1\r\nHost: example.com\r\n\r\n"),
		Title: title, HTML: "<p>" + text + "</p>", Text: text, Markdown: text + "\n",
		Extractor: "selectors/1", Fingerprint: fp(title, text),
	}
}

func save(t *testing.T, st *store.Store, p *store.Page) *store.SaveResult {
	t.Helper()
	res, err := st.SaveCapture(context.Background(), p)
	if err != nil {
		t.Fatalf("SaveCapture: %v", err)
	}
	return res
}

func hook(url string, events ...string) notify.Hook {
	if len(events) == 0 {
		events = []string{store.OutcomeNew, store.OutcomeRevised, store.EventGone}
	}
	return notify.Hook{URL: url, Secret: secret, Events: events}
}

func openStore(t *testing.T, dir string, clk *clock, hooks ...notify.Hook) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dir, store.Options{NoSync: true, Now: clk.Now, Notify: notify.StoreHooks(hooks)})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func deliverer(st *store.Store, clk *clock, hooks ...notify.Hook) *notify.Deliverer {
	d := &notify.Deliverer{
		Store:   st,
		Client:  notify.NewClient(fetch.Options{AllowPrivateNetworks: true}),
		BaseURL: "https://archive.example.org/",
		Now:     clk.Now,
		Policy:  notify.Policy{Timeout: 300 * time.Millisecond, FirstDelay: time.Minute, MaxDelay: time.Hour, MaxAttempts: 5},
		Rand:    func() float64 { return 0.999 },
	}
	d.SetHooks(hooks)
	return d
}

func deliver(t *testing.T, d *notify.Deliverer) notify.Result {
	t.Helper()
	res, err := d.DeliverDue(context.Background())
	if err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	return res
}

// A receiver that answers 500, then times out, then 200: the event is
// delivered exactly once, after two retries at the stored times, signed,
// with the same delivery ID every time.
func TestDeliverRetriesUntilDelivered(t *testing.T) {
	rcv := newReceiver(t, 500, 0)
	clk := &clock{t: t0}
	h := hook(rcv.URL)
	st := openStore(t, t.TempDir(), clk, h)
	defer st.Close()
	d := deliverer(st, clk, h)
	res := save(t, st, page("rome", "Rome", "Rome was not built in a day.", t0))

	if r := deliver(t, d); r.Retrying != 1 {
		t.Fatalf("first pass = %+v, want one failed attempt to retry", r)
	}
	if r := deliver(t, d); r != (notify.Result{}) {
		t.Fatalf("a pass before the next attempt is due = %+v, want nothing", r)
	}
	clk.Add(time.Minute) // the first backoff
	if r := deliver(t, d); r.Retrying != 1 {
		t.Fatalf("second pass (receiver times out) = %+v, want a retry", r)
	}
	clk.Add(time.Minute) // not yet: the second backoff is twice the first
	if r := deliver(t, d); r != (notify.Result{}) {
		t.Fatalf("pass before the doubled backoff = %+v, want nothing", r)
	}
	clk.Add(time.Minute)
	if r := deliver(t, d); r.Delivered != 1 {
		t.Fatalf("third pass = %+v, want delivered", r)
	}
	clk.Add(24 * time.Hour)
	if r := deliver(t, d); r != (notify.Result{}) {
		t.Fatalf("after delivery = %+v, want nothing more", r)
	}

	got := rcv.got()
	if len(got) != 3 {
		t.Fatalf("receiver saw %d requests, want 3 (500, timeout, 200)", len(got))
	}
	for i, q := range got {
		if !q.sigOK {
			t.Errorf("request %d: signature does not verify", i)
		}
		if q.delivery != got[0].delivery || q.delivery == "" {
			t.Errorf("request %d: delivery ID %q, want the same non-empty ID as the first (%q)", i, q.delivery, got[0].delivery)
		}
	}
	acc := rcv.accepted()
	if len(acc) != 1 || len(acc[got[0].delivery]) != 1 {
		t.Fatalf("accepted = %v, want one delivery once", acc)
	}
	p := acc[got[0].delivery][0]
	if p.Event != "new" || got[2].event != "new" || p.Source != "example" || p.ArticleID != res.ArticleID ||
		p.ArticleURL != "https://example.com/rome" || p.Title != "Rome" || p.SnapshotID != res.SnapshotID ||
		p.SnapshotURL != "https://archive.example.org/a/"+res.SnapshotID || p.CapturedAt != "2024-01-31T08:00:00Z" ||
		p.WordsAdded != 7 || p.WordsRemoved != 0 || p.Delivery != got[0].delivery {
		t.Errorf("payload = %+v", p)
	}
	counts, err := st.NotifyCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c := counts["example"]; c.Delivered != 1 || c.Pending != 0 || c.Failed != 0 {
		t.Errorf("counts = %+v, want 1 delivered", c)
	}
}

// Closing the store in the middle (after a failed attempt, and with a row
// claimed by a deliverer that died) and opening it again with a new
// deliverer loses nothing and sends nothing twice.
func TestRestartLosesNothingSendsNothingTwice(t *testing.T) {
	rcv := newReceiver(t, 500)
	clk := &clock{t: t0}
	h := hook(rcv.URL)
	dir := t.TempDir()
	ctx := context.Background()

	st := openStore(t, dir, clk, h)
	save(t, st, page("rome", "Rome", "Rome was not built in a day.", t0))
	if r := deliver(t, deliverer(st, clk, h)); r.Retrying != 1 {
		t.Fatalf("first pass = %+v", r)
	}
	// A revision, claimed by a deliverer that dies before posting it.
	save(t, st, page("rome", "Rome", "Rome was not built in one day, nor in two.", t0.Add(time.Hour)))
	claimed, err := st.ClaimNotifications(ctx, []string{h.URL}, clk.Now(), 10*time.Minute, 10)
	if err != nil || len(claimed) != 1 || claimed[0].Event != "revised" {
		t.Fatalf("claim = %+v, %v; want the revision", claimed, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart: a new store and deliverer. The failed row is due after its
	// backoff; the claimed one only when its lease ends.
	st = openStore(t, dir, clk, h)
	clk.Add(time.Minute)
	if r := deliver(t, deliverer(st, clk, h)); r.Delivered != 1 {
		t.Fatalf("after restart = %+v, want the first event delivered (the leased one waits)", r)
	}
	clk.Add(10 * time.Minute)
	if r := deliver(t, deliverer(st, clk, h)); r.Delivered != 1 {
		t.Fatalf("after the dead deliverer's lease = %+v, want the revision delivered", r)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, dir, clk, h)
	defer st.Close()
	clk.Add(48 * time.Hour)
	if r := deliver(t, deliverer(st, clk, h)); r != (notify.Result{}) {
		t.Fatalf("third start = %+v, want nothing", r)
	}
	acc := rcv.accepted()
	events := map[string]int{}
	for id, ps := range acc {
		if len(ps) != 1 {
			t.Errorf("delivery %s accepted %d times", id, len(ps))
		}
		events[ps[0].Event]++
	}
	if events["new"] != 1 || events["revised"] != 1 || len(acc) != 2 {
		t.Errorf("accepted events = %v, want new and revised once each", events)
	}
}

// An unchanged re-fetch queues and sends nothing; a revision sends its
// word counts and a short diff against the snapshot before it.
func TestUnchangedSendsNothingRevisedSendsDiff(t *testing.T) {
	rcv := newReceiver(t)
	clk := &clock{t: t0}
	h := hook(rcv.URL)
	st := openStore(t, t.TempDir(), clk, h)
	defer st.Close()
	d := deliverer(st, clk, h)
	first := save(t, st, page("rome", "Rome", "Rome was not built in a day.", t0))
	if r := deliver(t, d); r.Delivered != 1 {
		t.Fatalf("new = %+v", r)
	}
	if res := save(t, st, page("rome", "Rome", "Rome was not built in a day.", t0.Add(time.Hour))); res.Outcome != store.OutcomeUnchanged {
		t.Fatalf("re-fetch outcome %q, want unchanged", res.Outcome)
	}
	clk.Add(time.Hour)
	if r := deliver(t, d); r != (notify.Result{}) {
		t.Fatalf("after an unchanged re-fetch = %+v, want nothing", r)
	}
	rev := save(t, st, page("rome", "Rome", "Rome was not built in a week.", t0.Add(2*time.Hour)))
	if r := deliver(t, d); r.Delivered != 1 {
		t.Fatalf("revised = %+v", r)
	}
	got := rcv.got()
	if len(got) != 2 {
		t.Fatalf("receiver saw %d requests, want 2", len(got))
	}
	p := got[1].payload
	if p.Event != "revised" || p.SnapshotID != rev.SnapshotID || p.PreviousID != first.SnapshotID ||
		p.WordsAdded != 1 || p.WordsRemoved != 1 {
		t.Errorf("revised payload = %+v", p)
	}
	if strings.Join(p.Diff, "|") != "- day|+ week" {
		t.Errorf("diff = %q, want [- day + week]", p.Diff)
	}
}

// A gone article is announced once (with why), not at every check that
// finds it still gone; a webhook that asked only for gone gets no new.
func TestGoneAnnouncedOnceAndEventsFilter(t *testing.T) {
	rcv := newReceiver(t)
	clk := &clock{t: t0}
	h := hook(rcv.URL, store.EventGone)
	st := openStore(t, t.TempDir(), clk, h)
	defer st.Close()
	d := deliverer(st, clk, h)
	res := save(t, st, page("rome", "Rome", "Rome was not built in a day.", t0))
	for i := range 2 {
		if err := st.RecordGone(context.Background(), store.Gone{ArticleID: res.ArticleID, Source: "example",
			URL: "https://example.com/rome", CapturedAt: t0.Add(time.Duration(i+1) * time.Hour), HTTPStatus: 410, Reason: "410 Gone"}); err != nil {
			t.Fatal(err)
		}
	}
	if r := deliver(t, d); r.Delivered != 1 {
		t.Fatalf("pass = %+v, want the one gone event", r)
	}
	got := rcv.got()
	if len(got) != 1 {
		t.Fatalf("receiver saw %d requests, want 1", len(got))
	}
	p := got[0].payload
	if p.Event != "gone" || p.Detail != "410 Gone" || p.URL != "https://example.com/rome" || p.At != "2024-01-31T09:00:00Z" ||
		p.SnapshotID != res.SnapshotID || p.Title != "Rome" {
		t.Errorf("gone payload = %+v", p)
	}
}

// A webhook limited to other sources gets nothing.
func TestSourcesFilter(t *testing.T) {
	clk := &clock{t: t0}
	h := notify.Hook{URL: "https://hooks.example.net/x", Events: []string{store.OutcomeNew}, Sources: []string{"other"}}
	st := openStore(t, t.TempDir(), clk, h)
	defer st.Close()
	save(t, st, page("rome", "Rome", "Rome was not built in a day.", t0))
	counts, err := st.NotifyCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 0 {
		t.Errorf("counts = %+v, want nothing queued", counts)
	}
}

// A webhook that always fails is given up after MaxAttempts, and the
// failure shows in the counts with its error.
func TestGivesUpAfterMaxAttempts(t *testing.T) {
	rcv := newReceiver(t, 500, 500, 500, 500, 500, 500, 500)
	clk := &clock{t: t0}
	h := hook(rcv.URL)
	st := openStore(t, t.TempDir(), clk, h)
	defer st.Close()
	d := deliverer(st, clk, h)
	save(t, st, page("rome", "Rome", "Rome was not built in a day.", t0))
	var dead int
	for range 10 {
		dead += deliver(t, d).Dead
		clk.Add(2 * time.Hour)
	}
	if dead != 1 || len(rcv.got()) != 5 {
		t.Fatalf("dead = %d after %d requests, want 1 after 5 (MaxAttempts)", dead, len(rcv.got()))
	}
	counts, err := st.NotifyCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := counts["example"]
	if c.Failed != 1 || c.Pending != 0 || !strings.Contains(c.LastError, "500") || !strings.Contains(c.LastError, rcv.URL) {
		t.Errorf("counts = %+v, want 1 failed naming the URL and the 500", c)
	}
}

// Without allow_private_networks the webhook client refuses loopback, as
// the fetcher does: the attempt fails and is recorded, nothing is sent.
// The error shows the webhook without its query (its token).
func TestPrivateNetworkGuard(t *testing.T) {
	rcv := newReceiver(t)
	clk := &clock{t: t0}
	h := hook(rcv.URL + "/hook?token=sekrit")
	st := openStore(t, t.TempDir(), clk, h)
	defer st.Close()
	d := deliverer(st, clk, h)
	d.Client = notify.NewClient(fetch.Options{})
	save(t, st, page("rome", "Rome", "Rome was not built in a day.", t0))
	if r := deliver(t, d); r.Retrying != 1 {
		t.Fatalf("pass = %+v, want a failed attempt", r)
	}
	if n := len(rcv.got()); n != 0 {
		t.Fatalf("receiver saw %d requests, want 0", n)
	}
	counts, _ := st.NotifyCounts(context.Background())
	if c := counts["example"]; c.Retrying != 1 || !strings.Contains(c.LastError, "private") ||
		!strings.Contains(c.LastError, rcv.URL+"/hook?…") || strings.Contains(c.LastError, "sekrit") {
		t.Errorf("counts = %+v, want a retry whose error names the private-network guard and the webhook without its token", c)
	}
}

func TestBackoff(t *testing.T) {
	p := notify.Policy{FirstDelay: 30 * time.Second, MaxDelay: 6 * time.Hour}
	for _, c := range []struct {
		n    int
		r    float64
		want time.Duration
	}{
		{1, 0, 15 * time.Second},
		{1, 0.999999, 30 * time.Second},
		{2, 0, 30 * time.Second},
		{4, 0.999999, 4 * time.Minute},
		{20, 0, 3 * time.Hour},
		{20, 0.999999, 6 * time.Hour},
	} {
		if got := p.Backoff(c.n, c.r).Round(time.Second); got != c.want {
			t.Errorf("Backoff(%d, %g) = %s, want %s", c.n, c.r, got, c.want)
		}
	}
}

// A move and a return are announced to webhooks that ask for them, with
// the old URL and the URL fetched.
func TestMovedAndBack(t *testing.T) {
	rcv := newReceiver(t)
	clk := &clock{t: t0}
	h := hook(rcv.URL, store.EventMoved, store.EventBack)
	st := openStore(t, t.TempDir(), clk, h)
	defer st.Close()
	d := deliverer(st, clk, h)
	ctx := context.Background()
	first := save(t, st, page("rome", "Rome", "Rome was not built in a day.", t0))
	moved := page("rome-2", "Rome", "Rome was not built in a day.", t0.Add(time.Hour))
	moved.ArticleID, moved.MovedFrom, moved.Judged, moved.Same = first.ArticleID, "https://example.com/rome", first.SnapshotID, true
	if res := save(t, st, moved); res.Outcome != store.OutcomeMoved {
		t.Fatalf("outcome %q, want moved", res.Outcome)
	}
	if err := st.RecordGone(ctx, store.Gone{ArticleID: first.ArticleID, Source: "example", URL: "https://example.com/rome-2",
		CapturedAt: t0.Add(2 * time.Hour), HTTPStatus: 404, Reason: "404 Not Found"}); err != nil {
		t.Fatal(err)
	}
	back := page("rome-2", "Rome", "Rome was not built in a day.", t0.Add(3*time.Hour))
	back.ArticleID, back.Back, back.Judged, back.Same = first.ArticleID, true, first.SnapshotID, true
	if res := save(t, st, back); res.Outcome != store.OutcomeBack {
		t.Fatalf("outcome %q, want back", res.Outcome)
	}
	if r := deliver(t, d); r.Delivered != 2 {
		t.Fatalf("pass = %+v, want moved and back (not gone, not new)", r)
	}
	got := rcv.got()
	m, b := got[0].payload, got[1].payload
	if m.Event != "moved" || m.URL != "https://example.com/rome-2" || m.Detail != "https://example.com/rome" || m.SnapshotID != first.SnapshotID {
		t.Errorf("moved payload = %+v", m)
	}
	if b.Event != "back" || b.URL != "https://example.com/rome-2" || b.At != "2024-01-31T11:00:00Z" {
		t.Errorf("back payload = %+v", b)
	}
}

// A revision captured earlier in a second than one another writer stored
// before it (its ID moved on past that one's) is diffed against the
// snapshot before it in capture order, not against the newer one.
func TestLateRevisionDiffedAgainstTheSnapshotBefore(t *testing.T) {
	rcv := newReceiver(t)
	clk := &clock{t: t0}
	h := hook(rcv.URL)
	st := openStore(t, t.TempDir(), clk, h)
	defer st.Close()
	sec := t0.Add(time.Hour)
	first := save(t, st, page("rome", "Rome", "Rome was not built in a day.", t0))
	save(t, st, page("rome", "Rome", "Rome was not built in a year.", sec.Add(700*time.Millisecond)))
	late := save(t, st, page("rome", "Rome", "Rome was not built in a week.", sec.Add(300*time.Millisecond)))
	if late.Outcome != store.OutcomeRevised {
		t.Fatalf("late capture: %+v", late)
	}
	if r := deliver(t, deliverer(st, clk, h)); r.Delivered != 3 {
		t.Fatalf("deliveries = %+v, want 3", r)
	}
	for _, g := range rcv.got() {
		if p := g.payload; p.SnapshotID == late.SnapshotID {
			if p.PreviousID != first.SnapshotID || strings.Join(p.Diff, "|") != "- day|+ week" {
				t.Errorf("late revision's payload = %+v, want it diffed against %s", p, first.SnapshotID)
			}
			return
		}
	}
	t.Errorf("no payload for %s", late.SnapshotID)
}
