package cli_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// A situation is one article of sitSite, served differently at each poll:
// serve writes the response for the poll (0 = the first fetch) and the
// site-wide request counter n (which changes with every request, as a
// view counter or a nonce does). want is the outcome of each poll's check
// of the article, as history --captures lists them ("new", "unchanged",
// "revised", "moved", "gone", "back" or "error"; "-" for a poll that must
// not check it, "new+unchanged" for a poll that checks it twice).
type situation struct {
	name  string
	want  []string
	serve func(w http.ResponseWriter, r *http.Request, s *sitPage)
}

// sitPage is what a situation's serve is given: the poll, the request
// counter and the site's address, with helpers that write an article page.
type sitPage struct {
	poll int
	n    int64
	base string
	path string
}

// sitSite serves situations under /s/<name> and a feed listing all of them.
type sitSite struct {
	mu   sync.Mutex
	poll int
	sits map[string]situation
	list []string
	reqs atomic.Int64
}

func (s *sitSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	base := "http://" + r.Host
	s.mu.Lock()
	poll := s.poll
	s.mu.Unlock()
	if r.URL.Path == "/feed.xml" {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Situations</title><link>`+base+`/</link>`)
		for _, name := range s.list {
			link := base + "/s/" + name
			if fl, ok := feedLinks[name]; ok && poll < len(fl) && fl[poll] != "" {
				link = base + fl[poll]
			}
			fmt.Fprintf(w, `<item><title>%s</title><link>%s</link><guid isPermaLink="false">sit-%s</guid></item>`, name, link, name)
			if extra, ok := feedExtra[name]; ok {
				fmt.Fprintf(w, `<item><title>%s again</title><link>%s</link><guid isPermaLink="false">sit-%s-again</guid></item>`, name, base+extra, name)
			}
		}
		fmt.Fprint(w, `</channel></rss>`)
		return
	}
	if r.URL.Path == "/" || r.URL.Path == "/s/" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>Situations — history magazine</title></head><body><h1>Latest</h1><ul><li><a href="/s/a">A</a></li></ul></body></html>`)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/s/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	name, _, _ := strings.Cut(rest, "/")
	sit, ok := s.sits[name]
	if !ok {
		// A sibling URL a situation serves too: /s/<name>-2.
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			sit, ok = s.sits[name[:i]]
		}
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	sit.serve(w, r, &sitPage{poll: poll, n: s.reqs.Add(1), base: base, path: "/s/" + name})
}

// feedExtra: a second item (another guid) the feed gives for a
// situation, with this link.
var feedExtra = map[string]string{}

// feedLinks: the link the feed gives for a situation at each poll, when
// it is not /s/<name>.
var feedLinks = map[string][]string{}

// sitProse is an article's own paragraphs: long, distinct per article.
func sitProse(name string, n int) []string {
	var ps []string
	for k := 1; k <= n; k++ {
		ps = append(ps, fmt.Sprintf("Paragraph %d of the %s story: the parish registers of the valley, kept by a succession of curates between 1790 and 1860, record baptisms, marriages and burials, and in the margins the weather, the price of rye and the arrival of soldiers, so that a historian can follow %d households through three generations of war and peace.", k, name, 40+k*3))
	}
	return ps
}

// article writes a whole page: head (with extra head markup), a site
// header, the article with its title, top (a byline or stamp line), the
// paragraphs and tail (inside the article), then a footer.
func (p *sitPage) article(w http.ResponseWriter, lang, title, head, top string, paras []string, tail string) {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="%s"><head><meta charset="utf-8"><title>%s | Situations</title><link rel="canonical" href="%s%s">%s</head><body>
<header class="site"><a href="/">Situations</a> <nav><a href="/s/">Stories</a> <a href="/about">About</a></nav></header>
<main><article><h1>%s</h1>
%s
`, lang, title, p.base, p.path, head, title, top)
	for _, para := range paras {
		fmt.Fprintf(&b, "<p>%s</p>\n", para)
	}
	fmt.Fprintf(&b, "%s\n</article></main><footer><p>© 2026 Situations. All rights reserved.</p></footer></body></html>", tail)
	fmt.Fprint(w, b.String())
}

// pick returns vs[poll], or its last element past its end.
func pick[T any](poll int, vs ...T) T {
	return vs[min(poll, len(vs)-1)]
}

type sitRun struct {
	f    *fixture
	site *sitSite
	base string
}

func newSitRun(t *testing.T, sits []situation) *sitRun {
	t.Helper()
	f := newFixture(t)
	site := &sitSite{sits: map[string]situation{}}
	for _, s := range sits {
		site.sits[s.name] = s
		site.list = append(site.list, s.name)
	}
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	src := "title: Situations\nfeed: " + srv.URL + "/feed.xml\nschedule: \"0 * * * *\"\n"
	if err := os.WriteFile(filepath.Join(filepath.Dir(f.cfg), "feeds", "situations.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return &sitRun{f: f, site: site, base: srv.URL}
}

// polls fetches the source n times, --recheck all after the first.
func (r *sitRun) polls(n int) {
	for i := range n {
		r.site.mu.Lock()
		r.site.poll = i
		r.site.mu.Unlock()
		args := []string{"fetch", "situations"}
		if i > 0 {
			args = append(args, "--recheck", "all")
		}
		r.f.run(args...)
	}
}

// outcomes lists the article's check outcomes, oldest first, one per
// check, with the errors of the failed ones.
func (r *sitRun) outcomes(ref string) ([]string, []string) {
	out, stderr, code := r.f.run("history", ref, "--captures", "--json")
	if code != 0 {
		return []string{"history: " + strings.TrimSpace(stderr)}, nil
	}
	var h struct {
		Captures []struct {
			Outcome, Error string
			Count          int
		}
	}
	r.f.t.Helper()
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		r.f.t.Fatal(err)
	}
	var got, errs []string
	for _, c := range h.Captures {
		for range max(c.Count, 1) {
			got = append(got, c.Outcome)
		}
		if c.Error != "" {
			errs = append(errs, c.Error)
		}
	}
	return got, errs
}

// sitWant is the checks each of polls polls should make: an entry "a+b"
// is a poll that checks the article twice, "-" one that does not check
// it; polls beyond the entries change nothing, and their checks say so.
func sitWant(entries []string, polls int) [][]string {
	want := [][]string{}
	last := ""
	for _, w := range entries {
		if w == "-" {
			want = append(want, nil)
			continue
		}
		want = append(want, strings.Split(w, "+"))
		last = want[len(want)-1][len(want[len(want)-1])-1]
	}
	for range polls - len(entries) {
		switch last {
		case "new", "revised", "moved", "back":
			last = "unchanged"
		}
		want = append(want, []string{last})
	}
	return want
}

// sameChecks reports whether got, the article's checks in the order they
// were taken, are want's, poll by poll. Within one poll the order is
// free: two feed items of one article are fetched at once, and either
// may be the one that stores it.
func sameChecks(got []string, want [][]string) bool {
	for _, poll := range want {
		if len(got) < len(poll) {
			return false
		}
		g, w := slices.Sorted(slices.Values(got[:len(poll)])), slices.Sorted(slices.Values(poll))
		if !slices.Equal(g, w) {
			return false
		}
		got = got[len(poll):]
	}
	return len(got) == 0
}

// checkSituations polls a site of the situations as often as the longest
// wants, and checks every situation's outcomes; it returns the run, for
// more checks.
func checkSituations(t *testing.T, sits []situation) *sitRun {
	t.Helper()
	polls := 0
	for _, s := range sits {
		polls = max(polls, len(s.want))
	}
	r := newSitRun(t, sits)
	r.polls(polls)
	for _, s := range sits {
		want := sitWant(s.want, polls)
		got, errs := r.outcomes(r.base + "/s/" + s.name)
		if !sameChecks(got, want) {
			t.Errorf("%s: checks %v, want %v %v", s.name, got, want, errs)
			if os.Getenv("SIT_DIFF") != "" {
				out, _, _ := r.f.run("diff", r.base+"/s/"+s.name)
				t.Logf("%s", out)
			}
		}
	}
	return r
}
