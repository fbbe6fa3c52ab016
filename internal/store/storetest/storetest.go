// Package storetest is the conformance suite of the index: every
// implementation of store.Index (SQLite, PostgreSQL) must pass Run, as
// restic tests every backend with one suite. Tests drive the index through
// the interface only, with WARC files in a temporary directory.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"annalist/internal/store"
)

// Opener opens a new, empty index whose WARC files go under dir. The
// suite closes it.
type Opener func(t *testing.T, dir string) store.Index

var t0 = time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC)

func fingerprint(title, text string) string {
	sum := sha256.Sum256([]byte(title + "\n" + strings.Join(strings.Fields(text), " ")))
	return "n1:" + hex.EncodeToString(sum[:])
}

// Page builds a capture of https://<source>.example/<slug>.
func Page(source, slug, title, text string, at time.Time) *store.Page {
	u := "https://" + source + ".example/" + slug
	body := fmt.Sprintf("<html><head><title>%s</title></head><body><article><h1>%s</h1><p>%s</p></article></body></html>", title, title, text)
	return &store.Page{
		Source: source, FetchURL: u + "?utm_source=feed", FinalURL: u, Canonical: u, CapturedAt: at,
		StatusCode: 200, Proto: "HTTP/1.1", Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
		Body:       []byte(body),
		RawRequest: []byte("GET /" + slug + " HTTP/1.1\r\nHost: " + source + ".example\r\n\r\n"),
		Title:      title, Byline: "A. Writer", HTML: "<p>" + text + "</p>", Text: text, Markdown: text + "\n",
		Extractor: "selectors/1", Fingerprint: fingerprint(title, text),
	}
}

// Run runs the suite against indexes made by open.
func Run(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, ix store.Index)
	}{
		{"Sources", testSources},
		{"SaveOutcomes", testSaveOutcomes},
		{"ArticlesAndPages", testArticlesAndPages},
		{"Search", testSearch},
		{"Life", testLife},
		{"FeedItemsAndWatch", testFeedItemsAndWatch},
		{"Evidence", testEvidence},
		{"Templates", testTemplates},
		{"Notifications", testNotifications},
		{"OrderWithinSecond", testOrderWithinSecond},
		{"LateCheckLeavesBodyKey", testLateCheckLeavesBodyKey},
		{"CapturesInCaptureOrder", testCapturesInCaptureOrder},
		{"LateSnapshotListings", testLateSnapshotListings},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix := open(t, t.TempDir())
			defer func() {
				if err := ix.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			tc.fn(t, ix)
		})
	}
}

func save(t *testing.T, ix store.Index, p *store.Page) *store.SaveResult {
	t.Helper()
	res, err := ix.SaveCapture(context.Background(), p)
	if err != nil {
		t.Fatalf("SaveCapture(%s): %v", p.Canonical, err)
	}
	return res
}

func testSources(t *testing.T, ix store.Index) {
	ctx := context.Background()
	if err := ix.SyncSources(ctx, []store.Source{{Name: "beta", Title: "Beta", Feed: "https://beta.example/feed"}, {Name: "alpha", Title: "Alpha"}}); err != nil {
		t.Fatal(err)
	}
	srcs, err := ix.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 || srcs[0].Name != "alpha" || srcs[1].Name != "beta" || srcs[1].Feed != "https://beta.example/feed" {
		t.Fatalf("Sources = %+v", srcs)
	}
	for i, o := range []string{"error", "error"} {
		if err := ix.RecordPoll(ctx, "beta", t0.Add(time.Duration(i)*time.Minute), o, "HTTP 500", "", ""); err != nil {
			t.Fatal(err)
		}
	}
	b, err := ix.Source(ctx, "beta")
	if err != nil {
		t.Fatal(err)
	}
	if b.Failures != 2 || b.LastOutcome != "error" || b.LastError != "HTTP 500" || b.LastPollAt == nil || !b.LastPollAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("after two errors: %+v", b)
	}
	if err := ix.RecordPoll(ctx, "beta", t0.Add(time.Hour), "ok", "", `"e1"`, "Mon"); err != nil {
		t.Fatal(err)
	}
	if b, err = ix.Source(ctx, "beta"); err != nil || b.Failures != 0 || b.ETag != `"e1"` || b.LastModified != "Mon" {
		t.Errorf("after ok: %+v, %v", b, err)
	}
	if _, err := ix.Source(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Source(nope) = %v, want ErrNotFound", err)
	}
	names, err := ix.SourceNames(ctx)
	if err != nil || len(names) != 2 || names[0].Title != "Alpha" {
		t.Errorf("SourceNames = %+v, %v", names, err)
	}
	if err := ix.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func testSaveOutcomes(t *testing.T, ix store.Index) {
	ctx := context.Background()
	p1 := Page("news", "a", "First title", "The emperor crossed the river at dawn.", t0)
	r1 := save(t, ix, p1)
	if r1.Outcome != store.OutcomeNew || r1.SnapshotID == "" || r1.WARCBytes <= 0 {
		t.Fatalf("first save: %+v", r1)
	}
	r2 := save(t, ix, Page("news", "a", "First title", "The emperor crossed the river at dawn.", t0.Add(time.Hour)))
	if r2.Outcome != store.OutcomeUnchanged || r2.SnapshotID != "" || r2.ArticleID != r1.ArticleID {
		t.Fatalf("same text again: %+v", r2)
	}
	r3 := save(t, ix, Page("news", "a", "Second title", "The emperor crossed the river at noon.", t0.Add(2*time.Hour)))
	if r3.Outcome != store.OutcomeRevised || r3.SnapshotID == r1.SnapshotID {
		t.Fatalf("revised: %+v", r3)
	}
	a, err := ix.Article(ctx, r1.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Snapshots != 2 || a.Title != "Second title" || a.URL != p1.Canonical || a.Source != "news" || !a.FirstSeen.Equal(t0) ||
		a.LastCapturedAt == nil || !a.LastCapturedAt.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("article: %+v", a)
	}
	if got := strings.Join(a.URLs, " "); !strings.Contains(got, p1.Canonical) {
		t.Errorf("URLs %q lack the canonical URL", got)
	}
	for _, ref := range []string{r1.ArticleID, p1.Canonical} {
		if b, err := ix.ResolveArticle(ctx, ref); err != nil || b.ID != r1.ArticleID {
			t.Errorf("ResolveArticle(%q) = %v, %v", ref, b, err)
		}
	}
	if _, err := ix.ResolveArticle(ctx, "https://news.example/none"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ResolveArticle(unknown) = %v", err)
	}
	snaps, err := ix.Snapshots(ctx, r1.ArticleID)
	if err != nil || len(snaps) != 2 {
		t.Fatalf("Snapshots = %d, %v", len(snaps), err)
	}
	if snaps[0].ID != r1.SnapshotID || snaps[0].Text != p1.Text || snaps[0].HTML != p1.HTML || snaps[0].Markdown != p1.Markdown ||
		snaps[0].Fingerprint != p1.Fingerprint || snaps[0].Words != 7 || snaps[0].Byline != "A. Writer" {
		t.Errorf("first snapshot: %+v", snaps[0])
	}
	latest, err := ix.LatestSnapshot(ctx, r1.ArticleID)
	if err != nil || latest.ID != r3.SnapshotID {
		t.Errorf("LatestSnapshot = %v, %v", latest, err)
	}
	at, err := ix.SnapshotAt(ctx, r1.ArticleID, t0.Add(90*time.Minute))
	if err != nil || at.ID != r1.SnapshotID {
		t.Errorf("SnapshotAt(+90m) = %v, %v", at, err)
	}
	if one, err := ix.Snapshot(ctx, r3.SnapshotID); err != nil || one.Title != "Second title" {
		t.Errorf("Snapshot = %v, %v", one, err)
	}
	if txt, err := ix.SnapshotText(ctx, r3.SnapshotID); err != nil || txt != "The emperor crossed the river at noon." {
		t.Errorf("SnapshotText = %q, %v", txt, err)
	}
	infos, err := ix.SnapshotInfos(ctx, r1.ArticleID)
	if err != nil || len(infos) != 2 {
		t.Fatalf("SnapshotInfos = %v, %v", infos, err)
	}
	if err := ix.FillWordChanges(ctx, infos); err != nil {
		t.Fatal(err)
	}
	if c := infos[1].Changes; c == nil || c.Added == 0 || c.Removed == 0 {
		t.Errorf("word changes of the revision: %+v", c)
	}
	caps, err := ix.Captures(ctx, store.CaptureFilter{ArticleID: r1.ArticleID})
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, c := range caps {
		outs = append(outs, c.Outcome)
	}
	sort.Strings(outs)
	if strings.Join(outs, " ") != "new revised unchanged" {
		t.Errorf("capture outcomes %v", outs)
	}
	if err := ix.RecordCapture(ctx, store.Capture{Source: "news", URL: "https://news.example/b", CapturedAt: t0.Add(3 * time.Hour),
		Outcome: store.OutcomeError, Error: "HTTP 503", HTTPStatus: 503}); err != nil {
		t.Fatal(err)
	}
	caps, err = ix.Captures(ctx, store.CaptureFilter{Source: "news"})
	if err != nil || len(caps) != 4 {
		t.Fatalf("captures of news: %d, %v", len(caps), err)
	}
	var errCap *store.Capture
	for i := range caps {
		if caps[i].Outcome == store.OutcomeError {
			errCap = &caps[i]
		}
	}
	if errCap == nil || errCap.ArticleID != "" || errCap.HTTPStatus != 503 || errCap.Error != "HTTP 503" {
		t.Errorf("error capture: %+v", errCap)
	}
	changes, err := ix.Changes(ctx, store.ChangeFilter{Source: "news"})
	if err != nil || len(changes) != 2 || changes[0].ID != r3.SnapshotID || changes[0].Outcome != store.OutcomeRevised {
		t.Errorf("Changes = %+v, %v", changes, err)
	}
	st, err := ix.Stats(ctx)
	if err != nil || st.Articles != 1 || st.Snapshots != 2 {
		t.Errorf("Stats = %+v, %v", st, err)
	}
}

func testArticlesAndPages(t *testing.T, ix store.Index) {
	ctx := context.Background()
	for i := range 5 {
		src := "odd"
		if i%2 == 0 {
			src = "even"
		}
		save(t, ix, Page(src, fmt.Sprintf("p%d", i), fmt.Sprintf("Title %d", i), fmt.Sprintf("Text number %d here.", i), t0.Add(time.Duration(i)*time.Hour)))
	}
	all, err := ix.Articles(ctx, store.ArticleFilter{})
	if err != nil || len(all) != 5 {
		t.Fatalf("Articles = %d, %v", len(all), err)
	}
	even, err := ix.Articles(ctx, store.ArticleFilter{Source: "even"})
	if err != nil || len(even) != 3 {
		t.Errorf("Articles(even) = %d, %v", len(even), err)
	}
	since := t0.Add(3 * time.Hour)
	if late, err := ix.Articles(ctx, store.ArticleFilter{Since: &since}); err != nil || len(late) != 2 {
		t.Errorf("Articles(since +3h) = %d, %v", len(late), err)
	}
	page, total, err := ix.ArticlePage(ctx, store.ArticleQuery{Limit: 2, Offset: 2})
	if err != nil || total != 5 || len(page) != 2 {
		t.Fatalf("ArticlePage = %d of %d, %v", len(page), total, err)
	}
	// Limit 0 is no limit, with or without an offset.
	if rest, total, err := ix.ArticlePage(ctx, store.ArticleQuery{Offset: 2}); err != nil || total != 5 || len(rest) != 3 {
		t.Errorf("ArticlePage(no limit, offset 2) = %d of %d, %v; want 3 of 5", len(rest), total, err)
	}
	if rest, err := ix.Articles(ctx, store.ArticleFilter{Offset: 4}); err != nil || len(rest) != 1 {
		t.Errorf("Articles(no limit, offset 4) = %d, %v; want 1", len(rest), err)
	}
	first, _, err := ix.ArticlePage(ctx, store.ArticleQuery{Limit: 2})
	if err != nil || len(first) != 2 || first[0].ID == page[0].ID {
		t.Errorf("pages overlap: %v %v (%v)", first, page, err)
	}
	from := t0.Add(time.Hour)
	to := t0.Add(3 * time.Hour)
	mid, n, err := ix.ArticlePage(ctx, store.ArticleQuery{Source: "odd", From: &from, To: &to})
	if err != nil || n != 1 || len(mid) != 1 || mid[0].Title != "Title 1" {
		t.Errorf("ArticlePage(odd, 1h..3h) = %+v, %d, %v", mid, n, err)
	}
	srcs, err := ix.Sources(ctx)
	if err != nil || len(srcs) != 2 || srcs[0].Name != "even" || srcs[0].Articles != 3 || srcs[0].Snapshots != 3 {
		t.Errorf("Sources after saves: %+v, %v", srcs, err)
	}
}

func testSearch(t *testing.T, ix store.Index) {
	ctx := context.Background()
	texts := []struct{ src, slug, title, text string }{
		{"a", "1", "The Qing court", "Ching-kuo met the envoys of the Qing court in Peking."},
		{"a", "2", "River crossings", "The army crossed the Yellow River twice in the winter."},
		{"b", "3", "Yellow fever", "Yellow fever reached the port; the river trade stopped."},
		{"b", "4", "Café society", "Émigrés met at the café on the boulevard every evening."},
	}
	revised := t0.Add(-48 * time.Hour) // article 1 declares a revision date
	for i, x := range texts {
		p := Page(x.src, x.slug, x.title, x.text, t0.Add(time.Duration(i)*time.Hour))
		if x.slug == "1" {
			p.RevisionDate = &revised
		}
		save(t, ix, p)
	}
	// An older revision of article 2 that mentions elephants: found only
	// when all snapshots are searched.
	save(t, ix, Page("a", "2", "River crossings", "The army crossed the Yellow River twice in the winter, with elephants.", t0.Add(-time.Hour)))
	for _, tc := range []struct {
		q    string
		o    store.SearchOptions
		want string // slugs of the hits, the snapshot stored last first
	}{
		{q: "river", want: "2 3 2"},
		{q: "river", o: store.SearchOptions{LatestOnly: true}, want: "3 2"},
		{q: "RIVER army", want: "2 2"},
		{q: `"yellow river"`, want: "2 2"},
		{q: `"river yellow"`, want: ""},
		{q: "cross*", want: "2 2"},
		{q: "fever OR envoys", want: "3 1"},
		{q: "river NOT fever", want: "2 2"},
		{q: "title:yellow", want: "3"},
		{q: "title:river yellow", want: "2 2"},
		{q: "cafe emigres", want: "4"},
		{q: "Ching-kuo", want: "1"},
		{q: "^yellow", want: "3"},
		{q: "(army OR trade) AND winter", want: "2 2"},
		{q: "river", o: store.SearchOptions{Source: "b"}, want: "3"},
		{q: "elephants", want: "2"},
		{q: "elephants", o: store.SearchOptions{LatestOnly: true}, want: ""},
		{q: "zebra", want: ""},
	} {
		hits, err := ix.Search(ctx, tc.q, tc.o)
		if err != nil {
			t.Errorf("Search(%q): %v", tc.q, err)
			continue
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.URL[strings.LastIndex(h.URL, "/")+1:])
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("Search(%q, %+v) = %q, want %q", tc.q, tc.o, g, tc.want)
		}
	}
	hits, err := ix.Search(ctx, "envoys", store.SearchOptions{})
	if err != nil || len(hits) != 1 || !strings.Contains(hits[0].Snippet, "«envoys»") || hits[0].Source != "a" || hits[0].Title != "The Qing court" {
		t.Errorf("snippet: %+v, %v", hits, err)
	}
	if len(hits) == 1 && (hits[0].RevisionDate == nil || !hits[0].RevisionDate.Equal(revised)) {
		t.Errorf("hit's revision date = %v, want %v", hits[0].RevisionDate, revised)
	}
	if hits, _ := ix.Search(ctx, "fever", store.SearchOptions{}); len(hits) != 1 || hits[0].RevisionDate != nil {
		t.Errorf("a hit without a declared revision date: %+v", hits)
	}
	for _, bad := range []string{`"unclosed`, "river AND", ""} {
		if _, err := ix.Search(ctx, bad, store.SearchOptions{}); !errors.Is(err, store.ErrBadQuery) {
			t.Errorf("Search(%q) = %v, want ErrBadQuery", bad, err)
		}
	}
	if hits, err := ix.Search(ctx, "the", store.SearchOptions{Limit: 2}); err != nil || len(hits) != 2 {
		t.Errorf("limit 2: %d hits, %v", len(hits), err)
	}
}

func testLife(t *testing.T, ix store.Index) {
	ctx := context.Background()
	r := save(t, ix, Page("news", "gone", "Soon gone", "This page will vanish.", t0))
	if err := ix.RecordGone(ctx, store.Gone{ArticleID: r.ArticleID, Source: "news", URL: "https://news.example/gone",
		CapturedAt: t0.Add(time.Hour), HTTPStatus: 410, Reason: "410 Gone"}); err != nil {
		t.Fatal(err)
	}
	a, err := ix.Article(ctx, r.ArticleID)
	if err != nil || a.State != store.StateGone || a.StateSince == nil || !a.StateSince.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after gone: %+v, %v", a, err)
	}
	back := Page("news", "gone", "Soon gone", "This page will vanish.", t0.Add(2*time.Hour))
	back.ArticleID, back.Back = r.ArticleID, true
	if res := save(t, ix, back); res.Outcome != store.OutcomeBack {
		t.Errorf("back: %+v", res)
	}
	evs, err := ix.Events(ctx, r.ArticleID)
	if err != nil || len(evs) != 2 || evs[0].Kind != store.EventGone || evs[0].Detail != "410 Gone" || evs[1].Kind != store.EventBack {
		t.Errorf("Events = %+v, %v", evs, err)
	}
	recent, err := ix.RecentEvents(ctx, "news", 10)
	if err != nil || len(recent) != 2 {
		t.Errorf("RecentEvents = %+v, %v", recent, err)
	}
	orig := save(t, ix, Page("news", "orig", "Original", "The original words.", t0))
	cp := Page("mirror", "copy", "Original", "The original words.", t0)
	cp.DeclaredCanonical = "https://news.example/orig"
	c := save(t, ix, cp)
	oa, err := ix.Article(ctx, orig.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	copies, err := ix.SyndicatedCopies(ctx, oa)
	if err != nil || len(copies) != 1 || copies[0].ID != c.ArticleID {
		t.Errorf("SyndicatedCopies = %+v, %v", copies, err)
	}
}

func testFeedItemsAndWatch(t *testing.T, ix store.Index) {
	ctx := context.Background()
	up := t0.Add(-time.Hour)
	if err := ix.SaveFeedItems(ctx, []store.FeedItem{
		{Source: "news", Key: "k1", Link: "https://news.example/1", Updated: &up, LastSeen: t0},
		{Source: "news", Key: "k2", Link: "https://news.example/2", LastSeen: t0, ArticleID: "abc"},
		{Source: "other", Key: "k1", Link: "https://other.example/1", LastSeen: t0},
	}); err != nil {
		t.Fatal(err)
	}
	items, err := ix.FeedItems(ctx, "news")
	if err != nil || len(items) != 2 || items["k2"].ArticleID != "abc" || items["k1"].Updated == nil || !items["k1"].Updated.Equal(up) {
		t.Fatalf("FeedItems = %+v, %v", items, err)
	}
	wp := Page("news", "w", "Watched", "Words to watch.", t0)
	wp.BodyKey = "body-1"
	r := save(t, ix, wp)
	due := t0.Add(time.Hour)
	if err := ix.SetNextCheck(ctx, r.ArticleID, &due); err != nil {
		t.Fatal(err)
	}
	if got, err := ix.DueArticles(ctx, "news", t0.Add(30*time.Minute), 10); err != nil || len(got) != 0 {
		t.Errorf("due before time: %v, %v", got, err)
	}
	got, err := ix.DueArticles(ctx, "news", t0.Add(2*time.Hour), 10)
	if err != nil || len(got) != 1 || got[0].ID != r.ArticleID {
		t.Errorf("due after time: %v, %v", got, err)
	}
	a, err := ix.Article(ctx, r.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	u := store.Unchanged{ArticleID: r.ArticleID, Source: "news", URL: a.URL, CapturedAt: t0.Add(3 * time.Hour), BodyKey: a.BodyKey, HTTPStatus: 200}
	if err := ix.RecordUnchanged(ctx, u); err != nil {
		t.Fatalf("RecordUnchanged: %v", err)
	}
	caps, err := ix.Captures(ctx, store.CaptureFilter{ArticleID: r.ArticleID})
	if err != nil || len(caps) != 2 {
		t.Errorf("captures after RecordUnchanged: %+v, %v", caps, err)
	}
}

func testEvidence(t *testing.T, ix store.Index) {
	ctx := context.Background()
	p := Page("news", "e", "Evidence", "Words kept in WARC.", t0)
	r := save(t, ix, p)
	sn, err := ix.Snapshot(ctx, r.SnapshotID)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := ix.ReadWARCRecord(ctx, sn.WARCFile, sn.WARCOffset)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Type != "response" || string(rec.Payload) != string(p.Body) || rec.PayloadDigest != sn.PayloadDigest || rec.RecordID != sn.WARCRecordID {
		t.Errorf("record: %s %q %s", rec.Type, rec.Payload, rec.PayloadDigest)
	}
	if _, err := ix.ReadWARCRecord(ctx, "../"+sn.WARCFile, sn.WARCOffset); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("path in file name: %v", err)
	}
	rep, err := ix.Verify(ctx, nil)
	if err != nil || len(rep.Damaged) != 0 || rep.Snapshots != 1 {
		t.Errorf("Verify = %+v, %v", rep, err)
	}
}

// templateIndex is what harvest's per-source template learning asks of
// an index (harvest.TemplateStore).
type templateIndex interface {
	LearnTemplates(ctx context.Context, source string, arts []store.TemplateLearning) (int, error)
	TemplateBlocks(ctx context.Context, source string, minArticles int) (int, []store.TemplateBlock, error)
	TemplateDrops(ctx context.Context, snapshot string) ([]string, error)
}

// testTemplates: template statistics count distinct articles once each
// (a re-check adds nothing), a block's count grows per article, another
// source has none, and the blocks a snapshot dropped are kept (replaced
// when recorded again).
func testTemplates(t *testing.T, ix store.Index) {
	ctx := context.Background()
	tx, ok := ix.(templateIndex)
	if !ok {
		t.Fatal("the index does not keep template statistics")
	}
	var arts []store.TemplateLearning
	for i := range 4 {
		arts = append(arts, store.TemplateLearning{
			URL:    fmt.Sprintf("https://news.example/%d", i),
			Blocks: []store.TemplateBlock{{Key: "tlegal", Sample: "© legal"}, {Key: fmt.Sprintf("town%d", i), Sample: "own"}, {Key: "tlegal", Sample: "twice"}},
		})
	}
	arts[0].Snapshot, arts[0].Dropped = "snap-0", []string{"tlegal"}
	if n, err := tx.LearnTemplates(ctx, "news", arts); err != nil || n != 4 {
		t.Fatalf("LearnTemplates = %d, %v; want 4 new articles", n, err)
	}
	again := []store.TemplateLearning{{URL: arts[1].URL, Blocks: arts[1].Blocks, Snapshot: "snap-0", Dropped: []string{"tlegal", "town0"}}}
	if n, err := tx.LearnTemplates(ctx, "news", again); err != nil || n != 0 {
		t.Fatalf("a re-check learned again: %d, %v", n, err)
	}
	learned, blocks, err := tx.TemplateBlocks(ctx, "news", 2)
	if err != nil || learned != 4 || len(blocks) != 1 || blocks[0].Key != "tlegal" || blocks[0].Articles != 4 {
		t.Errorf("TemplateBlocks(min 2) = %d, %+v, %v; want 4 articles, tlegal in 4", learned, blocks, err)
	}
	if n, b, err := tx.TemplateBlocks(ctx, "other", 1); err != nil || n != 0 || len(b) != 0 {
		t.Errorf("another source has statistics: %d, %+v, %v", n, b, err)
	}
	if keys, err := tx.TemplateDrops(ctx, "snap-0"); err != nil || strings.Join(keys, " ") != "tlegal town0" {
		t.Errorf("TemplateDrops = %v, %v; want the last recorded [tlegal town0]", keys, err)
	}
}

// notifyIndex is what the webhook deliverer (internal/notify), `annalist
// sources` and /metrics ask of an index.
type notifyIndex interface {
	SetNotifyHooks(hooks []store.NotifyHook)
	ClaimNotifications(ctx context.Context, hooks []string, now time.Time, lease time.Duration, limit int) ([]store.Notification, error)
	RecordNotifyAttempt(ctx context.Context, id int64, a store.NotifyAttempt) error
	NotifyCounts(ctx context.Context) (map[string]store.NotifyCount, error)
	RenewNotifyLease(ctx context.Context, n *store.Notification, until time.Time) (bool, error)
}

// testNotifications: a new article and a revision queue one notification
// each; claimed, one delivered and one failed, they are counted by state
// with the failure's error.
func testNotifications(t *testing.T, ix store.Index) {
	ctx := context.Background()
	nx, ok := ix.(notifyIndex)
	if !ok {
		t.Fatal("the index keeps no webhook outbox")
	}
	if c, err := nx.NotifyCounts(ctx); err != nil || len(c) != 0 {
		t.Fatalf("NotifyCounts on an empty outbox = %+v, %v", c, err)
	}
	const hook = "https://hooks.example/annalist"
	nx.SetNotifyHooks([]store.NotifyHook{{URL: hook, Events: []string{store.OutcomeNew, store.OutcomeRevised}}})
	save(t, ix, Page("rome", "forum", "The Forum", "The forum was the centre of Roman life.", t0))
	save(t, ix, Page("rome", "forum", "The Forum", "The forum was the heart of Roman public life.", t0.Add(time.Hour)))
	now := time.Now().Add(time.Second) // the outbox is stamped with the index's clock, not the pages' times
	got, err := nx.ClaimNotifications(ctx, []string{hook}, now, time.Minute, 10)
	if err != nil || len(got) != 2 || got[0].Event != store.OutcomeNew || got[1].Event != store.OutcomeRevised {
		t.Fatalf("ClaimNotifications = %+v, %v; want new then revised", got, err)
	}
	// A claim renews its lease just before an attempt; once its lease ran
	// out and another deliverer claimed the row, the renewal is refused.
	if ok, err := nx.RenewNotifyLease(ctx, &got[0], now.Add(2*time.Minute)); err != nil || !ok || !got[0].LeaseUntil.Equal(now.Add(2*time.Minute)) {
		t.Fatalf("RenewNotifyLease of a held claim = %v, %v (lease %v)", ok, err, got[0].LeaseUntil)
	}
	stale := got[1]
	again, err := nx.ClaimNotifications(ctx, []string{hook}, now.Add(90*time.Second), time.Minute, 10)
	if err != nil || len(again) != 1 || again[0].ID != got[1].ID {
		t.Fatalf("claim after the first lease ran out = %+v, %v; want only the unrenewed row", again, err)
	}
	if ok, err := nx.RenewNotifyLease(ctx, &stale, now.Add(3*time.Minute)); err != nil || ok {
		t.Fatalf("RenewNotifyLease by a deliverer whose row was claimed again = %v, %v; want false", ok, err)
	}
	if err := nx.RecordNotifyAttempt(ctx, got[0].ID, store.NotifyAttempt{At: now, Delivered: true, Status: 200}); err != nil {
		t.Fatal(err)
	}
	if err := nx.RecordNotifyAttempt(ctx, got[1].ID, store.NotifyAttempt{At: now, NextAttempt: now.Add(time.Minute), Status: 503, Error: "HTTP 503"}); err != nil {
		t.Fatal(err)
	}
	c, err := nx.NotifyCounts(ctx)
	want := store.NotifyCount{Source: "rome", Delivered: 1, Pending: 1, Retrying: 1, LastError: "HTTP 503"}
	if err != nil || len(c) != 1 || c["rome"] != want {
		t.Errorf("NotifyCounts = %+v, %v; want rome: %+v", c, err, want)
	}
}
