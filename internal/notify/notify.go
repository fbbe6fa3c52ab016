package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"annalist/internal/fetch"
	"annalist/internal/store"
)

// Headers of a delivery.
const (
	HeaderSignature = "X-Annalist-Signature" // "sha256=" + hex HMAC-SHA256(secret, body)
	HeaderDelivery  = "X-Annalist-Delivery"  // the same for every attempt of one (webhook, event)
	HeaderEvent     = "X-Annalist-Event"     // new, revised, gone, back, moved
)

// Policy bounds delivery. Zero fields take the Default* values.
type Policy struct {
	// MaxAttempts: after this many failed attempts a notification is dead.
	MaxAttempts int
	// FirstDelay is the wait after the first failure; each further failure
	// doubles it, up to MaxDelay. The wait drawn is between half and all
	// of it (jitter), so that many failures do not retry in step.
	FirstDelay, MaxDelay time.Duration
	// Timeout bounds one POST, response included.
	Timeout time.Duration
	// Lease is how long a claimed row is kept from other deliverers.
	Lease time.Duration
}

// Defaults: 10 attempts over about 4¼ hours at most (30s, 1m, 2m … 128m).
const (
	DefaultMaxAttempts = 10
	DefaultFirstDelay  = 30 * time.Second
	DefaultMaxDelay    = 6 * time.Hour
	DefaultTimeout     = 10 * time.Second
	DefaultLease       = 2 * time.Minute

	batchSize   = 20
	maxRespRead = 64 << 10
)

func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.FirstDelay <= 0 {
		p.FirstDelay = DefaultFirstDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	if p.Lease <= 0 {
		p.Lease = DefaultLease
	}
	if p.Lease < 2*p.Timeout {
		p.Lease = 2 * p.Timeout
	}
	return p
}

// Backoff is the wait before the attempt after failed attempt n (1-based):
// FirstDelay·2^(n-1), capped at MaxDelay, scaled by 0.5+r/2 (r in [0,1)).
func (p Policy) Backoff(n int, r float64) time.Duration {
	p = p.withDefaults()
	d := p.FirstDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	return time.Duration(float64(d) * (0.5 + r/2))
}

// Hook is one configured webhook.
type Hook struct {
	URL     string
	Secret  string   // "" = unsigned
	Events  []string // store.OutcomeNew, OutcomeRevised, EventGone, EventBack, EventMoved
	Sources []string // empty = every source
}

// StoreHooks is what the store needs of hooks to queue events for them.
func StoreHooks(hooks []Hook) []store.NotifyHook {
	out := make([]store.NotifyHook, 0, len(hooks))
	for _, h := range hooks {
		out = append(out, store.NotifyHook{URL: h.URL, Events: h.Events, Sources: h.Sources})
	}
	return out
}

// Store is what the deliverer reads and writes.
type Store interface {
	ClaimNotifications(ctx context.Context, hooks []string, now time.Time, lease time.Duration, limit int) ([]store.Notification, error)
	RecordNotifyAttempt(ctx context.Context, id int64, a store.NotifyAttempt) error
	RenewNotifyLease(ctx context.Context, n *store.Notification, until time.Time) (bool, error)
	Article(ctx context.Context, id string) (*store.Article, error)
	Snapshot(ctx context.Context, id string) (*store.Snapshot, error)
	SnapshotAt(ctx context.Context, articleID string, t time.Time) (*store.Snapshot, error)
	SnapshotBefore(ctx context.Context, sn *store.Snapshot) (*store.Snapshot, error)
	LatestSnapshot(ctx context.Context, articleID string) (*store.Snapshot, error)
	ArticleEvent(ctx context.Context, id int64) (*store.Event, error)
}

var _ Store = (*store.Store)(nil)

// ErrDelivery wraps every failed attempt's error.
var ErrDelivery = errors.New("notify: delivery failed")

// Deliverer sends what the outbox holds. Safe for concurrent use.
type Deliverer struct {
	Store   Store
	Client  *http.Client // NewClient's; it must not follow redirects
	BaseURL string       // the archive's public URL, for snapshot links
	Logger  *slog.Logger
	Now     func() time.Time
	Policy  Policy
	// Rand draws the jitter in [0,1); nil = math/rand/v2.
	Rand func() float64

	mu    sync.Mutex
	hooks map[string]Hook
}

// NewClient is the HTTP client for webhooks: the fetcher's private-network
// guard (unless allowPrivate), no proxy, no redirects followed.
func NewClient(opts fetch.Options) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           fetch.Dialer(opts).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: DefaultTimeout,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// SetHooks replaces the webhooks delivered to (a configuration reload).
// Rows queued for a webhook no longer configured stay pending.
func (d *Deliverer) SetHooks(hooks []Hook) {
	m := make(map[string]Hook, len(hooks))
	for _, h := range hooks {
		m[h.URL] = h
	}
	d.mu.Lock()
	d.hooks = m
	d.mu.Unlock()
}

func (d *Deliverer) hookSet() (map[string]Hook, []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	urls := make([]string, 0, len(d.hooks))
	for u := range d.hooks {
		urls = append(urls, u)
	}
	return d.hooks, urls
}

func (d *Deliverer) log() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

func (d *Deliverer) now() time.Time {
	if d.Now == nil {
		return time.Now().UTC()
	}
	return d.Now().UTC()
}

// Result counts the attempts of one DeliverDue.
type Result struct {
	Delivered, Retrying, Dead int
}

// DeliverDue sends every notification due now, one after another, until
// none is left or ctx ends. Failed attempts are recorded, not returned: the
// error is the store's.
//
// A webhook that times out, refuses or answers 5xx/429 gets no further
// attempt in this pass (its other rows wait for their lease to end), so
// that one hanging receiver does not hold back every other webhook's
// deliveries by a timeout per queued event.
func (d *Deliverer) DeliverDue(ctx context.Context) (Result, error) {
	var res Result
	hooks, urls := d.hookSet()
	pol := d.Policy.withDefaults()
	// A claim holds no more rows than can be attempted within its lease:
	// a row whose lease ends before we reach it could be claimed and sent
	// by another deliverer (the daemon and a fetch) at the same time.
	limit := max(1, min(batchSize, int(pol.Lease/pol.Timeout)-1))
	down := map[string]bool{}
	for ctx.Err() == nil && len(urls) > 0 {
		claimed := d.now()
		batch, err := d.Store.ClaimNotifications(ctx, urls, claimed, pol.Lease, limit)
		if err != nil {
			return res, err
		}
		if len(batch) == 0 {
			return res, nil
		}
		for _, n := range batch {
			if ctx.Err() != nil {
				// Left leased; claimed again when the lease ends.
				return res, nil
			}
			if down[n.Hook] {
				continue
			}
			if d.now().Add(pol.Timeout).After(claimed.Add(pol.Lease)) {
				// Its lease could end mid-attempt: claim it again.
				break
			}
			a, hookDown, lost := d.attempt(ctx, hooks[n.Hook], n, pol)
			if lost {
				// Its lease ran out before the attempt (a slow pass) and
				// another deliverer claimed it: that one sends it.
				continue
			}
			if !a.Delivered && ctx.Err() != nil {
				// Cut short by our own deadline, not the receiver's fault:
				// not counted; the row is claimed again when its lease ends.
				return res, nil
			}
			if err := d.Store.RecordNotifyAttempt(context.WithoutCancel(ctx), n.ID, a); errors.Is(err, store.ErrNotFound) {
				// No longer pending: given up meanwhile (its webhook was
				// removed from the configuration by a reload) or recorded
				// by another deliverer. Nothing to count; go on.
				d.log().Warn("notification no longer pending; attempt not recorded", "hook", redact(n.Hook), "event", n.Event, "article", n.ArticleID)
				continue
			} else if err != nil {
				return res, err
			}
			switch {
			case a.Delivered:
				res.Delivered++
			case a.Dead:
				res.Dead++
			default:
				res.Retrying++
			}
			if hookDown {
				down[n.Hook] = true
				urls = slices.DeleteFunc(urls, func(u string) bool { return u == n.Hook })
			}
		}
	}
	return res, nil
}

// Run delivers what is due every interval until ctx ends.
func (d *Deliverer) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := d.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			d.log().Error("deliver notifications", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// attempt makes one delivery attempt and says what to record, and
// whether the webhook itself is failing (no answer, 5xx or 429), not just
// this notification.
func (d *Deliverer) attempt(ctx context.Context, h Hook, n store.Notification, pol Policy) (a store.NotifyAttempt, hookDown, lost bool) {
	body, err := d.payload(ctx, n)
	status, posted := 0, false
	if err == nil {
		// The lease is renewed from now, just before the POST, and only if
		// no other deliverer has claimed the row since: the time spent
		// since the claim (building the payload, earlier rows, a loaded
		// machine) can no longer let two deliverers send one row.
		ok, rerr := d.Store.RenewNotifyLease(context.WithoutCancel(ctx), &n, d.now().Add(pol.Lease))
		if rerr != nil {
			d.log().Warn("renew notification lease", "hook", redact(h.URL), "event", n.Event, "article", n.ArticleID, "error", rerr)
			return store.NotifyAttempt{}, false, true
		}
		if !ok {
			return store.NotifyAttempt{}, false, true
		}
		posted = true
		status, err = d.post(ctx, h, n, body, pol.Timeout)
	}
	at := d.now()
	if err == nil {
		d.log().Info("notification delivered", "hook", redact(h.URL), "event", n.Event, "article", n.ArticleID, "status", status)
		return store.NotifyAttempt{At: at, Delivered: true, Status: status}, false, false
	}
	hookDown = posted && (status == 0 || status >= 500 || status == http.StatusTooManyRequests)
	a = store.NotifyAttempt{At: at, Status: status, Error: err.Error()}
	if n.Attempts+1 >= pol.MaxAttempts {
		a.Dead = true
		d.log().Error("notification given up", "hook", redact(h.URL), "event", n.Event, "article", n.ArticleID, "attempts", n.Attempts+1, "error", err)
		return a, hookDown, false
	}
	r := rand.Float64
	if d.Rand != nil {
		r = d.Rand
	}
	a.NextAttempt = at.Add(pol.Backoff(n.Attempts+1, r()))
	d.log().Warn("notification failed; will retry", "hook", redact(h.URL), "event", n.Event, "article", n.ArticleID, "attempt", n.Attempts+1, "next_attempt", a.NextAttempt, "error", err)
	return a, hookDown, false
}

// DeliveryID names one (webhook, event) for every attempt, so that a
// receiver can drop a repeat.
func DeliveryID(hook, eventKey string) string {
	sum := sha256.Sum256([]byte(hook + "\x00" + eventKey))
	return hex.EncodeToString(sum[:16])
}

// Sign is the X-Annalist-Signature value for body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// post sends body to h; a 2xx is success, anything else an error naming
// the webhook and what it answered.
func (d *Deliverer) post(ctx context.Context, h Hook, n store.Notification, body []byte, timeout time.Duration) (int, error) {
	shown := redact(h.URL)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %w", ErrDelivery, shown, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "annalist-webhook/0.1")
	req.Header.Set(HeaderDelivery, DeliveryID(n.Hook, n.EventKey))
	req.Header.Set(HeaderEvent, n.Event)
	if h.Secret != "" {
		req.Header.Set(HeaderSignature, Sign(h.Secret, body))
	}
	resp, err := d.Client.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return 0, fmt.Errorf("%w: POST %s: no answer within %s", ErrDelivery, shown, timeout)
		}
		// net/http's error repeats the URL, query and all.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, fmt.Errorf("%w: POST %s: %w", ErrDelivery, shown, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxRespRead))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, nil
	}
	msg := strings.Join(strings.Fields(string(snippet)), " ")
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		msg = "redirected to " + resp.Header.Get("Location") + " (webhook redirects are not followed)"
	}
	return resp.StatusCode, fmt.Errorf("%w: POST %s: %s %s", ErrDelivery, shown, resp.Status, msg)
}

// redact drops a webhook URL's query and user info, which often hold its
// token, from what is logged and shown.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(webhook URL)"
	}
	u.User = nil
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	return u.String()
}
