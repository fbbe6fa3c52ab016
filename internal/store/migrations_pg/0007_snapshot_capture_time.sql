-- A snapshot's capture time in full (SQLite's 0012): captured_at and its
-- ID are the second; this orders an article's snapshots. NULL for
-- snapshots stored before, read as captured_at (exactExpr).
ALTER TABLE snapshots ADD COLUMN captured_exact TEXT COLLATE "C";
CREATE INDEX snapshots_article_exact ON snapshots(article_id, (coalesce(captured_exact, captured_at)));
