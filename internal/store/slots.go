package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// slotLease is how long a request slot stays taken without its worker
// renewing it (every third of it, while the exchange runs), unless
// SetSlotLease says otherwise: a worker that dies (kill -9, network loss)
// frees its slots within it.
const slotLease = 30 * time.Second

// SetSlotLease makes the request slots taken from now on leased for d
// (a daemon's --lease-ttl, so that a dead worker's slots are free when its
// jobs are taken over); d under a second is taken as a second.
func (p *Pacing) SetSlotLease(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lease = max(d, time.Second)
}

// TakeSlot takes one of host's first limit request slots (see
// fetch.SharedPacing and migrations_pg/0008_host_slots.sql), if one is
// free: never taken, given back, or its lease run out. ok is false when
// all are held. The slot's lease is renewed until release is called.
func (p *Pacing) TakeSlot(ctx context.Context, host string, limit int) (release func(context.Context) error, ok bool, err error) {
	if err := p.ensureSlots(ctx, host, limit); err != nil {
		return nil, false, err
	}
	token := rand.Text() // this taking of a slot, unique across workers
	p.mu.Lock()
	lease := p.lease
	p.mu.Unlock()
	var slot int
	err = p.s.rdb.QueryRowContext(ctx, `UPDATE host_slots SET holder = ?, expires_at = clock_timestamp() + make_interval(secs => ?)
		WHERE host = ? AND slot = (SELECT slot FROM host_slots
			WHERE host = ? AND slot < ? AND expires_at < clock_timestamp()
			ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING slot`, token, lease.Seconds(), host, host, limit).Scan(&slot)
	if errors.Is(err, sql.ErrNoRows) {
		// All held, or the rows went: the next try makes them again.
		p.mu.Lock()
		delete(p.ensured, host)
		p.mu.Unlock()
		return nil, false, nil
	}
	if err != nil {
		var pe *pgconn.PgError
		if !errors.As(err, &pe) { // the server did not refuse it: it may have run
			p.dropTaken(ctx, host, token)
		}
		return nil, false, fmt.Errorf("take a request slot: %w", err)
	}
	p.hold(token)
	return func(ctx context.Context) error { return p.giveBack(ctx, host, slot, token) }, true, nil
}

// dropTaken frees the slot a failed taking may have taken all the same:
// when ctx ends (Stop, a shutdown) while the database's answer is on the
// way, the slot is taken there under token, and would stay so until its
// lease ends (nothing renews it) while the other workers wait for it.
func (p *Pacing) dropTaken(ctx context.Context, host, token string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := p.s.rdb.ExecContext(ctx, `UPDATE host_slots SET holder = '', expires_at = '-infinity'
		WHERE host = ? AND holder = ?`, host, token); err != nil {
		p.s.log.Warn("a request slot the failed taking may hold not freed; free when its lease ends", "host", host, "err", err)
	}
}

// ensureSlots makes host's first limit slot rows exist, once per Pacing
// while slots are had.
func (p *Pacing) ensureSlots(ctx context.Context, host string, limit int) error {
	p.mu.Lock()
	known := p.ensured[host] >= limit
	p.mu.Unlock()
	if known {
		return nil
	}
	if _, err := p.s.rdb.ExecContext(ctx, `INSERT INTO host_slots (host, slot) SELECT ?, generate_series(0, ? - 1)
		ON CONFLICT (host, slot) DO NOTHING`, host, limit); err != nil {
		return fmt.Errorf("make request slots: %w", err)
	}
	p.mu.Lock()
	p.ensured[host] = max(p.ensured[host], limit)
	p.mu.Unlock()
	return nil
}

// giveBack frees a slot still held under token. It stops renewing it
// first: a slot that cannot be given back is free when its lease ends.
func (p *Pacing) giveBack(ctx context.Context, host string, slot int, token string) error {
	p.mu.Lock()
	delete(p.held, token)
	p.mu.Unlock()
	if _, err := p.s.rdb.ExecContext(ctx, `UPDATE host_slots SET holder = '', expires_at = '-infinity'
		WHERE host = ? AND slot = ? AND holder = ?`, host, slot, token); err != nil {
		return fmt.Errorf("give back request slot %d of %s: %w", slot, host, err)
	}
	return nil
}

// hold records a taken slot and starts renewing the leases, unless that
// is already under way.
func (p *Pacing) hold(token string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.held[token] = struct{}{}
	if !p.renewing {
		p.renewing = true
		go p.renew()
	}
}

// renew extends the leases of the slots held, in one statement every
// third of the lease, until none is held or the Store is closed (a slot
// still held then frees itself when its lease ends).
func (p *Pacing) renew() {
	p.mu.Lock()
	lease := p.lease
	p.mu.Unlock()
	t := time.NewTicker(lease / 3)
	defer t.Stop()
	for range t.C {
		closed := p.s.isClosed()
		p.mu.Lock()
		lease = p.lease
		tokens := make([]string, 0, len(p.held))
		for tok := range p.held {
			tokens = append(tokens, tok)
		}
		if len(tokens) == 0 || closed {
			p.renewing = false
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), lease/3)
		_, err := p.s.rdb.ExecContext(ctx, `UPDATE host_slots SET expires_at = clock_timestamp() + make_interval(secs => ?)
			WHERE holder = ANY(?)`, lease.Seconds(), tokens)
		cancel()
		if err != nil {
			p.s.log.Warn("request slots' leases not renewed; other workers may take them when they end",
				"slots", len(tokens), "lease", lease, "err", err)
		}
	}
}
