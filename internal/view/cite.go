package view

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"annalist/internal/store"
)

// Citation is what a reference to one snapshot names: the snapshot page's
// citation block and head metadata, `show --format bibtex|csl-json`, and
// the web UI's /a/{article}/{ts}/cite.bib and cite.json.
type Citation struct {
	SnapshotID  string
	Title       string
	Byline      string // as the page gave it ("By Jane Doe")
	SourceTitle string // the source's title (its name when it has none)
	URL         string // the article's canonical URL
	ArchiveURL  string // the snapshot in this archive
	Published   *time.Time
	Revised     *time.Time
	Captured    time.Time
	Fingerprint string
}

// NewCitation is the citation of snapshot s of article a. sourceTitle may be
// empty (the source's name is used); archiveBase is the archive's address
// without a trailing slash ("https://archive.example.org").
func NewCitation(a *store.Article, s *store.Snapshot, sourceTitle, archiveBase string) Citation {
	if sourceTitle == "" {
		sourceTitle = a.Source
	}
	return Citation{SnapshotID: s.ID, Title: s.Title, Byline: s.Byline, SourceTitle: sourceTitle, URL: a.URL,
		ArchiveURL: strings.TrimRight(archiveBase, "/") + "/a/" + s.ID, Published: s.PublishedDate, Revised: s.RevisionDate,
		Captured: s.CapturedAt.UTC(), Fingerprint: s.Fingerprint}
}

// Name is one author, split into family and given names when the byline
// is a plain personal name, else kept whole as Literal.
type Name struct {
	Family  string `json:"family,omitempty"`
	Given   string `json:"given,omitempty"`
	Literal string `json:"literal,omitempty"`
}

// byPrefix is a byline's lead-in: "By", "Von", "Par", "Por", "Di", "От"…
var byPrefix = regexp.MustCompile(`(?i)^(by|von|par|por|di|da|door|av|от)\s+`)

// authorSep splits a byline listing several authors.
var authorSep = regexp.MustCompile(`\s*(?:;|&|\band\b|\bund\b|\bet\b|\by\b|,\s*and\b)\s*`)

// Authors parses the byline into names: "By Jane Doe and John Smith" →
// Doe, Jane; Smith, John. A name of two or three capitalised words is
// split (the last word is the family name); anything else (an
// organisation, "Staff writer", a name with a particle or a comma, as in
// "Doe, Jane" or "Jane Doe, Historian") stays literal.
func (c Citation) Authors() []Name {
	b := strings.TrimSpace(byPrefix.ReplaceAllString(strings.TrimSpace(c.Byline), ""))
	if b == "" {
		return nil
	}
	var out []Name
	for _, part := range authorSep.Split(b, -1) {
		part = strings.Trim(strings.TrimSpace(part), ",")
		if part == "" {
			continue
		}
		out = append(out, parseName(part))
	}
	return out
}

// orgWords mark a byline naming an organisation or a role, not a person.
var orgWords = map[string]bool{
	"staff": true, "team": true, "office": true, "press": true, "editors": true, "editorial": true, "desk": true,
	"agency": true, "news": true, "magazine": true, "review": true, "museum": true, "society": true,
	"institute": true, "university": true, "library": true, "archive": true, "archives": true, "redaktion": true,
	"rédaction": true, "redacción": true, "writer": true, "correspondent": true, "contributors": true,
}

func parseName(s string) Name {
	words := strings.Fields(s)
	if len(words) < 2 || len(words) > 3 {
		return Name{Literal: s}
	}
	for _, w := range words {
		if orgWords[strings.ToLower(w)] {
			return Name{Literal: s}
		}
		r := []rune(w)
		if !unicode.IsUpper(r[0]) {
			return Name{Literal: s}
		}
		for _, c := range r {
			if !unicode.IsLetter(c) && c != '.' && c != '-' && c != '\'' && c != '’' {
				return Name{Literal: s}
			}
		}
	}
	return Name{Family: words[len(words)-1], Given: strings.Join(words[:len(words)-1], " ")}
}

// issued is the date the article declares: published, else revised.
func (c Citation) issued() *time.Time {
	if c.Published != nil {
		return c.Published
	}
	return c.Revised
}

// Text is a plain reference a historian can paste.
func (c Citation) Text() string {
	var b strings.Builder
	if names := c.Authors(); len(names) > 0 {
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = n.display()
		}
		b.WriteString(strings.Join(parts, ", ") + ". ")
	}
	b.WriteString("“" + c.Title + ".” " + c.SourceTitle + ". ")
	if c.Published != nil {
		b.WriteString("Published " + c.Published.UTC().Format("2 January 2006") + ". ")
	}
	if c.Revised != nil {
		b.WriteString("Revised " + c.Revised.UTC().Format("2 January 2006") + ". ")
	}
	b.WriteString(c.URL + ". Archived " + c.Captured.Format("2 January 2006, 15:04:05 UTC") + " by annalist: " +
		c.ArchiveURL + " (fingerprint " + c.Fingerprint + ").")
	return b.String()
}

func (n Name) display() string {
	if n.Literal != "" {
		return n.Literal
	}
	return n.Given + " " + n.Family
}

// bibKey is a BibTeX key made of characters every BibTeX accepts.
func (c Citation) bibKey() string {
	return "annalist:" + strings.ReplaceAll(c.SnapshotID, "/", ":")
}

// BibTeX is a @misc entry: title, author, year and date (declared), url
// and urldate (captured), the source as howpublished and the archived copy
// in note. Text fields escape BibTeX's special characters; titles are
// braced so that styles keep their capitals.
func (c Citation) BibTeX() string {
	var b strings.Builder
	field := func(k, v string) { fmt.Fprintf(&b, "  %s = {%s},\n", k, v) }
	fmt.Fprintf(&b, "@misc{%s,\n", c.bibKey())
	field("title", "{"+bibEscape(c.Title)+"}")
	if names := c.Authors(); len(names) > 0 {
		parts := make([]string, len(names))
		for i, n := range names {
			if n.Literal != "" {
				parts[i] = "{" + bibEscape(n.Literal) + "}"
			} else {
				parts[i] = bibEscape(n.Family) + ", " + bibEscape(n.Given)
			}
		}
		field("author", strings.Join(parts, " and "))
	}
	if d := c.issued(); d != nil {
		field("year", d.UTC().Format("2006"))
		field("date", d.UTC().Format("2006-01-02"))
	}
	field("url", bibURL(c.URL))
	field("urldate", c.Captured.Format("2006-01-02"))
	field("howpublished", bibEscape(c.SourceTitle))
	note := ""
	if c.Published != nil && c.Revised != nil {
		note = "Revised " + c.Revised.UTC().Format("2006-01-02") + ". "
	}
	note += "Archived on " + c.Captured.Format("2006-01-02 15:04:05") + " UTC by annalist: \\url{" + bibURL(c.ArchiveURL) + "}"
	field("note", note)
	b.WriteString("}\n")
	return b.String()
}

var bibReplacer = strings.NewReplacer(
	`\`, `\textbackslash{}`, `{`, `\{`, `}`, `\}`, `$`, `\$`, `&`, `\&`, `%`, `\%`, `#`, `\#`, `_`, `\_`,
	`^`, `\textasciicircum{}`, `~`, `\textasciitilde{}`,
)

// bibEscape makes text safe in a braced BibTeX field.
func bibEscape(s string) string { return bibReplacer.Replace(strings.Join(strings.Fields(s), " ")) }

// bibURL keeps a URL verbatim for \url and the url field, but for what
// would unbalance braces or start a LaTeX comment or command.
var bibURLReplacer = strings.NewReplacer(`\`, `%5C`, `{`, `%7B`, `}`, `%7D`, `%`, `\%`, `#`, `\#`)

func bibURL(u string) string { return bibURLReplacer.Replace(u) }

// cslDate is a CSL-JSON date: {"date-parts": [[y, m, d]]}.
type cslDate struct {
	DateParts [][]int `json:"date-parts"`
}

func newCSLDate(t *time.Time) *cslDate {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &cslDate{DateParts: [][]int{{u.Year(), int(u.Month()), u.Day()}}}
}

// CSLItem is one CSL-JSON item, as Zotero, Mendeley and citeproc read it.
type CSLItem struct {
	ID              string   `json:"id"`
	Type            string   `json:"type"`
	Title           string   `json:"title"`
	Author          []Name   `json:"author,omitempty"`
	Issued          *cslDate `json:"issued,omitempty"`
	Accessed        *cslDate `json:"accessed"`
	URL             string   `json:"URL"`
	ContainerTitle  string   `json:"container-title"`
	Archive         string   `json:"archive"`
	ArchiveLocation string   `json:"archive_location"`
	Note            string   `json:"note,omitempty"`
}

// CSLJSON is the citation as a CSL-JSON array of one "webpage" item.
func (c Citation) CSLJSON() ([]byte, error) {
	it := CSLItem{ID: c.bibKey(), Type: "webpage", Title: c.Title, Author: c.Authors(), Issued: newCSLDate(c.issued()),
		Accessed: newCSLDate(&c.Captured), URL: c.URL, ContainerTitle: c.SourceTitle, Archive: "annalist",
		ArchiveLocation: c.ArchiveURL}
	if c.Published != nil && c.Revised != nil {
		it.Note = "Revised " + c.Revised.UTC().Format("2006-01-02")
	}
	return json.MarshalIndent([]CSLItem{it}, "", "  ")
}

// Meta is one <meta name content> of a snapshot page's head.
type Meta struct{ Name, Content string }

// Meta is the Highwire Press (citation_*) and Dublin Core (DC.*) metadata
// Zotero and Google Scholar read from a page's head.
func (c Citation) Meta() []Meta {
	m := []Meta{{"citation_title", c.Title}}
	for _, n := range c.Authors() {
		if n.Literal != "" {
			m = append(m, Meta{"citation_author", n.Literal})
		} else {
			m = append(m, Meta{"citation_author", n.Family + ", " + n.Given})
		}
	}
	if d := c.issued(); d != nil {
		m = append(m, Meta{"citation_publication_date", d.UTC().Format("2006/01/02")},
			Meta{"citation_date", d.UTC().Format("2006/01/02")})
	}
	m = append(m, Meta{"citation_public_url", c.ArchiveURL}, Meta{"citation_fulltext_html_url", c.ArchiveURL},
		Meta{"DC.title", c.Title})
	for _, n := range c.Authors() {
		m = append(m, Meta{"DC.creator", n.display()})
	}
	if d := c.issued(); d != nil {
		m = append(m, Meta{"DC.date", d.UTC().Format("2006-01-02")})
	}
	if c.Revised != nil {
		m = append(m, Meta{"DC.date.modified", c.Revised.UTC().Format("2006-01-02")})
	}
	return append(m, Meta{"DC.identifier", c.URL}, Meta{"DC.source", c.SourceTitle})
}
