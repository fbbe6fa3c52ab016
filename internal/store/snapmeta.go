package store

import (
	"time"

	"annalist/internal/evidence"
)

// newSnapshotMeta describes the snapshot p will be stored as under snapID,
// captured at the second its ID names.
func newSnapshotMeta(p *Page, articleID, snapID string, captured time.Time) *SnapshotMeta {
	m := &SnapshotMeta{
		Format:            evidence.MetaFormat,
		Source:            p.Source,
		CanonicalURL:      p.Canonical,
		FetchURL:          p.FetchURL,
		FinalURL:          p.FinalURL,
		OtherURLs:         p.OtherURLs,
		ArticleID:         articleID,
		SnapshotID:        snapID,
		Extractor:         p.Extractor,
		Fingerprint:       p.Fingerprint,
		Title:             p.Title,
		Byline:            p.Byline,
		CapturedAt:        fmtTime(captured),
		Pages:             1 + len(p.MorePages),
		HTTPStatus:        p.StatusCode,
		DeclaredCanonical: p.DeclaredCanonical,
		Text:              p.Text,
		Markdown:          p.Markdown,
		HTML:              p.HTML,
	}
	if p.RevisionDate != nil {
		m.RevisionDate = fmtTime(*p.RevisionDate)
	}
	if p.PublishedDate != nil {
		m.PublishedDate = fmtTime(*p.PublishedDate)
	}
	return m
}

// snapshotIDFor is the ID a snapshot captured at t gets when that second
// is free (freeSnapshotID moves it on otherwise).
func snapshotIDFor(articleID string, t time.Time) string {
	return articleID + "/" + t.UTC().Truncate(time.Second).Format("20060102150405")
}

// warcPage is the part of p that goes into WARC records.
func (p *Page) warcPage() *evidence.Page {
	return &evidence.Page{FetchURL: p.FetchURL, FinalURL: p.FinalURL, CapturedAt: p.CapturedAt, StatusCode: p.StatusCode,
		Proto: p.Proto, Header: p.Header, Body: p.Body, RawRequest: p.RawRequest, MorePages: p.MorePages}
}
