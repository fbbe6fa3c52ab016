-- The time until which each host (host:port, as the fetcher keys it)
-- asked, with Retry-After, to be left alone: kept so that a later
-- `annalist fetch` or a restarted daemon still honours it. (A PostgreSQL
-- index keeps it in host_pacing, shared by its workers.)
CREATE TABLE host_deferrals (
    host          TEXT PRIMARY KEY,
    blocked_until TEXT NOT NULL
) WITHOUT ROWID;
