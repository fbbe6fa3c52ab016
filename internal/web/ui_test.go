package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"annalist/internal/store"
	"annalist/internal/worddiff"
)

// cells is the text of each side-by-side row: "left | right".
func cells(doc *goquery.Document) []string {
	var out []string
	doc.Find("table.side-diff tbody tr").Each(func(_ int, tr *goquery.Selection) {
		tds := tr.Find("td")
		if tds.Length() == 1 {
			out = append(out, "fold: "+text(tds.Find("summary")))
			return
		}
		out = append(out, text(tds.Eq(0))+" | "+text(tds.Eq(1)))
	})
	return out
}

func TestSideBySideDiffAlignsParagraphs(t *testing.T) {
	f := newFixture(t)
	doc := f.page("/a/"+f.grain+"/diff?view=side", http.StatusOK)
	got := cells(doc)
	want := []string{
		grainV2[0] + " | " + grainV3[0],
		grainV2[1] + " | " + grainV3[1],
		" | " + grainV3[2],
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("side-by-side rows:\n%s\nwant one row per paragraph pair:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	first := doc.Find("table.side-diff tbody tr").First()
	if got := text(first.Find("td").Eq(1).Find("ins")); got != "tribute" {
		t.Errorf("the change is not marked inside its paragraph: ins %q", got)
	}
	if first.Find("td").Eq(0).Find("del, ins").Length() != 0 {
		t.Error("an addition shows on the older side")
	}
	if doc.Find("table.side-diff tbody tr.side-changed").Length() != 3 {
		t.Error("every row of this diff holds a change")
	}
}

func TestAlignParagraphs(t *testing.T) {
	ctx := t.Context()
	para := func(words ...string) string { return strings.Join(words, " ") }
	long := func(tag string) string {
		return para(tag, strings.TrimSpace(strings.Repeat("same words again ", 10)), "end.")
	}
	a := strings.Join([]string{
		"Opening line stays.",
		"A paragraph that goes away entirely here.",
		long("u1"), long("u2"), long("u3"), long("u4"),
		"The old closing words were these.",
	}, "\n\n")
	b := strings.Join([]string{
		"A wholly new first paragraph.",
		"Opening line stays.",
		long("u1"), long("u2"), long("u3"), long("u4"),
		"The new closing words were these.",
	}, "\n\n")
	chunks, err := worddiff.Diff(ctx, a, b)
	if err != nil {
		t.Fatal(err)
	}
	row := func(r sideRow) string {
		strip := func(h string) string {
			doc, _ := goquery.NewDocumentFromReader(strings.NewReader(h))
			return text(doc.Selection)
		}
		if r.Fold > 0 {
			return "fold " + itoa(r.Fold)
		}
		return strip(string(r.Left)) + " | " + strip(string(r.Right))
	}
	var got []string
	for _, r := range sideBySide(chunks, false) {
		got = append(got, row(r))
	}
	want := []string{
		" | A wholly new first paragraph.",
		"Opening line stays. | Opening line stays.",
		"A paragraph that goes away entirely here. | ",
		long("u1") + " | " + long("u1"),
		"fold 2",
		long("u4") + " | " + long("u4"),
		"The old closing words were these. | The new closing words were these.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = got[:0]
	for _, r := range sideBySide(chunks, true) {
		got = append(got, row(r))
	}
	if len(got) != 8 || strings.Contains(strings.Join(got, "\n"), "fold") {
		t.Errorf("the whole text folded something: %q", got)
	}
}

func TestSameMinuteSnapshotsReadApart(t *testing.T) {
	f := newFixture(t)
	const u = "https://mondo.example/history/fast.html"
	at := time.Date(2024, 3, 1, 11, 10, 5, 0, time.UTC)
	r1 := save(t, f.st, pageOf("mondo-history", u, "Fast", []string{"First wording of the story."}, at, nil, ""))
	r2 := save(t, f.st, pageOf("mondo-history", u, "Fast", []string{"Second wording of the story."}, at.Add(40*time.Second), nil, ""))
	snap := f.page("/a/"+r2.SnapshotID, http.StatusOK)
	if got := text(snap.Find(".asof p").First()); !strings.Contains(got, "captured it on 2024-03-01 11:10:45 UTC") {
		t.Errorf("snapshot banner %q", got)
	}
	if got := text(snap.Find(`.snapnav a[rel=prev]`)); got != "← previous 2024-03-01 11:10:05 UTC" {
		t.Errorf("previous link %q", got)
	}
	doc := f.page("/a/"+r1.ArticleID+"/diff?view=side", http.StatusOK)
	var heads []string
	doc.Find("table.side-diff thead th").Each(func(_ int, s *goquery.Selection) { heads = append(heads, text(s)) })
	if len(heads) != 2 || heads[0] == heads[1] || !strings.Contains(heads[0], "11:10:05") || !strings.Contains(heads[1], "11:10:45") {
		t.Errorf("column headings %q: two snapshots of one minute must read apart", heads)
	}
	if got := text(doc.Find(".diff-head p").First()); !strings.Contains(got, "11:10:05 UTC → 2024-03-01 11:10:45 UTC") {
		t.Errorf("diff head %q", got)
	}
	// Search: the newest version and the earlier one of its minute.
	doc = f.page("/search?q=wording", http.StatusOK)
	hit := doc.Find("ol.hits li").First()
	if got, also := text(hit.Find("p.meta time").First()), text(hit.Find(".also time")); got != "2024-03-01 11:10:45 UTC" || also != "2024-03-01 11:10:05 UTC" {
		t.Errorf("search hit captured %q, also in %q: two versions of one minute must read apart", got, also)
	}
	// A day apart or more: the date is enough; a minute apart, minutes.
	snap = f.page("/a/"+f.grainS[1], http.StatusOK)
	if got := text(snap.Find(`.snapnav a[rel=prev]`)); got != "← previous 2024-01-10" {
		t.Errorf("previous link %q", got)
	}
	if got := text(snap.Find(".asof time").First()); got != "2024-01-20 09:00 UTC" {
		t.Errorf("snapshot banner time %q", got)
	}
	doc = f.page("/a/"+f.grain+"/diff?view=side", http.StatusOK)
	if got := text(doc.Find("table.side-diff thead th").First()); got != "From 2024-01-20 09:00 UTC" {
		t.Errorf("heading %q", got)
	}
}

func TestSearchGroupsVersionsOfAnArticle(t *testing.T) {
	f := newFixture(t)
	doc := f.page("/search?q=grain", http.StatusOK)
	hits := doc.Find("ol.hits li")
	if hits.Length() != 1 {
		t.Fatalf("%d hits, want the article once", hits.Length())
	}
	h := hits.First()
	if href, _ := h.Find("a.hit-title").Attr("href"); href != "/a/"+f.grainS[2] {
		t.Errorf("the hit leads to %s, want the newest matching snapshot", href)
	}
	if got := text(h.Find(".hit-rev")); got != "2024-01-31" {
		t.Errorf("revision date %q", got)
	}
	also := h.Find(".also")
	if !strings.HasPrefix(text(also), "Also in 2 earlier versions:") {
		t.Errorf("earlier versions %q", text(also))
	}
	var links []string
	also.Find("a").Each(func(_ int, s *goquery.Selection) { l, _ := s.Attr("href"); links = append(links, l) })
	if strings.Join(links, " ") != "/a/"+f.grainS[1]+" /a/"+f.grainS[0] {
		t.Errorf("earlier versions link %q, want newest first", links)
	}
	meta := text(doc.Find("p.meta").First())
	if !strings.Contains(meta, "1 article (3 matching versions), the most recently archived first") || strings.Contains(meta, "best") {
		t.Errorf("the count says %q", meta)
	}
	// The API stays one element per version, with the revision date added.
	var api []struct {
		Snapshot     string  `json:"snapshot"`
		RevisionDate *string `json:"revision_date"`
	}
	resp := f.get("/api/search?q=grain")
	if err := json.NewDecoder(resp.Body).Decode(&api); err != nil {
		t.Fatal(err)
	}
	if len(api) != 3 || api[0].Snapshot != f.grainS[2] || api[0].RevisionDate == nil || *api[0].RevisionDate != "2024-01-31T09:00:00Z" {
		t.Errorf("/api/search = %+v", api)
	}
}

func TestGroupHitsCapsArticles(t *testing.T) {
	var hits []searchHit
	for i := range 5 {
		for v := range 3 {
			h := searchHit{}
			h.ArticleID = "a" + itoa(i)
			h.CapturedAt = t0.Add(day(10 - v))
			hits = append(hits, h)
		}
	}
	groups, capped := groupHits(hits, 3, false)
	if len(groups) != 3 || !capped || len(groups[2].Earlier) != 2 {
		t.Errorf("%d groups, capped %v", len(groups), capped)
	}
	if !groups[0].CapturedAt.After(groups[0].Earlier[0].CapturedAt) {
		t.Error("the shown version is not the newest")
	}
}

func TestHomeShowsShortCauseWithDetails(t *testing.T) {
	f := newFixture(t)
	chain := "feed: fetch: GET https://broken.example/feed: dial tcp: lookup broken.example on 127.0.0.53:53: no such host"
	if err := f.st.RecordPoll(t.Context(), "broken", t0.Add(day(23)), store.PollError, chain, "", ""); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/s/broken"} {
		doc := f.page(path, http.StatusOK)
		d := doc.Find("details.error-detail")
		if got := text(d.Find("summary")); got != "DNS lookup failed" {
			t.Errorf("%s: short cause %q", path, got)
		}
		if got := text(d.Find(".error-full")); got != chain {
			t.Errorf("%s: details %q", path, got)
		}
		if strings.Contains(text(doc.Find("main").Clone().Find("details").Remove().End()), "no such host") {
			t.Errorf("%s: the chain shows outside its <details>", path)
		}
	}
	doc := f.page("/", http.StatusOK)
	if doc.Find("code.cron").Length() != 1 {
		t.Error("the cron spec is not marked to stay on one line")
	}
}

func TestDateInputsAreISO(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/search?q=grain", "/s/mondo-history"} {
		doc := f.page(path, http.StatusOK)
		for _, name := range []string{"from", "to"} {
			in := doc.Find(`input[name=` + name + `]`)
			typ, _ := in.Attr("type")
			ph, _ := in.Attr("placeholder")
			pat, _ := in.Attr("pattern")
			if typ != "text" || ph != "yyyy-mm-dd" || pat == "" {
				t.Errorf("%s %s: type=%q placeholder=%q pattern=%q (a date picker shows the locale's format)", path, name, typ, ph, pat)
			}
		}
	}
}

func TestSilentEditLegendOnlyWhenThereIsOne(t *testing.T) {
	f := newFixture(t)
	doc := f.page("/a/"+f.grain, http.StatusOK)
	if got := text(doc.Find(".legend-flags")); !strings.Contains(got, "A silent edit is") || strings.Contains(got, "empty date bump") {
		t.Errorf("grain (one silent edit, no bump) legend %q", got)
	}
	doc = f.page("/a/"+f.kontor, http.StatusOK)
	if n := doc.Find(".legend-flags").Length(); n != 0 {
		t.Errorf("an article with neither silent edit nor bump explains them: %q", text(doc.Find(".legend-flags")))
	}
}

func TestEmptySourceSaysWhy(t *testing.T) {
	f := newFixture(t)
	doc := f.page("/s/broken", http.StatusOK)
	if got := text(doc.Find("p.empty")); !strings.Contains(got, "No article of this source is archived yet") || !strings.Contains(got, "see the error above") {
		t.Errorf("empty source %q", got)
	}
	doc = f.page("/s/mondo-history?from=2030-01-01", http.StatusOK)
	if got := text(doc.Find("p.empty")); !strings.Contains(got, "first seen on or after 2030-01-01") || doc.Find(`p.empty a[href="/s/mondo-history"]`).Length() != 1 {
		t.Errorf("empty period %q", got)
	}
}

func TestSideBySideFoldsLongParagraphInsideItsCell(t *testing.T) {
	f := newFixture(t)
	const u = "https://mondo.example/history/long.html"
	words := strings.Repeat("the river carried boats ", 50)
	r := save(t, f.st, pageOf("mondo-history", u, "Long", []string{words + "at first " + words}, t0, nil, ""))
	save(t, f.st, pageOf("mondo-history", u, "Long", []string{words + "at last " + words}, t0.Add(day(1)), nil, ""))
	doc := f.page("/a/"+r.ArticleID+"/diff?view=side", http.StatusOK)
	rows := doc.Find("table.side-diff tbody tr")
	if rows.Length() != 1 || rows.Find("td").Length() != 2 {
		t.Fatalf("%d rows: want the one paragraph on one row", rows.Length())
	}
	// The folds stay inside the paragraph (a <p> would be closed by the
	// parser before a <details>, spilling it out of the paragraph).
	if n := rows.Find("td > .para > details.fold").Length(); n != 4 {
		t.Errorf("%d folds inside the paragraphs, want 2 a side", n)
	}
	if got := text(rows.Find("td").Eq(1).Find("ins")); got != "last" {
		t.Errorf("ins %q", got)
	}
}

func TestArticleCheckShowsShortCauseWithDetails(t *testing.T) {
	f := newFixture(t)
	chain := "fetch: GET https://mondo.example/history/grain-fleets.html: context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
	if err := f.st.RecordCapture(t.Context(), store.Capture{ArticleID: f.grain, Source: "mondo-history",
		URL: "https://mondo.example/history/grain-fleets.html", CapturedAt: t0.Add(day(27)), Outcome: store.OutcomeError, Error: chain}); err != nil {
		t.Fatal(err)
	}
	doc := f.page("/a/"+f.grain, http.StatusOK)
	d := doc.Find("ol.checks li").First().Find("details.error-detail")
	if got := text(d.Find("summary")); got != "timed out" {
		t.Errorf("short cause %q", got)
	}
	if got := text(d.Find(".error-full")); got != chain {
		t.Errorf("details %q", got)
	}
}

// TestRightToLeftTextTakesItsDirection: an article in Arabic is laid out
// right to left wherever its own words are shown (titles, the archived
// text, each paragraph of the side-by-side diff, the inline diff, search
// hits): dir="auto" lets the browser take the direction from the text,
// and isolates a title from the English around it.
func TestRightToLeftTextTakesItsDirection(t *testing.T) {
	f := newFixture(t)
	const url = "https://mondo.example/ar/ottoman.html"
	title := "تاريخ الدولة العثمانية (1299)"
	r1 := save(t, f.st, pageOf("mondo-history", url, title, []string{"فقرة أولى عن التأسيس", "فقرة ثانية"}, t0.Add(day(24)), nil, ""))
	r2 := save(t, f.st, pageOf("mondo-history", url, title, []string{"فقرة أولى معدلة عن التأسيس", "فقرة ثانية"}, t0.Add(day(25)), nil, ""))
	for _, c := range []struct{ path, sel string }{
		{"/a/" + r1.ArticleID, "h1"},
		{snapshotPath(r2.SnapshotID), "article.archived"},
		{"/a/" + r1.ArticleID + "/diff", "p.meta a"},
		{"/a/" + r1.ArticleID + "/diff", ".inline-diff"},
		{"/a/" + r1.ArticleID + "/diff?view=side", "table.side-diff .para"},
		{"/search?q=" + "فقرة", "a.hit-title"},
		{"/search?q=" + "فقرة", "p.snippet"},
		{"/", "ol.changes li > a"},
		{"/s/mondo-history", "table.articles tbody th a"},
	} {
		doc := f.page(c.path, http.StatusOK)
		found := doc.Find(c.sel)
		if found.Length() == 0 {
			t.Fatalf("%s: no %s", c.path, c.sel)
		}
		found.Each(func(_ int, s *goquery.Selection) {
			if dir, _ := s.Attr("dir"); dir != "auto" {
				h, _ := goquery.OuterHtml(s)
				t.Errorf("%s: %s has dir=%q, want auto: %.120s", c.path, c.sel, dir, h)
			}
		})
	}
}
