package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrNoLeases is returned by Leases on an SQLite index: several workers
// share a PostgreSQL index only.
var ErrNoLeases = errors.New("store: leases need a PostgreSQL index")

// Leases hand out jobs to the workers sharing a PostgreSQL index (see
// migrations_pg/0002_leases.sql): each due job to exactly one worker at a
// time, taken over when its worker stops renewing.
type Leases struct {
	s      *Store
	worker string
}

// Leases returns the lease table as worker (unique among the workers
// sharing the index, e.g. host and pid).
func (s *Store) Leases(worker string) (*Leases, error) {
	if !s.pg {
		return nil, ErrNoLeases
	}
	if worker == "" {
		return nil, errors.New("store: leases need a worker ID")
	}
	return &Leases{s: s, worker: worker}, nil
}

// Worker is the ID the leases are taken under.
func (l *Leases) Worker() string { return l.worker }

// Ensure makes the job name known, first due at due; a job already known
// keeps its state.
func (l *Leases) Ensure(ctx context.Context, name string, due time.Time) error {
	if _, err := l.s.rdb.ExecContext(ctx, `INSERT INTO leases (name, next_due) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
		name, due.UTC()); err != nil {
		return fmt.Errorf("lease %s: %w", name, err)
	}
	return nil
}

// Claim takes, for ttl, the lease of one of the named jobs that is due
// and not held by a live lease (the earliest due first), skipping rows
// another worker is claiming at this moment. ok is false when none is.
func (l *Leases) Claim(ctx context.Context, names []string, ttl time.Duration) (name string, ok bool, err error) {
	err = l.s.rdb.QueryRowContext(ctx, `UPDATE leases SET worker = ?, until = clock_timestamp() + make_interval(secs => ?)
		WHERE name = (SELECT name FROM leases
			WHERE name = ANY(?) AND next_due <= clock_timestamp() AND (until IS NULL OR until < clock_timestamp())
			ORDER BY next_due LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING name`, l.worker, ttl.Seconds(), names).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("claim lease: %w", err)
	}
	return name, true, nil
}

// Renew extends this worker's lease on name by ttl; false when the lease
// was lost (expired and taken by another worker): stop the job.
func (l *Leases) Renew(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	res, err := l.s.rdb.ExecContext(ctx, `UPDATE leases SET until = clock_timestamp() + make_interval(secs => ?)
		WHERE name = ? AND worker = ? AND until IS NOT NULL`, ttl.Seconds(), name, l.worker)
	if err != nil {
		return false, fmt.Errorf("renew lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Done frees this worker's lease on name and sets when the job is next
// due. A lease lost meanwhile is left to its new holder.
func (l *Leases) Done(ctx context.Context, name string, next time.Time) error {
	if _, err := l.s.rdb.ExecContext(ctx, `UPDATE leases SET worker = NULL, until = NULL, next_due = ?, runs = runs + 1
		WHERE name = ? AND worker = ?`, next.UTC(), name, l.worker); err != nil {
		return fmt.Errorf("finish lease %s: %w", name, err)
	}
	return nil
}

// Runs reports how many times the job name has been finished.
func (l *Leases) Runs(ctx context.Context, name string) (int, error) {
	var n int
	err := l.s.rdb.QueryRowContext(ctx, `SELECT runs FROM leases WHERE name = ?`, name).Scan(&n)
	return n, err
}
