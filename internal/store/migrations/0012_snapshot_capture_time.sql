-- A snapshot's capture time in full (captured_at and its ID are the
-- second, moved on when another snapshot of the article holds it): what
-- orders an article's snapshots, so that two captures of one second,
-- saved by two writers in the other order, keep the order they were taken
-- in. NULL for snapshots stored before, of which only the second is known:
-- they are read as captured_at (exactExpr); copying it in would rewrite
-- every snapshot row, texts and all.
ALTER TABLE snapshots ADD COLUMN captured_exact TEXT;
CREATE INDEX snapshots_article_exact ON snapshots(article_id, coalesce(captured_exact, captured_at));
