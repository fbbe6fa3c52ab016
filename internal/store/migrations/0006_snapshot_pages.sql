-- How many pages of a paginated article a snapshot's text joins (1 for a
-- one-page article). The snapshot's WARC record is page 1's response; the
-- later pages' request/response pairs follow it in the same WARC file.
ALTER TABLE snapshots ADD COLUMN pages INTEGER NOT NULL DEFAULT 1;
