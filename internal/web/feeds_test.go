package web

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	jsonview "annalist/internal/view"
)

func TestAtomFeedParsesBack(t *testing.T) {
	f := newFixture(t)
	resp := f.get("/feed.atom")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("Content-Type %q", ct)
	}
	feed, err := gofeed.NewParser().ParseString(body(t, resp))
	if err != nil {
		t.Fatalf("gofeed: %v", err)
	}
	if feed.FeedType != "atom" || len(feed.Items) != 5 {
		t.Fatalf("type %s, %d items", feed.FeedType, len(feed.Items))
	}
	first := feed.Items[0]
	if first.Title != "Revised: The Grain Fleets of the Grand Canal (revised)" || first.Link != base+"/a/"+f.grainS[2] ||
		first.GUID != base+"/a/"+f.grainS[2] {
		t.Errorf("first item %q %q %q", first.Title, first.Link, first.GUID)
	}
	if !strings.Contains(first.Content, "the sea route took the grain instead") {
		t.Errorf("item lacks the full text: %q", first.Content)
	}
	if first.UpdatedParsed == nil || !first.UpdatedParsed.Equal(t0.Add(day(22))) {
		t.Errorf("updated %v", first.UpdatedParsed)
	}
	if len(first.Categories) != 1 || first.Categories[0] != "revised" {
		t.Errorf("categories %v", first.Categories)
	}
	for _, it := range feed.Items {
		if strings.Contains(it.Content, "<script") || strings.Contains(it.Content, "onerror") {
			t.Errorf("feed carries hostile markup: %q", it.Content)
		}
	}
	per, err := gofeed.NewParser().ParseString(body(t, f.get("/s/mondo-history/feed.atom")))
	if err != nil || len(per.Items) != 5 || !strings.HasPrefix(per.Title, "Mondo History") {
		t.Errorf("per-source feed: %v %+v", err, per)
	}
	empty, err := gofeed.NewParser().ParseString(body(t, f.get("/s/broken/feed.atom")))
	if err != nil || len(empty.Items) != 0 {
		t.Errorf("empty source feed: %v", err)
	}
	if resp := f.get("/s/nope/feed.atom"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown source feed %d", resp.StatusCode)
	}
}

func TestJSONFeed(t *testing.T) {
	f := newFixture(t)
	resp := f.get("/feed.json")
	b := body(t, resp)
	feed, err := gofeed.NewParser().ParseString(b)
	if err != nil {
		t.Fatalf("gofeed: %v", err)
	}
	if feed.FeedType != "json" || len(feed.Items) != 5 || !strings.Contains(feed.Items[0].Content, "Yellow River") {
		t.Errorf("json feed %s %d", feed.FeedType, len(feed.Items))
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(b), &raw); err != nil || raw["version"] != "https://jsonfeed.org/version/1.1" {
		t.Errorf("version %v %v", raw["version"], err)
	}
}

// A snapshot stored late (captured earlier in a second than a newer one
// stored before it; its ID and date moved on to the next second) is
// never the newest entry of the feeds, nor dated after the newer one, nor
// first on the home page or in /api/changes.
func TestFeedsLateSnapshotNotNewest(t *testing.T) {
	f := newFixture(t)
	const u = "https://mondo.example/history/same-second-feed.html"
	sec := t0.Add(day(25))
	save(t, f.st, pageOf("mondo-history", u, "Feed order", []string{"The first wording."}, sec.Add(-time.Minute), nil, ""))
	e := save(t, f.st, pageOf("mondo-history", u, "Feed order", []string{"The third wording."}, sec.Add(700*time.Millisecond), nil, ""))
	d := save(t, f.st, pageOf("mondo-history", u, "Feed order", []string{"The second wording."}, sec.Add(300*time.Millisecond), nil, ""))
	if d.SnapshotID != e.ArticleID+"/"+sec.Add(time.Second).Format("20060102150405") {
		t.Fatalf("late capture stored as %s", d.SnapshotID)
	}
	for _, path := range []string{"/feed.atom", "/feed.json", "/s/mondo-history/feed.atom"} {
		feed, err := gofeed.NewParser().ParseString(body(t, f.get(path)))
		if err != nil || len(feed.Items) < 3 {
			t.Fatalf("%s: %v, %+v", path, err, feed)
		}
		newest, next := feed.Items[0], feed.Items[1]
		if newest.Link != base+"/a/"+e.SnapshotID || next.Link != base+"/a/"+d.SnapshotID {
			t.Errorf("%s: entries %s, %s; want E, the last captured, then D", path, newest.Link, next.Link)
		}
		at := func(it *gofeed.Item) time.Time {
			if it.UpdatedParsed != nil {
				return *it.UpdatedParsed
			}
			if it.PublishedParsed == nil {
				t.Fatalf("%s: entry %s has no date", path, it.Link)
			}
			return *it.PublishedParsed
		}
		if atE, atD := at(newest), at(next); !atE.Equal(sec.Add(700*time.Millisecond)) || !atD.Equal(sec.Add(300*time.Millisecond)) {
			t.Errorf("%s: E dated %s, D %s; want their full capture times, D before E", path, atE.Format(time.RFC3339Nano), atD.Format(time.RFC3339Nano))
		}
	}
	home := f.page("/", http.StatusOK)
	if got := home.Find(`a[href="/a/`+e.SnapshotID+`"], a[href="/a/`+d.SnapshotID+`"]`).First().AttrOr("href", ""); got != "/a/"+e.SnapshotID {
		t.Errorf("home page: the first of E and D listed is %s, want E", got)
	}
	var changes []struct{ ID string }
	if err := json.Unmarshal([]byte(body(t, f.get("/api/changes?limit=2"))), &changes); err != nil || len(changes) != 2 ||
		changes[0].ID != e.SnapshotID || changes[1].ID != d.SnapshotID {
		t.Errorf("/api/changes = %+v, %v; want E then D", changes, err)
	}
}

func keysOf(t *testing.T, b []byte, arrayItem bool) string {
	t.Helper()
	var m map[string]json.RawMessage
	if arrayItem {
		var arr []map[string]json.RawMessage
		if err := json.Unmarshal(b, &arr); err != nil || len(arr) == 0 {
			t.Fatalf("not a non-empty array: %v %s", err, b)
		}
		m = arr[0]
	} else if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not an object: %v %s", err, b)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// TestJSONAPIMirrorsCLI checks the documented --json keys (README.md).
func TestJSONAPIMirrorsCLI(t *testing.T) {
	f := newFixture(t)
	get := func(p string) []byte {
		resp := f.get(p)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("%s: %d %q", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		return []byte(body(t, resp))
	}
	for _, c := range []struct {
		path  string
		array bool
		keys  string
	}{
		{"/api/sources", true, "articles,feed,gone,last_error,last_outcome,last_poll_at,name,next_run,schedule,snapshots,title"},
		{"/api/articles?source=mondo-history", true, "first_seen,id,last_captured_at,latest_revision_date,snapshots,source,state,state_since,title,url"},
		{"/api/a/" + f.grain, false, "declared_canonical,events,first_seen,id,last_captured_at,latest_revision_date,snapshots,source,state,state_since,syndicated_copies,title,url"},
		{"/api/a/" + f.grain + "/history", true, "captured_at,declared_canonical,fingerprint,id,pages,published_date,revision_date,state,state_since,title,words"},
		{"/api/a/" + f.grainS[0], false, "article,byline,canonical_url,captured_at,declared_canonical,extractor,fingerprint,html,id,markdown,pages,published_date,revision_date,source,text,title,url,warc,words"},
		{"/api/a/" + f.grain + "/diff", false, "article,chunks,from,title_change,to,words_added,words_removed"},
		{"/api/search?q=grain", true, "article,captured_at,revision_date,snapshot,snippet,source,title,url"},
	} {
		if got := keysOf(t, get(c.path), c.array); got != c.keys {
			t.Errorf("%s keys\n got %s\nwant %s", c.path, got, c.keys)
		}
	}
	var hist []jsonview.History
	json.Unmarshal(get("/api/a/"+f.grain+"/history"), &hist)
	if len(hist) != 3 || hist[0].ID != f.grainS[0] || *hist[1].CapturedAt != "2024-01-20T09:00:00Z" {
		t.Errorf("history %+v", hist)
	}
	var d jsonview.Diff
	json.Unmarshal(get("/api/a/"+f.grain+"/diff?from="+ts(f.grainS[0])+"&to="+ts(f.grainS[1])), &d)
	if d.Added != 1 || d.Removed != 0 || d.Title != nil || d.From.ID != f.grainS[0] {
		t.Errorf("diff %+v", d)
	}
	resp := f.get("/api/articles?limit=1&offset=1")
	var arts []jsonview.Article
	json.Unmarshal([]byte(body(t, resp)), &arts)
	if len(arts) != 1 || resp.Header.Get("X-Total-Count") != "3" {
		t.Errorf("paged articles %d, total %q", len(arts), resp.Header.Get("X-Total-Count"))
	}
	for _, p := range []string{"/api/a/0123456789ab/history", "/api/a/" + f.grain + "/20000101000000"} {
		if resp := f.get(p); resp.StatusCode != http.StatusNotFound || !strings.Contains(body(t, resp), `"error"`) {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	if resp := f.get("/api/search"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("search without q: %d", resp.StatusCode)
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t)
	f.get("/nope")
	resp := f.get("/metrics")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	b := body(t, resp)
	for _, want := range []string{
		"# TYPE annalist_articles gauge\nannalist_articles 3\n",
		"annalist_snapshots 5\n",
		"# TYPE annalist_captures_total counter\n",
		`annalist_captures_total{source="mondo-history",outcome="new"} 3`,
		`annalist_captures_total{source="mondo-history",outcome="revised"} 2`,
		`annalist_captures_total{source="mondo-history",outcome="unchanged"} 1`,
		`annalist_captures_total{source="broken",outcome="error"} 1`,
		`annalist_source_last_poll_timestamp_seconds{source="broken"} 1706778000`,
		`annalist_source_last_poll_ok{source="broken"} 0`,
		`annalist_source_consecutive_failures{source="broken"} 1`,
		`annalist_source_last_poll_ok{source="mondo-history"} 1`,
		`annalist_web_responses_total{code="404"} 1`,
		"# TYPE annalist_fetch_duration_seconds histogram\n",
		`annalist_fetch_duration_seconds_bucket{source="mondo-history",le="0.25"} 0`,
		`annalist_fetch_duration_seconds_bucket{source="mondo-history",le="0.5"} 6`,
		`annalist_fetch_duration_seconds_bucket{source="mondo-history",le="+Inf"} 6`,
		`annalist_fetch_duration_seconds_sum{source="mondo-history"} 1.800`,
		`annalist_fetch_duration_seconds_count{source="mondo-history"} 6`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("metrics lack %q\n%s", want, b)
		}
	}
	if got := labelValue("a\"b\\c\nd"); got != `a\"b\\c\nd` {
		t.Errorf("labelValue %q", got)
	}
}
