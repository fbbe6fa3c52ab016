-- Work shared by several workers (annalist daemon processes) on one
-- PostgreSQL index: one row per job ("poll:<source>", "watch:<source>").
-- A worker claims a due job whose lease is free or expired (FOR UPDATE
-- SKIP LOCKED), renews the lease while it runs, and on finishing frees it
-- and sets when the job is next due. A worker that dies leaves its lease
-- to expire; the job, still due, is then claimed by another. Lease times
-- are the database's clock, so workers' clocks need not agree.
CREATE TABLE leases (
    name     TEXT COLLATE "C" PRIMARY KEY,
    worker   TEXT COLLATE "C",
    until    TIMESTAMPTZ,
    next_due TIMESTAMPTZ NOT NULL,
    runs     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX leases_due ON leases(next_due);
