package view

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"annalist/internal/store"
)

func testCitation(byline, title string) Citation {
	pub := time.Date(2023, 11, 5, 0, 0, 0, 0, time.UTC)
	rev := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	a := &store.Article{ID: "3f2a9c0d1b7e", Source: "mondo-history", URL: "https://www.mondohistory.example/yalta?id=7&x=50%"}
	s := &store.Snapshot{ID: "3f2a9c0d1b7e/20240201090000", Title: title, Byline: byline, PublishedDate: &pub, RevisionDate: &rev,
		CapturedAt: time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC), Fingerprint: "n1:abc"}
	return NewCitation(a, s, "Mondo History", "https://archive.example.org/")
}

func TestCitationAuthors(t *testing.T) {
	for byline, want := range map[string][]Name{
		"By Jane Doe":                  {{Family: "Doe", Given: "Jane"}},
		"Jane Doe and John R. Smith":   {{Family: "Doe", Given: "Jane"}, {Family: "Smith", Given: "John R."}},
		"von Hans Müller":              {{Family: "Müller", Given: "Hans"}},
		"Mondo History Editorial Team": {{Literal: "Mondo History Editorial Team"}},
		"Ludwig van Beethoven":         {{Literal: "Ludwig van Beethoven"}},
		"Doe, Jane":                    {{Literal: "Doe, Jane"}},
		"":                             nil,
	} {
		if got := testCitation(byline, "T").Authors(); !reflect.DeepEqual(got, want) {
			t.Errorf("Authors(%q) = %+v, want %+v", byline, got, want)
		}
	}
}

func TestCitationBibTeX(t *testing.T) {
	got := testCitation("By Jane Doe", "Yalta: 50% of {Europe} & the $ #1_choice").BibTeX()
	for _, want := range []string{
		"@misc{annalist:3f2a9c0d1b7e:20240201090000,\n",
		`  title = {{Yalta: 50\% of \{Europe\} \& the \$ \#1\_choice}},`,
		"  author = {Doe, Jane},",
		"  year = {2023},",
		"  date = {2023-11-05},",
		`  url = {https://www.mondohistory.example/yalta?id=7&x=50\%},`,
		"  urldate = {2024-02-01},",
		"  howpublished = {Mondo History},",
		`  note = {Revised 2024-01-31. Archived on 2024-02-01 09:00:00 UTC by annalist: \url{https://archive.example.org/a/3f2a9c0d1b7e/20240201090000}},`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("BibTeX lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "{") != strings.Count(got, "}")+strings.Count(got, `\{`)-strings.Count(got, `\}`) {
		t.Errorf("unbalanced braces:\n%s", got)
	}
	if lit := testCitation("Mondo History Editorial Team", "T").BibTeX(); !strings.Contains(lit, "author = {{Mondo History Editorial Team}},") {
		t.Errorf("a literal author is not braced:\n%s", lit)
	}
}

func TestCitationCSLJSON(t *testing.T) {
	b, err := testCitation("By Jane Doe and Acme Press Office", "Yalta").CSLJSON()
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	if err := json.Unmarshal(b, &items); err != nil || len(items) != 1 {
		t.Fatalf("not a CSL-JSON array of one item: %v\n%s", err, b)
	}
	it := items[0]
	want := map[string]any{
		"type": "webpage", "title": "Yalta", "URL": "https://www.mondohistory.example/yalta?id=7&x=50%",
		"container-title": "Mondo History", "archive": "annalist",
		"archive_location": "https://archive.example.org/a/3f2a9c0d1b7e/20240201090000",
	}
	for k, v := range want {
		if it[k] != v {
			t.Errorf("%s = %v, want %v", k, it[k], v)
		}
	}
	authors, _ := json.Marshal(it["author"])
	if string(authors) != `[{"family":"Doe","given":"Jane"},{"literal":"Acme Press Office"}]` {
		t.Errorf("author = %s", authors)
	}
	for k, v := range map[string]string{"issued": `{"date-parts":[[2023,11,5]]}`, "accessed": `{"date-parts":[[2024,2,1]]}`} {
		if got, _ := json.Marshal(it[k]); string(got) != v {
			t.Errorf("%s = %s, want %s", k, got, v)
		}
	}
}

func TestCitationTextAndMeta(t *testing.T) {
	c := testCitation("By Jane Doe", "Yalta")
	text := c.Text()
	for _, want := range []string{"Jane Doe.", "“Yalta.” Mondo History.", "Published 5 November 2023.", "Revised 31 January 2024.",
		"Archived 1 February 2024, 09:00:00 UTC by annalist: https://archive.example.org/a/3f2a9c0d1b7e/20240201090000"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q: %s", want, text)
		}
	}
	got := map[string]string{}
	for _, m := range c.Meta() {
		got[m.Name] = m.Content
	}
	for k, v := range map[string]string{
		"citation_title": "Yalta", "citation_author": "Doe, Jane", "citation_publication_date": "2023/11/05",
		"citation_date": "2023/11/05", "citation_public_url": c.ArchiveURL, "citation_fulltext_html_url": c.ArchiveURL,
		"DC.title": "Yalta", "DC.creator": "Jane Doe", "DC.date": "2023-11-05", "DC.identifier": c.URL, "DC.source": "Mondo History",
	} {
		if got[k] != v {
			t.Errorf("meta %s = %q, want %q", k, got[k], v)
		}
	}
}
