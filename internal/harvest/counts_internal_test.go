package harvest

import (
	"testing"

	"annalist/internal/store"
)

// TestArchivedCountsMovesAndReturns: a page found at a new URL or back with
// the same text is archived as surely as an unchanged one ("interrupted: N
// of M pages archived" must not call it left for the next poll); a gone
// page or an error is not, and a move with new text counts once.
func TestArchivedCountsMovesAndReturns(t *testing.T) {
	var r PollResult
	for _, pr := range []PageResult{
		{Outcome: store.OutcomeNew},
		{Outcome: store.OutcomeRevised, Moved: true},
		{Outcome: store.OutcomeUnchanged},
		{Outcome: store.OutcomeNotModified},
		{Outcome: store.OutcomeMoved, Moved: true},
		{Outcome: store.OutcomeBack, Back: true},
		{Outcome: store.OutcomeGone},
		{Outcome: store.OutcomeError},
	} {
		r.count(pr)
	}
	if got := r.Archived(); got != 6 {
		t.Errorf("Archived() = %d, want 6 (new, revised, unchanged, not modified, moved, back)", got)
	}
	if r.Moved != 2 || r.Back != 1 || r.Revised != 1 {
		t.Errorf("counts = %+v", r.Counts)
	}
}
