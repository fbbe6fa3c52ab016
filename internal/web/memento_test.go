package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"annalist/internal/store"
)

// linkEntry is one link-value of a Link header or a TimeMap.
type linkEntry struct {
	url    string
	params map[string]string
}

var linkRE = regexp.MustCompile(`<([^>]*)>((?:\s*;\s*[a-zA-Z-]+="[^"]*")*)`)
var paramRE = regexp.MustCompile(`([a-zA-Z-]+)="([^"]*)"`)

// parseLinks parses application/link-format (RFC 6690), as RFC 7089 uses it.
func parseLinks(s string) []linkEntry {
	var out []linkEntry
	for _, m := range linkRE.FindAllStringSubmatch(s, -1) {
		e := linkEntry{url: m[1], params: map[string]string{}}
		for _, p := range paramRE.FindAllStringSubmatch(m[2], -1) {
			e.params[p[1]] = p[2]
		}
		out = append(out, e)
	}
	return out
}

func byRel(links []linkEntry, rel string) []linkEntry {
	var out []linkEntry
	for _, l := range links {
		for _, r := range strings.Fields(l.params["rel"]) {
			if r == rel {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

const base = "http://archive.test"

// TestTimeGate follows RFC 7089 §4.1 (Pattern 2.1, a remote TimeGate with
// 302-style negotiation): 302 to the memento, Vary: accept-datetime, Link
// with original, timemap (and first/last memento).
func TestTimeGate(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ accept, want string }{
		{"Thu, 11 Jan 2024 00:00:00 GMT", f.grainS[0]}, // after the first, before the second
		{"Sat, 20 Jan 2024 09:00:00 GMT", f.grainS[1]}, // exactly the second
		{"Tue, 20 Jun 2000 18:02:59 GMT", f.grainS[0]}, // before any: the first
		{"Wed, 01 Jan 2031 00:00:00 GMT", f.grainS[2]}, // after all: the last
		{"", f.grainS[2]}, // none: the latest
	} {
		var resp *http.Response
		if c.accept == "" {
			resp = f.get("/timegate/" + f.grain)
		} else {
			resp = f.get("/timegate/"+f.grain, "Accept-Datetime", c.accept)
		}
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("%q: status %d", c.accept, resp.StatusCode)
		}
		if loc := resp.Header.Get("Location"); loc != base+"/a/"+c.want {
			t.Errorf("%q: Location %q, want %s/a/%s", c.accept, loc, base, c.want)
		}
		if v := resp.Header.Get("Vary"); !strings.EqualFold(v, "accept-datetime") {
			t.Errorf("Vary %q", v)
		}
		links := parseLinks(resp.Header.Get("Link"))
		orig := byRel(links, "original")
		if len(orig) != 1 || orig[0].url != "https://mondo.example/history/grain-fleets.html" {
			t.Errorf("original %+v", orig)
		}
		tm := byRel(links, "timemap")
		if len(tm) != 1 || tm[0].url != base+"/timemap/"+f.grain || tm[0].params["type"] != "application/link-format" ||
			tm[0].params["from"] != "Wed, 10 Jan 2024 09:00:00 GMT" || tm[0].params["until"] != "Thu, 01 Feb 2024 09:00:00 GMT" {
			t.Errorf("timemap %+v", tm)
		}
		if fm := byRel(links, "first"); len(fm) != 1 || fm[0].url != base+"/a/"+f.grainS[0] {
			t.Errorf("first memento %+v", fm)
		}
	}
	// By original URL, as Memento clients ask; the mux must not clean "//".
	resp := f.get("/timegate/https://mondo.example/history/grain-fleets.html", "Accept-Datetime", "Sat, 20 Jan 2024 10:00:00 GMT")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != base+"/a/"+f.grainS[1] {
		t.Errorf("by URL: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := f.get("/timegate/"+f.grain, "Accept-Datetime", "yesterday"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad Accept-Datetime: %d, want 400", resp.StatusCode)
	}
	if resp := f.get("/timegate/https://unknown.example/"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown URL: %d", resp.StatusCode)
	}
}

// TestMementoHeaders: a memento carries Memento-Datetime and links to its
// original, TimeGate and TimeMap (RFC 7089 §4.1.1 example response).
func TestMementoHeaders(t *testing.T) {
	f := newFixture(t)
	resp := f.get("/a/" + f.grainS[0])
	if got := resp.Header.Get("Memento-Datetime"); got != "Wed, 10 Jan 2024 09:00:00 GMT" {
		t.Errorf("Memento-Datetime %q", got)
	}
	links := parseLinks(resp.Header.Get("Link"))
	if len(byRel(links, "original")) != 1 || len(byRel(links, "timemap")) != 1 {
		t.Errorf("links %+v", links)
	}
	if tg := byRel(links, "timegate"); len(tg) != 1 || tg[0].url != base+"/timegate/"+f.grain {
		t.Errorf("timegate %+v", tg)
	}
	// The single memento of an article is both first and last.
	links = parseLinks(f.get("/a/" + snapIDOf(t, f, f.kontor)).Header.Get("Link"))
	if m := byRel(links, "memento"); len(m) != 1 || m[0].params["rel"] != "first last memento" {
		t.Errorf("single memento rel %+v", m)
	}
}

func snapIDOf(t *testing.T, f *fixture, article string) string {
	t.Helper()
	infos, err := f.st.SnapshotInfos(t.Context(), article)
	if err != nil || len(infos) == 0 {
		t.Fatal(err)
	}
	return infos[len(infos)-1].ID
}

// TestTimeMap checks the shape of RFC 7089 §5.1.1's example.
func TestTimeMap(t *testing.T) {
	f := newFixture(t)
	resp := f.get("/timemap/" + f.grain)
	if ct := resp.Header.Get("Content-Type"); ct != "application/link-format" {
		t.Errorf("Content-Type %q", ct)
	}
	b := body(t, resp)
	links := parseLinks(b)
	if len(links) != 6 {
		t.Fatalf("%d links, want original, self, timegate and 3 mementos:\n%s", len(links), b)
	}
	if links[0].params["rel"] != "original" || links[0].url != "https://mondo.example/history/grain-fleets.html" {
		t.Errorf("first link %+v", links[0])
	}
	self := byRel(links, "self")
	if len(self) != 1 || self[0].params["type"] != "application/link-format" || self[0].params["from"] != "Wed, 10 Jan 2024 09:00:00 GMT" ||
		self[0].params["until"] != "Thu, 01 Feb 2024 09:00:00 GMT" {
		t.Errorf("self %+v", self)
	}
	if len(byRel(links, "timegate")) != 1 {
		t.Error("no timegate")
	}
	mementos := byRel(links, "memento")
	if len(mementos) != 3 {
		t.Fatalf("%d mementos", len(mementos))
	}
	wantRel := []string{"first memento", "memento", "last memento"}
	wantDate := []string{"Wed, 10 Jan 2024 09:00:00 GMT", "Sat, 20 Jan 2024 09:00:00 GMT", "Thu, 01 Feb 2024 09:00:00 GMT"}
	for i, m := range mementos {
		if m.params["rel"] != wantRel[i] || m.params["datetime"] != wantDate[i] || m.url != base+"/a/"+f.grainS[i] {
			t.Errorf("memento %d: %+v", i, m)
		}
	}
	// Entries are comma-separated, one per line, as in the RFC's example.
	if n := strings.Count(b, ",\n"); n != 5 {
		t.Errorf("%d separators, want 5:\n%s", n, b)
	}
	if resp := f.get("/timemap/https://mondo.example/history/grain-fleets.html"); resp.StatusCode != http.StatusOK {
		t.Errorf("TimeMap by URL: %d", resp.StatusCode)
	}
}

// TestTimeGateOrderWithinSecond: a capture taken earlier in a second than
// one stored before it (two writers) is stored with its ID moved on to the
// next second, yet the newer one is the snapshot in effect from its own
// second on, as store.SnapshotAt has it.
func TestTimeGateOrderWithinSecond(t *testing.T) {
	f := newFixture(t)
	const u = "https://mondo.example/history/same-second.html"
	sec := t0.Add(day(5))
	c := save(t, f.st, pageOf("mondo-history", u, "Same second", []string{"The first wording."}, sec.Add(-time.Minute), nil, ""))
	e := save(t, f.st, pageOf("mondo-history", u, "Same second", []string{"The third wording."}, sec.Add(700*time.Millisecond), nil, ""))
	d := save(t, f.st, pageOf("mondo-history", u, "Same second", []string{"The second wording."}, sec.Add(300*time.Millisecond), nil, ""))
	if d.SnapshotID != c.ArticleID+"/"+sec.Add(time.Second).Format("20060102150405") {
		t.Fatalf("late capture stored as %s", d.SnapshotID)
	}
	for _, at := range []struct {
		t    time.Time
		want string
	}{
		{sec.Add(-time.Second), c.SnapshotID},
		{sec, e.SnapshotID},
		{sec.Add(time.Second), e.SnapshotID},
		{sec.Add(time.Hour), e.SnapshotID},
	} {
		resp := f.get("/timegate/"+c.ArticleID, "Accept-Datetime", at.t.Format(http.TimeFormat))
		if loc := resp.Header.Get("Location"); loc != base+"/a/"+at.want {
			t.Errorf("Accept-Datetime %s: Location %q, want %s", at.t.Format(http.TimeFormat), loc, at.want)
		}
	}
}

// An unchanged check is counted for the snapshot in effect when it was
// made, by full times: a late copy of the first version, checked earlier
// in the second of a revision stored before it, is the first version's.
func TestTimelineCountsLateCheckForTheSnapshotThen(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const u = "https://mondo.example/history/same-second-check.html"
	sec := t0.Add(day(5))
	first := save(t, f.st, pageOf("mondo-history", u, "Check", []string{"The first wording."}, sec.Add(-time.Minute), nil, ""))
	save(t, f.st, pageOf("mondo-history", u, "Check", []string{"The second wording."}, sec.Add(700*time.Millisecond), nil, ""))
	if r := save(t, f.st, pageOf("mondo-history", u, "Check", []string{"The first wording."}, sec.Add(300*time.Millisecond), nil, "")); r.Outcome != store.OutcomeUnchanged {
		t.Fatalf("late check: %+v", r)
	}
	infos, err := f.st.SnapshotInfos(ctx, first.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	caps, err := f.st.Captures(ctx, store.CaptureFilter{ArticleID: first.ArticleID})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := f.srv.timeline(ctx, infos, caps)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Unchanged != 1 || entries[1].Unchanged != 0 {
		t.Errorf("unchanged checks per snapshot: %+v, want 1 then 0", entries)
	}
}

// A search groups an article's matching versions under the newest, which
// is the last captured: a late capture stored after the newer snapshot of
// its second, its ID moved on to the next second, is an earlier version
// there as in the history, not the newest (found by review8).
func TestSearchGroupNewestByCaptureOrder(t *testing.T) {
	f := newFixture(t)
	const u = "https://mondo.example/history/same-second-search.html"
	sec := t0.Add(day(5))
	c := save(t, f.st, pageOf("mondo-history", u, "Search order", []string{"The first zanzibarian wording."}, sec.Add(-time.Minute), nil, ""))
	e := save(t, f.st, pageOf("mondo-history", u, "Search order", []string{"The third zanzibarian wording."}, sec.Add(700*time.Millisecond), nil, ""))
	d := save(t, f.st, pageOf("mondo-history", u, "Search order", []string{"The second zanzibarian wording."}, sec.Add(300*time.Millisecond), nil, ""))
	if d.SnapshotID != c.ArticleID+"/"+sec.Add(time.Second).Format("20060102150405") {
		t.Fatalf("late capture stored as %s", d.SnapshotID)
	}
	req := httptest.NewRequest(http.MethodGet, "http://archive.test/search?q=zanzibarian", nil)
	sd, msg, err := f.srv.search(req, groupLimit)
	if err != nil || msg != "" {
		t.Fatalf("search: %q, %v", msg, err)
	}
	groups, _ := groupHits(sd.Hits, searchLimit, false)
	if len(groups) != 1 || len(groups[0].Earlier) != 2 {
		t.Fatalf("groups: %+v", groups)
	}
	got := []string{groups[0].SnapshotID, groups[0].Earlier[0].SnapshotID, groups[0].Earlier[1].SnapshotID}
	if want := []string{e.SnapshotID, d.SnapshotID, c.SnapshotID}; !slices.Equal(got, want) {
		t.Errorf("search group %v, want the newest E then D, C (the history's order reversed)", got)
	}
}
