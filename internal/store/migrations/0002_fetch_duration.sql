-- How long the fetch behind each capture took (milliseconds; NULL when no
-- response came back), for /metrics' fetch latency.
ALTER TABLE captures ADD COLUMN fetch_ms INTEGER;
