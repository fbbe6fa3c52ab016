-- An article's life besides its snapshots (issue 8).
-- state: 'live', 'gone' (404/410, a redirect to the home or a section page,
-- a soft 404) or 'back' (a gone article that answered with its article
-- again), since state_since. A move keeps the article's ID: articles.url is
-- the current canonical URL, the old ones stay in article_urls.
ALTER TABLE articles ADD COLUMN state TEXT NOT NULL DEFAULT 'live';
ALTER TABLE articles ADD COLUMN state_since TEXT;
-- The rel=canonical a page declared when it points to another site (a
-- syndicated copy naming its original), canonicalised; '' = none.
ALTER TABLE articles ADD COLUMN declared_canonical TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshots ADD COLUMN declared_canonical TEXT NOT NULL DEFAULT '';
CREATE INDEX articles_declared_canonical ON articles(declared_canonical) WHERE declared_canonical != '';
-- captures.http_status comes with 0004.

-- The events of an article's life that are not snapshots: kind 'moved'
-- (url = the new canonical URL, detail = the old one), 'gone' (detail =
-- why) and 'back'. One row per change of state, not per check.
CREATE TABLE article_events (
    id         INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id),
    source     TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    url        TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX article_events_article ON article_events(article_id, at);
CREATE INDEX article_events_at ON article_events(at);
