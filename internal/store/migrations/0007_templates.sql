-- Per-source template statistics (issue 11): in how many distinct articles
-- of a source each block of the extracted body occurred, so that blocks
-- recurring across many articles (newsletter boxes, author blurbs, legal
-- footers) are dropped as furniture before fingerprinting.
--
-- template_learned: the articles each source has been learned from, one row
-- per article (its canonical URL), so that re-checks of an article never
-- count as new articles.
CREATE TABLE template_learned (
	source TEXT NOT NULL,
	url    TEXT NOT NULL,
	seq    INTEGER NOT NULL, -- 1, 2, … within the source: the order learned
	PRIMARY KEY (source, url)
) WITHOUT ROWID;
CREATE INDEX template_learned_seq ON template_learned (source, seq);

-- template_blocks: one row per block key, bounded per source (the store
-- evicts the blocks seen in fewest articles, least recently first).
CREATE TABLE template_blocks (
	source    TEXT NOT NULL,
	key       TEXT NOT NULL,    -- extract.Block.Key: text hash ("t…") or place hash ("s…")
	articles  INTEGER NOT NULL, -- distinct articles that held it
	last_seq  INTEGER NOT NULL, -- template_learned.seq of the last of them
	sample    TEXT NOT NULL,    -- its text, shortened, for `annalist extract`
	PRIMARY KEY (source, key)
) WITHOUT ROWID;
CREATE INDEX template_blocks_evict ON template_blocks (source, articles, last_seq);

-- template_dropped: the text keys of the blocks a snapshot's page dropped as
-- template, so that a re-check drops only blocks the article already had
-- (a block new to an article is a revision, however common elsewhere).
CREATE TABLE template_dropped (
	snapshot TEXT PRIMARY KEY,
	keys     TEXT NOT NULL -- space-separated
) WITHOUT ROWID;
