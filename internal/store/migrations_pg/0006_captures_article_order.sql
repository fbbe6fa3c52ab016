-- The captures of an article in the order they were written (SQLite's
-- 0011): recording an unchanged check finds the article's last capture
-- that read a page by id, without sorting all of its captures.
CREATE INDEX captures_article_id ON captures(article_id, id);
