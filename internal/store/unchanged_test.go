package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSaveCaptureRemembersBodyKey(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	save := func(text, key string, at time.Time) *SaveResult {
		p := page("bk", "T", text, at)
		p.BodyKey = key
		return mustSave(t, s, p)
	}
	key := func(id string) string {
		a, err := s.Article(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a.BodyKey
	}
	res := save("first text", "k1", t0)
	if res.Outcome != OutcomeNew || key(res.ArticleID) != "k1" {
		t.Fatalf("new: %+v, body key %q, want k1", res, key(res.ArticleID))
	}
	if res := save("first text", "k2", t0.Add(time.Hour)); res.Outcome != OutcomeUnchanged || key(res.ArticleID) != "k2" {
		t.Fatalf("unchanged: %+v, body key %q, want k2", res, key(res.ArticleID))
	}
	if res := save("second text", "k3", t0.Add(2*time.Hour)); res.Outcome != OutcomeRevised || key(res.ArticleID) != "k3" {
		t.Fatalf("revised: %+v, body key %q, want k3", res, key(res.ArticleID))
	}
	// A snapshot older than the latest does not describe the article now.
	if res := save("older text", "k4", t0.Add(30*time.Minute)); res.Outcome != OutcomeRevised || key(res.ArticleID) != "" {
		t.Fatalf("backdated revision: %+v, body key %q, want cleared", res, key(res.ArticleID))
	}
	if arts, _ := s.Articles(ctx, ArticleFilter{}); len(arts) != 1 || arts[0].BodyKey != "" {
		t.Fatalf("Articles does not read body_key: %+v", arts)
	}
}

func TestRecordUnchanged(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	p := page("ru", "T", "text", t0)
	p.BodyKey = "key"
	res := mustSave(t, s, p)
	id := res.ArticleID
	next := t0.Add(48 * time.Hour)
	at := t0.Add(time.Hour)
	u := Unchanged{ArticleID: id, Source: "example", URL: "https://example.com/ru", CapturedAt: at,
		BodyKey: "key", NextCheckAt: &next, ETag: `"v2"`, LastModified: "Wed, 31 Jan 2024 09:00:00 GMT"}
	if err := s.RecordUnchanged(ctx, u); err != nil {
		t.Fatal(err)
	}
	a, err := s.Article(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.LastCapturedAt == nil || !a.LastCapturedAt.Equal(at) || a.NextCheckAt == nil || !a.NextCheckAt.Equal(next) ||
		a.ETag != u.ETag || a.LastModified != u.LastModified || a.BodyKey != "key" || a.Snapshots != 1 {
		t.Fatalf("article after RecordUnchanged: %+v", a)
	}
	caps, err := s.Captures(ctx, CaptureFilter{ArticleID: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 2 || caps[0].Outcome != OutcomeUnchanged || caps[0].SnapshotID != "" || caps[0].URL != u.URL ||
		!caps[0].CapturedAt.Equal(at) || caps[0].Source != "example" {
		t.Fatalf("captures = %+v", caps)
	}

	// Another source's capture of the article: its source is created.
	other := u
	other.Source, other.CapturedAt = "manual", at.Add(time.Minute)
	if err := s.RecordUnchanged(ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Source(ctx, "manual"); err != nil {
		t.Fatalf("source of the capture: %v", err)
	}

	// A key that is no longer the article's: nothing is written.
	stale := u
	stale.BodyKey, stale.CapturedAt = "other", at.Add(time.Hour)
	if err := s.RecordUnchanged(ctx, stale); !errors.Is(err, ErrBodyKeyStale) {
		t.Fatalf("stale key: err = %v, want ErrBodyKeyStale", err)
	}
	unknown := u
	unknown.ArticleID = "000000000000"
	if err := s.RecordUnchanged(ctx, unknown); !errors.Is(err, ErrBodyKeyStale) {
		t.Fatalf("unknown article: err = %v, want ErrBodyKeyStale", err)
	}
	if caps, _ := s.Captures(ctx, CaptureFilter{}); len(caps) != 3 {
		t.Fatalf("captures after stale calls = %d, want 3", len(caps))
	}
	if a, _ := s.Article(ctx, id); !a.LastCapturedAt.Equal(other.CapturedAt) {
		t.Fatalf("stale call moved last_captured_at to %v", a.LastCapturedAt)
	}
	if err := s.RecordUnchanged(ctx, Unchanged{ArticleID: id, Source: "example"}); err == nil {
		t.Fatal("RecordUnchanged accepted an empty body key")
	}
}

// A re-check that finds the same bytes records the revision date those
// bytes declare, as a full re-check would: the timeline must not show
// "no revision date" for a page that states one.
func TestRecordUnchangedKeepsDeclaredRevisionDate(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	p := page("rd", "T", "text", t0)
	p.BodyKey = "key"
	rev := time.Date(2024, 1, 30, 0, 0, 0, 0, time.UTC)
	p.RevisionDate = &rev
	res := mustSave(t, s, p)
	for i := 1; i <= 2; i++ {
		if err := s.RecordUnchanged(ctx, Unchanged{ArticleID: res.ArticleID, Source: "example", URL: "https://example.com/rd",
			CapturedAt: t0.Add(time.Duration(i) * time.Hour), BodyKey: "key", HTTPStatus: 200}); err != nil {
			t.Fatal(err)
		}
	}
	caps, err := s.Captures(ctx, CaptureFilter{ArticleID: res.ArticleID})
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 3 {
		t.Fatalf("%d captures, want 3", len(caps))
	}
	for _, c := range caps {
		if c.RevisionDate == nil || !c.RevisionDate.Equal(rev) {
			t.Errorf("%s capture at %s: revision date %v, want %s", c.Outcome, c.CapturedAt, c.RevisionDate, rev)
		}
	}
}

// While a write is expected (ExpectWrite), the group committer holds the
// unchanged records already queued instead of committing each alone; once
// it comes they commit together, each with its own capture time, and one
// whose key went stale fails alone without losing the others.
func TestRecordUnchangedExpectedWrite(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	s.groupWait = time.Hour // the expectation, not the clock, ends the wait
	ids := map[string]string{}
	for _, name := range []string{"ea", "eb", "ec", "ed"} {
		p := page(name, "T "+name, "text of "+name, t0)
		p.BodyKey = "key-" + name
		ids[name] = mustSave(t, s, p).ArticleID
	}
	send := func(name, key string, at time.Time) *saveReq {
		u := &Unchanged{ArticleID: ids[name], Source: "example", URL: "https://example.com/" + name, CapturedAt: at, BodyKey: key}
		req := &saveReq{ctx: ctx, u: u, id: u.ArticleID, done: make(chan saveAns, 1)}
		if err := s.send(ctx, req); err != nil {
			t.Fatal(err)
		}
		return req
	}
	commits := s.commits.Load()
	expected := s.ExpectWrite()
	a := send("ea", "key-ea", t0.Add(1*time.Minute))
	select {
	case ans := <-a.done:
		t.Fatalf("committed while a write was expected: %+v", ans)
	case <-time.After(100 * time.Millisecond):
	}
	b := send("eb", "stale", t0.Add(2*time.Minute))
	c := send("ec", "key-ec", t0.Add(3*time.Minute))
	expected()
	expected() // harmless
	d := send("ed", "key-ed", t0.Add(4*time.Minute))
	for name, r := range map[string]*saveReq{"ea": a, "ec": c, "ed": d} {
		if ans := <-r.done; ans.err != nil {
			t.Fatalf("%s: %v", name, ans.err)
		}
	}
	if ans := <-b.done; !errors.Is(ans.err, ErrBodyKeyStale) {
		t.Fatalf("stale key: err = %v, want ErrBodyKeyStale", ans.err)
	}
	// One transaction, or two if the last came just after the others were
	// committed: never one each.
	if n := s.commits.Load() - commits; n > 2 {
		t.Fatalf("%d commits for 4 records", n)
	}
	for i, name := range []string{"ea", "eb", "ec", "ed"} {
		caps, err := s.Captures(ctx, CaptureFilter{ArticleID: ids[name]})
		if err != nil {
			t.Fatal(err)
		}
		want := 2
		if name == "eb" {
			want = 1 // its stale record wrote nothing
		}
		if len(caps) != want {
			t.Fatalf("%s: %d captures, want %d: %+v", name, len(caps), want, caps)
		}
		if want == 2 && (caps[0].Outcome != OutcomeUnchanged || !caps[0].CapturedAt.Equal(t0.Add(time.Duration(i+1)*time.Minute))) {
			t.Fatalf("%s: capture %+v, want unchanged at +%dm", name, caps[0], i+1)
		}
	}
}

// The revision date an unchanged check copies is found through an index in
// capture order, not by sorting all the article's captures: a re-check
// must not cost more with every check before it.
func TestLastReadRevisionUsesIndex(t *testing.T) {
	s := MustOpen(t)
	if s.pg {
		t.Skip("SQLite's query plan")
	}
	rows, err := s.rdb.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+lastReadRevision, "000000000000")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(plan, "; ")
	if !strings.Contains(joined, "captures_article_id") || strings.Contains(joined, "TEMP B-TREE") {
		t.Fatalf("plan: %s", joined)
	}
}

// An expected write taken back without being sent does not leave the
// batch held open for the whole group wait.
func TestExpectWriteTakenBack(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	s.groupWait = time.Hour
	p := page("tb", "T", "text", t0)
	p.BodyKey = "key"
	id := mustSave(t, s, p).ArticleID
	expected := s.ExpectWrite()
	u := &Unchanged{ArticleID: id, Source: "example", URL: "https://example.com/tb", CapturedAt: t0.Add(time.Hour), BodyKey: "key"}
	req := &saveReq{ctx: ctx, u: u, id: id, done: make(chan saveAns, 1)}
	if err := s.send(ctx, req); err != nil {
		t.Fatal(err)
	}
	// Most likely the writer now waits in gather; either way the record
	// must be answered without the group wait.
	time.Sleep(100 * time.Millisecond)
	expected() // the page turned out changed: no quick record comes
	select {
	case ans := <-req.done:
		if ans.err != nil {
			t.Fatal(ans.err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the writer still waits for a write taken back")
	}
}

// SendUnchanged returns once the row is queued, before it is committed;
// its wait answers when the row is in (or not), and again if called again.
func TestSendUnchangedReturnsBeforeCommit(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	s.groupWait = time.Hour // the expectation below holds the batch open
	p := page("su", "T su", "text of su", t0)
	p.BodyKey = "key-su"
	id := mustSave(t, s, p).ArticleID
	expected := s.ExpectWrite()
	sent := make(chan func() error)
	go func() {
		sent <- s.SendUnchanged(ctx, Unchanged{ArticleID: id, Source: "example", URL: "https://example.com/su",
			CapturedAt: t0.Add(time.Minute), BodyKey: "key-su"})
	}()
	var wait func() error
	select {
	case wait = <-sent:
	case <-time.After(5 * time.Second):
		t.Fatal("SendUnchanged waited for the commit")
	}
	answered := make(chan error, 1)
	go func() { answered <- wait() }()
	select {
	case err := <-answered:
		t.Fatalf("answered (%v) while the batch was held open", err)
	case <-time.After(100 * time.Millisecond):
	}
	expected()
	if err := <-answered; err != nil {
		t.Fatal(err)
	}
	if err := wait(); err != nil {
		t.Fatalf("second wait: %v", err)
	}
	caps, err := s.Captures(ctx, CaptureFilter{ArticleID: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 2 || caps[0].Outcome != OutcomeUnchanged || !caps[0].CapturedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("captures %+v, want unchanged at +1m", caps)
	}
	stale := s.SendUnchanged(ctx, Unchanged{ArticleID: id, Source: "example", CapturedAt: t0.Add(2 * time.Minute), BodyKey: "old"})
	if err := stale(); !errors.Is(err, ErrBodyKeyStale) {
		t.Fatalf("stale key: %v, want ErrBodyKeyStale", err)
	}
}

// A 304 sent through the group commit writes what RecordCapture of a
// "not-modified" check and SetNextCheck wrote: the capture, the article's
// last capture and next check; its body key and validators stay.
func TestSendUnchangedNotModified(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	p := page("nm", "T nm", "text of nm", t0)
	p.BodyKey, p.ETag = "key-nm", `"v1"`
	id := mustSave(t, s, p).ArticleID
	next := t0.Add(48 * time.Hour)
	if err := s.SendUnchanged(ctx, Unchanged{NotModified: true, ArticleID: id, Source: "other", URL: "https://example.com/nm",
		CapturedAt: t0.Add(time.Hour), NextCheckAt: &next, HTTPStatus: 304, FetchDuration: 5 * time.Millisecond})(); err != nil {
		t.Fatal(err)
	}
	a, err := s.Article(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !a.LastCapturedAt.Equal(t0.Add(time.Hour)) || a.NextCheckAt == nil || !a.NextCheckAt.Equal(next) || a.BodyKey != "key-nm" || a.ETag != `"v1"` {
		t.Fatalf("article after a 304: %+v", a)
	}
	caps, err := s.Captures(ctx, CaptureFilter{ArticleID: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 2 || caps[0].Outcome != OutcomeNotModified || caps[0].Source != "other" || caps[0].HTTPStatus != 304 ||
		!caps[0].CapturedAt.Equal(t0.Add(time.Hour)) || caps[0].RevisionDate != nil {
		t.Fatalf("captures %+v, want not-modified at +1h from source other", caps)
	}
	if err := s.SendUnchanged(ctx, Unchanged{NotModified: true, ArticleID: "000000000000", Source: "example"})(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown article: %v, want ErrNotFound", err)
	}
}
