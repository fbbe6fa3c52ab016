package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"annalist/internal/store"
)

// The article page lists every check, not only those that stored a
// snapshot, with runs of identical outcomes folded.
func TestArticleListsEveryCheckFolded(t *testing.T) {
	f := newFixture(t)
	const grainURL = "https://mondo.example/history/grain-fleets.html"
	for d := 23; d <= 26; d++ {
		save(t, f.st, pageOf("mondo-history", grainURL, "The Grain Fleets of the Grand Canal (revised)", grainV3, t0.Add(day(d)), datePtr(t0.Add(day(21))), ""))
	}
	if err := f.st.RecordCapture(context.Background(), store.Capture{ArticleID: f.grain, Source: "mondo-history", URL: grainURL,
		CapturedAt: t0.Add(day(27)), Outcome: store.OutcomeError, Error: "HTTP 503 Service Unavailable", HTTPStatus: 503}); err != nil {
		t.Fatal(err)
	}
	doc := f.page("/a/"+f.grain, http.StatusOK)
	checks := doc.Find("ol.checks li.check-run")
	var got []string
	checks.Each(func(_ int, li *goquery.Selection) { got = append(got, text(li)) })
	// Newest first: the error, the four unchanged re-checks folded, the
	// revision, the earlier unchanged re-check, the silent edit, the first.
	if len(got) != 6 {
		t.Fatalf("%d checks listed, want 6:\n%s", len(got), strings.Join(got, "\n"))
	}
	want := []string{
		"error, 2024-02-06 09:00 UTC · HTTP 503",
		"unchanged ×4, 2024-02-02 09:00 UTC … 2024-02-05 09:00 UTC · HTTP 200 · revision date 2024-01-31",
		"revised, 2024-02-01 09:00 UTC · HTTP 200 · revision date 2024-01-31 · snapshot",
		"unchanged, 2024-01-25 09:00 UTC · HTTP 200 · revision date 2024-01-09",
		"revised, 2024-01-20 09:00 UTC",
		"new, 2024-01-10 09:00 UTC",
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("check %d = %q, want it to start %q", i, got[i], w)
		}
	}
	if !strings.Contains(got[0], "HTTP 503 Service Unavailable") {
		t.Errorf("the error text is not shown: %q", got[0])
	}
}

// /api/a/{id}/history?captures=1 is `history --captures --json`.
func TestAPIHistoryWithCaptures(t *testing.T) {
	f := newFixture(t)
	var h struct {
		Snapshots []struct{ ID string }
		Captures  []struct {
			Outcome    string
			HTTPStatus *int `json:"http_status"`
			Snapshot   string
		}
	}
	resp := f.get("/api/a/" + f.grain + "/history?captures=1")
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(h.Snapshots) != 3 || len(h.Captures) != 4 || h.Captures[2].Outcome != "unchanged" ||
		h.Captures[0].Snapshot != f.grainS[0] || h.Captures[0].HTTPStatus == nil || *h.Captures[0].HTTPStatus != 200 {
		t.Fatalf("history with captures = %+v", h)
	}
	if b := body(t, f.get("/api/a/"+f.grain+"/history")); !strings.HasPrefix(b, "[") {
		t.Fatalf("plain history is no longer an array: %s", b)
	}
}
