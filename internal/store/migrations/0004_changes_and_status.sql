-- Words added and removed since the snapshot before (in capture order),
-- computed once when a snapshot is stored so that a timeline never diffs
-- on a request. NULL: not computed yet (the first snapshot, snapshots of
-- archives older than this column, or one whose predecessor changed
-- because a late capture was stored between them); filled lazily by
-- Store.FillWordChanges.
ALTER TABLE snapshots ADD COLUMN words_added INTEGER;
ALTER TABLE snapshots ADD COLUMN words_removed INTEGER;
-- The HTTP status of the response a capture got; NULL when none came back.
ALTER TABLE captures ADD COLUMN http_status INTEGER;
