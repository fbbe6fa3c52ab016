package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlnwa/gowarc/v3"

	"annalist/internal/pgtest"
)

// warcSize is the total size of the WARC directory.
func warcSize(t *testing.T, s *Store) int64 {
	t.Helper()
	entries, err := os.ReadDir(s.WARCDir())
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		n += info.Size()
	}
	return n
}

func TestSaveCaptureDedup(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	textA := "In 1945, both China and Japan were exhausted. The Treaty of Yalta was reached."
	textB := textA + " A new paragraph was added later."

	res := mustSave(t, s, page("yalta", "Yalta", textA, t0))
	if res.Outcome != OutcomeNew || res.SnapshotID == "" || res.WARCBytes == 0 {
		t.Fatalf("first save = %+v, want new with a snapshot and WARC bytes", res)
	}
	id := res.ArticleID
	if id != ArticleID("https://example.com/yalta") {
		t.Errorf("article ID %s", id)
	}
	size := warcSize(t, s)

	res = mustSave(t, s, page("yalta", "Yalta", textA, t0.Add(time.Hour)))
	if res.Outcome != OutcomeUnchanged || res.SnapshotID != "" || res.WARCBytes != 0 {
		t.Fatalf("same fingerprint = %+v, want unchanged without snapshot or WARC bytes", res)
	}
	if got := warcSize(t, s); got != size {
		t.Errorf("WARC grew from %d to %d bytes on an unchanged capture", size, got)
	}
	snaps, err := s.Snapshots(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	caps, err := s.Captures(ctx, CaptureFilter{ArticleID: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 || len(caps) != 2 {
		t.Fatalf("after unchanged: %d snapshots, %d captures; want 1 and 2", len(snaps), len(caps))
	}
	if caps[0].Outcome != OutcomeUnchanged || caps[1].Outcome != OutcomeNew || caps[1].SnapshotID != snaps[0].ID {
		t.Errorf("captures newest first = %+v", caps)
	}
	a, err := s.Article(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.LastCapturedAt == nil || !a.LastCapturedAt.Equal(t0.Add(time.Hour)) || !a.FirstSeen.Equal(t0) {
		t.Errorf("article times: first %v last %v", a.FirstSeen, a.LastCapturedAt)
	}

	if res = mustSave(t, s, page("yalta", "Yalta", textB, t0.Add(2*time.Hour))); res.Outcome != OutcomeRevised {
		t.Fatalf("changed text = %+v, want revised", res)
	}
	if res = mustSave(t, s, page("yalta", "Yalta", textA, t0.Add(3*time.Hour))); res.Outcome != OutcomeRevised {
		t.Fatalf("revert to A = %+v, want revised (a revert is a real event)", res)
	}
	snaps, err = s.Snapshots(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 3 {
		t.Fatalf("A→B→A stored %d snapshots, want 3", len(snaps))
	}
	want := []string{textA, textB, textA}
	for i, sn := range snaps {
		if sn.Text != want[i] {
			t.Errorf("snapshot %d text = %q", i, sn.Text)
		}
		if sn.HTML != "<p>"+want[i]+"</p>" || sn.Markdown != want[i]+"\n" {
			t.Errorf("snapshot %d bodies did not round-trip: %q %q", i, sn.HTML, sn.Markdown)
		}
		if sn.Words != len(strings.Fields(want[i])) || sn.Extractor != "selectors/1" || sn.Byline != "A. Writer" {
			t.Errorf("snapshot %d metadata %+v", i, sn)
		}
		if sn.WARCFile == "" || sn.WARCRecordID == "" || !strings.HasPrefix(sn.PayloadDigest, "sha1:") {
			t.Errorf("snapshot %d WARC location %q %q %q", i, sn.WARCFile, sn.WARCRecordID, sn.PayloadDigest)
		}
	}
	latest, err := s.LatestSnapshot(ctx, id)
	if err != nil || latest.ID != snaps[2].ID {
		t.Errorf("LatestSnapshot = %v, %v; want %s", latest, err, snaps[2].ID)
	}
	got, err := s.Snapshot(ctx, snaps[1].ID)
	if err != nil || got.Text != textB {
		t.Errorf("Snapshot(%s) = %v, %v", snaps[1].ID, got, err)
	}
	if _, err := s.Snapshot(ctx, id+"/19990101000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown snapshot: %v, want ErrNotFound", err)
	}
	if _, err := s.Snapshots(ctx, "000000000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("snapshots of unknown article: %v, want ErrNotFound", err)
	}
}

// The caller decides whether a page is the latest snapshot's state (it
// knows older normaliser versions); the store trusts that judgement while
// the snapshot judged is still the latest, and falls back to comparing
// fingerprints when another writer stored a snapshot meanwhile.
func TestSaveCaptureTrustsJudgement(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	text := "The Soviet Union had an intention to help.  Mondo History Updated on 2024-01-31"
	first := mustSave(t, s, page("soviet", "Soviet", text, t0))

	// A new normaliser (n2): another fingerprint for the same state, judged
	// the same by the caller against the latest snapshot.
	norm2 := func(title, text string) string {
		text, _, _ = strings.Cut(text, "Mondo History Updated on")
		return fpv("n2", title, text)
	}
	p := page("soviet", "Soviet", text+" 2024-02-01", t0.Add(time.Hour))
	p.Fingerprint = norm2(p.Title, p.Text)
	p.Judged, p.Same = first.SnapshotID, true
	if res := mustSave(t, s, p); res.Outcome != OutcomeUnchanged {
		t.Errorf("judged the same: outcome %s, want unchanged", res.Outcome)
	}

	p = page("soviet", "Soviet", "Entirely rewritten.", t0.Add(2*time.Hour))
	p.Fingerprint = norm2(p.Title, p.Text)
	p.Judged, p.Same = first.SnapshotID, false
	second := mustSave(t, s, p)
	if second.Outcome != OutcomeRevised {
		t.Errorf("judged different: outcome %s, want revised", second.Outcome)
	}
	sn, err := s.LatestSnapshot(ctx, ArticleID(p.Canonical))
	if err != nil || !strings.HasPrefix(sn.Fingerprint, "n2:") {
		t.Errorf("latest fingerprint %v, %v", sn, err)
	}

	// Judged against the first snapshot, but another writer stored the
	// same state meanwhile: the store compares with the new latest.
	p = page("soviet", "Soviet", "Entirely rewritten.", t0.Add(3*time.Hour))
	p.Fingerprint = norm2(p.Title, p.Text)
	p.Judged, p.Same = first.SnapshotID, false
	if res := mustSave(t, s, p); res.Outcome != OutcomeUnchanged {
		t.Errorf("stale judgement of a state stored meanwhile: outcome %s, want unchanged", res.Outcome)
	}
}

func TestSnapshotIDFormatAndCollision(t *testing.T) {
	s := MustOpen(t)
	at := time.Date(2024, 1, 31, 8, 0, 0, 250e6, time.FixedZone("CET", 3600))
	r1 := mustSave(t, s, page("same-second", "T", "first version", at))
	r2 := mustSave(t, s, page("same-second", "T", "second version", at.Add(100*time.Millisecond)))
	r3 := mustSave(t, s, page("same-second", "T", "third version", at.Add(200*time.Millisecond)))
	id := ArticleID("https://example.com/same-second")
	if !regexp.MustCompile(`^[0-9a-f]{12}/[0-9]{14}$`).MatchString(r1.SnapshotID) {
		t.Errorf("snapshot ID %q is not articleID/YYYYMMDDhhmmss", r1.SnapshotID)
	}
	want := []string{id + "/20240131070000", id + "/20240131070001", id + "/20240131070002"}
	for i, got := range []string{r1.SnapshotID, r2.SnapshotID, r3.SnapshotID} {
		if got != want[i] {
			t.Errorf("snapshot %d ID %s, want %s (UTC, +1 s while taken)", i, got, want[i])
		}
	}
	sn, err := s.Snapshot(context.Background(), r2.SnapshotID)
	// The capture time is the one the ID names, moved on with it.
	if err != nil || !sn.CapturedAt.Equal(time.Date(2024, 1, 31, 7, 0, 1, 0, time.UTC)) {
		t.Errorf("captured_at is not the ID's time: %v, %v", sn, err)
	}
}

func TestResolveArticle(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	p := page("articles/outer-mongolia", "Outer Mongolia", "text", t0)
	p.FetchURL = "http://feeds.example.com/click?id=42"
	p.FinalURL = "https://example.com/articles/outer-mongolia?page=1"
	p.OtherURLs = []string{"https://example.com/?p=1234"}
	res := mustSave(t, s, p)

	refs := []string{
		res.ArticleID,
		strings.ToUpper(res.ArticleID),
		p.Canonical,
		p.FetchURL,
		p.FinalURL,
		p.OtherURLs[0],
		"HTTPS://Example.COM:443/articles/outer-mongolia?utm_source=twitter#comments", // canonicalises to p.Canonical
	}
	for _, ref := range refs {
		a, err := s.ResolveArticle(ctx, ref)
		if err != nil || a.ID != res.ArticleID {
			t.Errorf("ResolveArticle(%q) = %v, %v", ref, a, err)
		}
	}
	a, _ := s.Article(ctx, res.ArticleID)
	if len(a.URLs) != 4 || a.Title != "Outer Mongolia" || a.Snapshots != 1 || a.Source != "example" {
		t.Errorf("article = %+v", a)
	}
	for _, ref := range []string{"0123456789ab", "https://example.com/other", "not a url", ""} {
		if _, err := s.ResolveArticle(ctx, ref); !errors.Is(err, ErrNotFound) {
			t.Errorf("ResolveArticle(%q) err = %v, want ErrNotFound", ref, err)
		}
	}
	if _, err := s.ArticleByURL(ctx, "https://EXAMPLE.com/articles/outer-mongolia"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ArticleByURL matches exactly only, got %v", err)
	}
}

func TestSnapshotAt(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	r1 := mustSave(t, s, page("at", "T", "one", t0))
	r2 := mustSave(t, s, page("at", "T", "two", t0.Add(24*time.Hour)))
	cases := []struct {
		at   time.Time
		want string // "" = ErrNotFound
	}{
		{t0.Add(-time.Second), ""},
		{t0, r1.SnapshotID},
		{t0.Add(12 * time.Hour), r1.SnapshotID},
		{t0.Add(24 * time.Hour), r2.SnapshotID},
		{t0.Add(1000 * time.Hour), r2.SnapshotID},
	}
	for _, c := range cases {
		sn, err := s.SnapshotAt(ctx, r1.ArticleID, c.at)
		if c.want == "" {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("SnapshotAt(%v) = %v, %v; want ErrNotFound", c.at, sn, err)
			}
			continue
		}
		if err != nil || sn.ID != c.want {
			t.Errorf("SnapshotAt(%v) = %v, %v; want %s", c.at, sn, err, c.want)
		}
	}
}

func TestDueArticles(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	now := t0.Add(48 * time.Hour)
	mk := func(slug, source string, next *time.Time) string {
		p := page(slug, slug, slug+" text", t0)
		p.Source = source
		p.NextCheckAt = next
		return mustSave(t, s, p).ArticleID
	}
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	late := mk("late", "a", at(-10*time.Hour))
	early := mk("early", "a", at(-time.Hour))
	exact := mk("exact", "b", at(0))
	mk("future", "a", at(time.Hour))
	mk("never", "a", nil)

	ids := func(as []Article, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	if got, want := ids(s.DueArticles(ctx, "", now, 0)), []string{late, early, exact}; !equal(got, want) {
		t.Errorf("due = %v, want %v (oldest due first)", got, want)
	}
	if got, want := ids(s.DueArticles(ctx, "a", now, 0)), []string{late, early}; !equal(got, want) {
		t.Errorf("due in source a = %v, want %v", got, want)
	}
	if got := ids(s.DueArticles(ctx, "", now, 1)); !equal(got, []string{late}) {
		t.Errorf("limit 1 = %v", got)
	}

	// A capture without NextCheckAt keeps the schedule; SetNextCheck moves or clears it.
	mustSave(t, s, page("late", "late", "late text", t0.Add(time.Hour)))
	if a, _ := s.Article(ctx, late); a.NextCheckAt == nil || !a.NextCheckAt.Equal(*at(-10 * time.Hour)) {
		t.Errorf("next check after capture without one: %v", a.NextCheckAt)
	}
	if err := s.SetNextCheck(ctx, late, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNextCheck(ctx, exact, at(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := ids(s.DueArticles(ctx, "", now, 0)); !equal(got, []string{early}) {
		t.Errorf("due after SetNextCheck = %v, want [%s]", got, early)
	}
	if err := s.SetNextCheck(ctx, "0123456789ab", at(0)); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetNextCheck of unknown article: %v", err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestArticlesFilter(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	for i, slug := range []string{"a1", "a2", "a3"} {
		mustSave(t, s, page(slug, slug, slug+" text", t0.Add(time.Duration(i)*time.Hour)))
	}
	p := page("b1", "b1", "b1 text", t0.Add(10*time.Hour))
	p.Source = "other"
	mustSave(t, s, p)
	// a1 captured again later: Since matches it through last_captured_at.
	mustSave(t, s, page("a1", "a1", "a1 text", t0.Add(20*time.Hour)))

	titles := func(f ArticleFilter) string {
		as, err := s.Articles(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			out = append(out, a.Title)
		}
		return strings.Join(out, ",")
	}
	since := t0.Add(90 * time.Minute)
	for _, c := range []struct {
		f    ArticleFilter
		want string
	}{
		{ArticleFilter{}, "b1,a3,a2,a1"},
		{ArticleFilter{Source: "example"}, "a3,a2,a1"},
		{ArticleFilter{Limit: 2, Offset: 1}, "a3,a2"},
		{ArticleFilter{Since: &since}, "b1,a3,a1"},
	} {
		if got := titles(c.f); got != c.want {
			t.Errorf("Articles(%+v) = %s, want %s", c.f, got, c.want)
		}
	}
}

func TestRecordCapture(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	res := mustSave(t, s, page("nm", "T", "text", t0))
	if err := s.RecordCapture(ctx, Capture{ArticleID: res.ArticleID, Source: "example", URL: "https://example.com/nm",
		CapturedAt: t0.Add(time.Hour), Outcome: OutcomeNotModified}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordCapture(ctx, Capture{Source: "example", URL: "https://example.com/gone",
		CapturedAt: t0.Add(2 * time.Hour), Outcome: OutcomeError, Error: "fetch: 404 Not Found"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordCapture(ctx, Capture{Source: "example", Outcome: OutcomeNew}); err == nil {
		t.Error("RecordCapture accepted outcome new")
	}
	a, _ := s.Article(ctx, res.ArticleID)
	if a.LastCapturedAt == nil || !a.LastCapturedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("not-modified did not move last_captured_at: %v", a.LastCapturedAt)
	}
	caps, err := s.Captures(ctx, CaptureFilter{Source: "example"})
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 3 || caps[0].Outcome != OutcomeError || caps[0].ArticleID != "" || caps[0].Error != "fetch: 404 Not Found" ||
		caps[1].Outcome != OutcomeNotModified || caps[2].Outcome != OutcomeNew {
		t.Errorf("captures = %+v", caps)
	}
	if caps, _ := s.Captures(ctx, CaptureFilter{Limit: 1}); len(caps) != 1 || caps[0].Outcome != OutcomeError {
		t.Errorf("limit 1 = %+v", caps)
	}
}

func TestSourcesAndPolls(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	if err := s.SyncSources(ctx, []Source{{Name: "mondo", Title: "Mondo History", Feed: "https://mondo.example/feed"},
		{Name: "example", Title: "Example"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordPoll(ctx, "mondo", t0, PollOK, "", `"etag-1"`, "Wed, 31 Jan 2024 08:00:00 GMT"); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordPoll(ctx, "mondo", t0.Add(time.Hour), PollNotModified, "", "", ""); err != nil {
		t.Fatal(err)
	}
	src, err := s.Source(ctx, "mondo")
	if err != nil {
		t.Fatal(err)
	}
	if src.ETag != `"etag-1"` || src.LastModified == "" || src.LastOutcome != PollNotModified ||
		src.LastPollAt == nil || !src.LastPollAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("after not-modified poll: %+v", src)
	}
	if err := s.RecordPoll(ctx, "mondo", t0.Add(2*time.Hour), PollError, "feed: no feed format detected", "", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordPoll(ctx, "mondo", t0.Add(3*time.Hour), PollError, "feed: timeout", "", ""); err != nil {
		t.Fatal(err)
	}
	if src, _ = s.Source(ctx, "mondo"); src.Failures != 2 {
		t.Errorf("failures after two failed polls = %d, want 2", src.Failures)
	}
	if err := s.RecordPoll(ctx, "mondo", t0.Add(4*time.Hour), PollNotModified, "", "", ""); err != nil {
		t.Fatal(err)
	}
	if src, _ = s.Source(ctx, "mondo"); src.Failures != 0 {
		t.Errorf("failures after a good poll = %d, want 0", src.Failures)
	}
	if err := s.RecordPoll(ctx, "mondo", t0.Add(5*time.Hour), PollError, "feed: no feed format detected", "", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordPoll(ctx, "mondo", t0, "weird", "", "", ""); err == nil {
		t.Error("RecordPoll accepted an unknown outcome")
	}
	// Reconfiguring keeps poll state.
	if err := s.SyncSources(ctx, []Source{{Name: "mondo", Title: "Mondo History (new title)", Feed: "https://mondo.example/rss"}}); err != nil {
		t.Fatal(err)
	}
	src, _ = s.Source(ctx, "mondo")
	if src.Title != "Mondo History (new title)" || src.Feed != "https://mondo.example/rss" || src.ETag != `"etag-1"` ||
		src.LastOutcome != PollError || src.LastError != "feed: no feed format detected" {
		t.Errorf("after resync: %+v", src)
	}

	mustSave(t, s, page("one", "One", "one", t0))
	mustSave(t, s, page("one", "One", "one, revised", t0.Add(time.Hour)))
	mustSave(t, s, page("two", "Two", "two", t0))
	srcs, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 || srcs[0].Name != "example" || srcs[1].Name != "mondo" {
		t.Fatalf("sources = %+v", srcs)
	}
	if srcs[0].Articles != 2 || srcs[0].Snapshots != 3 || srcs[1].Articles != 0 {
		t.Errorf("counts: %+v", srcs)
	}
	if _, err := s.Source(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown source: %v", err)
	}
}

func TestFeedItems(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	up := t0.Add(-time.Hour)
	items := []FeedItem{
		{Source: "mondo", Key: "guid:1", Link: "https://mondo.example/1", Updated: &up, LastSeen: t0},
		{Source: "mondo", Key: "guid:2", Link: "https://mondo.example/2", LastSeen: t0},
		{Source: "other", Key: "guid:1", Link: "https://other.example/1", LastSeen: t0},
	}
	if err := s.SaveFeedItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	items[1].ArticleID = "0123456789ab"
	items[1].LastSeen = t0.Add(time.Hour)
	if err := s.SaveFeedItems(ctx, items[1:2]); err != nil {
		t.Fatal(err)
	}
	got, err := s.FeedItems(ctx, "mondo")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["guid:1"].Updated == nil || !got["guid:1"].Updated.Equal(up) ||
		got["guid:2"].ArticleID != "0123456789ab" || !got["guid:2"].LastSeen.Equal(t0.Add(time.Hour)) || got["guid:2"].Updated != nil {
		t.Errorf("feed items = %+v", got)
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	res := mustSave(t, s, page("keep", "Keep", "kept text", t0))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.SaveCapture(context.Background(), page("late", "L", "l", t0)); !errors.Is(err, ErrClosed) {
		t.Errorf("SaveCapture after Close: %v", err)
	}
	s2 := MustOpenDir(t, dir, Options{NoSync: true})
	// The latest migration's number, whichever it is.
	names, err := migrationFS.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	latest, _ := strconv.Atoi(strings.SplitN(names[len(names)-1].Name(), "_", 2)[0])
	var version int
	if err := s2.rdb.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != latest || latest < 2 {
		t.Errorf("user_version %d, %v; want %d", version, err, latest)
	}
	var check string
	if err := s2.rdb.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check %q, %v", check, err)
	}
	sn, err := s2.Snapshot(context.Background(), res.SnapshotID)
	if err != nil || sn.Text != "kept text" {
		t.Errorf("after reopen: %v, %v", sn, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "warc", sn.WARCFile)); err != nil {
		t.Errorf("WARC file under its final name: %v", err)
	}
}

// TestBatchIsolatesFailingPage: one page failing inside a group commit is
// answered with its error; the others in the batch are committed, on
// either backend.
func TestBatchIsolatesFailingPage(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testBatchIsolatesFailingPage(t, MustOpen(t)) })
	t.Run("postgres", func(t *testing.T) {
		s := MustOpenDir(t, t.TempDir(), Options{NoSync: true, Database: pgtest.NewDatabase(t)})
		testBatchIsolatesFailingPage(t, s)
	})
}

func testBatchIsolatesFailingPage(t *testing.T, s *Store) {
	ctx := context.Background()
	mk := func(slug string) *saveReq {
		p := page(slug, slug, slug+" text", t0)
		prep, err := prepare(p, false)
		if err != nil {
			t.Fatal(err)
		}
		return &saveReq{ctx: ctx, p: p, id: ArticleID(p.Canonical), prep: prep, done: make(chan saveAns, 1)}
	}
	good1, bad, good2 := mk("good1"), mk("bad"), mk("good2")
	// Fault injection: the database refuses the middle page's snapshot.
	trigger := `CREATE TRIGGER fail_bad BEFORE INSERT ON snapshots WHEN NEW.article_id = '` + bad.id + `'
		BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`
	if s.pg {
		trigger = `CREATE FUNCTION fail_bad() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.article_id = '` + bad.id + `' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$;
			CREATE TRIGGER fail_bad BEFORE INSERT ON snapshots FOR EACH ROW EXECUTE FUNCTION fail_bad();`
	}
	if _, err := s.wdb.Exec(trigger); err != nil {
		t.Fatal(err)
	}
	answers, err := s.saveBatch([]*saveReq{good1, bad, good2})
	if err != nil {
		t.Fatalf("batch: %v", err)
	}
	if answers[0].err != nil || answers[2].err != nil || answers[1].err == nil {
		t.Fatalf("answers: %+v", answers)
	}
	for _, r := range []*saveReq{good1, good2} {
		if _, err := s.LatestSnapshot(ctx, r.id); err != nil {
			t.Errorf("%s not committed: %v", r.p.Canonical, err)
		}
	}
	if _, err := s.Article(ctx, bad.id); !errors.Is(err, ErrNotFound) {
		t.Errorf("failed page left its article behind: %v", err)
	}
	// The batch ran twice (without savepoints, then with them after the
	// failure): the good pages' records are in WARC once, where their
	// snapshots point, and the failed page's once (an orphan).
	responses := 0
	for _, name := range warcFiles(t, s.WARCDir()) {
		for _, rec := range readAllRecords(t, filepath.Join(s.WARCDir(), name)) {
			if rec.WarcRecord.Type() == gowarc.Response {
				responses++
			}
		}
	}
	if responses != 3 {
		t.Errorf("%d response records in WARC, want 3 (one a page)", responses)
	}
	rep, err := s.Verify(ctx, nil)
	if err != nil || len(rep.Damaged) != 0 || rep.Snapshots != 2 {
		t.Errorf("verify: %+v, %v", rep, err)
	}
}

// TestBatchOfOneFailingPage: a page alone in its batch that fails is
// answered with its error and leaves nothing behind.
func TestBatchOfOneFailingPage(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	p := page("bad", "bad", "bad text", t0)
	if _, err := s.wdb.Exec(`CREATE TRIGGER fail_bad BEFORE INSERT ON snapshots
		BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveCapture(ctx, p); err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("SaveCapture = %v, want the injected failure", err)
	}
	if _, err := s.Article(ctx, ArticleID(p.Canonical)); !errors.Is(err, ErrNotFound) {
		t.Errorf("failed page left its article behind: %v", err)
	}
	if _, err := s.wdb.Exec(`DROP TRIGGER fail_bad`); err != nil {
		t.Fatal(err)
	}
	if res := mustSave(t, s, p); res.Outcome != OutcomeNew {
		t.Errorf("saved again: outcome %s, want new", res.Outcome)
	}
}

func TestSaveCaptureValidates(t *testing.T) {
	s := MustOpen(t)
	for _, p := range []*Page{nil, {Source: "x", Canonical: "https://x/"}, {Canonical: "https://x/", Fingerprint: "n1:a"}} {
		if _, err := s.SaveCapture(context.Background(), p); err == nil {
			t.Errorf("SaveCapture(%+v) accepted", p)
		}
	}
}

// A capture taken before the latest snapshot but committed after it (two
// workers or processes) is judged against the snapshot in effect when it
// was taken: a late copy of A after B is not a new snapshot, and its older
// validators do not replace the newer ones.
func TestLateCaptureComparedWithSnapshotInEffect(t *testing.T) {
	s := MustOpen(t)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	a0 := page("late", "T", "version A", t0)
	a0.ETag = `"a"`
	mustSave(t, s, a0)
	b := page("late", "T", "version B", t0.Add(2*time.Hour))
	b.ETag = `"b"`
	mustSave(t, s, b)
	lateA := page("late", "T", "version A", t0.Add(time.Hour)) // fetched before B was stored
	lateA.ETag = `"a"`
	if res := mustSave(t, s, lateA); res.Outcome != OutcomeUnchanged {
		t.Fatalf("late copy of A: outcome %s, want unchanged", res.Outcome)
	}
	snaps, err := s.Snapshots(context.Background(), ArticleID("https://example.com/late"))
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 2 || snaps[1].Text != "version B" {
		t.Fatalf("snapshots = %d (latest %q), want A then B", len(snaps), snaps[len(snaps)-1].Text)
	}
	a, err := s.Article(context.Background(), ArticleID("https://example.com/late"))
	if err != nil {
		t.Fatal(err)
	}
	if a.ETag != `"b"` {
		t.Fatalf("ETag = %s, want the newer response's", a.ETag)
	}
}

// TestMigratesAVersion1Archive: an archive made before fetch durations were
// recorded opens, gains the column, and keeps its data.
func TestMigratesAVersion1Archive(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "annalist.db"))
	if err != nil {
		t.Fatal(err)
	}
	v1, err := migrationFS.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(v1) + "; PRAGMA user_version = 1;"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO sources (name) VALUES ('old')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := MustOpenDir(t, dir, Options{NoSync: true})
	if _, err := s.Source(context.Background(), "old"); err != nil {
		t.Fatalf("data of the version-1 archive: %v", err)
	}
	p := page("m", "M", "migrated", t0)
	p.FetchDuration = 1500 * time.Millisecond
	mustSave(t, s, p)
	stats, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(stats.Fetches) != 1 || stats.Fetches[0].Count != 1 || stats.Fetches[0].Buckets[3] != 0 || stats.Fetches[0].Buckets[4] != 1 {
		t.Fatalf("fetch latency after migration = %+v", stats.Fetches)
	}
}

// TestGroupCommitWaitsForPreparingCallers: the writer holds its batch open
// while another SaveCapture caller is still preparing its page, so that
// both are committed in one transaction; with none preparing it does not
// wait.
func TestGroupCommitWaitsForPreparingCallers(t *testing.T) {
	ctx := context.Background()
	s := &Store{queue: make(chan *saveReq, 4), groupWait: time.Hour}
	first, second := &saveReq{}, &saveReq{preparing: true}
	if got := s.gather([]*saveReq{first}); len(got) != 1 {
		t.Fatalf("nobody preparing: batch of %d", len(got))
	}
	// Two callers preparing: the second's page comes late; the third's
	// never (the queue closes, as at Close, to end the wait).
	s.preparing.Add(2)
	go func() {
		time.Sleep(20 * time.Millisecond)
		if err := s.send(ctx, second); err != nil {
			t.Error(err)
		}
		close(s.queue)
	}()
	got := s.gather([]*saveReq{first})
	if len(got) != 2 || got[1] != second {
		t.Fatalf("batch of %d, want the page of the caller that was preparing too", len(got))
	}
	if n := s.preparing.Load(); n != 1 {
		t.Errorf("%d callers counted as preparing, want 1", n)
	}
}
