package view

import "annalist/internal/worddiff"

// Diff is the word diff of two snapshots of an article: `diff --json` and
// /api/a/{id}/diff. Title is set only when the title changed.
type Diff struct {
	Article string       `json:"article"`
	From    History      `json:"from"`
	To      History      `json:"to"`
	Removed int          `json:"words_removed"`
	Added   int          `json:"words_added"`
	Chunks  []DiffChunk  `json:"chunks"`
	Title   *TitleChange `json:"title_change,omitempty"`
}

// DiffChunk is a run of words: Op is "equal", "delete" or "insert"
// (worddiff.Op's String).
type DiffChunk struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// TitleChange is a snapshot title before and after.
type TitleChange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// NewDiff is the JSON shape of chunks, the word diff of the texts of the
// snapshots from and to of article. Chunks is never nil, so it is always
// a JSON array (README.md), even when both texts are empty.
func NewDiff(article string, from, to History, chunks []worddiff.Chunk) Diff {
	st := worddiff.Count(chunks)
	d := Diff{Article: article, From: from, To: to, Removed: st.Removed, Added: st.Added,
		Chunks: make([]DiffChunk, 0, len(chunks))}
	for _, c := range chunks {
		d.Chunks = append(d.Chunks, DiffChunk{Op: c.Op.String(), Text: c.Text})
	}
	if from.Title != to.Title {
		d.Title = &TitleChange{From: from.Title, To: to.Title}
	}
	return d
}
