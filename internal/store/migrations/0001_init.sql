-- Times are UTC RFC 3339 with a fixed nine-digit fraction
-- ("2006-01-02T15:04:05.000000000Z") so that they sort as text.
-- html, text and markdown of snapshots are deflate-compressed BLOBs (see compress.go).

-- auto_vacuum = FULL is set when the file is created (see dsn in open.go).

CREATE TABLE sources (
    name          TEXT PRIMARY KEY,
    title         TEXT NOT NULL DEFAULT '',
    feed          TEXT NOT NULL DEFAULT '',
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    last_poll_at  TEXT,
    last_outcome  TEXT NOT NULL DEFAULT '',
    last_error    TEXT NOT NULL DEFAULT '',
    failures      INTEGER NOT NULL DEFAULT 0  -- feed polls failed in a row
) WITHOUT ROWID;

CREATE TABLE articles (
    id                   TEXT PRIMARY KEY,
    source               TEXT NOT NULL REFERENCES sources(name),
    url                  TEXT NOT NULL,
    fetch_url            TEXT NOT NULL DEFAULT '',
    title                TEXT NOT NULL DEFAULT '',
    first_seen           TEXT NOT NULL,
    last_captured_at     TEXT,
    latest_revision_date TEXT,
    latest_seq           INTEGER, -- snapshots.seq of the latest snapshot (max captured_at, then seq): kept by SaveCapture so that a latest-only search needs no per-row subquery
    next_check_at        TEXT,
    etag                 TEXT NOT NULL DEFAULT '',
    last_modified        TEXT NOT NULL DEFAULT '',
    body_key             TEXT NOT NULL DEFAULT '' -- Page.BodyKey of the page body last processed into the latest snapshot's state; '' = none
) WITHOUT ROWID;
CREATE INDEX articles_first_seen ON articles(first_seen);
CREATE INDEX articles_source_first_seen ON articles(source, first_seen);
CREATE INDEX articles_next_check ON articles(next_check_at) WHERE next_check_at IS NOT NULL;

CREATE TABLE article_urls (
    url        TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id)
) WITHOUT ROWID;
CREATE INDEX article_urls_article ON article_urls(article_id);

CREATE TABLE snapshots (
    seq            INTEGER PRIMARY KEY, -- rowid of the FTS row
    id             TEXT NOT NULL UNIQUE,
    article_id     TEXT NOT NULL REFERENCES articles(id),
    captured_at    TEXT NOT NULL,
    revision_date  TEXT,
    published_date TEXT,
    title          TEXT NOT NULL DEFAULT '',
    byline         TEXT NOT NULL DEFAULT '',
    url            TEXT NOT NULL DEFAULT '',
    html           BLOB,
    text           BLOB,
    markdown       BLOB,
    fingerprint    TEXT NOT NULL,
    fp_version     TEXT NOT NULL DEFAULT '',
    words          INTEGER NOT NULL DEFAULT 0,
    extractor      TEXT NOT NULL DEFAULT '',
    warc_file      TEXT NOT NULL DEFAULT '',
    warc_offset    INTEGER NOT NULL DEFAULT 0,
    warc_record_id TEXT NOT NULL DEFAULT '',
    payload_digest TEXT NOT NULL DEFAULT ''
);
CREATE INDEX snapshots_article_captured ON snapshots(article_id, captured_at);

CREATE TABLE captures (
    id          INTEGER PRIMARY KEY,
    article_id  TEXT, -- NULL when the article could not be identified; no foreign key on purpose
    source      TEXT NOT NULL DEFAULT '',
    url         TEXT NOT NULL DEFAULT '',
    captured_at TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    snapshot_id TEXT
);
CREATE INDEX captures_captured ON captures(captured_at);
CREATE INDEX captures_article ON captures(article_id, captured_at);
CREATE INDEX captures_source ON captures(source, captured_at);

CREATE TABLE feed_items (
    source     TEXT NOT NULL,
    key        TEXT NOT NULL,
    link       TEXT NOT NULL DEFAULT '',
    updated    TEXT,
    last_seen  TEXT NOT NULL,
    article_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (source, key)
) WITHOUT ROWID;

-- Contentless: the text lives compressed in snapshots; snippets are built in Go.
-- detail=column keeps no word positions (a quarter of the size of detail=full):
-- phrases and ^ are checked in Go against the candidates' text (query.go).
CREATE VIRTUAL TABLE snapshots_fts USING fts5(
    title, text,
    content = '',
    detail = column,
    tokenize = 'unicode61 remove_diacritics 2'
);
