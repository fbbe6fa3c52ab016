package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Pacing is the per-host pacing shared by the workers of a PostgreSQL
// index (fetch.SharedPacing): request starts to a host are booked in one
// table, so that N workers keep one host's interval, not N times its rate;
// the requests in flight to a host are counted in another (slots.go).
type Pacing struct {
	s     *Store
	lease time.Duration // of a request slot, renewed every third of it

	mu       sync.Mutex
	paced    map[string]bool     // hosts whose host_pacing row exists
	ensured  map[string]int      // host -> slot rows known to exist
	held     map[string]struct{} // tokens of the slots taken, not given back
	renewing bool                // a goroutine renews held's leases
}

// Pacing returns the shared pacing table; ErrNoLeases on SQLite.
func (s *Store) Pacing() (*Pacing, error) {
	if !s.pg {
		return nil, ErrNoLeases
	}
	return &Pacing{s: s, lease: slotLease, paced: map[string]bool{}, ensured: map[string]int{}, held: map[string]struct{}{}}, nil
}

// Reserve books the next start to host (see fetch.SharedPacing). The
// host's row is made once per Pacing (and again if it went), so that a
// booking is one round trip.
func (p *Pacing) Reserve(ctx context.Context, host string, interval, patience time.Duration) (start, blocked time.Time, err error) {
	for try := 0; ; try++ {
		p.mu.Lock()
		known := p.paced[host]
		p.mu.Unlock()
		if try > 0 || !known {
			if _, err := p.s.rdb.ExecContext(ctx, `INSERT INTO host_pacing (host, next_at) VALUES (?, clock_timestamp()) ON CONFLICT (host) DO NOTHING`, host); err != nil {
				return time.Time{}, time.Time{}, err
			}
			p.mu.Lock()
			p.paced[host] = true
			p.mu.Unlock()
		}
		start, blocked, err = p.book(ctx, host, interval, patience)
		if !errors.Is(err, errNoPacingRow) || try > 0 {
			return start, blocked, err
		}
	}
}

var errNoPacingRow = errors.New("no host pacing row")

// book books the next start to host in its row.
func (p *Pacing) book(ctx context.Context, host string, interval, patience time.Duration) (start, blocked time.Time, err error) {
	err = p.s.rdb.QueryRowContext(ctx, `UPDATE host_pacing
		SET next_at = GREATEST(next_at, clock_timestamp(), coalesce(blocked_until, '-infinity')) + make_interval(secs => ?)
		WHERE host = ? AND coalesce(blocked_until, '-infinity') <= clock_timestamp() + make_interval(secs => ?)
		RETURNING next_at - make_interval(secs => ?)`,
		interval.Seconds(), host, patience.Seconds(), interval.Seconds()).Scan(&start)
	if errors.Is(err, sql.ErrNoRows) {
		err := p.s.rdb.QueryRowContext(ctx, `SELECT blocked_until FROM host_pacing WHERE host = ?`, host).Scan(&blocked)
		if errors.Is(err, sql.ErrNoRows) {
			return time.Time{}, time.Time{}, errNoPacingRow
		}
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("read host pacing: %w", err)
		}
		return time.Time{}, blocked, nil
	}
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("book host pacing: %w", err)
	}
	return start, time.Time{}, nil
}

// Block records the host's Retry-After for every worker.
func (p *Pacing) Block(ctx context.Context, host string, until time.Time) error {
	_, err := p.s.rdb.ExecContext(ctx, `INSERT INTO host_pacing (host, next_at, blocked_until) VALUES (?, clock_timestamp(), ?)
		ON CONFLICT (host) DO UPDATE SET blocked_until = GREATEST(coalesce(host_pacing.blocked_until, '-infinity'), excluded.blocked_until)`,
		host, until.UTC())
	return err
}

// Deferrals keeps the hosts' Retry-After in a SQLite index beyond the
// process that was given it (fetch.Deferrals); a PostgreSQL index keeps
// it in Pacing instead.
type Deferrals struct{ s *Store }

// Deferrals returns the Retry-After table; nil on PostgreSQL, whose
// Pacing holds the same for every worker.
func (s *Store) Deferrals() *Deferrals {
	if s.pg {
		return nil
	}
	return &Deferrals{s: s}
}

// Deferrals returns the hosts asked to be left alone past now.
func (d *Deferrals) Deferrals(ctx context.Context, now time.Time) (map[string]time.Time, error) {
	rows, err := d.s.rdb.QueryContext(ctx, `SELECT host, blocked_until FROM host_deferrals WHERE blocked_until > ?`, fmtTime(now))
	if err != nil {
		return nil, fmt.Errorf("read host deferrals: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var host, until string
		if err := rows.Scan(&host, &until); err != nil {
			return nil, fmt.Errorf("read host deferrals: %w", err)
		}
		t, err := parseTime(until)
		if err != nil {
			return nil, fmt.Errorf("host deferral of %s: %w", host, err)
		}
		out[host] = t
	}
	return out, rows.Err()
}

// Defer records that host asked to be left alone until until; a later
// time already recorded stands. Rows long over are cleared on the way.
func (d *Deferrals) Defer(ctx context.Context, host string, until time.Time) error {
	tx, err := d.s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record host deferral: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO host_deferrals (host, blocked_until) VALUES (?, ?)
		ON CONFLICT (host) DO UPDATE SET blocked_until = max(blocked_until, excluded.blocked_until)`, host, fmtTime(until)); err != nil {
		return fmt.Errorf("record host deferral of %s: %w", host, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM host_deferrals WHERE blocked_until < ?`, fmtTime(d.s.now().Add(-24*time.Hour))); err != nil {
		return fmt.Errorf("clear old host deferrals: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record host deferral of %s: %w", host, err)
	}
	return nil
}
