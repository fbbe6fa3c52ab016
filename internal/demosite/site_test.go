package demosite

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSampleArticleMatchesFixture(t *testing.T) {
	raw, err := os.ReadFile("testdata/mondo-history-article.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	wantTitle := strings.TrimSpace(lines[0])
	var want []string
	inBody := false
	for _, l := range lines[1:] {
		l = strings.TrimSpace(l)
		switch {
		case l == "Mondo History Updated on 2024-01-31":
			inBody = true
		case l == "" || l == "Related Pages" || !inBody:
		default:
			want = append(want, l)
		}
	}

	s := New()
	srv := startServer(t, s)
	page := getOK(t, srv, Path(sampleSlug))
	if got := paragraphsOf(t, page, "div.article-content"); !slices.Equal(got, want) {
		t.Errorf("body paragraphs differ from the sample:\n got %q\nwant %q", got, want)
	}
	doc := parseHTML(t, page)
	if got := doc.Find("h1.article-title").Text(); got != wantTitle {
		t.Errorf("title = %q, want %q", got, wantTitle)
	}
	if got := strings.Join(strings.Fields(doc.Find(".article-meta").Text()), " "); !strings.HasPrefix(got, "Mondo History Updated on 2024-01-31 ") {
		t.Errorf("meta line = %q, want it to start with the Mondo History stamp", got)
	}
	if got := doc.Find("title").Text(); got != wantTitle+" - Mondo History" {
		t.Errorf("<title> = %q", got)
	}
}

func TestEveryArticlePageHasTheLayout(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	if len(s.Slugs()) < 4 {
		t.Fatalf("only %d articles", len(s.Slugs()))
	}
	for _, slug := range s.Slugs() {
		t.Run(slug, func(t *testing.T) {
			resp, page := get(t, srv, srv.URL+Path(slug))
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			p := pageParts(t, page)
			if p["canonical"] != srv.URL+Path(slug) {
				t.Errorf("canonical = %q", p["canonical"])
			}
			for _, k := range []string{"title", "body", "stamp", "modified", "published", "views", "byline", "related", "ad", "share"} {
				if strings.TrimSpace(p[k]) == "" {
					t.Errorf("%s is empty", k)
				}
			}
			if n := len(paragraphsOf(t, page, "div.article-content")); n < 4 {
				t.Errorf("%d paragraphs, want at least 4", n)
			}
			if !strings.HasPrefix(p["stamp"], "Updated on ") {
				t.Errorf("stamp = %q", p["stamp"])
			}
			if _, err := time.Parse(time.RFC3339, p["published"]); err != nil {
				t.Errorf("time.pub datetime: %v", err)
			}
			doc := parseHTML(t, page)
			for _, sel := range []string{"nav.site-nav", "footer.site-footer", `meta[property="og:site_name"][content="Mondo History"]`, `meta[property="og:title"]`, `meta[property="article:published_time"]`, "main article .related-pages h3"} {
				if doc.Find(sel).Length() == 0 {
					t.Errorf("no %s", sel)
				}
			}
		})
	}
}

func TestMutationsChangeOnlyWhatTheySay(t *testing.T) {
	day := time.Date(2024, 3, 9, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		mutate func(s *Site)
		want   []string
	}{
		{"Revise", func(s *Site) {
			s.Revise(sampleSlug, day, func(p []string) []string { return append(p, "A new closing paragraph.") })
		}, []string{"body", "stamp", "modified"}},
		{"SetStamp", func(s *Site) { s.SetStamp(sampleSlug, day) }, []string{"stamp", "modified"}},
		{"SetViews", func(s *Site) { s.SetViews(sampleSlug, 99999) }, []string{"views"}},
		{"SetRelated", func(s *Site) {
			s.SetRelated(sampleSlug, []string{"printing-press-pamphlet-wars", "https://elsewhere.example/x"})
		}, []string{"related"}},
		{"SetAd", func(s *Site) { s.SetAd(sampleSlug, "Cruises on the Volga, 20% off") }, []string{"ad"}},
		{"SetBody", func(s *Site) { s.SetBody(sampleSlug, []string{"Only this."}) }, []string{"body"}},
		{"SetSelectorBreak", func(s *Site) { s.SetSelectorBreak(sampleSlug, true) }, []string{"body", "v2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			srv := startServer(t, s)
			other := "silk-road-caravan-cities"
			before, otherBefore := getOK(t, srv, Path(sampleSlug)), getOK(t, srv, Path(other))
			tt.mutate(s)
			after, otherAfter := getOK(t, srv, Path(sampleSlug)), getOK(t, srv, Path(other))
			if got := changedParts(pageParts(t, before), pageParts(t, after)); !slices.Equal(got, tt.want) {
				t.Errorf("changed %v, want %v", got, tt.want)
			}
			if string(otherBefore) != string(otherAfter) {
				t.Errorf("another article's page changed too")
			}
		})
	}
}

func TestReviseDetails(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	orig := s.Body(sampleSlug)
	updated := time.Date(2024, 2, 14, 9, 30, 0, 0, time.UTC)
	s.Revise(sampleSlug, updated, func(p []string) []string {
		p[0] = "Rewritten opening."
		return p
	})
	p := pageParts(t, getOK(t, srv, Path(sampleSlug)))
	if p["stamp"] != "Updated on 2024-02-14" || p["modified"] != "2024-02-14T09:30:00Z" {
		t.Errorf("stamp %q, modified %q", p["stamp"], p["modified"])
	}
	body := s.Body(sampleSlug)
	if body[0] != "Rewritten opening." || !slices.Equal(body[1:], orig[1:]) {
		t.Errorf("Body after Revise = %q", body[:2])
	}
	s.SetBody(sampleSlug, orig)
	if got := paragraphsOf(t, getOK(t, srv, Path(sampleSlug)), "div.article-content"); !slices.Equal(got, orig) {
		t.Errorf("revert did not restore the body")
	}
}

func TestBodyReturnsACopy(t *testing.T) {
	s := New()
	b := s.Body(sampleSlug)
	b[0] = "scribbled"
	if s.Body(sampleSlug)[0] == "scribbled" {
		t.Fatal("Body exposes the site's own slice")
	}
	s.Revise(sampleSlug, time.Now(), func(p []string) []string { p[0] = "edited"; return nil })
	if len(s.Body(sampleSlug)) != 0 {
		t.Fatal("Revise did not take edit's result")
	}
}

func TestUnknownSlugPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("SetViews on an unknown slug did not panic")
		}
	}()
	New().SetViews("no-such-article", 1)
}

func TestAlternateSpellingsServeTheSamePage(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	want := getOK(t, srv, Path(sampleSlug))
	for _, path := range []string{
		"/history/" + sampleSlug + ".html?utm_source=rss",
		"/History/" + sampleSlug + ".html",
		"/HISTORY/" + strings.ToUpper(sampleSlug) + ".HTML?utm_source=feed&ref=x",
	} {
		if got := getOK(t, srv, path); string(got) != string(want) {
			t.Errorf("%s served a different page", path)
		}
	}
	if got := pageParts(t, want)["canonical"]; got != srv.URL+Path(sampleSlug) {
		t.Errorf("canonical = %q", got)
	}
}

func TestGoneAndNotFound(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	s.SetGone(sampleSlug, true)
	for _, path := range []string{Path(sampleSlug), Path("no-such-article"), "/nowhere", "/history/"} {
		if resp, _ := get(t, srv, srv.URL+path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	if strings.Contains(string(getOK(t, srv, "/")), sampleSlug) {
		t.Error("index still lists the gone article")
	}
	s.SetGone(sampleSlug, false)
	getOK(t, srv, Path(sampleSlug))
}

func TestSelectorBreakRenamesTheBodyDiv(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	s.SetSelectorBreak(sampleSlug, true)
	page := getOK(t, srv, Path(sampleSlug))
	doc := parseHTML(t, page)
	if n := doc.Find("div.article-content").Length(); n != 0 {
		t.Errorf("div.article-content still matches %d elements", n)
	}
	if got := paragraphsOf(t, page, "div.content-v2"); !slices.Equal(got, s.Body(sampleSlug)) {
		t.Errorf("the text moved to div.content-v2 differs")
	}
	s.SetSelectorBreak(sampleSlug, false)
	if parseHTML(t, getOK(t, srv, Path(sampleSlug))).Find("div.article-content").Length() != 1 {
		t.Error("SetSelectorBreak(false) did not restore the layout")
	}
}

func TestRequestsCounts(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	p := Path(sampleSlug)
	getOK(t, srv, p)
	getOK(t, srv, p+"?utm_source=rss")
	getOK(t, srv, "/History/"+sampleSlug+".html")
	resp, _ := get(t, srv, srv.URL+p, "If-None-Match", "*")
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match * gave %d", resp.StatusCode)
	}
	head, err := srv.Client().Head(srv.URL + p)
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	getOK(t, srv, "/rss.xml")

	if got := s.Requests(p); got != 3 {
		t.Errorf("Requests(%s) = %d, want 3 (HEAD not counted, 304 counted)", p, got)
	}
	if got := s.Requests("/History/" + sampleSlug + ".html"); got != 1 {
		t.Errorf("Requests of the capitalised spelling = %d, want 1", got)
	}
	if got := s.ArticleRequests(sampleSlug); got != 4 {
		t.Errorf("ArticleRequests = %d, want 4", got)
	}
	if got := s.Requests("/rss.xml"); got != 1 {
		t.Errorf("Requests(/rss.xml) = %d", got)
	}
	if got := s.Requests("/never"); got != 0 {
		t.Errorf("Requests(/never) = %d", got)
	}
}

func TestConditionalGET(t *testing.T) {
	for _, path := range []string{Path(sampleSlug), "/rss.xml"} {
		t.Run(path, func(t *testing.T) {
			s := New()
			srv := startServer(t, s)
			resp, _ := get(t, srv, srv.URL+path)
			etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			if etag == "" || lastMod == "" {
				t.Fatalf("ETag %q, Last-Modified %q", etag, lastMod)
			}
			for _, h := range [][]string{{"If-None-Match", etag}, {"If-Modified-Since", lastMod}} {
				if resp, body := get(t, srv, srv.URL+path, h...); resp.StatusCode != http.StatusNotModified || len(body) != 0 {
					t.Errorf("%s: status %d, %d bytes; want 304", h[0], resp.StatusCode, len(body))
				}
			}

			// A change the feed shows for the feed; any change for the page.
			s.SetStamp(sampleSlug, time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
			for _, h := range [][]string{{"If-None-Match", etag}, {"If-Modified-Since", lastMod}} {
				if resp, _ := get(t, srv, srv.URL+path, h...); resp.StatusCode != http.StatusOK {
					t.Errorf("after a change, %s: status %d, want 200", h[0], resp.StatusCode)
				}
			}

			s.SetConditional(false)
			resp, _ = get(t, srv, srv.URL+path, "If-None-Match", "*")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != "" || resp.Header.Get("Last-Modified") != "" {
				t.Errorf("conditional off: status %d, ETag %q, Last-Modified %q", resp.StatusCode, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
			}
		})
	}
}

// Changes with no date of their own (views, ads) must still move
// Last-Modified, or If-Modified-Since alone would hide them.
func TestLastModifiedMovesOnUndatedChanges(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	resp, _ := get(t, srv, srv.URL+Path(sampleSlug))
	lastMod := resp.Header.Get("Last-Modified")
	s.SetViews(sampleSlug, 1)
	if resp, _ := get(t, srv, srv.URL+Path(sampleSlug), "If-Modified-Since", lastMod); resp.StatusCode != http.StatusOK {
		t.Fatalf("after SetViews, If-Modified-Since: %d, want 200", resp.StatusCode)
	}
}

func TestRobotsIndexAndMethods(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	if got := string(getOK(t, srv, "/robots.txt")); !strings.Contains(got, "User-agent: *") || !strings.Contains(got, "Allow: /") {
		t.Errorf("robots.txt = %q", got)
	}
	index := string(getOK(t, srv, "/"))
	for _, slug := range s.Slugs() {
		if !strings.Contains(index, `href="`+Path(slug)+`"`) {
			t.Errorf("index does not link %s", slug)
		}
	}
	resp, err := srv.Client().Post(srv.URL+"/rss.xml", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}

func TestConcurrentMutationAndFetch(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 20 {
				s.SetViews(sampleSlug, i*100+j)
				s.Revise(sampleSlug, time.Date(2024, 2, 1+j, 0, 0, 0, 0, time.UTC), func(p []string) []string { return append(p[:1], p[1:]...) })
				s.AddFeedAlias(sampleSlug)
			}
		})
		wg.Go(func() {
			for range 20 {
				getOK(t, srv, Path(sampleSlug))
				getOK(t, srv, "/rss.xml")
				_ = s.Requests(Path(sampleSlug))
			}
		})
	}
	wg.Wait()
	if got := s.Requests(Path(sampleSlug)); got != 80 {
		t.Errorf("Requests = %d, want 80", got)
	}
}

func TestMoveAndRemove(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	s.Move(sampleSlug, "chiang-ching-kuo-and-mongolia")
	newPath := Path("chiang-ching-kuo-and-mongolia")

	// The old path answers 301 to the new one.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(srv.URL + Path(sampleSlug))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != newPath {
		t.Fatalf("old path: %d → %q, want 301 → %s", resp.StatusCode, resp.Header.Get("Location"), newPath)
	}
	// The new path serves the article with its new canonical link.
	doc := parseHTML(t, getOK(t, srv, newPath))
	if c, _ := doc.Find(`link[rel=canonical]`).Attr("href"); c != srv.URL+newPath {
		t.Errorf("canonical %q, want %s", c, srv.URL+newPath)
	}
	// The feed links the new path under the same guid.
	feed := string(getOK(t, srv, "/rss.xml"))
	if !strings.Contains(feed, "<link>"+srv.URL+newPath+"</link>") || !strings.Contains(feed, `>`+sampleSlug+`</guid>`) {
		t.Errorf("feed does not link the new path under the old guid:\n%s", feed)
	}

	s.Remove(sampleSlug, true)
	if resp, _ := get(t, srv, srv.URL+newPath); resp.StatusCode != http.StatusGone {
		t.Errorf("removed: status %d, want 410", resp.StatusCode)
	}
	s.Remove(sampleSlug, false)
	getOK(t, srv, newPath)
}
