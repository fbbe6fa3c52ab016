-- Requests in flight to each host (host:port), counted across the workers
-- sharing the index: one row per slot (0 to per_host_concurrency - 1). A
-- worker takes a free slot (FOR UPDATE SKIP LOCKED) before it sends, under
-- a token of its own and a lease it renews while the exchange runs, and
-- gives it back when the exchange ends. The slot of a worker that died is
-- free once its lease has run out. Database clock.
CREATE TABLE host_slots (
    host       TEXT COLLATE "C" NOT NULL,
    slot       INTEGER NOT NULL,
    holder     TEXT COLLATE "C" NOT NULL DEFAULT '',
    expires_at TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
    PRIMARY KEY (host, slot)
);
