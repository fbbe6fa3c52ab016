package export

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"annalist/internal/store"
)

// ErrNothing: the selection holds no snapshot to export.
var ErrNothing = errors.New("export: no snapshot to export")

// Records is what export needs of the archive.
type Records interface {
	SnapshotRecords(ctx context.Context, snapshotID string) (*store.SnapshotRecords, error)
}

var _ Records = (*store.Store)(nil)

// Options tune an export. The zero value works.
type Options struct {
	Now      func() time.Time // default time.Now
	Software string           // e.g. "annalist 0.1.0"
	Title    string           // the WACZ's title
	TempDir  string           // where a WACZ's WARC is staged ("" = os.TempDir())
	// WarcinfoID is the warcinfo record's WARC-Record-ID ("" = random).
	// With a fixed Now it makes the export the same bytes every time.
	WarcinfoID string
	// Progress, when set, is called after each snapshot is written.
	Progress func(Progress)
}

// Progress reports how far an export is.
type Progress struct {
	Done, Total int
	Snapshot    string // the snapshot just written
	Bytes       int64  // WARC bytes written so far
}

// Summary says what an export wrote.
type Summary struct {
	Snapshots int   `json:"snapshots"`
	Records   int   `json:"records"`
	WARCBytes int64 `json:"warc_bytes"`
}

// indexEntry is one CDXJ line's data, for a response record.
type indexEntry struct {
	key, ts string
	url     string
	mime    string
	status  int
	digest  string
	offset  int64
	length  int64
}

// page is one line of pages.jsonl: a snapshot's first page.
type page struct {
	ID    string `json:"id"`
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
	TS    string `json:"ts"`
}

// warcResult is what writing the WARC learned for the WACZ around it.
type warcResult struct {
	Summary
	index []indexEntry
	pages []page
}

// WriteWARC writes the records of the snapshots ids, in that order, to w
// as one WARC file named name (its warcinfo record says so).
func WriteWARC(ctx context.Context, w io.Writer, name string, src Records, ids []string, o Options) (*Summary, error) {
	res, err := writeWARC(ctx, w, name, src, ids, o)
	if err != nil {
		return nil, err
	}
	return &res.Summary, nil
}

func writeWARC(ctx context.Context, w io.Writer, name string, src Records, ids []string, o Options) (*warcResult, error) {
	if len(ids) == 0 {
		return nil, ErrNothing
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	res := &warcResult{}
	info, err := store.WarcinfoRecord(name, now(), o.WarcinfoID)
	if err != nil {
		return nil, fmt.Errorf("build warcinfo record: %w", err)
	}
	if _, err := w.Write(info); err != nil {
		return nil, fmt.Errorf("write %s: %w", name, err)
	}
	off := int64(len(info))
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sr, err := src.SnapshotRecords(ctx, id)
		if err != nil {
			return nil, err // it names the snapshot, and the file and offset
		}
		for j, r := range sr.Records {
			if r.Type == "response" {
				e := newIndexEntry(&r, off)
				res.index = append(res.index, e)
				if j == 0 {
					res.pages = append(res.pages, page{ID: sr.SnapshotID, URL: r.TargetURI, Title: sr.Title, TS: r.Date})
				}
			}
			if _, err := w.Write(r.Member); err != nil {
				return nil, fmt.Errorf("write %s: %w", name, err)
			}
			off += int64(len(r.Member))
			res.Records++
		}
		res.Snapshots++
		if o.Progress != nil {
			o.Progress(Progress{Done: i + 1, Total: len(ids), Snapshot: id, Bytes: off})
		}
	}
	res.WARCBytes = off
	return res, nil
}

func newIndexEntry(r *store.RawRecord, off int64) indexEntry {
	e := indexEntry{
		key:    SURT(r.TargetURI),
		ts:     timestamp14(r.Date),
		url:    r.TargetURI,
		offset: off,
		length: int64(len(r.Member)),
		mime:   "unk",
	}
	// The digest without its algorithm, as warcio and pywb index it.
	if _, d, ok := strings.Cut(r.PayloadDigest, ":"); ok {
		e.digest = d
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(r.Block)), nil)
	if err == nil {
		e.status = resp.StatusCode
		if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil {
			e.mime = mt
		}
		resp.Body.Close()
	}
	return e
}

// timestamp14 turns a WARC-Date into the 14 digits CDX indexes use.
func timestamp14(date string) string {
	d := strings.NewReplacer("-", "", ":", "", "T", "").Replace(date)
	if len(d) > 14 {
		d = d[:14]
	}
	return d
}

// cdxjLine is the entry as one line of a CDXJ index: the SURT key, the
// timestamp and a JSON block whose numbers are strings, as pywb and
// warcio write them.
func (e indexEntry) cdxjLine() string {
	var b strings.Builder
	b.WriteString(e.key)
	b.WriteByte(' ')
	b.WriteString(e.ts)
	b.WriteString(` {"url":`)
	b.WriteString(jsonString(e.url))
	b.WriteString(`,"mime":`)
	b.WriteString(jsonString(e.mime))
	if e.status > 0 {
		b.WriteString(`,"status":"` + strconv.Itoa(e.status) + `"`)
	}
	if e.digest != "" {
		b.WriteString(`,"digest":` + jsonString(e.digest))
	}
	fmt.Fprintf(&b, `,"length":"%d","offset":"%d","filename":"%s"}`, e.length, e.offset, waczWARCName)
	b.WriteByte('\n')
	return b.String()
}
