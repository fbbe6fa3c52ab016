package view

import (
	"slices"
	"time"

	"annalist/internal/store"
)

// Capture is one check of an article, or a run of identical consecutive
// checks folded into one: an element of the `captures` array of `history
// --captures --json`. HTTPStatus is null when no response came back (or
// the archive predates the column); Snapshot and Error are "" when none.
// Count and Until are set only for a folded run: how many checks, and the
// time of the last (Time is the first).
type Capture struct {
	Time         *string `json:"time"`
	Outcome      string  `json:"outcome"`
	HTTPStatus   *int    `json:"http_status"`
	RevisionDate *string `json:"revision_date"`
	Snapshot     string  `json:"snapshot"`
	Error        string  `json:"error"`
	Count        int     `json:"count,omitempty"`
	Until        *string `json:"until,omitempty"`
}

// CaptureRun is a run of identical consecutive checks: First and Last are
// its ends (the same capture when Count is 1).
type CaptureRun struct {
	First, Last store.Capture
	Count       int
}

// CaptureRuns folds an article's captures as the store lists them (newest
// first) into runs, oldest first, as its snapshots are listed.
func CaptureRuns(newestFirst []store.Capture) []CaptureRun {
	oldest := slices.Clone(newestFirst)
	slices.Reverse(oldest)
	return FoldCaptures(oldest)
}

// FoldCaptures folds captures (oldest first) into runs: consecutive checks
// with the same outcome, HTTP status, declared revision date and error
// are one run. A check that stored a snapshot is always a run of its own.
func FoldCaptures(caps []store.Capture) []CaptureRun {
	var out []CaptureRun
	for _, c := range caps {
		if n := len(out); n > 0 && sameCheck(out[n-1].Last, c) {
			out[n-1].Last = c
			out[n-1].Count++
			continue
		}
		out = append(out, CaptureRun{First: c, Last: c, Count: 1})
	}
	return out
}

func sameCheck(a, b store.Capture) bool {
	return a.SnapshotID == "" && b.SnapshotID == "" && a.Outcome == b.Outcome && a.HTTPStatus == b.HTTPStatus &&
		a.Error == b.Error && sameTimePtr(a.RevisionDate, b.RevisionDate)
}

func sameTimePtr(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// NewCapture is the JSON shape of a run.
func NewCapture(r CaptureRun) Capture {
	c := Capture{Time: Time(&r.First.CapturedAt), Outcome: r.First.Outcome, RevisionDate: Time(r.First.RevisionDate),
		Snapshot: r.First.SnapshotID, Error: r.First.Error}
	if r.First.HTTPStatus > 0 {
		s := r.First.HTTPStatus
		c.HTTPStatus = &s
	}
	if r.Count > 1 {
		c.Count, c.Until = r.Count, Time(&r.Last.CapturedAt)
	}
	return c
}

// NewCaptures is the JSON shape of runs; never nil, so always an array.
func NewCaptures(runs []CaptureRun) []Capture {
	out := make([]Capture, 0, len(runs))
	for _, r := range runs {
		out = append(out, NewCapture(r))
	}
	return out
}

// HistoryWithCaptures is `history --captures --json` and
// /api/a/{id}/history?captures=1: the snapshots and every check of the
// article, both oldest first.
type HistoryWithCaptures struct {
	Snapshots []HistoryEntry `json:"snapshots"`
	Captures  []Capture      `json:"captures"`
}
