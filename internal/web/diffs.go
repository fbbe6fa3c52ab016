package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"annalist/internal/store"
	"annalist/internal/worddiff"
)

// errDiffBusy answers a diff request that waited too long for a slot.
var errDiffBusy = errors.New("web: too many diffs in progress")

// diffWait is how long a request waits for a diff slot before a 503.
const diffWait = 10 * time.Second

// diffSlots bounds the diffs computed at once, so that many diff requests
// on huge articles leave CPU for every other page.
type diffSlots chan struct{}

func newDiffSlots(n int) diffSlots {
	if n < 1 {
		n = 1
	}
	return make(diffSlots, n)
}

// fillWait is how long a page whose timeline lacks word counts waits for
// a diff slot before it answers without them: other pages keep answering
// while diffs run.
const fillWait = 200 * time.Millisecond

// do runs f holding a slot. It gives up when ctx is done (the client
// left) or no slot frees within diffWait.
func (d diffSlots) do(ctx context.Context, f func(context.Context) error) error {
	return d.doWithin(ctx, diffWait, f)
}

// doWithin is do with its own wait for a slot.
func (d diffSlots) doWithin(ctx context.Context, wait time.Duration, f func(context.Context) error) error {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case d <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errDiffBusy
	}
	defer func() { <-d }()
	if err := ctx.Err(); err != nil {
		return err
	}
	return f(ctx)
}

// diffSnapshots reads the texts of two snapshots and diffs them, all in a
// slot (reading and inflating a huge text costs as much as diffing it),
// stopping when the request's context is done.
func (s *Server) diffSnapshots(ctx context.Context, fromID, toID string) ([]worddiff.Chunk, error) {
	var chunks []worddiff.Chunk
	err := s.diffs.do(ctx, func(ctx context.Context) error {
		defer s.countDiff()()
		a, err := s.st.SnapshotText(ctx, fromID)
		if err != nil {
			return err
		}
		b, err := s.st.SnapshotText(ctx, toID)
		if err != nil {
			return err
		}
		chunks, err = worddiff.Diff(ctx, a, b)
		return err
	})
	return chunks, err
}

// fillChanges computes, in a slot, the word changes an archive written
// before they were stored at capture time lacks (once: they are stored).
func (s *Server) fillChanges(ctx context.Context, infos []store.SnapshotInfo) error {
	missing := false
	for i := 1; i < len(infos); i++ {
		missing = missing || infos[i].Changes == nil
	}
	if !missing {
		return nil
	}
	return s.diffs.doWithin(ctx, fillWait, func(ctx context.Context) error {
		defer s.countDiff()()
		return s.st.FillWordChanges(ctx, infos)
	})
}

// countDiff counts a diff starting, for tests (how many ran, and how many
// at most at once); the function it returns counts its end.
func (s *Server) countDiff() func() {
	s.diffsRun.Add(1)
	n := s.diffsActive.Add(1)
	for {
		p := s.diffsPeak.Load()
		if n <= p || s.diffsPeak.CompareAndSwap(p, n) {
			break
		}
	}
	return func() { s.diffsActive.Add(-1) }
}

// diffFailed answers a diff that could not be computed: nothing when the
// client left, 503 when the server is busy with other diffs.
func (s *Server) diffFailed(w http.ResponseWriter, r *http.Request, err error, api bool) {
	if r.Context().Err() != nil {
		return
	}
	if errors.Is(err, errDiffBusy) {
		w.Header().Set("Retry-After", "10")
		msg := "The server is busy comparing other snapshots; try again in a few seconds."
		if api {
			writeJSON(w, r, http.StatusServiceUnavailable, errorJSON{Error: msg})
		} else {
			s.errorPage(w, r, http.StatusServiceUnavailable, msg)
		}
		return
	}
	if api {
		s.apiError(w, r, err, 0, "")
	} else {
		s.storeErr(w, r, err, "No such snapshot.")
	}
}
