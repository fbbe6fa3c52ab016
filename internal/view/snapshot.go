package view

import "annalist/internal/store"

// History is one snapshot without its text: an element of `history
// --json` and /api/a/{id}/history, and the two sides of a Diff.
type History struct {
	ID            string  `json:"id"`
	CapturedAt    *string `json:"captured_at"`
	RevisionDate  *string `json:"revision_date"`
	PublishedDate *string `json:"published_date"`
	Title         string  `json:"title"`
	Fingerprint   string  `json:"fingerprint"`
	Words         int     `json:"words"`
	Pages         int     `json:"pages"` // pages of a paginated article joined (1 for most)
}

// HistoryEntry is one element of `history --json` and /api/a/{id}/history:
// a snapshot, the off-site canonical its page declared ("" = none), and
// the article's state (live, gone or back) since when (null: live since
// first seen), the same on every element.
type HistoryEntry struct {
	History
	DeclaredCanonical string  `json:"declared_canonical"`
	State             string  `json:"state"`
	StateSince        *string `json:"state_since"`
}

// NewHistoryEntries is the history of article a from its snapshots' infos.
func NewHistoryEntries(a store.Article, infos []store.SnapshotInfo) []HistoryEntry {
	out := make([]HistoryEntry, 0, len(infos))
	for _, si := range infos {
		out = append(out, HistoryEntry{History: HistoryFromInfo(si), DeclaredCanonical: si.DeclaredCanonical,
			State: a.State, StateSince: Time(a.StateSince)})
	}
	return out
}

// NewHistory is the History of a full snapshot.
func NewHistory(s store.Snapshot) History {
	return History{ID: s.ID, CapturedAt: Time(&s.CapturedAt), RevisionDate: Time(s.RevisionDate),
		PublishedDate: Time(s.PublishedDate), Title: s.Title, Fingerprint: s.Fingerprint, Words: s.Words, Pages: s.Pages}
}

// HistoryFromInfo is the History of a snapshot read without its text; it
// equals NewHistory of the same snapshot.
func HistoryFromInfo(s store.SnapshotInfo) History {
	return History{ID: s.ID, CapturedAt: Time(&s.CapturedAt), RevisionDate: Time(s.RevisionDate),
		PublishedDate: Time(s.PublishedDate), Title: s.Title, Fingerprint: s.Fingerprint, Words: s.Words, Pages: s.Pages}
}

// WARC locates a snapshot's response record in the WARC files.
type WARC struct {
	File          string `json:"file"`
	Offset        int64  `json:"offset"`
	RecordID      string `json:"record_id"`
	PayloadDigest string `json:"payload_digest"`
}

// Snapshot is one snapshot in full: `show --format json` and
// /api/a/{id}/{ts}. URL is the URL fetched, CanonicalURL the article's.
type Snapshot struct {
	ID            string  `json:"id"`
	Article       string  `json:"article"`
	Source        string  `json:"source"`
	URL           string  `json:"url"`
	CanonicalURL  string  `json:"canonical_url"`
	CapturedAt    *string `json:"captured_at"`
	RevisionDate  *string `json:"revision_date"`
	PublishedDate *string `json:"published_date"`
	Title         string  `json:"title"`
	Byline        string  `json:"byline"`
	Fingerprint   string  `json:"fingerprint"`
	Words         int     `json:"words"`
	Pages         int     `json:"pages"`
	Extractor     string  `json:"extractor"`
	WARC          WARC    `json:"warc"`
	Text          string  `json:"text"`
	Markdown      string  `json:"markdown"`
	HTML          string  `json:"html"`
	// Damaged says why text, markdown and html are empty: a snapshot of an
	// old archive whose WARC record is unreadable. Absent when whole.
	Damaged string `json:"damaged,omitempty"`
	// DeclaredCanonical is the off-site rel=canonical the page declared (a
	// syndicated copy's original); "" = none.
	DeclaredCanonical string `json:"declared_canonical"`
}

// NewSnapshot is the JSON shape of snapshot s of article a.
func NewSnapshot(a *store.Article, s *store.Snapshot) Snapshot {
	return Snapshot{ID: s.ID, Article: a.ID, Source: a.Source, URL: s.URL, CanonicalURL: a.URL,
		CapturedAt: Time(&s.CapturedAt), RevisionDate: Time(s.RevisionDate), PublishedDate: Time(s.PublishedDate),
		Title: s.Title, Byline: s.Byline, Fingerprint: s.Fingerprint, Words: s.Words, Pages: s.Pages, Extractor: s.Extractor,
		WARC: WARC{File: s.WARCFile, Offset: s.WARCOffset, RecordID: s.WARCRecordID, PayloadDigest: s.PayloadDigest},
		Text: s.Text, Markdown: s.Markdown, HTML: s.HTML, Damaged: s.Damaged,
		DeclaredCanonical: s.DeclaredCanonical}
}
