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

// lifeFixture is the fixture plus a life: the kontors article gone (410),
// the grain article moved to a new URL, and a syndicated copy of the
// kontors article on a partner site.
func lifeFixture(t *testing.T) (f *fixture, copyID string) {
	t.Helper()
	f = newFixture(t)
	ctx := context.Background()
	if err := f.st.RecordGone(ctx, store.Gone{ArticleID: f.kontor, Source: "mondo-history", URL: "https://mondo.example/history/kontors.html",
		CapturedAt: t0.Add(day(25)), HTTPStatus: 410, Reason: "410 Gone"}); err != nil {
		t.Fatal(err)
	}
	grain, err := f.st.Article(ctx, f.grain)
	if err != nil {
		t.Fatal(err)
	}
	p := pageOf("mondo-history", "https://mondo.example/history/grain-fleets-of-the-ming.html", "The Grain Fleets of the Grand Canal (revised)", grainV3, t0.Add(day(26)), datePtr(t0.Add(day(21))), "")
	p.ArticleID, p.MovedFrom, p.Judged, p.Same = f.grain, grain.URL, f.grainS[2], true
	if res := save(t, f.st, p); res.Outcome != store.OutcomeMoved || res.ArticleID != f.grain {
		t.Fatalf("move: %+v", res)
	}
	c := pageOf("partner", "https://partner.example/syndicated/kontors", "The Kontors of the Hanseatic League",
		[]string{"Merchant colonies of the north traded furs, wax and herring. Republished with permission."}, t0.Add(day(27)), nil, "")
	c.DeclaredCanonical = "https://mondo.example/history/kontors.html"
	return f, save(t, f.st, c).ArticleID
}

func TestArticlePageShowsLife(t *testing.T) {
	f, copyID := lifeFixture(t)

	doc := f.page("/a/"+f.kontor, http.StatusOK)
	if got := text(doc.Find(".state-gone")); !strings.Contains(got, "Gone since 2024-02-04") {
		t.Errorf("gone banner %q", got)
	}
	if got := text(doc.Find(".events")); !strings.Contains(got, "gone: 410 Gone") {
		t.Errorf("events %q", got)
	}
	if href, _ := doc.Find(".copies a").Attr("href"); href != "/a/"+copyID {
		t.Errorf("syndicated copies link %q, want /a/%s", href, copyID)
	}
	if doc.Find(".timeline li").Length() != 1 {
		t.Error("the gone article's snapshot is not in its timeline")
	}

	doc = f.page("/a/"+copyID, http.StatusOK)
	syn := doc.Find(".syndicated")
	if !strings.Contains(text(syn), "https://mondo.example/history/kontors.html") {
		t.Errorf("copy page: %q", text(syn))
	}
	if href, _ := syn.Find(`a[href^="/a/"]`).Attr("href"); href != "/a/"+f.kontor {
		t.Errorf("copy page links the archived original at %q, want /a/%s", href, f.kontor)
	}

	doc = f.page("/a/"+f.grain, http.StatusOK)
	if got := text(doc.Find(".events")); !strings.Contains(got, "moved from https://mondo.example/history/grain-fleets.html to https://mondo.example/history/grain-fleets-of-the-ming.html") {
		t.Errorf("moved article events %q", got)
	}
	if href, _ := doc.Find(".meta a.orig").Attr("href"); href != "https://mondo.example/history/grain-fleets-of-the-ming.html" {
		t.Errorf("moved article's URL %q", href)
	}
}

func TestAPIArticleShowsLife(t *testing.T) {
	f, copyID := lifeFixture(t)
	var a struct {
		State      string  `json:"state"`
		StateSince *string `json:"state_since"`
		Events     []struct {
			Kind, URL, Detail string
		} `json:"events"`
		Copies []string `json:"syndicated_copies"`
	}
	if err := json.Unmarshal([]byte(body(t, f.get("/api/a/"+f.kontor))), &a); err != nil {
		t.Fatal(err)
	}
	if a.State != "gone" || a.StateSince == nil || *a.StateSince != "2024-02-04T09:00:00Z" ||
		len(a.Events) != 1 || a.Events[0].Kind != "gone" || a.Events[0].Detail != "410 Gone" ||
		len(a.Copies) != 1 || a.Copies[0] != copyID {
		t.Errorf("/api/a/kontor = %+v", a)
	}
	var hist []struct{ State string }
	json.Unmarshal([]byte(body(t, f.get("/api/a/"+f.kontor+"/history"))), &hist)
	if len(hist) != 1 || hist[0].State != "gone" {
		t.Errorf("/api/a/kontor/history = %+v", hist)
	}
	var cp struct {
		DeclaredCanonical string `json:"declared_canonical"`
	}
	json.Unmarshal([]byte(body(t, f.get("/api/a/"+copyID))), &cp)
	if cp.DeclaredCanonical != "https://mondo.example/history/kontors.html" {
		t.Errorf("/api/a/copy declared_canonical %q", cp.DeclaredCanonical)
	}
}

func TestFeedsCarryLifeEvents(t *testing.T) {
	f, _ := lifeFixture(t)
	atom := body(t, f.get("/feed.atom"))
	for _, want := range []string{"<title>Gone: The Kontors of the Hanseatic League</title>", "Gone since 2024-02-04T09:00:00Z (410 Gone)",
		`<category term="gone">`, "<title>Moved: The Grain Fleets", `<category term="moved">`} {
		if !strings.Contains(atom, want) {
			t.Errorf("Atom feed lacks %q", want)
		}
	}
	var jf struct {
		Items []struct {
			ID, Title string
			Tags      []string
		}
	}
	if err := json.Unmarshal([]byte(body(t, f.get("/s/mondo-history/feed.json"))), &jf); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	var tags []string
	for _, it := range jf.Items {
		if ids[it.ID] {
			t.Errorf("duplicate item ID %s", it.ID)
		}
		ids[it.ID] = true
		tags = append(tags, it.Tags...)
	}
	// Newest first: the move (day 26), then the removal (day 25), then revisions.
	if len(tags) < 3 || tags[0] != "moved" || tags[1] != "gone" {
		t.Errorf("JSON feed tags %v, want moved, gone first", tags)
	}
}

func TestSourcePageMarksGoneArticles(t *testing.T) {
	f, _ := lifeFixture(t)
	doc := f.page("/s/mondo-history", http.StatusOK)
	var marks []string
	doc.Find(".badge-gone").Each(func(_ int, s *goquery.Selection) { marks = append(marks, text(s)) })
	if len(marks) != 1 || marks[0] != "gone since 2024-02-04" {
		t.Errorf("gone marks %v, want one 'gone since 2024-02-04'", marks)
	}
}
