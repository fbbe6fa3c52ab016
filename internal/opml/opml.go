// Package opml reads and writes OPML subscription lists: the files feed
// readers (Miniflux, FreshRSS, …) import and export.
package opml

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Namespace marks annalist's own attributes (the source's name), which
// other readers ignore.
const Namespace = "https://github.com/annalist-archive/annalist/opml"

// The namespaces of Miniflux's and FreshRSS's own attributes, of which
// annalist reads and writes one each: the CSS selector of a feed's
// article body on its pages (Miniflux's scraperRules, FreshRSS's
// cssFullContent), annalist's selectors.body.
const (
	NamespaceMiniflux = "https://miniflux.app/opml"
	NamespaceFreshRSS = "https://freshrss.org/opml"
)

// ErrInvalid matches every *Error: the file is not OPML annalist can read.
var ErrInvalid = errors.New("opml: invalid OPML")

// Error is a problem at one line of an OPML file.
type Error struct {
	File string
	Line int // 1-based; 0 when unknown
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Feed is one subscription: an outline with an xmlUrl.
type Feed struct {
	Title    string // title, else text
	XMLURL   string // the feed
	HTMLURL  string // the site, "" if not given
	Category string // the enclosing outlines' names, outermost first, joined by " / "; "" at top level
	Name     string // annalist:name, "" unless annalist wrote the file
	// BodySelector is the CSS selector of the article body on the feed's
	// pages: miniflux:scraperRules or frss:cssFullContent.
	BodySelector string
	Line         int // where the outline starts
}

// Skipped is an outline with an xmlUrl that is not read as a feed.
type Skipped struct {
	Line   int
	XMLURL string
	Reason string
}

// Document is what Parse finds in a file.
type Document struct {
	Title   string
	Feeds   []Feed
	Skipped []Skipped
}

// feedTypes are the outline types read as feeds (compared lower-cased);
// an outline without a type is one too when it has an xmlUrl.
var feedTypes = map[string]bool{"": true, "rss": true, "atom": true, "json": true, "jsonfeed": true, "feed": true}

// CategorySep joins nested folder names into one category.
const CategorySep = " / "

// Parse reads an OPML 1.0 or 2.0 document; file names it in errors.
// Folders (outlines without xmlUrl) at any depth give their feeds a
// category; a malformed document is an *Error naming file and line.
func Parse(r io.Reader, file string) (*Document, error) {
	r, utf16 := decodeUTF16(r)
	dec := xml.NewDecoder(r)
	dec.Entity = xml.HTMLEntity // exports carry &nbsp; and friends
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if utf16 && strings.HasPrefix(strings.ToLower(label), "utf-16") {
			return in, nil // decoded already
		}
		return charset.NewReaderLabel(label, in)
	}
	doc := &Document{}
	type frame struct {
		name   string
		folder bool
	}
	var (
		stack            []string // element names, root first
		folders          []frame  // enclosing outlines
		sawRoot, sawBody bool
		inHeadTitle      bool
	)
	fail := func(line int, format string, a ...any) error {
		return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, a...)}
	}
	for {
		line, _ := dec.InputPos()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, fail(se.Line, "not well-formed XML: %s", se.Msg)
			}
			return nil, fail(line, "%v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if sawRoot || t.Name.Local != "opml" {
					return nil, fail(line, "not an OPML file: the root element is <%s>, want <opml>", t.Name.Local)
				}
				sawRoot = true
			}
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			stack = append(stack, t.Name.Local)
			switch {
			case t.Name.Local == "body" && parent == "opml":
				sawBody = true
			case t.Name.Local == "title" && parent == "head":
				inHeadTitle = true
			case t.Name.Local == "outline" && (parent == "body" || parent == "outline"):
				f, isFeed := outline(t.Attr)
				if !isFeed {
					folders = append(folders, frame{name: f.Title, folder: true})
					continue
				}
				folders = append(folders, frame{})
				f.Line = line
				var cat []string
				for _, fr := range folders {
					if fr.folder && strings.TrimSpace(fr.name) != "" {
						cat = append(cat, strings.TrimSpace(fr.name))
					}
				}
				f.Category = strings.Join(cat, CategorySep)
				typ, _ := attr(t.Attr, "type")
				if reason := skipReason(f.XMLURL, strings.ToLower(typ)); reason != "" {
					doc.Skipped = append(doc.Skipped, Skipped{Line: line, XMLURL: f.XMLURL, Reason: reason})
					continue
				}
				doc.Feeds = append(doc.Feeds, f)
			}
		case xml.EndElement:
			if n := len(stack); n > 0 {
				if stack[n-1] == "outline" && len(folders) > 0 {
					folders = folders[:len(folders)-1]
				}
				if stack[n-1] == "title" {
					inHeadTitle = false
				}
				stack = stack[:n-1]
			}
		case xml.CharData:
			if inHeadTitle {
				doc.Title += string(t)
			}
		}
	}
	if !sawRoot {
		return nil, fail(0, "not an OPML file: no <opml> element")
	}
	if !sawBody {
		return nil, fail(0, "not an OPML file: <opml> has no <body>")
	}
	doc.Title = strings.TrimSpace(doc.Title)
	return doc, nil
}

// decodeUTF16 turns a document that starts with a UTF-16 byte-order mark
// (as Windows tools save XML) into UTF-8: encoding/xml reads only
// encodings that spell the XML declaration in ASCII.
func decodeUTF16(r io.Reader) (io.Reader, bool) {
	br := bufio.NewReader(r)
	b, _ := br.Peek(2) // a shorter file is no UTF-16: the decoder says what it is
	if len(b) == 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF) {
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), true
	}
	return br, false
}

// outline reads an outline's attributes; isFeed is whether it has an
// xmlUrl (OPML spells it xmlUrl; some exporters xmlurl or xmlURL).
func outline(attrs []xml.Attr) (f Feed, isFeed bool) {
	f.XMLURL, isFeed = attr(attrs, "xmlurl")
	f.XMLURL = strings.TrimSpace(f.XMLURL)
	f.HTMLURL, _ = attr(attrs, "htmlurl")
	f.HTMLURL = strings.TrimSpace(f.HTMLURL)
	title, _ := attr(attrs, "title")
	if strings.TrimSpace(title) == "" {
		title, _ = attr(attrs, "text")
	}
	f.Title = strings.Join(strings.Fields(title), " ")
	for _, a := range attrs {
		switch {
		case a.Name.Local == "name" && (a.Name.Space == Namespace || a.Name.Space == "annalist"):
			f.Name = a.Value
		case a.Name.Local == "scraperRules" && a.Name.Space == NamespaceMiniflux,
			a.Name.Local == "cssFullContent" && a.Name.Space == NamespaceFreshRSS:
			if v := strings.TrimSpace(a.Value); v != "" {
				f.BodySelector = v
			}
		}
	}
	return f, isFeed && f.XMLURL != ""
}

// attr finds an attribute without a namespace by its lower-cased name.
func attr(attrs []xml.Attr, lower string) (string, bool) {
	for _, a := range attrs {
		if a.Name.Space == "" && strings.ToLower(a.Name.Local) == lower {
			return a.Value, true
		}
	}
	return "", false
}

// skipReason says why an outline with an xmlUrl is not a feed annalist
// can poll, or "" when it is.
func skipReason(xmlURL, typ string) string {
	if !feedTypes[typ] {
		// FreshRSS's "HTML+XPath" scrapes a page; it is no feed.
		return fmt.Sprintf("type %q is not a feed (rss, atom or json)", typ)
	}
	u, err := url.Parse(xmlURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return fmt.Sprintf("xmlUrl %q is not an absolute http or https URL", xmlURL)
	}
	return ""
}

// xmlOPML is the document Write produces.
type xmlOPML struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	NS      string   `xml:"xmlns:annalist,attr"`
	NSMini  string   `xml:"xmlns:miniflux,attr"`
	NSFresh string   `xml:"xmlns:frss,attr"`
	Head    struct {
		Title       string `xml:"title"`
		DateCreated string `xml:"dateCreated"`
	} `xml:"head"`
	Body []xmlOutline `xml:"body>outline"`
}

type xmlOutline struct {
	Text     string       `xml:"text,attr"`
	Title    string       `xml:"title,attr,omitempty"`
	Type     string       `xml:"type,attr,omitempty"`
	XMLURL   string       `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string       `xml:"htmlUrl,attr,omitempty"`
	Name     string       `xml:"annalist:name,attr,omitempty"`
	Scraper  string       `xml:"miniflux:scraperRules,attr,omitempty"`
	CSSFull  string       `xml:"frss:cssFullContent,attr,omitempty"`
	Outlines []xmlOutline `xml:"outline"`
}

// Write writes feeds as an OPML 2.0 document: feeds without a category at
// the top level, then one folder outline per category (in the order they
// first appear), as Miniflux and FreshRSS export and import them; a body
// selector goes in both readers' attributes.
func Write(w io.Writer, title string, created time.Time, feeds []Feed) error {
	doc := xmlOPML{Version: "2.0", NS: Namespace, NSMini: NamespaceMiniflux, NSFresh: NamespaceFreshRSS}
	doc.Head.Title = title
	doc.Head.DateCreated = created.UTC().Format(time.RFC1123Z)
	folder := map[string]int{}
	for _, f := range feeds {
		o := xmlOutline{Text: f.Title, Title: f.Title, Type: "rss", XMLURL: f.XMLURL, HTMLURL: f.HTMLURL, Name: f.Name,
			Scraper: f.BodySelector, CSSFull: f.BodySelector}
		if o.Text == "" {
			o.Text, o.Title = f.Name, f.Name
		}
		if f.Category == "" {
			doc.Body = append(doc.Body, o)
			continue
		}
		i, ok := folder[f.Category]
		if !ok {
			i = len(doc.Body)
			folder[f.Category] = i
			doc.Body = append(doc.Body, xmlOutline{Text: f.Category, Title: f.Category})
		}
		doc.Body[i].Outlines = append(doc.Body[i].Outlines, o)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	return nil
}
