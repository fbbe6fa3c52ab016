package opml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func parseFile(t *testing.T, path string) *Document {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := Parse(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestParseMiniflux reads a file shaped as Miniflux exports it: every
// feed inside a category outline (text only), feeds with title and text,
// miniflux:scraperRules read as the body selector, other miniflux:
// attributes ignored.
func TestParseMiniflux(t *testing.T) {
	doc := parseFile(t, "testdata/miniflux.opml")
	want := []Feed{
		{Title: "JSTOR Daily", XMLURL: "https://daily.jstor.org/feed/", HTMLURL: "https://daily.jstor.org", Category: "All", Line: 9},
		{Title: "The Public Domain Review", XMLURL: "https://publicdomainreview.org/rss.xml", HTMLURL: "https://publicdomainreview.org/", Category: "All", Line: 10},
		{Title: "Medievalists.net", XMLURL: "https://www.medievalists.net/feed/", HTMLURL: "https://www.medievalists.net", Category: "Medieval & Early Modern", BodySelector: "div.entry-content", Line: 13},
		{Title: "Smithsonian Magazine – History", XMLURL: "https://www.smithsonianmag.com/rss/history/", HTMLURL: "https://www.smithsonianmag.com/history/", Category: "Medieval & Early Modern", Line: 14},
	}
	if !reflect.DeepEqual(doc.Feeds, want) {
		t.Fatalf("feeds:\n%+v\nwant\n%+v", doc.Feeds, want)
	}
	if doc.Title != "Miniflux" || len(doc.Skipped) != 0 {
		t.Fatalf("title %q skipped %+v", doc.Title, doc.Skipped)
	}
}

// TestParseFreshRSS reads a file shaped as FreshRSS exports it: feeds
// with text only and type="rss", an entity in a URL, frss:cssFullContent
// read as the body selector, and an "HTML+XPath"
// scraper outline, which is no feed and is skipped with its line.
func TestParseFreshRSS(t *testing.T) {
	doc := parseFile(t, "testdata/freshrss.opml")
	want := []Feed{
		{Title: "HistoryExtra", XMLURL: "https://www.historyextra.com/feed/", HTMLURL: "https://www.historyextra.com/", Category: "Uncategorized", Line: 9},
		{Title: "Mondo Storia — archivio", XMLURL: "https://www.mondohistory.example/rss.xml?lang=it&section=storia", HTMLURL: "https://www.mondohistory.example/", Category: "Uncategorized", BodySelector: "div.article-content", Line: 10},
		{Title: "JSON Feed blog", XMLURL: "https://history.example.org/feed.json", HTMLURL: "https://history.example.org/", Category: "Scraped", Line: 14},
	}
	if !reflect.DeepEqual(doc.Feeds, want) {
		t.Fatalf("feeds:\n%+v\nwant\n%+v", doc.Feeds, want)
	}
	if len(doc.Skipped) != 1 || doc.Skipped[0].Line != 13 || !strings.Contains(doc.Skipped[0].Reason, `"html+xpath" is not a feed`) {
		t.Fatalf("skipped %+v", doc.Skipped)
	}
}

// TestParseNestedAndOdd: nested folders join into one category; a feed at
// the top level has none; OPML 1.0, xmlurl in another case, a title only
// in text, a non-http URL skipped.
func TestParseNestedAndOdd(t *testing.T) {
	const src = `<?xml version="1.0"?>
<opml version="1.0"><head/><body>
<outline text="Loose" xmlurl="http://loose.example/rss"/>
<outline title="History"><outline text="Ancient">
  <outline text="Rome   Today" xmlUrl="https://rome.example/feed" />
</outline></outline>
<outline text="Bad" xmlUrl="feed://x.example/rss"/>
</body></opml>`
	doc, err := Parse(strings.NewReader(src), "subs.opml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Feed{
		{Title: "Loose", XMLURL: "http://loose.example/rss", Line: 3},
		{Title: "Rome Today", XMLURL: "https://rome.example/feed", Category: "History / Ancient", Line: 5},
	}
	if !reflect.DeepEqual(doc.Feeds, want) {
		t.Fatalf("feeds:\n%+v\nwant\n%+v", doc.Feeds, want)
	}
	if len(doc.Skipped) != 1 || doc.Skipped[0].Line != 7 || !strings.Contains(doc.Skipped[0].Reason, "not an absolute http or https URL") {
		t.Fatalf("skipped %+v", doc.Skipped)
	}
}

// TestParseErrors: what is not OPML is an error naming the file and line.
func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"unclosed", "<opml version=\"2.0\">\n<body>\n<outline text=\"a\">\n</body>\n</opml>\n", "bad.opml:4: not well-formed XML: element <outline> closed by </body>"},
		{"bad attribute", "<opml>\n<body>\n<outline text=a/>\n</body></opml>", "bad.opml:3: not well-formed XML: unquoted or missing attribute value in element"},
		{"rss not opml", "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel/></rss>", "bad.opml:2: not an OPML file: the root element is <rss>, want <opml>"},
		{"no body", "<opml version=\"2.0\"><head/></opml>", "bad.opml: not an OPML file: <opml> has no <body>"},
		{"empty", "", "bad.opml: not an OPML file: no <opml> element"},
		{"truncated", "<opml>\n<body>\n<outline text=\"a\"", "bad.opml:3: not well-formed XML: unexpected EOF"},
	} {
		_, err := Parse(strings.NewReader(c.src), "bad.opml")
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// TestWriteRoundTrip: what Write writes, Parse reads back the same.
func TestWriteRoundTrip(t *testing.T) {
	feeds := []Feed{
		{Title: "Loose <one> & \"quoted\"", XMLURL: "https://a.example/rss?x=1&y=2", HTMLURL: "https://a.example/", Name: "loose"},
		{Title: "Rome", XMLURL: "https://rome.example/feed", Category: "History / Ancient", Name: "rome", BodySelector: "div.post > p, .lede"},
		{Title: "Athens", XMLURL: "https://athens.example/feed", Category: "History / Ancient", Name: "athens"},
		{Title: "Medieval", XMLURL: "https://m.example/feed", HTMLURL: "https://m.example/", Category: "Middle Ages", Name: "medieval"},
	}
	var buf bytes.Buffer
	if err := Write(&buf, "annalist sources", time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), feeds); err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(bytes.NewReader(buf.Bytes()), "out.opml")
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	for i := range doc.Feeds {
		doc.Feeds[i].Line = 0
	}
	if !reflect.DeepEqual(doc.Feeds, feeds) || doc.Title != "annalist sources" {
		t.Fatalf("round trip:\n%+v\nwant\n%+v\n%s", doc.Feeds, feeds, buf.Bytes())
	}
}

// TestWriteShape checks the attributes Miniflux's and FreshRSS's importers
// read, decoded the way they decode them (a plain encoding/xml struct
// walk): OPML 2.0, the category as a folder outline's text, and on each
// feed text, title, type="rss", xmlUrl and htmlUrl.
func TestWriteShape(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, "annalist sources", time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), []Feed{
		{Title: "Rome", XMLURL: "https://rome.example/feed", HTMLURL: "https://rome.example/", Category: "Ancient", Name: "rome", BodySelector: "div.body"},
	})
	if err != nil {
		t.Fatal(err)
	}
	type outline struct {
		Text     string    `xml:"text,attr"`
		Title    string    `xml:"title,attr"`
		Type     string    `xml:"type,attr"`
		XMLURL   string    `xml:"xmlUrl,attr"`
		HTMLURL  string    `xml:"htmlUrl,attr"`
		Outlines []outline `xml:"outline"`
	}
	var doc struct {
		Version     string    `xml:"version,attr"`
		DateCreated string    `xml:"head>dateCreated"`
		Outlines    []outline `xml:"body>outline"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	// The readers' own attributes, in their namespaces.
	out := buf.String()
	for _, want := range []string{`xmlns:miniflux="https://miniflux.app/opml"`, `xmlns:frss="https://freshrss.org/opml"`, `miniflux:scraperRules="div.body"`, `frss:cssFullContent="div.body"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	want := []outline{{Text: "Ancient", Title: "Ancient", Outlines: []outline{{Text: "Rome", Title: "Rome", Type: "rss", XMLURL: "https://rome.example/feed", HTMLURL: "https://rome.example/"}}}}
	if doc.Version != "2.0" || doc.DateCreated != "Mon, 30 Nov 2026 12:00:00 +0000" || !reflect.DeepEqual(doc.Outlines, want) {
		t.Fatalf("got %+v\n%s", doc, buf.Bytes())
	}
}

// TestParseUTF16: a file in UTF-16 with a byte-order mark (as Windows
// tools save XML), little- or big-endian, reads like its UTF-8 twin.
func TestParseUTF16(t *testing.T) {
	const src = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<opml version=\"1.0\"><head><title>Abonnements</title></head><body>\n" +
		"<outline text=\"Histoire de Ré\" xmlUrl=\"https://re.example/rss\"/>\n</body></opml>"
	for _, c := range []struct {
		name string
		enc  func(rune) []byte
		bom  []byte
	}{
		{"little-endian", func(r rune) []byte { return []byte{byte(r), byte(r >> 8)} }, []byte{0xFF, 0xFE}},
		{"big-endian", func(r rune) []byte { return []byte{byte(r >> 8), byte(r)} }, []byte{0xFE, 0xFF}},
	} {
		data := append([]byte{}, c.bom...)
		for _, r := range src { // every rune here is in the BMP
			data = append(data, c.enc(r)...)
		}
		doc, err := Parse(bytes.NewReader(data), "subs.opml")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := []Feed{{Title: "Histoire de Ré", XMLURL: "https://re.example/rss", Line: 3}}
		if doc.Title != "Abonnements" || !reflect.DeepEqual(doc.Feeds, want) {
			t.Fatalf("%s: title %q feeds %+v, want %+v", c.name, doc.Title, doc.Feeds, want)
		}
	}
}
