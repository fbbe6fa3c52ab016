package web

import (
	"context"
	"sync"
	"time"

	"annalist/internal/store"
	"annalist/internal/worddiff"
)

// entry is one snapshot in an article's timeline, with what changed since
// the one before it.
type entry struct {
	store.SnapshotInfo
	N         int // 1-based
	HasPrev   bool
	PrevTS    string
	Added     int
	Removed   int
	Unchanged int // later re-checks that found this version unchanged
	// SilentEdit: the content changed but the declared revision date did not.
	SilentEdit bool
	// EmptyBump: the declared revision date changed but text and title did
	// not, between this snapshot and the one before.
	EmptyBump bool
	// LaterBumps counts the later re-checks that found this version's
	// wording under a new declared revision date (an empty date bump that
	// stored no snapshot).
	LaterBumps int
	Current    bool
}

// timeline builds the entries of an article's snapshots, comparing each
// with the one before. Word counts of changes are cached per pair:
// snapshots never change once stored.
func (s *Server) timeline(ctx context.Context, infos []store.SnapshotInfo, captures []store.Capture) ([]entry, error) {
	out := make([]entry, len(infos))
	for i, si := range infos {
		out[i] = entry{SnapshotInfo: si, N: i + 1}
	}
	// Unchanged re-checks fall between a snapshot and the next; taken
	// oldest first, a declared date that differs from the last one seen
	// for that version is an empty date bump.
	lastDate := make([]*time.Time, len(out))
	for i := range out {
		lastDate[i] = out[i].RevisionDate
	}
	for k := len(captures) - 1; k >= 0; k-- { // captures come newest first
		c := captures[k]
		switch c.Outcome {
		case store.OutcomeUnchanged, store.OutcomeMoved, store.OutcomeBack:
			// Checks that found the snapshot's text (a move or a return
			// with the same words stores none).
		default:
			continue
		}
		for i := len(out) - 1; i >= 0; i-- {
			if !c.CapturedAt.Before(out[i].CapturedAt) {
				out[i].Unchanged++
				if c.RevisionDate != nil && !sameTime(c.RevisionDate, lastDate[i]) {
					out[i].LaterBumps++
					lastDate[i] = c.RevisionDate
				}
				break
			}
		}
	}
	var prevText string
	havePrevText := false
	for i := 1; i < len(out); i++ {
		prev, cur := &out[i-1], &out[i]
		cur.HasPrev, cur.PrevTS = true, snapshotTS(prev.ID)
		st, ok := s.changes.get(prev.ID, cur.ID)
		if !ok {
			if !havePrevText {
				t, err := s.st.SnapshotText(ctx, prev.ID)
				if err != nil {
					return nil, err
				}
				prevText = t
			}
			curText, err := s.st.SnapshotText(ctx, cur.ID)
			if err != nil {
				return nil, err
			}
			st = worddiff.Count(worddiff.Diff(prevText, curText))
			s.changes.put(prev.ID, cur.ID, st)
			prevText, havePrevText = curText, true
		} else {
			havePrevText = false
		}
		cur.Added, cur.Removed = st.Added, st.Removed
		sameDate := sameTime(prev.RevisionDate, cur.RevisionDate)
		sameContent := st.Added == 0 && st.Removed == 0 && prev.Title == cur.Title
		cur.SilentEdit = sameDate && !sameContent
		cur.EmptyBump = !sameDate && sameContent
	}
	return out, nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// statsCache remembers word-change counts between two snapshots. When full
// it starts over: simple, bounded, and right (entries never go stale).
type statsCache struct {
	mu  sync.Mutex
	max int
	m   map[[2]string]worddiff.Stats
}

func newStatsCache(max int) *statsCache {
	return &statsCache{max: max, m: map[[2]string]worddiff.Stats{}}
}

func (c *statsCache) get(from, to string) (worddiff.Stats, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[[2]string{from, to}]
	return st, ok
}

func (c *statsCache) put(from, to string, st worddiff.Stats) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		c.m = map[[2]string]worddiff.Stats{}
	}
	c.m[[2]string{from, to}] = st
}

// nearest returns the snapshot captured closest to t (the earlier on a tie).
func nearest(infos []store.SnapshotInfo, t time.Time) store.SnapshotInfo {
	best := infos[0]
	bestD := absDur(best.CapturedAt.Sub(t))
	for _, si := range infos[1:] {
		if d := absDur(si.CapturedAt.Sub(t)); d < bestD {
			best, bestD = si, d
		}
	}
	return best
}

// inEffect returns the snapshot in effect at t: the last captured at or
// before t, or the first if t is before them all (RFC 7089 leaves the
// choice to the TimeGate; this is what readers of an as-of view expect).
func inEffect(infos []store.SnapshotInfo, t time.Time) store.SnapshotInfo {
	best := infos[0]
	for _, si := range infos {
		if si.CapturedAt.After(t) {
			break
		}
		best = si
	}
	return best
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
