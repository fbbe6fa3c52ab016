package web

import (
	"context"
	"time"

	"annalist/internal/store"
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
	Counted   bool // Added and Removed are known
	Unchanged int  // later re-checks that found this version unchanged
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
	// Damaged: this snapshot's or the previous one's text cannot be read
	// (store.ErrDamaged), so no change was counted.
	Damaged bool
}

// timeline builds the entries of an article's snapshots, comparing each
// with the one before.
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
		// The snapshot captured last before the check, by full times.
		for i := len(out) - 1; i >= 0; i-- {
			if !c.CapturedAt.Before(out[i].CapturedExact) {
				out[i].Unchanged++
				if c.RevisionDate != nil && !sameTime(c.RevisionDate, lastDate[i]) {
					out[i].LaterBumps++
					lastDate[i] = c.RevisionDate
				}
				break
			}
		}
	}
	// Counts are stored with each snapshot; only an archive from before
	// that needs them computed, once.
	if err := s.fillChanges(ctx, infos); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		// The timeline still answers, without the counts it could not get.
		s.log.Warn("web: word changes not computed", "article", infos[0].ArticleID, "error", err)
	}
	for i := 1; i < len(out); i++ {
		prev, cur := &out[i-1], &out[i]
		cur.HasPrev, cur.PrevTS = true, snapshotTS(prev.ID)
		cur.Damaged = infos[i].TextDamaged
		c := infos[i].Changes
		if c == nil {
			continue
		}
		cur.Added, cur.Removed, cur.Counted = c.Added, c.Removed, true
		sameDate := sameTime(prev.RevisionDate, cur.RevisionDate)
		sameContent := c.Added == 0 && c.Removed == 0 && prev.Title == cur.Title
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

// inEffect returns the snapshot in effect at t (store.InEffect), or the
// first if t is before them all (RFC 7089 leaves the choice to the
// TimeGate; this is what readers of an as-of view expect).
func inEffect(infos []store.SnapshotInfo, t time.Time) store.SnapshotInfo {
	if si, ok := store.InEffect(infos, t); ok {
		return si
	}
	return infos[0]
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
