package harvest_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"annalist/internal/harvest"
	"annalist/internal/store"
)

// e.extracted runs f and returns how many pages it ran through the extractor.
func (e *env) extracted(f func()) int64 {
	before := e.h.Extractions()
	f()
	return e.h.Extractions() - before
}

func TestIdenticalBodyIsNotExtractedAgain(t *testing.T) {
	e := newEnv(t, nil)
	e.site.SetConditional(false) // every re-check is a full 200
	n := len(e.site.Slugs())
	if got := e.extracted(func() { e.poll(harvest.RecheckNone) }); got != int64(n) {
		t.Fatalf("first poll extracted %d pages, want %d", got, n)
	}
	before := e.article(sample)
	var r harvest.PollResult
	if got := e.extracted(func() { r = e.poll(harvest.RecheckAll) }); got != 0 {
		t.Fatalf("re-check of unchanged pages extracted %d pages, want 0", got)
	}
	wantCounts(t, r, harvest.Counts{Items: n, Unchanged: n})
	after := e.article(sample)
	if after.LastCapturedAt == nil || !after.LastCapturedAt.After(*before.LastCapturedAt) || after.NextCheckAt == nil {
		t.Fatalf("article not moved on by the unchanged capture: %+v", after)
	}
	caps, err := e.store.Captures(context.Background(), store.CaptureFilter{ArticleID: after.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 2 || caps[0].Outcome != store.OutcomeUnchanged || caps[1].Outcome != store.OutcomeNew {
		t.Fatalf("captures = %+v, want new then unchanged", caps)
	}
	if caps[0].HTTPStatus != 200 || caps[1].HTTPStatus != 200 {
		t.Errorf("captures' HTTP status %d, %d, want 200", caps[0].HTTPStatus, caps[1].HTTPStatus)
	}
	if got := e.totalSnapshots(); got != n {
		t.Fatalf("snapshots = %d, want %d", got, n)
	}
}

func TestChangedSelectorsReextractAnIdenticalBody(t *testing.T) {
	e := newEnv(t, nil)
	e.site.SetConditional(false)
	n := len(e.site.Slugs())
	e.poll(harvest.RecheckNone)
	// Same pages, new rules in feeds/: what they extract may differ.
	e.src.Selectors.Remove = append(append([]string(nil), e.src.Selectors.Remove...), ".no-such-box")
	var r harvest.PollResult
	if got := e.extracted(func() { r = e.poll(harvest.RecheckAll) }); got != int64(n) {
		t.Fatalf("re-check after a selector change extracted %d pages, want %d", got, n)
	}
	wantCounts(t, r, harvest.Counts{Items: n, Unchanged: n})
	if got := e.extracted(func() { r = e.poll(harvest.RecheckAll) }); got != 0 {
		t.Fatalf("second re-check with the same rules extracted %d pages, want 0", got)
	}
	wantCounts(t, r, harvest.Counts{Items: n, Unchanged: n})
}

func TestChangedBytesTakeTheFullPath(t *testing.T) {
	e := newEnv(t, nil)
	e.site.SetConditional(false)
	n := len(e.site.Slugs())
	e.poll(harvest.RecheckNone)
	e.site.SetViews(sample, 99999) // other bytes, same article
	var r harvest.PollResult
	if got := e.extracted(func() { r = e.poll(harvest.RecheckAll) }); got != 1 {
		t.Fatalf("re-check extracted %d pages, want 1 (the page whose view counter changed)", got)
	}
	wantCounts(t, r, harvest.Counts{Items: n, Unchanged: n})
	if got := len(e.snapshots(sample)); got != 1 {
		t.Fatalf("snapshots = %d, want 1", got)
	}
	// The new bytes are now the remembered ones.
	if got := e.extracted(func() { e.poll(harvest.RecheckAll) }); got != 0 {
		t.Fatalf("second re-check extracted %d pages, want 0", got)
	}
}

func TestFallbackPageIsAlwaysReextracted(t *testing.T) {
	e := newEnv(t, nil)
	e.site.SetConditional(false)
	e.site.SetSelectorBreak(sample, true)
	e.poll(harvest.RecheckNone) // archived with the generic extractor
	var r harvest.PollResult
	if got := e.extracted(func() {
		r = e.h.PollSource(context.Background(), e.src, harvest.PollOptions{Recheck: harvest.RecheckAll})
	}); got != 1 {
		t.Fatalf("re-check extracted %d pages, want 1 (the page the selectors miss)", got)
	}
	if r.Errors != 1 || r.Unchanged != len(e.site.Slugs())-1 {
		t.Fatalf("counts = %+v: the selector failure must still be reported", r.Counts)
	}
}

func TestContentTypeChangeReextractsCaptureURL(t *testing.T) {
	var contentType atomic.Value
	contentType.Store("text/html; charset=utf-8")
	body := "<html><head><title>Caf\xc3\xa9 society</title></head><body><article><h1>Caf\xc3\xa9 society</h1>" +
		"<p>Coffee houses of eighteenth-century London were places of news, trade and argument.</p>" +
		"<p>Lloyd's of London began in one of them.</p></article></body></html>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType.Load().(string))
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	e := newEnv(t, nil)
	capture := func() (pr harvest.PageResult, extracted int64) {
		extracted = e.extracted(func() { pr = e.h.CaptureURL(context.Background(), nil, srv.URL+"/coffee") })
		if pr.Err != nil {
			t.Fatal(pr.Err)
		}
		return pr, extracted
	}
	if pr, n := capture(); pr.Outcome != store.OutcomeNew || n != 1 {
		t.Fatalf("first capture: %s, %d extractions", pr.Outcome, n)
	}
	if pr, n := capture(); pr.Outcome != store.OutcomeUnchanged || n != 0 {
		t.Fatalf("same page again: %s, %d extractions, want unchanged without extraction", pr.Outcome, n)
	}
	// Same bytes, another charset: they decode to other text.
	contentType.Store("text/html; charset=windows-1251")
	if pr, n := capture(); pr.Outcome != store.OutcomeRevised || n != 1 {
		t.Fatalf("after a charset change: %s, %d extractions, want revised after extraction", pr.Outcome, n)
	}
}

// interleaved is the real store with another writer slipped in: just
// before the harvester records an unchanged re-fetch, a different page is
// stored for that article (as a concurrent fetch would).
type interleaved struct {
	*store.Store
	other func(articleID string)
}

func (s *interleaved) SendUnchanged(ctx context.Context, u store.Unchanged) (wait func() error) {
	if s.other != nil {
		s.other(u.ArticleID)
		s.other = nil
	}
	return s.Store.SendUnchanged(ctx, u)
}

// A stale body key (another writer stored a different page meanwhile)
// sends the page the harvester already has through the full decision,
// against the article as it is now, without fetching it again.
func TestStaleBodyKeyDecidesInFullWithoutRefetch(t *testing.T) {
	e := newEnv(t, nil)
	e.site.SetConditional(false)
	e.poll(harvest.RecheckNone)
	a := e.article(sample)
	latest, err := e.store.LatestSnapshot(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.h.Store = &interleaved{Store: e.store, other: func(id string) {
		p := &store.Page{Source: e.src.Name, FetchURL: a.FetchURL, FinalURL: a.FetchURL, Canonical: a.URL, ArticleID: id,
			CapturedAt: a.LastCapturedAt.Add(time.Second), StatusCode: 200, Proto: "HTTP/1.1",
			Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<p>another state</p>"),
			Title: latest.Title, Text: "Another state of the article, stored by another writer.", HTML: "<p>another state</p>",
			Fingerprint: "n1:0000", Extractor: "generic/2", BodyKey: "b1:another", Judged: latest.ID}
		if _, err := e.store.SaveCapture(context.Background(), p); err != nil {
			t.Errorf("the other writer: %v", err)
		}
	}}
	requests := e.site.ArticleRequests(sample)
	pr := e.h.CaptureURL(context.Background(), &e.src, a.FetchURL)
	if pr.Err != nil || pr.Outcome != store.OutcomeRevised {
		t.Fatalf("capture = %+v, want revised (A → B → A)", pr)
	}
	if got := e.site.ArticleRequests(sample) - requests; got != 1 {
		t.Errorf("the page was fetched %d times, want once", got)
	}
	if got := len(e.snapshots(sample)); got != 3 {
		t.Errorf("%d snapshots, want 3", got)
	}
}

// An archive whose body keys an older version stored (b1: SHA-256) is
// examined in full at its first re-check after the upgrade, found
// unchanged, and given b2 keys (BLAKE3): the re-check after that extracts
// nothing again.
func TestOldBodyKeysAreReplacedOnce(t *testing.T) {
	e := newEnv(t, nil)
	e.site.SetConditional(false)
	n := len(e.site.Slugs())
	e.poll(harvest.RecheckNone)
	if k := e.article(sample).BodyKey; !strings.HasPrefix(k, "b2:") || len(k) != 3+64 {
		t.Fatalf("body key %q, want b2: and 64 hex digits", k)
	}
	db, err := sql.Open("sqlite", filepath.Join(e.cfg.DataDir, "annalist.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE articles SET body_key = 'b1:' || substr(body_key, 4)`); err != nil {
		t.Fatal(err)
	}
	var r harvest.PollResult
	if got := e.extracted(func() { r = e.poll(harvest.RecheckAll) }); got != int64(n) {
		t.Fatalf("first re-check after the upgrade extracted %d pages, want %d", got, n)
	}
	wantCounts(t, r, harvest.Counts{Items: n, Unchanged: n})
	if k := e.article(sample).BodyKey; !strings.HasPrefix(k, "b2:") {
		t.Fatalf("body key after the re-check %q, want b2:", k)
	}
	if got := e.extracted(func() { r = e.poll(harvest.RecheckAll) }); got != 0 {
		t.Fatalf("second re-check extracted %d pages, want 0", got)
	}
	wantCounts(t, r, harvest.Counts{Items: n, Unchanged: n})
}
