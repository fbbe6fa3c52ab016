package view

import (
	"encoding/json"
	"testing"
	"time"

	"annalist/internal/store"
)

func TestFoldCaptures(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	rev := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	rev2 := rev.AddDate(0, 0, 5)
	caps := []store.Capture{
		{CapturedAt: at(0), Outcome: store.OutcomeNew, SnapshotID: "a/1", HTTPStatus: 200, RevisionDate: &rev},
	}
	for d := 1; d <= 14; d++ {
		caps = append(caps, store.Capture{CapturedAt: at(d), Outcome: store.OutcomeUnchanged, HTTPStatus: 200, RevisionDate: &rev})
	}
	caps = append(caps,
		store.Capture{CapturedAt: at(15), Outcome: store.OutcomeUnchanged, HTTPStatus: 200, RevisionDate: &rev2}, // date bump
		store.Capture{CapturedAt: at(16), Outcome: store.OutcomeError, HTTPStatus: 503, Error: "HTTP 503"},
		store.Capture{CapturedAt: at(17), Outcome: store.OutcomeError, HTTPStatus: 503, Error: "HTTP 503"},
		store.Capture{CapturedAt: at(18), Outcome: store.OutcomeError, Error: "dial: refused"},
		store.Capture{CapturedAt: at(19), Outcome: store.OutcomeRevised, SnapshotID: "a/2", HTTPStatus: 200},
		store.Capture{CapturedAt: at(20), Outcome: store.OutcomeRevised, SnapshotID: "a/3", HTTPStatus: 200},
	)
	runs := FoldCaptures(caps)
	counts := []int{}
	for _, r := range runs {
		counts = append(counts, r.Count)
	}
	want := []int{1, 14, 1, 2, 1, 1, 1}
	if len(counts) != len(want) {
		t.Fatalf("run sizes = %v, want %v", counts, want)
	}
	for i := range want {
		if counts[i] != want[i] {
			t.Fatalf("run sizes = %v, want %v", counts, want)
		}
	}
	got, err := json.Marshal(NewCapture(runs[1]))
	if err != nil {
		t.Fatal(err)
	}
	const folded = `{"time":"2024-02-02T00:00:00Z","outcome":"unchanged","http_status":200,"revision_date":"2024-01-31T00:00:00Z","snapshot":"","error":"","count":14,"until":"2024-02-15T00:00:00Z"}`
	if string(got) != folded {
		t.Fatalf("folded run JSON =\n%s\nwant\n%s", got, folded)
	}
	got, _ = json.Marshal(NewCapture(runs[4]))
	const single = `{"time":"2024-02-19T00:00:00Z","outcome":"error","http_status":null,"revision_date":null,"snapshot":"","error":"dial: refused"}`
	if string(got) != single {
		t.Fatalf("single check JSON =\n%s\nwant\n%s", got, single)
	}
}
