-- A snapshot's capture time in full (SQLite's 0012): captured_at and its
-- ID are the second; this orders an article's snapshots. Snapshots stored
-- before have only the second.
ALTER TABLE snapshots ADD COLUMN captured_exact TEXT COLLATE "C";
UPDATE snapshots SET captured_exact = captured_at;
ALTER TABLE snapshots ALTER COLUMN captured_exact SET NOT NULL;
CREATE INDEX snapshots_article_exact ON snapshots(article_id, captured_exact);
