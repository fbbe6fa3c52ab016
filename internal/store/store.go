// Package store is the archive: SQLite (articles, snapshots, captures,
// full-text index) and WARC files holding every stored raw HTTP response.
//
// A snapshot's text is stored deflated against the raw page in its WARC
// record (the page contains it almost verbatim), so the database alone
// cannot give back snapshot text, Markdown or HTML: keep warc/ with annalist.db.
package store

import (
	"errors"
	"net/http"
	"time"
)

// Sentinel errors.
var (
	ErrNotFound = errors.New("store: not found")
)

// Capture outcomes.
const (
	OutcomeNew         = "new"
	OutcomeRevised     = "revised"
	OutcomeUnchanged   = "unchanged"
	OutcomeNotModified = "not-modified"
	OutcomeError       = "error"
)

// Source is a configured source as the store knows it, with its poll state.
type Source struct {
	Name         string
	Title        string
	Feed         string
	ETag         string // of the last 200 feed response
	LastModified string
	LastPollAt   *time.Time
	LastOutcome  string // "ok", "not-modified", "error", "" = never polled
	LastError    string
	Failures     int // feed polls that failed in a row (0 after a good one)
	Articles     int
	Snapshots    int
}

// Article is one piece of writing, named by its canonical URL.
type Article struct {
	ID                 string // 12 lowercase hex chars: first 6 bytes of sha256(canonical URL); stable across archives
	Source             string
	URL                string // canonical URL
	FetchURL           string // URL last used to fetch it (the feed's link)
	Title              string // title of the latest snapshot
	URLs               []string
	Snapshots          int
	FirstSeen          time.Time
	LastCapturedAt     *time.Time
	LatestRevisionDate *time.Time
	NextCheckAt        *time.Time // revision watch
	ETag               string     // of the last 200 page response
	LastModified       string
	// BodyKey is the Page.BodyKey of the last page SaveCapture stored for
	// the article ("" = none): a fetch whose key equals it would extract to
	// the latest snapshot's state again (see RecordUnchanged).
	BodyKey string
}

// Snapshot is one stored state of an article.
type Snapshot struct {
	ID            string // ArticleID + "/" + 14-digit UTC timestamp (YYYYMMDDhhmmss)
	ArticleID     string
	CapturedAt    time.Time
	RevisionDate  *time.Time
	PublishedDate *time.Time
	Title         string
	Byline        string
	URL           string // the URL fetched
	HTML          string
	Text          string
	Markdown      string
	Fingerprint   string // "n1:<hex>"
	Words         int
	Extractor     string // e.g. "selectors/1", "generic/1"
	WARCFile      string // file name relative to warc/
	WARCOffset    int64  // offset of the response record
	WARCRecordID  string // "<urn:uuid:…>"
	PayloadDigest string // "sha1:…" as in the WARC header
}

// Capture is one fetch of an article, with its outcome.
type Capture struct {
	ID         int64
	ArticleID  string // "" when the article could not be identified (e.g. fetch error on a new URL)
	Source     string
	URL        string
	CapturedAt time.Time
	Outcome    string
	Error      string
	SnapshotID string // set for new/revised
	// FetchDuration is how long the fetch took (0 = unknown, e.g. no
	// response); /metrics reports fetch latency from it.
	FetchDuration time.Duration
	// RevisionDate is the date the page declared, when it was extracted
	// (new, revised and unchanged captures).
	RevisionDate *time.Time
}

// Page is the input to SaveCapture: one fetch of an article page and what
// was extracted from it.
type Page struct {
	Source     string
	FetchURL   string   // URL asked for (the feed's link)
	FinalURL   string   // after redirects
	Canonical  string   // canonical URL that names the article
	OtherURLs  []string // further URLs it was reached by (feed link canonicalised, final URL, …)
	CapturedAt time.Time
	// FetchDuration is how long the fetch took (0 = unknown).
	FetchDuration time.Duration
	// Raw HTTP exchange, written to WARC only for new/revised snapshots.
	StatusCode int
	Proto      string
	Header     http.Header
	Body       []byte
	RawRequest []byte
	// Extracted article.
	Title         string
	Byline        string
	HTML          string
	Text          string
	Markdown      string
	RevisionDate  *time.Time
	PublishedDate *time.Time
	Fingerprint   string
	Extractor     string
	ETag          string
	LastModified  string
	NextCheckAt   *time.Time // nil keeps the article's current re-check time
	// BodyKey identifies the raw page and everything that decides what is
	// extracted from it (computed by the caller; opaque here). SaveCapture
	// remembers it as the article's Article.BodyKey for every outcome,
	// except that a snapshot older than the latest one clears it; "" clears it.
	BodyKey string
	// Refingerprint recomputes a fingerprint of a stored title, text and
	// body HTML with the current normaliser. SaveCapture calls it when the
	// latest snapshot's fingerprint carries another normaliser version than
	// Fingerprint, so a normaliser upgrade does not flag unchanged articles
	// as revised. May be nil.
	Refingerprint func(title, text, html string) string
}

// SaveResult says what SaveCapture did.
type SaveResult struct {
	ArticleID  string
	Outcome    string // new, revised or unchanged
	SnapshotID string // "" for unchanged
	WARCBytes  int64  // bytes appended to WARC files
}
