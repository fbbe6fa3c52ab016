package harvest_test

import (
	"context"
	"testing"

	"annalist/internal/harvest"
	"annalist/internal/store"
)

// Every check that got a response records its HTTP status: the page's
// 200, a 304, an unchanged re-fetch's 200 and a removal's 404.
func TestCapturesRecordHTTPStatus(t *testing.T) {
	e := newEnv(t, nil)
	e.poll(harvest.RecheckNone) // new: 200
	e.poll(harvest.RecheckAll)  // not modified: 304
	e.site.SetConditional(false)
	e.poll(harvest.RecheckAll) // the same body again: unchanged, 200
	e.site.SetGone(sample, true)
	e.h.PollSource(context.Background(), e.src, harvest.PollOptions{Recheck: harvest.RecheckAll})
	caps, err := e.store.Captures(context.Background(), store.CaptureFilter{ArticleID: e.article(sample).ID})
	if err != nil {
		t.Fatal(err)
	}
	type check struct {
		outcome string
		status  int
	}
	var got []check
	for _, c := range caps {
		got = append(got, check{c.Outcome, c.HTTPStatus})
	}
	want := []check{{store.OutcomeGone, 404}, {store.OutcomeUnchanged, 200}, {store.OutcomeNotModified, 304}, {store.OutcomeNew, 200}}
	if len(got) != len(want) {
		t.Fatalf("captures newest first = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("captures newest first = %v, want %v", got, want)
		}
	}
}
