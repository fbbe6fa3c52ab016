-- Webhook notifications (issue 13 point 4): one row per (webhook, event),
-- written in the same transaction as the snapshot or article event it
-- announces, so that an event is never lost and never queued twice.
-- hook is the webhook's URL; event_key is the snapshot ID (new, revised)
-- or 'event:' + article_events.id (gone, back, moved).
-- state: 'pending' (next_attempt_at says when), 'delivered' or 'dead'
-- (gave up after the last attempt). lease_until keeps two deliverers
-- (the daemon and a one-off fetch) from sending one row at once.
CREATE TABLE notify_outbox (
    id              INTEGER PRIMARY KEY,
    hook            TEXT NOT NULL,
    event           TEXT NOT NULL,
    event_key       TEXT NOT NULL,
    article_id      TEXT NOT NULL,
    source          TEXT NOT NULL DEFAULT '',
    snapshot_id     TEXT,
    event_id        INTEGER,
    created_at      TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    last_status     INTEGER,
    delivered_at    TEXT,
    UNIQUE (hook, event_key)
);
CREATE INDEX notify_outbox_due ON notify_outbox(state, next_attempt_at);
CREATE INDEX notify_outbox_source ON notify_outbox(source, state);
