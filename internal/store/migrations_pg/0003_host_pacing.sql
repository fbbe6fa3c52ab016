-- Per-host pacing shared by the workers: the next free request start to
-- each host (host:port), booked atomically, and the time until which the
-- host asked to be left alone (Retry-After). Database clock.
CREATE TABLE host_pacing (
    host          TEXT COLLATE "C" PRIMARY KEY,
    next_at       TIMESTAMPTZ NOT NULL,
    blocked_until TIMESTAMPTZ
);
