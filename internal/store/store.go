// Package store is the archive: SQLite (articles, snapshots, captures,
// full-text index) and WARC files holding every stored raw HTTP response.
//
// The database and the WARC files are two independent copies: a
// snapshot's text, Markdown and HTML are stored compressed on their own in
// SQLite, and each stored response has a metadata record beside it in WARC
// holding the same (reindex.go rebuilds the database from it). Archives
// made before migration 0003 hold text compressed against the WARC payload:
// those snapshots still need their WARC record, and show as damaged when it
// is unreadable.
package store

import (
	"errors"
	"net/http"
	"time"

	"annalist/internal/evidence"
)

// Sentinel errors.
var (
	ErrNotFound = errors.New("store: not found")
	// ErrDamaged: what was asked for depends on a WARC record that is
	// missing or unreadable.
	ErrDamaged = errors.New("store: damaged")
)

// Capture outcomes.
const (
	OutcomeNew         = "new"
	OutcomeRevised     = "revised"
	OutcomeUnchanged   = "unchanged"
	OutcomeNotModified = "not-modified"
	OutcomeError       = "error"
	// OutcomeMoved: the article answered at a new canonical URL with the
	// text of its latest snapshot (a move; no snapshot).
	OutcomeMoved = "moved"
	// OutcomeGone: the article is gone (404/410, a redirect to the site's
	// home or a section page, a soft 404); recorded at every such check.
	OutcomeGone = "gone"
	// OutcomeBack: a gone article answered with its latest snapshot's
	// text again (no snapshot; a changed text is "revised" plus the event).
	OutcomeBack = "back"
)

// Article states (Article.State).
const (
	StateLive = "live"
	StateGone = "gone"
	StateBack = "back"
)

// Article event kinds (Event.Kind): the changes of state and address that
// are not snapshots.
const (
	EventMoved = "moved"
	EventGone  = "gone"
	EventBack  = "back"
)

// Event is one change in an article's life that is not a snapshot.
type Event struct {
	ArticleID string
	Source    string
	At        time.Time
	Kind      string // EventMoved, EventGone or EventBack
	URL       string // moved: the new canonical URL; else the URL fetched
	Detail    string // moved: the old canonical URL; gone: why
}

// Source is a configured source as the store knows it, with its poll state.
type Source struct {
	Name         string
	Title        string
	Feed         string
	ETag         string // of the last 200 feed response
	LastModified string
	LastPollAt   *time.Time
	LastOutcome  string // "ok", "not-modified", "error", "interrupted", "" = never polled
	LastError    string
	Failures     int // feed polls that failed in a row (0 after a good one)
	Articles     int
	Snapshots    int
	Gone         int // articles whose state is StateGone
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
	// State is StateLive, StateGone or StateBack, since StateSince (nil for
	// an article live since it was first seen).
	State      string
	StateSince *time.Time
	// DeclaredCanonical is the off-site rel=canonical the latest snapshot's
	// page declared (a syndicated copy naming its original); "" = none.
	DeclaredCanonical string
}

// Snapshot is one stored state of an article.
type Snapshot struct {
	ID         string // ArticleID + "/" + 14-digit UTC timestamp (YYYYMMDDhhmmss)
	ArticleID  string
	CapturedAt time.Time // the second its ID names
	// CapturedExact is when it was captured, in full: what orders an
	// article's snapshots (the second alone for snapshots stored before
	// migration 0012).
	CapturedExact time.Time
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
	// Pages is how many pages of a paginated article the text joins (1 for
	// most articles); the WARC record above is page 1's.
	Pages int
	// Damaged says why the bodies (HTML, Text, Markdown) are missing: a
	// snapshot of an archive older than migration 0003 whose WARC record
	// is missing or unreadable. "" when the snapshot is whole.
	Damaged string
	// DeclaredCanonical is the off-site rel=canonical the page declared
	// ("" = none or on the same site).
	DeclaredCanonical string
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
	// HTTPStatus is the status of the response (0 = no response came
	// back, or recorded before the status was kept).
	HTTPStatus int
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
	// Raw HTTP exchange, written to WARC only for new/revised snapshots;
	// StatusCode is also the capture's HTTPStatus.
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
	// MorePages are the responses of a paginated article's later pages, in
	// order (nil for a one-page article). They are written to WARC after
	// page 1's records, only for new/revised snapshots; Title, Text, HTML
	// and Markdown above already join every page.
	MorePages []Response
	// BodyKey identifies the raw page and everything that decides what is
	// extracted from it (computed by the caller; opaque here). SaveCapture
	// remembers it as the article's Article.BodyKey for every outcome,
	// except that a capture older than the latest snapshot clears it
	// (whether it stores a snapshot or not); "" clears it.
	BodyKey string
	// Judged is the ID of the snapshot the caller compared the page with
	// (the article's latest when it looked; "" = none), and Same what it
	// found: the page's state is that snapshot's. The caller decides
	// (harvest's decide, which also knows older normaliser versions); the
	// store trusts that judgement while Judged is still the latest, and
	// otherwise (another writer stored a snapshot meanwhile) compares
	// fingerprints itself, so that no state is stored twice.
	Judged string
	Same   bool
	// ArticleID names the article the caller decided this page belongs to
	// ("" = a new article, named ArticleID(Canonical)). A moved article
	// keeps its ID: it is never recomputed from a new canonical URL.
	ArticleID string
	// MovedFrom is the article's previous canonical URL when the caller
	// found it moved to Canonical (recorded as an EventMoved); "" = no move.
	MovedFrom string
	// Back marks a gone article that answered with its article again
	// (state StateBack, an EventBack).
	Back bool
	// DeclaredCanonical is the off-site rel=canonical of the page.
	DeclaredCanonical string
}

// Response is one later page of a paginated article, as written to WARC.
type Response = evidence.Response

// SnapshotMeta is the JSON block of the metadata record beside every
// stored response (package evidence).
type SnapshotMeta = evidence.SnapshotMeta

// WARCRecord is one record read back from a WARC file.
type WARCRecord = evidence.Record

// SaveResult says what SaveCapture did.
type SaveResult struct {
	ArticleID  string
	Outcome    string // new, revised or unchanged
	SnapshotID string // "" for unchanged
	WARCBytes  int64  // bytes appended to WARC files
}
