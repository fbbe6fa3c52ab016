package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Notification states (NotifyCount, Notification.State).
const (
	NotifyPending   = "pending"
	NotifyDelivered = "delivered"
	NotifyDead      = "dead"
)

// NotifyHook is a webhook as the store needs it to queue notifications:
// which events of which sources go to URL. The deliverer (internal/notify)
// sends what is queued.
type NotifyHook struct {
	URL     string
	Events  []string // OutcomeNew, OutcomeRevised, EventGone, EventBack, EventMoved
	Sources []string // empty = every source
}

func (h NotifyHook) wants(event, source string) bool {
	return slices.Contains(h.Events, event) && (len(h.Sources) == 0 || slices.Contains(h.Sources, source))
}

// SetNotifyHooks replaces the webhooks that events are queued for from now
// on (a configuration reload). Rows already queued stay.
func (s *Store) SetNotifyHooks(hooks []NotifyHook) {
	hs := slices.Clone(hooks)
	s.hooks.Store(&hs)
}

// notice is one event to announce.
type notice struct {
	event, articleID, source string
	snapshotID               string // new, revised
	eventID                  int64  // gone, back, moved: article_events.id
}

// queueNotify inserts one outbox row per webhook that wants n, inside the
// caller's transaction: the event and its notifications commit together.
// The unique (hook, event_key) makes a second insert of one event a no-op.
func (s *Store) queueNotify(ctx context.Context, q queryer, n notice) error {
	hooks := s.hooks.Load()
	if hooks == nil || len(*hooks) == 0 {
		return nil
	}
	key := n.snapshotID
	if n.eventID != 0 {
		key = fmt.Sprintf("event:%d", n.eventID)
	}
	now := fmtTime(s.now())
	for _, h := range *hooks {
		if !h.wants(n.event, n.source) {
			continue
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO notify_outbox
			(hook, event, event_key, article_id, source, snapshot_id, event_id, created_at, next_attempt_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hook, event_key) DO NOTHING`,
			h.URL, n.event, key, n.articleID, n.source, nullIfEmpty(n.snapshotID), nullIfZero(n.eventID), now, now); err != nil {
			return fmt.Errorf("queue notification: %w", err)
		}
	}
	return nil
}

func nullIfZero(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// Notification is one queued (webhook, event).
type Notification struct {
	ID         int64
	Hook       string // the webhook's URL
	Event      string // new, revised, gone, back, moved
	EventKey   string // the snapshot ID, or "event:N"
	ArticleID  string
	Source     string
	SnapshotID string // new, revised
	EventID    int64  // gone, back, moved
	CreatedAt  time.Time
	Attempts   int // made before this one
	// LeaseUntil is the lease this claim holds; RenewNotifyLease checks
	// it is still this one (no other deliverer has claimed the row since).
	LeaseUntil time.Time
}

// ClaimNotifications leases up to limit pending notifications for the
// given webhooks whose next attempt is due at now, oldest first, so that
// no other deliverer (another process) takes them until now+lease. A
// deliverer that dies leaves them to be claimed again when the lease ends.
func (s *Store) ClaimNotifications(ctx context.Context, hooks []string, now time.Time, lease time.Duration, limit int) ([]Notification, error) {
	if err := s.writable(); err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	if len(hooks) == 0 || limit <= 0 {
		return nil, nil
	}
	at := fmtTime(now)
	// A read first: an idle daemon asking every few seconds takes no
	// write lock when nothing is due.
	var due bool
	if err := s.rdb.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM notify_outbox WHERE state = ? AND next_attempt_at <= ?)`,
		NotifyPending, at).Scan(&due); err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	if !due {
		return nil, nil
	}
	args := []any{fmtTime(now.Add(lease)), NotifyPending, at, at}
	for _, h := range hooks {
		args = append(args, h)
	}
	args = append(args, limit, NotifyPending, at)
	// The lease test is repeated outside the subquery: PostgreSQL re-checks
	// only the outer condition on a row another worker has just claimed.
	rows, err := s.wdb.QueryContext(ctx, `UPDATE notify_outbox SET lease_until = ?
		WHERE id IN (SELECT id FROM notify_outbox
			WHERE state = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
			AND hook IN (?`+strings.Repeat(", ?", len(hooks)-1)+`)
			ORDER BY id LIMIT ?)
			AND state = ? AND (lease_until IS NULL OR lease_until <= ?)
		RETURNING id, hook, event, event_key, article_id, source, coalesce(snapshot_id, ''), coalesce(event_id, 0), created_at, attempts`, args...)
	if err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var created string
		if err := rows.Scan(&n.ID, &n.Hook, &n.Event, &n.EventKey, &n.ArticleID, &n.Source, &n.SnapshotID, &n.EventID, &created, &n.Attempts); err != nil {
			return nil, fmt.Errorf("claim notifications: %w", err)
		}
		if n.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("claim notifications: %w", err)
		}
		n.LeaseUntil = now.Add(lease)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	slices.SortFunc(out, func(a, b Notification) int { return int(a.ID - b.ID) })
	return out, nil
}

// NotifyAttempt is the result of one delivery attempt.
type NotifyAttempt struct {
	At        time.Time
	Delivered bool
	// Dead: give up (the last attempt failed); else NextAttempt says when
	// to try again.
	Dead        bool
	NextAttempt time.Time
	Status      int    // HTTP status, 0 = no response
	Error       string // why it failed
}

// RecordNotifyAttempt counts an attempt of notification id and releases
// its lease: delivered, dead, or pending until a.NextAttempt.
func (s *Store) RecordNotifyAttempt(ctx context.Context, id int64, a NotifyAttempt) error {
	if err := s.writable(); err != nil {
		return fmt.Errorf("record notification attempt: %w", err)
	}
	state, next, delivered := NotifyPending, fmtTime(a.NextAttempt), any(nil)
	switch {
	case a.Delivered:
		state, next, delivered = NotifyDelivered, fmtTime(a.At), fmtTime(a.At)
	case a.Dead:
		state, next = NotifyDead, fmtTime(a.At)
	}
	res, err := s.wdb.ExecContext(ctx, `UPDATE notify_outbox SET state = ?, attempts = attempts + 1, next_attempt_at = ?,
		lease_until = NULL, last_error = ?, last_status = ?, delivered_at = ? WHERE id = ? AND state = ?`,
		state, next, a.Error, httpStatusOrNull(a.Status), delivered, id, NotifyPending)
	if err != nil {
		return fmt.Errorf("record notification attempt %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("record notification attempt %d: %w", id, ErrNotFound)
	}
	return nil
}

// RenewNotifyLease extends n's lease to until, just before an attempt,
// if n is still pending under the lease its claim took (n.LeaseUntil):
// false when the lease ran out and another deliverer claimed the row, which
// is then that deliverer's to send. On success n.LeaseUntil is until.
func (s *Store) RenewNotifyLease(ctx context.Context, n *Notification, until time.Time) (bool, error) {
	if err := s.writable(); err != nil {
		return false, fmt.Errorf("renew notification lease: %w", err)
	}
	res, err := s.wdb.ExecContext(ctx, `UPDATE notify_outbox SET lease_until = ? WHERE id = ? AND state = ? AND lease_until = ?`,
		fmtTime(until), n.ID, NotifyPending, fmtTime(n.LeaseUntil))
	if err != nil {
		return false, fmt.Errorf("renew notification lease %d: %w", n.ID, err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return false, nil
	}
	n.LeaseUntil = until
	return true, nil
}

// NotifyCount is the webhook notifications of one source by state.
type NotifyCount struct {
	Source    string
	Delivered int
	Pending   int
	Failed    int    // dead: given up after the last attempt
	Retrying  int    // pending after at least one failed attempt
	LastError string // of the latest failed attempt still pending or dead
}

// NotifyCounts counts the notifications of every source that has any,
// by source name.
func (s *Store) NotifyCounts(ctx context.Context) (map[string]NotifyCount, error) {
	// A read-only store may open an SQLite archive made before migration
	// 0008 (a PostgreSQL index is opened only at the current schema).
	if !s.pg {
		var one int
		err := s.rdb.QueryRowContext(ctx, `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'notify_outbox'`).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return map[string]NotifyCount{}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("count notifications: %w", err)
		}
	}
	// CASE rather than sum(condition): PostgreSQL has no sum of booleans.
	rows, err := s.rdb.QueryContext(ctx, `SELECT source,
			sum(CASE WHEN state = 'delivered' THEN 1 ELSE 0 END), sum(CASE WHEN state = 'pending' THEN 1 ELSE 0 END),
			sum(CASE WHEN state = 'dead' THEN 1 ELSE 0 END), sum(CASE WHEN state = 'pending' AND attempts > 0 THEN 1 ELSE 0 END),
			coalesce((SELECT o2.last_error FROM notify_outbox o2 WHERE o2.source = o.source AND o2.state != 'delivered' AND o2.last_error != ''
				ORDER BY o2.next_attempt_at DESC, o2.id DESC LIMIT 1), '')
		FROM notify_outbox o GROUP BY source`)
	if err != nil {
		return nil, fmt.Errorf("count notifications: %w", err)
	}
	defer rows.Close()
	out := map[string]NotifyCount{}
	for rows.Next() {
		var c NotifyCount
		if err := rows.Scan(&c.Source, &c.Delivered, &c.Pending, &c.Failed, &c.Retrying, &c.LastError); err != nil {
			return nil, fmt.Errorf("count notifications: %w", err)
		}
		out[c.Source] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count notifications: %w", err)
	}
	return out, nil
}

// ArticleEvent returns the article event with the given ID (a
// Notification's EventID), or ErrNotFound.
func (s *Store) ArticleEvent(ctx context.Context, id int64) (*Event, error) {
	evs, err := s.queryEvents(ctx, `SELECT `+eventCols+` FROM article_events e WHERE e.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, fmt.Errorf("article event %d: %w", id, ErrNotFound)
	}
	return &evs[0], nil
}

// NotifyHookRemoved is the last error of a notification given up because
// its webhook is no longer configured.
const NotifyHookRemoved = "webhook no longer in notify: (removed from the configuration); not sent"

// AbandonNotifications marks dead the pending notifications of every
// webhook not in keep (removed from the configuration), which no
// deliverer would ever claim, and returns how many.
func (s *Store) AbandonNotifications(ctx context.Context, keep []string, at time.Time) (int, error) {
	if err := s.writable(); err != nil {
		return 0, fmt.Errorf("abandon notifications: %w", err)
	}
	args := []any{NotifyDead, fmtTime(at), NotifyHookRemoved, NotifyPending}
	q := `UPDATE notify_outbox SET state = ?, next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE state = ?`
	if len(keep) > 0 {
		q += ` AND hook NOT IN (?` + strings.Repeat(", ?", len(keep)-1) + `)`
		for _, h := range keep {
			args = append(args, h)
		}
	}
	res, err := s.wdb.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("abandon notifications: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("abandon notifications: %w", err)
	}
	return int(n), nil
}
