package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nlnwa/gowarc/v3"
)

// MetaFormat tags the JSON of annalist's metadata records, so that
// reindex can tell ours (and their version) from other tools'.
const MetaFormat = "annalist-snapshot/1"

// SnapshotMeta is the JSON block of the metadata record written beside
// every stored response: what the database knows of the snapshot, so that
// the WARC files alone can rebuild it (reindex --from-warc).
type SnapshotMeta struct {
	Format        string   `json:"format"`
	Source        string   `json:"source"`
	CanonicalURL  string   `json:"canonical_url"`
	FetchURL      string   `json:"fetch_url,omitempty"`
	FinalURL      string   `json:"final_url,omitempty"`
	OtherURLs     []string `json:"other_urls,omitempty"`
	ArticleID     string   `json:"article_id"`
	SnapshotID    string   `json:"snapshot_id"`
	Extractor     string   `json:"extractor"`
	Fingerprint   string   `json:"fingerprint"`
	Title         string   `json:"title"`
	Byline        string   `json:"byline,omitempty"`
	CapturedAt    string   `json:"captured_at"`
	RevisionDate  string   `json:"revision_date,omitempty"`
	PublishedDate string   `json:"published_date,omitempty"`
	Text          string   `json:"text"`
	Markdown      string   `json:"markdown"`
	HTML          string   `json:"html"`
	// Pages is how many pages of a paginated article the text joins.
	Pages int `json:"pages,omitempty"`
	// HTTPStatus is the status of page 1's response.
	HTTPStatus int `json:"http_status,omitempty"`
	// DeclaredCanonical is the off-site rel=canonical the page declared.
	DeclaredCanonical string `json:"declared_canonical,omitempty"`
}

// BuildMetaRecord builds the metadata record of a snapshot whose response
// record is responseID: its own gzip member, concurrent to and referring
// to the response.
func BuildMetaRecord(m *SnapshotMeta, target string, date time.Time, responseID string) ([]byte, error) {
	// Markup is kept as it is rather than as \u003c escapes: the same JSON
	// to any reader, a smaller block to compress (and to store).
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("build warc metadata: %w", err)
	}
	block := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	rec, err := buildRecord(gowarc.Metadata, target, date, "application/json", responseID, responseID, block)
	if err != nil {
		return nil, fmt.Errorf("build warc metadata: %w", err)
	}
	return rec.gz, nil
}

// ParseSnapshotMeta reads a metadata record's block; ok is false for a
// block that is not annalist's.
func ParseSnapshotMeta(block []byte) (*SnapshotMeta, bool) {
	if !bytes.Contains(block[:min(len(block), 64)], []byte(`"format"`)) {
		return nil, false
	}
	var m SnapshotMeta
	if err := json.Unmarshal(block, &m); err != nil || m.Format != MetaFormat || m.SnapshotID == "" {
		return nil, false
	}
	return &m, true
}
