-- A snapshot's capture time in full (captured_at and its ID are the
-- second, moved on when another snapshot of the article holds it): what
-- orders an article's snapshots, so that two captures of one second,
-- saved by two writers in the other order, keep the order they were taken
-- in. Snapshots stored before have only the second.
ALTER TABLE snapshots ADD COLUMN captured_exact TEXT NOT NULL DEFAULT '';
UPDATE snapshots SET captured_exact = captured_at;
CREATE INDEX snapshots_article_exact ON snapshots(article_id, captured_exact);
