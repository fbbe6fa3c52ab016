-- Per-source template statistics (issue 11), as SQLite's 0007: the
-- articles each source was learned from, the blocks and in how many
-- distinct articles each occurred, and the blocks each snapshot dropped.
CREATE TABLE template_learned (
    source TEXT COLLATE "C" NOT NULL,
    url    TEXT COLLATE "C" NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (source, url)
);
CREATE INDEX template_learned_seq ON template_learned (source, seq);

CREATE TABLE template_blocks (
    source   TEXT COLLATE "C" NOT NULL,
    key      TEXT COLLATE "C" NOT NULL,
    articles INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    sample   TEXT NOT NULL,
    PRIMARY KEY (source, key)
);
CREATE INDEX template_blocks_evict ON template_blocks (source, articles, last_seq);

CREATE TABLE template_dropped (
    snapshot TEXT COLLATE "C" PRIMARY KEY,
    keys     TEXT NOT NULL
);
