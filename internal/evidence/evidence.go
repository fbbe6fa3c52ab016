// Package evidence keeps the archive's evidence: WARC files, written,
// read back, repaired, verified and scanned for reindexing. It knows
// nothing of SQL; the index (package store) records which file and offset
// hold each snapshot.
package evidence

import (
	"errors"
	"net/http"
	"time"
)

// ErrNotFound is returned for a WARC file or record that is not there.
var ErrNotFound = errors.New("evidence: not found")

// Page is the HTTP exchange of one capture as it goes into WARC records.
type Page struct {
	FetchURL   string // URL asked for
	FinalURL   string // after redirects; the WARC-Target-URI when set
	CapturedAt time.Time
	StatusCode int
	Proto      string
	Header     http.Header
	Body       []byte
	RawRequest []byte
	// MorePages are the responses of a paginated article's later pages,
	// written after page 1's records.
	MorePages []Response
}

// Response is one later page of a paginated article.
type Response struct {
	URL        string // final URL, the records' WARC-Target-URI
	StatusCode int
	Proto      string
	Header     http.Header
	Body       []byte
	RawRequest []byte
	FetchedAt  time.Time // WARC-Date; zero = the capture's time
}
