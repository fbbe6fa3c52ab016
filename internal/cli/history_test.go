package cli_test

import (
	"reflect"
	"strings"
	"testing"

	"annalist/internal/demosite"
)

// history --captures lists every check, identical ones folded, in text
// and as the documented JSON.
func TestHistoryCaptures(t *testing.T) {
	f := newFixture(t)
	var fetched struct{}
	f.runJSON(&fetched, "fetch", "--json")
	f.runJSON(&fetched, "fetch", "--recheck", "all", "--json")
	f.runJSON(&fetched, "fetch", "--recheck", "all", "--json")
	ref := f.base + demosite.Path(sample)

	out, _, _ := f.run("history", ref, "--captures", "--json")
	if got, want := keys(t, out), sorted("snapshots", "captures"); !reflect.DeepEqual(got, want) {
		t.Fatalf("history --captures --json keys = %v, want %v", got, want)
	}
	var h struct {
		Snapshots []struct{ ID string }
		Captures  []struct {
			Time, Outcome, Snapshot, Error string
			HTTPStatus                     *int    `json:"http_status"`
			RevisionDate                   *string `json:"revision_date"`
			Count                          int
			Until                          *string
		}
	}
	f.runJSON(&h, "history", ref, "--captures", "--json")
	if len(h.Snapshots) != 1 || len(h.Captures) != 2 {
		t.Fatalf("history --captures = %+v, want one snapshot and two runs of checks", h)
	}
	first, later := h.Captures[0], h.Captures[1]
	if first.Outcome != "new" || first.Snapshot != h.Snapshots[0].ID || first.HTTPStatus == nil || *first.HTTPStatus != 200 || first.Count != 0 || first.Until != nil {
		t.Errorf("first check = %+v", first)
	}
	if later.Outcome != "not-modified" || later.HTTPStatus == nil || *later.HTTPStatus != 304 || later.Count != 2 || later.Until == nil || *later.Until < later.Time {
		t.Errorf("folded re-checks = %+v", later)
	}

	text, _, code := f.run("history", ref, "--captures")
	if code != 0 || !strings.Contains(text, "not-modified ×2") || !strings.Contains(text, " … ") || !strings.Contains(text, "304") {
		t.Fatalf("history --captures text:\n%s", text)
	}
	// Without --captures the JSON contract is unchanged: an array.
	if out, _, _ := f.run("history", ref, "--json"); !strings.HasPrefix(strings.TrimSpace(out), "[") {
		t.Fatalf("history --json is no longer an array: %s", out)
	}
}
