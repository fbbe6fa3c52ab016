-- From this version on, snapshots' html, text and markdown are compressed on
-- their own (formats 1 and 2 of compress.go), so the database alone can
-- show them; older rows may hold text compressed against the WARC payload
-- (format 3), which still needs the WARC record.
-- Snapshots by WARC file and offset: repair and verify ask which snapshots
-- point into a file, and at which offsets.
CREATE INDEX snapshots_warc ON snapshots(warc_file, warc_offset);
