// Package extract turns the bytes of a page into an article: title, body
// (clean HTML, text, Markdown), byline and dates. It is pure: no network.
package extract

import (
	"errors"
	"time"
)

// Version names the extraction rules; it is recorded with each snapshot.
// 3: rows of teaser cards are furniture; revision stamps and dates in eleven
// languages; hAtom "updated" dates.
// 4: elements the page's own <style> rules hide are dropped; a source's
// learned template (Rules.Template) drops its furniture.
// 5: precision rules (precision.go): next/previous card pairs closing the
// body, author boxes, pop-over cards, date lines, tag lists, microdata
// metadata lines, ARIA furniture roles, the page's h1 opening the body.
// 6: headings closing the body (tail.go), inline-styled fine print
// (fineprint.go), labels of elements named buttons (buttons.go).
const Version = "6"

// Sentinel errors; callers test them with errors.Is.
var (
	// ErrNoMatch: a configured selector (body or title) matched nothing
	// and Rules.Strict asked for an error rather than a fallback.
	ErrNoMatch = errors.New("extract: selector matched nothing")
	// ErrNoContent: no article body could be found at all.
	ErrNoContent = errors.New("extract: no article content found")
	// ErrDeadline: extraction or fingerprinting ran out of time (see
	// ArticleContext, FingerprintContext); the page is an error, never a
	// revision.
	ErrDeadline = errors.New("extract: extraction exceeded its deadline")
)

// Rules are a source's selectors (mirrors config.Selectors; extract does not
// import config). The zero value means "generic extraction".
type Rules struct {
	Title     string
	Body      string
	Updated   string
	Published string
	Byline    string
	Remove    []string
	// Strict keeps a broken rule an error: a Title or Body rule that
	// matches nothing returns ErrNoMatch, and a Body rule is used whatever
	// it yields. By default (false) Article falls back to the generic
	// extractor and records a warning instead.
	Strict bool
	// Next, when set, has Article also find the link to a paginated
	// article's next page (Result.Next), as NextPage would, on the page as
	// parsed, before extraction changes it: one parse serves both. Not
	// part of what the page extracts to, so not in its JSON.
	Next *NextRules `json:"-"`
	// Template, when set, is the source's learned template (template.go):
	// Article drops the body's blocks it names as furniture (Result.Template)
	// and lists the body's blocks for learning (Result.Blocks). Not part
	// of the rules' JSON: a template learned since is no reason to
	// extract an unchanged page again.
	Template *Template `json:"-"`
}

// NextRules is what NextPage needs besides the page and its URL.
type NextRules struct {
	Selector   string // the source's selectors.next_page; "" = NextPage's own rules
	ArticleURL string // the article's first page; "" = the page extracted
}

// Result is what Article extracts from a page.
type Result struct {
	Title        string
	Byline       string
	SiteName     string
	Lang         string
	CanonicalURL string            // <link rel=canonical>, else og:url, absolute; "" if none
	Published    *time.Time        // UTC
	Revised      *time.Time        // UTC: "Updated on 2024-01-31", article:modified_time, JSON-LD dateModified, …
	RevisionText string            // the literal stamp text found on the page, e.g. "Updated on 2024-01-31" ("" if none)
	LeadImage    string            // absolute URL
	HTML         string            // sanitised body HTML (bluemonday allow-list, absolute URLs)
	Text         string            // body as plain text, paragraphs separated by blank lines
	Markdown     string            // body as Markdown
	Extractor    string            // "selectors" or "generic"
	Warnings     []string          // e.g. selectors fell back to generic
	Matched      map[string]string // field -> selector that matched (for `annalist extract`)
	Removed      int               // elements dropped by Rules.Remove
	RemovedBy    map[string]int    // Rules.Remove selector -> elements it dropped
	Fallback     bool              // the selectors failed and the generic extractor made the body (see Warnings)
	Dropped      map[string]int    // generic extractor: why and what it dropped, e.g. "furniture: div.share" -> 2
	Cleaned      int               // elements the generic extractor dropped from inside the body (link lists, furniture boxes, labels)
	// The page's first <title> and <h1> texts, white space folded, as
	// parsed before any rule removed elements (for the soft-404 check,
	// which then need not parse the page again).
	PageTitle, PageH1 string
	// With Rules.Next: what NextPage gives for the page, the next page's
	// URL ("" if none) or its error (an invalid Rules.Next.Selector, which
	// does not stop the extraction).
	Next    string
	NextErr error
	// With Rules.Template: the body's blocks before the template was
	// applied (sorted by key, at most maxPageBlocks), and the blocks it
	// dropped as the source's furniture, in page order.
	Blocks   []Block
	Template []TemplateDrop
	// PublishedInBody: Published is the body's first <time datetime>, as
	// neither the page's metadata nor a Published rule declares one: it
	// may be a date the article tells (a diary's first entry) rather than
	// its publication.
	PublishedInBody bool `json:"-"`
}

// Article extracts the article from page (UTF-8 HTML) fetched from pageURL
// using rules (zero Rules = generic extractor). It never panics.
//   func Article(page []byte, pageURL string, rules Rules) (*Result, error)
//
// Fingerprint returns the dedup fingerprint of title+text+captions (see fingerprint.go):
//   func Fingerprint(title, text, html string, ignore []*regexp.Regexp) string
// formatted "n<NormaliserVersion>:<sha256 hex>".
//
// ParseDate parses a date from free text such as "Updated on 2024-01-31",
// "Updated: Jan 31, 2024", "31 January 2024", RFC 3339:
//   func ParseDate(s string) (time.Time, bool)
