package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testFeedURL = "https://example.org/history/feed.xml"

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func sha(title, body string) string {
	sum := sha256.Sum256([]byte(title + "\n" + body))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// checkItem compares every field; dates must be equal instants in UTC.
func checkItem(t *testing.T, i int, got, want Item) {
	t.Helper()
	for _, f := range []struct{ name, got, want string }{
		{"Key", got.Key, want.Key},
		{"GUID", got.GUID, want.GUID},
		{"Link", got.Link, want.Link},
		{"Canonical", got.Canonical, want.Canonical},
		{"Title", got.Title, want.Title},
		{"Summary", got.Summary, want.Summary},
		{"Content", got.Content, want.Content},
		{"Author", got.Author, want.Author},
	} {
		if f.got != f.want {
			t.Errorf("item %d %s = %q, want %q", i, f.name, f.got, f.want)
		}
	}
	checkDate(t, i, "Published", got.Published, want.Published)
	checkDate(t, i, "Updated", got.Updated, want.Updated)
}

func checkDate(t *testing.T, i int, name string, got, want *time.Time) {
	t.Helper()
	switch {
	case want == nil && got != nil:
		t.Errorf("item %d %s = %v, want nil", i, name, got)
	case want != nil && got == nil:
		t.Errorf("item %d %s = nil, want %v", i, name, want)
	case want != nil && (!got.Equal(*want) || got.Location() != time.UTC):
		t.Errorf("item %d %s = %v, want %v in UTC", i, name, got, want)
	}
}

func TestParseFormats(t *testing.T) {
	tests := []struct {
		file      string
		wantTitle string
		wantLink  string
		wantTTL   time.Duration
		want      []Item
	}{
		{
			file: "rss2.xml", wantTitle: "Mondo History", wantLink: "https://example.org/", wantTTL: 90 * time.Minute,
			want: []Item{
				{
					Key: "mondo-1", GUID: "mondo-1",
					Link:      "https://example.org/articles/rome?utm_source=rss&id=3&utm_medium=feed#top",
					Canonical: "https://example.org/articles/rome?id=3",
					Title:     "The Fall of Rome", Summary: "Rome &amp; its end.", Content: "<p>The <b>full</b> story.</p>",
					Author:    "Livia Drusilla",
					Published: at("2006-01-02T13:04:05Z"), Updated: at("2006-01-03T09:00:00Z"),
				},
				{
					Key:       "https://example.org/articles/carthage",
					Link:      "https://Example.ORG/articles/carthage?fbclid=abc",
					Canonical: "https://example.org/articles/carthage",
					Title:     "Carthage", Summary: "Delenda est.",
				},
				{ // guid that is an absolute URL stands in for the missing link
					Key: "https://example.org/articles/sparta", GUID: "https://example.org/articles/sparta",
					Link: "https://example.org/articles/sparta", Canonical: "https://example.org/articles/sparta",
					Title: "Sparta", Published: at("2006-01-03T08:00:00Z"),
				},
				{Key: "urn:mondo:4", GUID: "urn:mondo:4", Title: "No link at all"},
				{Key: sha("Anonymous", "Neither link nor guid."), Title: "Anonymous", Summary: "Neither link nor guid."},
				{Key: "mondo-6", GUID: "mondo-6", Title: "Script link"},
				{
					Key:  "https://example.org/history/articles/odd",
					Link: "https://example.org/history/articles/odd", Canonical: "https://example.org/history/articles/odd",
					Title: "Odd date",
				},
				{ // an absolute http guid is a link even when isPermaLink="false"
					Key: "https://example.org/articles/troy?utm_medium=rss", GUID: "https://example.org/articles/troy?utm_medium=rss",
					Link: "https://example.org/articles/troy?utm_medium=rss", Canonical: "https://example.org/articles/troy",
					Title: "Troy",
				},
			},
		},
		{
			file: "rss1.rdf", wantTitle: "Annales", wantLink: "https://example.net/",
			want: []Item{
				{
					Key:  "https://example.org/a/1",
					Link: "https://example.org/a/1?utm_campaign=x", Canonical: "https://example.org/a/1",
					Title: "Marc Bloch", Summary: "Feudal society.", Author: "Lucien Febvre",
					Published: at("2006-01-02T13:04:05Z"),
				},
				{
					Key:  "https://example.net/a/2",
					Link: "https://example.net/a/2", Canonical: "https://example.net/a/2",
					Title: "Fernand Braudel", Summary: "The Mediterranean.",
				},
			},
		},
		{
			file: "rss091.xml", wantTitle: "Old Times", wantLink: "http://old.example.com/",
			want: []Item{
				{
					Key:  "https://example.org/history/stories/cafe.html",
					Link: "https://example.org/history/stories/cafe.html", Canonical: "https://example.org/history/stories/cafe.html",
					Title: "Café society", Summary: "Paris, 1920s.",
				},
				{
					Key:  "http://old.example.com/stories/press.html",
					Link: "http://old.example.com/stories/press.html", Canonical: "http://old.example.com/stories/press.html",
					Title: "Printing press",
				},
			},
		},
		{
			file: "atom.xml", wantTitle: "Chronicle", wantLink: "https://chronicle.example.com/",
			want: []Item{
				{
					Key: "tag:chronicle.example.com,2006:1", GUID: "tag:chronicle.example.com,2006:1",
					Link:      "https://example.org/2006/magna-carta?gclid=zz",
					Canonical: "https://example.org/2006/magna-carta",
					Title:     "Magna Carta", Summary: "Runnymede, 1215.", Content: "<p>Full text.</p>",
					Author:    "Stephen Langton, William Marshal",
					Published: at("2006-01-02T05:00:00Z"), Updated: at("2006-01-03T15:30:00Z"),
				},
				{ // no <published>: recorded as missing, not copied from <updated>
					Key: "tag:chronicle.example.com,2006:2", GUID: "tag:chronicle.example.com,2006:2",
					Link: "https://example.org/history/2006/domesday", Canonical: "https://example.org/history/2006/domesday",
					Title: "Domesday", Updated: at("2006-01-05T09:00:00Z"),
				},
				{ // no <link>: the http id is the permalink
					Key: "https://chronicle.example.com/2006/bayeux", GUID: "https://chronicle.example.com/2006/bayeux",
					Link: "https://chronicle.example.com/2006/bayeux", Canonical: "https://chronicle.example.com/2006/bayeux",
					Title: "Bayeux", Updated: at("2006-01-06T09:00:00Z"),
				},
			},
		},
		{
			file: "feed.json", wantTitle: "Digest", wantLink: "https://digest.example.com/",
			want: []Item{
				{
					Key: "d-1", GUID: "d-1",
					Link: "https://example.org/posts/hastings?utm_source=json", Canonical: "https://example.org/posts/hastings",
					Title: "Hastings", Summary: "The battle.", Content: "<p>1066.</p>", Author: "Harold",
					Published: at("2006-01-02T13:04:05Z"), Updated: at("2006-01-09T05:00:00Z"),
				},
				{ // external_url when there is no url
					Key: "d-2", GUID: "d-2",
					Link: "https://elsewhere.example.org/agincourt", Canonical: "https://elsewhere.example.org/agincourt",
					Title: "Agincourt",
				},
				{Key: "d-3", GUID: "d-3", Title: "No URL", Content: "Just text."},
			},
		},
		{ // gofeed dereferences JSON nulls; they are dropped instead
			file: "json-nulls.json", wantTitle: "Nulls",
			want: []Item{
				{
					Key: "n-1", GUID: "n-1", Link: "https://nulls.example/1", Canonical: "https://nulls.example/1",
					Title: "Survivor", Author: "Clio",
				},
			},
		},
		{
			file: "rss-dates.xml", wantTitle: "Dates", wantLink: "https://dates.example/",
			want: []Item{
				{Key: "same", GUID: "same", Title: "dc:date equal to pubDate is no revision", Published: at("2006-01-02T15:04:05Z")},
				{Key: "later", GUID: "later", Title: "later dc:date is a revision", Published: at("2006-01-02T15:04:05Z"), Updated: at("2006-02-01T13:00:00Z")},
				{Key: "atom", GUID: "atom", Title: "atom:updated", Published: at("2006-01-02T15:04:05Z"), Updated: at("2006-02-28T23:30:00Z")},
				{Key: "dcmod", GUID: "dcmod", Title: "dc:modified", Updated: at("2006-04-01T10:00:00Z")},
				{Key: "dcterms", GUID: "dcterms", Title: "dcterms:modified date only, beats dc:date", Published: at("2006-01-02T15:04:05Z"), Updated: at("2006-05-01T00:00:00Z")},
				{Key: "junk", GUID: "junk", Title: "unparseable modification date"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := Parse(readFixture(t, tt.file), testFeedURL, nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if f.Title != tt.wantTitle || f.Link != tt.wantLink || f.TTL != tt.wantTTL {
				t.Errorf("feed = {%q %q %v}, want {%q %q %v}", f.Title, f.Link, f.TTL, tt.wantTitle, tt.wantLink, tt.wantTTL)
			}
			if len(f.Items) != len(tt.want) {
				t.Fatalf("%d items, want %d", len(f.Items), len(tt.want))
			}
			for i := range tt.want {
				checkItem(t, i, f.Items[i], tt.want[i])
			}
		})
	}
}

func TestParseNoFeed(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"html page", readFixture(t, "page.html")},
		{"xhtml with xml declaration", []byte(`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>`)},
		{"empty body", nil},
		{"plain text", []byte("502 Bad Gateway\n")},
		{"json that is not a JSON Feed", []byte(`{"error":"not found","items":[]}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(tt.data, testFeedURL, nil)
			if !errors.Is(err, ErrNoFeed) {
				t.Fatalf("Parse = %v, %v; want ErrNoFeed", f, err)
			}
			if f != nil {
				t.Errorf("feed %+v returned with error", f)
			}
		})
	}
}

// TestParseTruncated cuts each fixture at every byte before its end: no cut
// may yield a feed, since that would be half the items presented as all.
func TestParseTruncated(t *testing.T) {
	tests := []struct{ file, end string }{
		{"rss2.xml", "</rss>"},
		{"atom.xml", "</feed>"},
		{"rss1.rdf", "</rdf:RDF>"},
		{"feed.json", "}"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readFixture(t, tt.file)
			end := bytes.LastIndex(data, []byte(tt.end)) + len(tt.end)
			if _, err := Parse(data[:end], testFeedURL, nil); err != nil {
				t.Fatalf("complete document: %v", err)
			}
			for cut := range end {
				f, err := Parse(data[:cut], testFeedURL, nil)
				if err == nil || f != nil {
					t.Fatalf("cut at %d (…%q): feed with %d items, err %v; want an error and no feed",
						cut, data[max(0, cut-20):cut], len(f.Items), err)
				}
			}
		})
	}
}

func TestParseControlCharacters(t *testing.T) {
	tests := []struct{ file, wantFeedTitle, wantItemTitle string }{
		{"control.xml", "Ctl Feed", "Bell and null"},
		{"control.json", "Ctl", "Backspace"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := Parse(readFixture(t, tt.file), testFeedURL, nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if f.Title != tt.wantFeedTitle || len(f.Items) != 1 || f.Items[0].Title != tt.wantItemTitle {
				t.Fatalf("got %q / %+v", f.Title, f.Items)
			}
		})
	}
}

func TestParseEncodings(t *testing.T) {
	tests := []struct{ file, wantTitle string }{
		{"latin1.xml", "Crème brûlée"},
		{"latin1-as-utf8.xml", "Crème brûlée"}, // already converted by the fetcher
		{"invalid-utf8.xml", "Caf\uFFFD"},
		{"utf16le.xml", "Café 中文"},
		{"utf16be-nobom.xml", "Café 中文"},
		{"bom.json", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := Parse(readFixture(t, tt.file), testFeedURL, nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(f.Items) != 1 || f.Items[0].Title != tt.wantTitle {
				t.Fatalf("items %+v, want one titled %q", f.Items, tt.wantTitle)
			}
		})
	}
}

// TestParseDoctypeBomb: encoding/xml expands no custom entities, so a
// billion-laughs DOCTYPE yields at most the bytes it came in.
func TestParseDoctypeBomb(t *testing.T) {
	data := readFixture(t, "bomb.xml")
	f, err := Parse(data, testFeedURL, nil)
	if err != nil {
		return // refusing it is as harmless as parsing it
	}
	n := len(f.Title) + len(f.Link)
	for _, it := range f.Items {
		n += len(it.Key) + len(it.GUID) + len(it.Link) + len(it.Canonical) + len(it.Title) + len(it.Summary) + len(it.Content) + len(it.Author)
	}
	if n > len(data) {
		t.Fatalf("%d bytes of output from %d bytes of input", n, len(data))
	}
	if strings.Contains(f.Title, "lollol") {
		t.Fatalf("entity expanded: %q", f.Title)
	}
}

// TestParseLongProlog: a feed whose root element starts after gofeed's 4 KB
// detection window is still a feed.
func TestParseLongProlog(t *testing.T) {
	rss := readFixture(t, "rss2.xml")
	decl, body, _ := bytes.Cut(rss, []byte("\n"))
	var data []byte
	data = append(data, decl...)
	data = append(data, "\n<!-- "...)
	data = append(data, bytes.Repeat([]byte("padding "), 1000)...)
	data = append(data, " -->\n"...)
	data = append(data, body...)
	f, err := Parse(data, testFeedURL, nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(f.Items) != 8 {
		t.Fatalf("%d items, want 8", len(f.Items))
	}
}

func TestParseDuplicateKeys(t *testing.T) {
	data := readFixture(t, "dupes.xml")
	want := []string{
		"a", "a#2", "a#2#2", "a#3",
		"https://dupes.example/same", "https://dupes.example/same#2",
		sha("seven", "same"), sha("seven", "same") + "#2",
	}
	for run := range 2 { // the same document always gives the same keys
		f, err := Parse(data, testFeedURL, nil)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if len(f.Items) != len(want) {
			t.Fatalf("%d items, want %d", len(f.Items), len(want))
		}
		for i, w := range want {
			if f.Items[i].Key != w {
				t.Errorf("run %d item %d Key = %q, want %q", run, i, f.Items[i].Key, w)
			}
		}
	}
}

func TestParseBaseURL(t *testing.T) {
	data := readFixture(t, "rss091.xml")
	f, err := Parse(data, "", nil)
	if err != nil {
		t.Fatalf("Parse without base: %v", err)
	}
	if f.Items[0].Link != "" || f.Items[0].Canonical != "" {
		t.Errorf("relative link without base = %q/%q, want empty", f.Items[0].Link, f.Items[0].Canonical)
	}
	if f.Items[1].Link != "http://old.example.com/stories/press.html" {
		t.Errorf("absolute link without base = %q", f.Items[1].Link)
	}
	if _, err := Parse(data, "http://[::1", nil); err == nil {
		t.Error("unparseable feed URL: want error")
	}
}

func TestTTL(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"60", time.Hour},
		{" 15 ", 15 * time.Minute},
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"soon", 0},
		{"1.5", 0},
		{"999999999999999", 0}, // would overflow time.Duration
	}
	for _, tt := range tests {
		if got := ttl(tt.in); got != tt.want {
			t.Errorf("ttl(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
