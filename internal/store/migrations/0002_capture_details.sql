-- Per capture: how long the fetch took (milliseconds; NULL when no response
-- came back), for /metrics' fetch latency; and the revision date the page
-- declared (NULL when not extracted), so that a new "Updated on" date over
-- unchanged wording (an empty date bump) shows in an article's timeline.
ALTER TABLE captures ADD COLUMN fetch_ms INTEGER;
ALTER TABLE captures ADD COLUMN revision_date TEXT;
