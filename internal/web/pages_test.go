package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func TestHomeShowsSourceHealthAndLatestChanges(t *testing.T) {
	f := newFixture(t)
	doc := f.page("/", http.StatusOK)
	rows := doc.Find("table.sources tbody tr")
	if rows.Length() != 2 {
		t.Fatalf("%d source rows, want 2", rows.Length())
	}
	broken := rows.Eq(0) // sorted by name: broken, mondo-history
	if !strings.Contains(text(broken), "Broken Feed") || !strings.Contains(text(broken.Find(".badge-error")), "error") ||
		!strings.Contains(text(broken.Find(".error-text")), "HTTP 503") {
		t.Errorf("broken source row lacks its error: %q", text(broken))
	}
	// A source the configuration no longer has (the fixture's schedule
	// does not know "broken") says so instead of a bare dash.
	if !strings.Contains(text(broken.Find(".removed")), "not configured") {
		t.Errorf("a source no longer configured does not say so: %q", text(broken))
	}
	mondo := rows.Eq(1)
	if mondo.Find(".removed").Length() != 0 {
		t.Errorf("a configured source says it is not: %q", text(mondo))
	}
	// The source's own page says the same.
	if p := f.page("/s/broken", http.StatusOK); !strings.Contains(text(p.Find(".removed").Parent()), "no longer names this source") {
		t.Errorf("/s/broken does not say it is not configured: %q", text(p.Find("main")))
	}
	if p := f.page("/s/mondo-history", http.StatusOK); p.Find(".removed").Length() != 0 ||
		!strings.Contains(text(p.Find("main")), "0 */2 * * *") {
		t.Errorf("/s/mondo-history: a configured source should show its schedule and not say it is not configured: %q", text(p.Find("main")))
	}
	if got := text(mondo.Find("td.num").First()); got != "3" {
		t.Errorf("mondo articles = %q, want 3", got)
	}
	if got := text(mondo.Find("td.num").Last()); got != "5" {
		t.Errorf("mondo snapshots = %q, want 5", got)
	}
	if !strings.Contains(text(mondo), "2024-02-09 11:00 UTC") || !strings.Contains(text(mondo), "0 */2 * * *") {
		t.Errorf("mondo row lacks next run and schedule: %q", text(mondo))
	}
	changes := doc.Find("ol.changes li")
	if changes.Length() != 5 {
		t.Fatalf("%d changes, want 5", changes.Length())
	}
	first := changes.First()
	if text(first.Find(".badge")) != "revised" || !strings.Contains(text(first), "(revised)") {
		t.Errorf("newest change should be the grain revision: %q", text(first))
	}
	if href, _ := first.Find("a").Eq(0).Attr("href"); href != "/a/"+f.grainS[2] {
		t.Errorf("change links to %q", href)
	}
	if _, ok := doc.Find(`link[rel=alternate][type="application/atom+xml"]`).Attr("href"); !ok {
		t.Error("home does not advertise its Atom feed")
	}
}

func TestSourcePaginatesAndFiltersByDate(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 55; i++ {
		save(t, f.st, pageOf("bulk", "https://bulk.example/"+itoa(i), "Bulk article "+itoa(i),
			[]string{"Text number " + itoa(i)}, t0.Add(day(i)), nil, ""))
	}
	doc := f.page("/s/bulk", http.StatusOK)
	rows := doc.Find("table.articles tbody tr")
	if rows.Length() != sourcePageSize {
		t.Fatalf("%d rows on page 1, want %d", rows.Length(), sourcePageSize)
	}
	if got := text(rows.First().Find("th")); got != "Bulk article 54" {
		t.Errorf("first row %q, want the newest", got)
	}
	next, ok := doc.Find(`.pager a[rel=next]`).Attr("href")
	if !ok || next != "/s/bulk?page=2" {
		t.Fatalf("next page link %q", next)
	}
	doc = f.page(next, http.StatusOK)
	if n := doc.Find("table.articles tbody tr").Length(); n != 5 {
		t.Errorf("%d rows on page 2, want 5", n)
	}
	if doc.Find(`.pager a[rel=next]`).Length() != 0 || doc.Find(`.pager a[rel=prev]`).Length() != 1 {
		t.Error("page 2 pager wrong")
	}
	// Articles first seen 2024-01-12 .. 2024-01-14 inclusive: numbers 2, 3, 4.
	doc = f.page("/s/bulk?from=2024-01-12&to=2024-01-14", http.StatusOK)
	var got []string
	doc.Find("table.articles tbody th").Each(func(_ int, s *goquery.Selection) { got = append(got, text(s)) })
	if strings.Join(got, ",") != "Bulk article 4,Bulk article 3,Bulk article 2" {
		t.Errorf("date filter gave %v", got)
	}
	if v, _ := doc.Find(`input[name=from]`).Attr("value"); v != "2024-01-12" {
		t.Errorf("form forgot the date: %q", v)
	}
	f.page("/s/bulk?from=12-01-2024", http.StatusBadRequest)
	f.page("/s/no-such-source", http.StatusNotFound)
	f.page("/s/Bad%20Name", http.StatusNotFound)
}

func TestArticleTimelineFlagsSilentEdits(t *testing.T) {
	f := newFixture(t)
	doc := f.page("/a/"+f.grain, http.StatusOK)
	entries := doc.Find("ol.timeline li.tl")
	if entries.Length() != 3 {
		t.Fatalf("%d timeline entries, want 3", entries.Length())
	}
	// Newest first.
	newest, middle, oldest := entries.Eq(0), entries.Eq(1), entries.Eq(2)
	if href, _ := newest.Find("a.tl-link").Attr("href"); href != "/a/"+f.grainS[2] {
		t.Errorf("newest entry links to %q", href)
	}
	if newest.Find(".flag-silent").Length() != 0 {
		t.Error("a revision with a new revision date is flagged as a silent edit")
	}
	if middle.Find(".flag-silent").Length() != 1 {
		t.Errorf("the change without a new revision date is not flagged: %q", text(middle))
	}
	if oldest.Find(".flag-silent, .flag-bump").Length() != 0 || oldest.Find("a.tl-diff").Length() != 0 {
		t.Error("the first snapshot has nothing to compare with")
	}
	if got := text(middle.Find("a.tl-diff")); got != "+1 −0 words since the previous" {
		t.Errorf("middle change = %q", got)
	}
	if href, _ := middle.Find("a.tl-diff").Attr("href"); href != "/a/"+f.grain+"/diff?from="+ts(f.grainS[0])+"&to="+ts(f.grainS[1]) {
		t.Errorf("diff link %q", href)
	}
	if !strings.Contains(text(middle), "1 later check found it unchanged") {
		t.Errorf("unchanged re-check not shown: %q", text(middle))
	}
	if !strings.Contains(text(newest), "revision date 2024-01-31") || !strings.Contains(text(newest), "words") {
		t.Errorf("newest meta: %q", text(newest))
	}
	if got := text(doc.Find(".archived")); !strings.Contains(got, "the sea route took the grain instead") {
		t.Errorf("latest version not rendered: %q", got)
	}
	if next, _ := doc.Find(`link[rel=next]`).Attr("href"); next != "/a/"+f.grainS[0] {
		t.Errorf("keyboard 'next' from the article should enter the timeline at the oldest: %q", next)
	}
	f.page("/a/0123456789ab", http.StatusNotFound)
	f.page("/a/XYZ", http.StatusNotFound)
	f.page("/a/0123456789ABC", http.StatusNotFound)
}

func TestSnapshotPageCitesAndNavigates(t *testing.T) {
	f := newFixture(t)
	mid := f.grainS[1]
	resp := f.get("/a/" + mid)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got := resp.Header.Get("Memento-Datetime"); got != "Sat, 20 Jan 2024 09:00:00 GMT" {
		t.Errorf("Memento-Datetime = %q", got)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body(t, resp)))
	if got := text(doc.Find(".asof strong")); got != "Snapshot 2 of 3" {
		t.Errorf("as-of banner %q", got)
	}
	if href, _ := doc.Find(`.snapnav a[rel=prev]`).Attr("href"); href != "/a/"+f.grainS[0] {
		t.Errorf("prev link %q", href)
	}
	if href, _ := doc.Find(`.snapnav a[rel=next]`).Attr("href"); href != "/a/"+f.grainS[2] {
		t.Errorf("next link %q", href)
	}
	if href, _ := doc.Find(`link[rel=prev]`).Attr("href"); href != "/a/"+f.grainS[0] {
		t.Errorf("<link rel=prev> %q", href)
	}
	cite := map[string]string{}
	doc.Find(".cite dt").Each(func(_ int, dt *goquery.Selection) { cite[text(dt)] = text(dt.Next()) })
	want := map[string]string{
		"Title":         "The Grain Fleets of the Grand Canal",
		"Source":        "Mondo History", // the source's title, not its name
		"Revision date": "2024-01-09",
		"Captured":      "2024-01-20T09:00:00Z",
		"Snapshot":      "http://archive.test/a/" + mid,
	}
	for k, v := range want {
		if !strings.HasPrefix(cite[k], v) {
			t.Errorf("citation %s = %q, want %q", k, cite[k], v)
		}
	}
	if !strings.HasPrefix(cite["URL"], "https://mondo.example/history/grain-fleets.html") || !strings.HasPrefix(cite["Fingerprint"], "n1:") {
		t.Errorf("citation URL/fingerprint: %q %q", cite["URL"], cite["Fingerprint"])
	}
	if c := text(doc.Find("blockquote.citation")); !strings.Contains(c, "http://archive.test/a/"+mid) || !strings.Contains(c, "20 January 2024") {
		t.Errorf("citation text %q", c)
	}
	if got := text(doc.Find("article.archived")); !strings.Contains(got, "northern capital") || strings.Contains(got, "tribute") {
		t.Errorf("snapshot shows the wrong version: %q", got)
	}
}

func TestSnapshotTimestampWithoutSnapshotRedirectsToNearest(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ ts, want string }{
		{"20240112000000", f.grainS[0]}, // 2 days after the first, 8 before the second
		{"20240118000000", f.grainS[1]},
		{"19990101000000", f.grainS[0]},
		{"20991231235959", f.grainS[2]},
	} {
		resp := f.get("/a/" + f.grain + "/" + c.ts)
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/a/"+c.want {
			t.Errorf("%s: %d → %q, want 302 → /a/%s", c.ts, resp.StatusCode, resp.Header.Get("Location"), c.want)
		}
	}
	for _, bad := range []string{"2024011200000", "2024011200000a", "202401120000000", "..%2F..%2Fetc"} {
		if resp := f.get("/a/" + f.grain + "/" + bad); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", bad, resp.StatusCode)
		}
	}
}

func TestDiffMarksChangesWithColourNotTextMarkers(t *testing.T) {
	f := newFixture(t)
	doc := f.page("/a/"+f.grain+"/diff", http.StatusOK) // default: the last two
	if n := doc.Find("ins").Length(); n == 0 {
		t.Fatal("no <ins>")
	}
	ins := doc.Find(".inline-diff ins")
	var added []string
	ins.Each(func(_ int, s *goquery.Selection) { added = append(added, s.Text()) })
	if !strings.Contains(strings.Join(added, "|"), "tribute") || !strings.Contains(strings.Join(added, "|"), "Yellow River") {
		t.Errorf("additions %q", added)
	}
	// On screen the change is colour plus strike-through or underline;
	// the [−…−] {+…+} markers are the CLI's (and print's, from the style
	// sheet), not drawn on top of the colour.
	for _, mk := range []string{"[−", "−]", "{+", "+}"} {
		if strings.Contains(doc.Find("main").Text(), mk) {
			t.Errorf("the diff page shows the text marker %q on top of colour", mk)
		}
	}
	if got := text(doc.Find(".title-change del")); got != "The Grain Fleets of the Grand Canal" {
		t.Errorf("title change removed %q", got)
	}
	if got := text(doc.Find(".title-change ins")); got != "The Grain Fleets of the Grand Canal (revised)" {
		t.Errorf("title change added %q", got)
	}
	if got := text(doc.Find(".diff-head strong.added")); got != "28 added" {
		t.Errorf("stats %q", got)
	}
	// A removal, side by side, from the second snapshot back to the first.
	doc = f.page("/a/"+f.grain+"/diff?from="+ts(f.grainS[1])+"&to="+ts(f.grainS[0])+"&view=side", http.StatusOK)
	row := doc.Find("table.side-diff tbody tr.side-changed").First()
	if got := row.Find("td").Eq(0).Find("del").Text(); got != "northern " {
		t.Errorf("side-by-side removal %q", got)
	}
	if sel, _ := doc.Find(`select[name=from] option[selected]`).Attr("value"); sel != ts(f.grainS[1]) {
		t.Errorf("picker shows from=%q", sel)
	}
	f.page("/a/"+f.grain+"/diff?from=2024", http.StatusBadRequest)
	f.page("/a/"+f.grain+"/diff?from=20000101000000", http.StatusNotFound)
	f.page("/a/"+f.kontor+"/diff", http.StatusNotFound)
}

func TestDiffFoldsLongUnchangedText(t *testing.T) {
	long := strings.Repeat("word ", 300)
	chunks := inlineDiff(nil, false)
	if chunks != "" {
		t.Fatal("empty diff not empty")
	}
	got := equalHTML(long, false, false, false)
	if !strings.Contains(got, "<details") || !strings.Contains(got, "250 unchanged words") {
		t.Errorf("long equal run not folded: %.200s", got)
	}
	if got := equalHTML(long, false, false, true); strings.Contains(got, "<details") {
		t.Error("full view folded text")
	}
}

func TestSearchHighlightsAndFilters(t *testing.T) {
	f := newFixture(t)
	doc := f.page("/search?q=grain", http.StatusOK)
	hits := doc.Find("ol.hits li")
	if hits.Length() != 1 {
		t.Fatalf("%d hits for grain over every version, want 1 (one article, three versions)", hits.Length())
	}
	if m := hits.First().Find(".snippet mark"); m.Length() == 0 || !strings.EqualFold(m.First().Text(), "grain") {
		t.Errorf("snippet not highlighted: %q", text(hits.First().Find(".snippet")))
	}
	doc = f.page("/search?q=grain&latest=1", http.StatusOK)
	if n := doc.Find("ol.hits li").Length(); n != 1 {
		t.Errorf("%d hits over latest versions, want 1", n)
	}
	if _, ok := doc.Find(`input[name=latest]`).Attr("checked"); !ok {
		t.Error("latest box not kept checked")
	}
	doc = f.page("/search?q=grain&source=broken", http.StatusOK)
	if n := doc.Find("ol.hits li").Length(); n != 0 {
		t.Errorf("%d hits in another source", n)
	}
	doc = f.page("/search?q=grain&to=2024-01-15", http.StatusOK)
	if n := doc.Find("ol.hits li").Length(); n != 1 || doc.Find("ol.hits .also").Length() != 0 {
		t.Errorf("%d hits captured by 2024-01-15, want 1 with no earlier version", n)
	}
	doc = f.page(`/search?q=%22unterminated`, http.StatusBadRequest)
	if doc.Find(`[role=alert]`).Length() != 1 {
		t.Error("bad query has no message")
	}
	// The snippet's own text is escaped; only <mark> is added.
	if got := markSnippet(`«Yalta» <b>x</b> « not a match »`); got != `<mark>Yalta</mark> &lt;b&gt;x&lt;/b&gt; « not a match »` {
		t.Errorf("markSnippet = %s", got)
	}
}

func TestErrorAndStaticPages(t *testing.T) {
	f := newFixture(t)
	f.page("/nope", http.StatusNotFound)
	resp := f.get("/static/style.css")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("style.css: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp = f.get("/static/keys.js")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Errorf("keys.js: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp := f.get("/healthz"); resp.StatusCode != http.StatusOK || body(t, resp) != "ok\n" {
		t.Errorf("healthz %d", resp.StatusCode)
	}
}

func TestEmptyDateBumpFromUnchangedRechecks(t *testing.T) {
	f := newFixture(t)
	const u = "https://mondo.example/history/kontors.html"
	paras := []string{"Merchant colonies of the north traded furs, wax and herring."}
	bumped := datePtr(t0.Add(day(5)))
	html := `<p>Merchant colonies of the north traded furs, wax and herring.</p><figure><img src="https://cdn.example/kontor.jpg" alt="The Steelyard in London"><figcaption>The Steelyard</figcaption></figure><p><a href="https://en.wikipedia.org/wiki/Kontor">Kontor</a></p>`
	// Same wording, a new "Updated on" date, twice: one bump, not two.
	for _, at := range []time.Time{t0.Add(day(5)), t0.Add(day(6))} {
		if res := save(t, f.st, pageOf("mondo-history", u, "The Kontors of the Hanseatic League", paras, at, bumped, html)); res.Outcome != "unchanged" {
			t.Fatalf("outcome %s, want unchanged", res.Outcome)
		}
	}
	doc := f.page("/a/"+f.kontor, http.StatusOK)
	flag := doc.Find("ol.timeline li.tl .flag-bump")
	if flag.Length() != 1 || !strings.Contains(text(flag), "1 empty date bump") {
		t.Fatalf("timeline bump flag = %q (%d)", text(flag), flag.Length())
	}
	if !strings.Contains(text(doc.Find("main")), "1 empty date bump") {
		t.Error("the article header does not count the bump")
	}
}
