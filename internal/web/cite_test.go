package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"annalist/internal/store"
)

// The snapshot page names the source by its title, the byline and both
// dates, and carries Highwire and Dublin Core metadata for Zotero.
func TestSnapshotCitationBlockAndHeadMetadata(t *testing.T) {
	f := newFixture(t)
	id := f.grainS[2]
	doc := f.page("/a/"+id, 200)
	perma := "http://archive.test/a/" + id
	meta := map[string][]string{}
	doc.Find("head meta[name]").Each(func(_ int, s *goquery.Selection) {
		meta[s.AttrOr("name", "")] = append(meta[s.AttrOr("name", "")], s.AttrOr("content", ""))
	})
	pub := t0.Add(-day(30)).Format("2006/01/02")
	for name, want := range map[string]string{
		"citation_title":             "The Grain Fleets of the Grand Canal (revised)",
		"citation_author":            "Historian, A.",
		"citation_publication_date":  pub,
		"citation_date":              pub,
		"citation_public_url":        perma,
		"citation_fulltext_html_url": perma,
		"DC.title":                   "The Grain Fleets of the Grand Canal (revised)",
		"DC.creator":                 "A. Historian",
		"DC.date":                    t0.Add(-day(30)).Format("2006-01-02"),
		"DC.identifier":              "https://mondo.example/history/grain-fleets.html",
		"DC.source":                  "Mondo History",
	} {
		if got := meta[name]; len(got) != 1 || got[0] != want {
			t.Errorf("<meta name=%s> = %q, want %q", name, got, want)
		}
	}
	dd := map[string]string{}
	doc.Find("section.cite dt").Each(func(_ int, s *goquery.Selection) { dd[text(s)] = text(s.Next()) })
	for k, want := range map[string]string{"Source": "Mondo History", "Author": "A. Historian",
		"Published": t0.Add(-day(30)).Format("2006-01-02"), "Revision date": t0.Add(day(21)).Format("2006-01-02"),
		"Captured": "2024-02-01T09:00:00Z"} {
		if dd[k] != want {
			t.Errorf("citation block %s = %q, want %q", k, dd[k], want)
		}
	}
	if c := text(doc.Find("blockquote.citation")); !strings.Contains(c, "A. Historian. “The Grain Fleets of the Grand Canal (revised).” Mondo History. Published") {
		t.Errorf("citation = %q", c)
	}
	if href, _ := doc.Find(`section.cite a[href$="/cite.bib"]`).Attr("href"); href != "/a/"+id+"/cite.bib" {
		t.Errorf("BibTeX link %q", href)
	}
	if href, _ := doc.Find(`head link[rel=alternate][type="application/vnd.citationstyles.csl+json"]`).Attr("href"); href != "/a/"+id+"/cite.json" {
		t.Errorf("CSL-JSON alternate %q", href)
	}
}

func TestCitationDownloads(t *testing.T) {
	f := newFixture(t)
	id := f.grainS[0]
	resp := f.get("/a/" + id + "/cite.bib")
	bib := body(t, resp)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-bibtex; charset=utf-8" {
		t.Fatalf("cite.bib: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"@misc{", "title = {{The Grain Fleets of the Grand Canal}}", "howpublished = {Mondo History}",
		"url = {https://mondo.example/history/grain-fleets.html}", `\url{http://archive.test/a/` + id + `}`} {
		if !strings.Contains(bib, want) {
			t.Errorf("cite.bib lacks %q:\n%s", want, bib)
		}
	}
	resp = f.get("/a/" + id + "/cite.json")
	js := body(t, resp)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.citationstyles.csl+json" {
		t.Fatalf("cite.json: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var items []map[string]any
	if err := json.Unmarshal([]byte(js), &items); err != nil || len(items) != 1 || items[0]["type"] != "webpage" ||
		items[0]["archive_location"] != "http://archive.test/a/"+id || items[0]["container-title"] != "Mondo History" {
		t.Errorf("cite.json = %s (%v)", js, err)
	}
	if resp := f.get("/a/" + f.grain + "/20000101000000/cite.bib"); resp.StatusCode != 404 {
		t.Errorf("no such snapshot: %d", resp.StatusCode)
	}
	if resp := f.get("/a/" + id + "/cite.xml"); resp.StatusCode != 404 {
		t.Errorf("unknown format: %d", resp.StatusCode)
	}
}

// With a base URL configured, citations name it, not the request's host.
func TestCitationUsesBaseURL(t *testing.T) {
	f := newFixture(t)
	srv, err := New(Options{Store: f.st, Now: func() time.Time { return t0.Add(day(30)) }, BaseURL: "https://archive.example.org/"})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	id := f.grainS[0]
	doc := f.page("/a/"+id, 200)
	if got := doc.Find(`meta[name=citation_public_url]`).AttrOr("content", ""); got != "https://archive.example.org/a/"+id {
		t.Errorf("citation_public_url = %q", got)
	}
	if c := text(doc.Find("blockquote.citation")); !strings.Contains(c, "https://archive.example.org/a/"+id) || strings.Contains(c, "archive.test") {
		t.Errorf("citation = %q", c)
	}
	if bib := body(t, f.get("/a/"+id+"/cite.bib")); !strings.Contains(bib, `\url{https://archive.example.org/a/`+id+`}`) {
		t.Errorf("cite.bib:\n%s", bib)
	}
}

// A paginated article's snapshot says how many pages it joins.
func TestSnapshotPageShowsPageCount(t *testing.T) {
	f := newFixture(t)
	p := pageOf("mondo-history", "https://mondo.example/history/long.html", "A Long Essay", []string{"Page one.", "Page two."}, t0, nil, "")
	p.MorePages = []store.Response{{URL: "https://mondo.example/history/long.html?page=2", StatusCode: 200,
		Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<p>Page two.</p>")}}
	res := save(t, f.st, p)
	dd := map[string]string{}
	doc := f.page("/a/"+res.SnapshotID, 200)
	doc.Find("section.cite dt").Each(func(_ int, s *goquery.Selection) { dd[text(s)] = text(s.Next()) })
	if dd["Pages"] != "2 pages of the original, joined" {
		t.Errorf("Pages = %q", dd["Pages"])
	}
	doc = f.page("/a/"+f.grainS[0], 200)
	if doc.Find("section.cite dt:contains('Pages')").Length() != 0 {
		t.Error("a one-page snapshot lists its pages")
	}
}
