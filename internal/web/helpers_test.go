package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"annalist/internal/store"
)

// t0 is the fixture's first capture time.
var t0 = time.Date(2024, 1, 10, 9, 0, 0, 0, time.UTC)

func day(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func datePtr(t time.Time) *time.Time { return &t }

// fixture is an archive filled through the store's real write path, and
// the UI serving it.
type fixture struct {
	t       testing.TB
	st      *store.Store
	srv     *Server
	grain   string // article with three snapshots: a silent edit, then a dated revision
	grainS  []string
	kontor  string // one snapshot, with an image and a link
	hostile string // one snapshot whose stored HTML is hostile (as if the extraction sanitiser had failed)
	hostS   string
}

// pageOf builds a capture of url with title and paragraphs; html is the
// extracted HTML to store ("" = the paragraphs as <p>).
func pageOf(source, url, title string, paras []string, at time.Time, rev *time.Time, extracted string) *store.Page {
	text := strings.Join(paras, "\n\n")
	if extracted == "" {
		var b strings.Builder
		for _, p := range paras {
			b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
		}
		extracted = b.String()
	}
	body := "<!doctype html><html><head><title>" + html.EscapeString(title) + "</title></head><body><article><h1>" +
		html.EscapeString(title) + "</h1>" + extracted + "</article></body></html>"
	sum := sha256.Sum256([]byte(title + "\n" + strings.Join(strings.Fields(text), " ")))
	return &store.Page{
		Source: source, FetchURL: url, FinalURL: url, Canonical: url, CapturedAt: at,
		FetchDuration: 300 * time.Millisecond,
		StatusCode:    200, Proto: "HTTP/1.1",
		Header:     http.Header{"Content-Type": {"text/html; charset=utf-8"}},
		Body:       []byte(body),
		RawRequest: []byte("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n"),
		Title:      title, Byline: "A. Historian", HTML: extracted, Text: text, Markdown: text,
		RevisionDate: rev, PublishedDate: datePtr(t0.Add(-day(30))),
		Fingerprint: "n1:" + hex.EncodeToString(sum[:]), Extractor: "selectors/1",
	}
}

func save(tb testing.TB, st *store.Store, p *store.Page) *store.SaveResult {
	tb.Helper()
	res, err := st.SaveCapture(context.Background(), p)
	if err != nil {
		tb.Fatalf("save %s: %v", p.Canonical, err)
	}
	return res
}

var grainV1 = []string{
	"The Grand Canal carried the grain of the south to the capital for more than a thousand years.",
	"Fleets of flat-bottomed barges moved in convoys, and their crews knew every lock by name.",
}

var grainV2 = []string{
	"The Grand Canal carried the grain of the south to the northern capital for more than a thousand years.",
	"Fleets of flat-bottomed barges moved in convoys, and their crews knew every lock by name.",
}

var grainV3 = []string{
	"The Grand Canal carried the tribute grain of the south to the northern capital for more than a thousand years.",
	"Fleets of flat-bottomed barges moved in convoys of up to a hundred boats, and their crews knew every lock by name.",
	"When the Yellow River shifted its course in 1855 the canal silted up, and the sea route took the grain instead.",
}

// hostileHTML is everything an archived page might try, stored as if the
// extraction-time sanitiser had let it all through.
const hostileHTML = `<p>Plain paragraph survives.</p>
<script>alert('xss-script');document.title='PWNED-script'</script>
<img src="x" onerror="alert('xss-img');document.title='PWNED-img'">
<img src="https://tracker.example/pixel.gif" alt="tracking pixel">
<a id="jslink" href="javascript:alert('xss-link');document.title='PWNED-link'">click me</a>
<svg xmlns="http://www.w3.org/2000/svg"><script>alert('xss-svg')</script><circle r="5" onload="alert('xss-svgload')"/></svg>
<meta http-equiv="refresh" content="0;url=https://evil.example/refresh">
<div style="width: expression(alert('xss-css')); background: url(https://evil.example/bg.png)">styled</div>
<style>body { background: url(https://evil.example/style.png) } </style>
<iframe src="https://evil.example/frame"></iframe>
<object data="https://evil.example/obj"></object>
<form action="https://evil.example/post"><input name="x" autofocus onfocus="alert('xss-focus')"></form>
<link rel="stylesheet" href="https://evil.example/x.css">
<base href="https://evil.example/">
<p onclick="alert('xss-click')" onmouseover="document.title='PWNED-hover'">Hover me.</p>
<a href="https://en.wikipedia.org/wiki/Grand_Canal_(China)">a real link</a>`

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	st := store.MustOpen(tb)
	ctx := context.Background()
	if err := st.SyncSources(ctx, []store.Source{
		{Name: "mondo-history", Title: "Mondo History", Feed: "https://mondo.example/rss.xml"},
		{Name: "broken", Title: "Broken Feed", Feed: "https://broken.example/feed"},
	}); err != nil {
		tb.Fatal(err)
	}
	f := &fixture{t: tb, st: st}
	const grainURL = "https://mondo.example/history/grain-fleets.html"
	r1 := save(tb, st, pageOf("mondo-history", grainURL, "The Grain Fleets of the Grand Canal", grainV1, t0, datePtr(t0.Add(-day(1))), ""))
	// Wording changed, revision date not: a silent edit.
	r2 := save(tb, st, pageOf("mondo-history", grainURL, "The Grain Fleets of the Grand Canal", grainV2, t0.Add(day(10)), datePtr(t0.Add(-day(1))), ""))
	save(tb, st, pageOf("mondo-history", grainURL, "The Grain Fleets of the Grand Canal", grainV2, t0.Add(day(15)), datePtr(t0.Add(-day(1))), ""))
	r3 := save(tb, st, pageOf("mondo-history", grainURL, "The Grain Fleets of the Grand Canal (revised)", grainV3, t0.Add(day(22)), datePtr(t0.Add(day(21))), ""))
	f.grain, f.grainS = r1.ArticleID, []string{r1.SnapshotID, r2.SnapshotID, r3.SnapshotID}

	k := save(tb, st, pageOf("mondo-history", "https://mondo.example/history/kontors.html", "The Kontors of the Hanseatic League",
		[]string{"Merchant colonies of the north traded furs, wax and herring."}, t0.Add(day(2)), nil,
		`<p>Merchant colonies of the north traded furs, wax and herring.</p><figure><img src="https://cdn.example/kontor.jpg" alt="The Steelyard in London"><figcaption>The Steelyard</figcaption></figure><p><a href="https://en.wikipedia.org/wiki/Kontor">Kontor</a></p>`))
	f.kontor = k.ArticleID

	h := save(tb, st, pageOf("mondo-history", "https://mondo.example/history/hostile.html", `Hostile <script>alert('title')</script> page`,
		[]string{"Plain paragraph survives.", "click me", "styled", "Hover me.", "a real link"}, t0.Add(day(3)), nil, hostileHTML))
	f.hostile, f.hostS = h.ArticleID, h.SnapshotID

	if err := st.RecordPoll(ctx, "mondo-history", t0.Add(day(22)), store.PollOK, "", "", ""); err != nil {
		tb.Fatal(err)
	}
	if err := st.RecordPoll(ctx, "broken", t0.Add(day(22)), store.PollError, "feed: HTTP 503 Service Unavailable", "", ""); err != nil {
		tb.Fatal(err)
	}
	if err := st.RecordCapture(ctx, store.Capture{Source: "broken", URL: "https://broken.example/a", CapturedAt: t0.Add(day(22)),
		Outcome: store.OutcomeError, Error: "HTTP 503"}); err != nil {
		tb.Fatal(err)
	}
	srv, err := New(Options{Store: st, Now: func() time.Time { return t0.Add(day(30)) },
		Schedule: func(source string) (string, time.Time, bool) {
			if source == "mondo-history" {
				return "0 */2 * * *", t0.Add(day(30) + 2*time.Hour), true
			}
			return "", time.Time{}, false
		}})
	if err != nil {
		tb.Fatal(err)
	}
	f.srv = srv
	return f
}

// get serves one request through the whole handler (headers included).
func (f *fixture) get(path string, hdr ...string) *http.Response {
	f.t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://archive.test"+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	return rec.Result()
}

// page GETs path, expects status, and parses the HTML.
func (f *fixture) page(path string, status int) *goquery.Document {
	f.t.Helper()
	resp := f.get(path)
	defer resp.Body.Close()
	if resp.StatusCode != status {
		b, _ := io.ReadAll(resp.Body)
		f.t.Fatalf("GET %s: status %d, want %d\n%s", path, resp.StatusCode, status, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		f.t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return doc
}

func body(tb testing.TB, resp *http.Response) string {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

func ts(snapshotID string) string { return snapshotTS(snapshotID) }

var _ = fmt.Sprintf
