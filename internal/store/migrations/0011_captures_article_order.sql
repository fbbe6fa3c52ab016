-- The captures of an article in the order they were written: recording an
-- unchanged check copies the revision date of the article's last capture
-- that read a page (unchanged.go), found by id. Through captures_article
-- (ordered by capture time) that read and sorted every capture of the
-- article, so each daily re-check cost more than the one before.
CREATE INDEX captures_article_id ON captures(article_id, id);
