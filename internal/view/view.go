// Package view holds the JSON shapes of annalist's documented --json
// output, shared by the CLI and the web API, so the two never drift apart.
//
// The JSON keys are a contract (README.md lists them): add keys if need
// be, never rename or drop one. Times are RFC 3339 in UTC, or null.
package view

import (
	"time"

	"annalist/internal/store"
)

// Time formats an optional time for JSON: RFC 3339 in UTC, or nil (null)
// for a nil or zero time.
func Time(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// Source is one element of `sources --json` and /api/sources.
type Source struct {
	Name        string  `json:"name"`
	Title       string  `json:"title"`
	Feed        string  `json:"feed"`
	Schedule    string  `json:"schedule"`
	NextRun     *string `json:"next_run"`
	LastPollAt  *string `json:"last_poll_at"`
	LastOutcome string  `json:"last_outcome"`
	LastError   string  `json:"last_error"`
	Articles    int     `json:"articles"`
	Snapshots   int     `json:"snapshots"`
	Gone        int     `json:"gone"` // articles now gone (404/410, redirected away, soft 404)
}

// NewSource is s with its schedule ("" if none) and next run (nil if
// none), which the archive does not know.
func NewSource(s store.Source, schedule string, nextRun *time.Time) Source {
	return Source{Name: s.Name, Title: s.Title, Feed: s.Feed, Schedule: schedule, NextRun: Time(nextRun),
		LastPollAt: Time(s.LastPollAt), LastOutcome: s.LastOutcome, LastError: s.LastError,
		Articles: s.Articles, Snapshots: s.Snapshots, Gone: s.Gone}
}

// Article is one element of `list --json`, /api/articles and /api/a/{id};
// URL is the canonical URL.
type Article struct {
	ID                 string  `json:"id"`
	Source             string  `json:"source"`
	URL                string  `json:"url"`
	Title              string  `json:"title"`
	Snapshots          int     `json:"snapshots"`
	FirstSeen          *string `json:"first_seen"`
	LastCapturedAt     *string `json:"last_captured_at"`
	LatestRevisionDate *string `json:"latest_revision_date"`
	// State is "live", "gone" or "back", since StateSince (null: live
	// since first seen).
	State      string  `json:"state"`
	StateSince *string `json:"state_since"`
}

// NewArticle is the JSON shape of a.
func NewArticle(a store.Article) Article {
	return Article{ID: a.ID, Source: a.Source, URL: a.URL, Title: a.Title, Snapshots: a.Snapshots,
		FirstSeen: Time(&a.FirstSeen), LastCapturedAt: Time(a.LastCapturedAt), LatestRevisionDate: Time(a.LatestRevisionDate),
		State: a.State, StateSince: Time(a.StateSince)}
}

// Event is a move, removal or return of an article: kind "moved" (url the
// new canonical URL, detail the old one), "gone" (detail why) or "back".
type Event struct {
	At     *string `json:"at"`
	Kind   string  `json:"kind"`
	URL    string  `json:"url"`
	Detail string  `json:"detail"`
}

// NewEvents is the JSON shape of evs.
func NewEvents(evs []store.Event) []Event {
	out := make([]Event, 0, len(evs))
	for _, e := range evs {
		out = append(out, Event{At: Time(&e.At), Kind: e.Kind, URL: e.URL, Detail: e.Detail})
	}
	return out
}

// ArticleDetail is /api/a/{id}: the Article, the article's declared
// off-site canonical, its events (oldest first) and the archived
// syndicated copies that name it as their original (their IDs).
type ArticleDetail struct {
	Article
	DeclaredCanonical string   `json:"declared_canonical"`
	Events            []Event  `json:"events"`
	SyndicatedCopies  []string `json:"syndicated_copies"`
}

// Hit is one element of `search --json` and /api/search; Snippet marks
// the matched words «like this».
type Hit struct {
	Article    string  `json:"article"`
	Snapshot   string  `json:"snapshot"`
	Source     string  `json:"source"`
	Title      string  `json:"title"`
	URL        string  `json:"url"`
	CapturedAt *string `json:"captured_at"`
	Snippet    string  `json:"snippet"`
	// RevisionDate is the snapshot's declared revision date, or null.
	RevisionDate *string `json:"revision_date"`
}

// NewHit is the JSON shape of h.
func NewHit(h store.Hit) Hit {
	return Hit{Article: h.ArticleID, Snapshot: h.SnapshotID, Source: h.Source, Title: h.Title,
		URL: h.URL, CapturedAt: Time(&h.CapturedAt), Snippet: h.Snippet, RevisionDate: Time(h.RevisionDate)}
}
