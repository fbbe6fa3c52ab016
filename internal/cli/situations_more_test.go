package cli_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func init() {
	feedLinks["amp"] = []string{"/s/amp/amp"}
	feedExtra["two-items"] = "/s/two-items?from=home"
}

func TestSituationsMore(t *testing.T) {
	checkSituations(t, []situation{
		// The site splits the article into two pages, same words.
		{name: "repaginated", want: []string{"new", "unchanged", "unchanged"},
			serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
				paras := sitProse("repaginated", 12)
				title := "The parish registers of repaginated"
				if p.poll == 0 {
					p.article(w, "en", title, "", "", paras, fmt.Sprintf("<!-- %d -->", p.n))
					return
				}
				if r.URL.Query().Get("page") == "2" {
					p.article(w, "en", title, "", "", paras[6:], fmt.Sprintf("<!-- %d -->", p.n))
					return
				}
				p.article(w, "en", title, `<link rel="next" href="`+p.base+p.path+`?page=2">`, "", paras[:6],
					`<nav><a href="?page=2">Next page</a></nav>`+fmt.Sprintf("<!-- %d -->", p.n))
			}},
		// Lazy loading with a <noscript> copy of the image, then without.
		{name: "noscript", want: []string{"new", "unchanged", "unchanged"},
			serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
				img := pick(p.poll,
					`<figure><img data-src="/img/r.jpg" class="lazy" alt="A page of the register"><noscript><img src="/img/r.jpg" alt="A page of the register"></noscript><figcaption>The register, 1794.</figcaption></figure>`,
					`<figure><img src="/img/r.jpg" alt="A page of the register"><figcaption>The register, 1794.</figcaption></figure>`)
				p.article(w, "en", "The parish registers of noscript", "", "", sitProse("noscript", 6), img+fmt.Sprintf("<!-- %d -->", p.n))
			}},
		// Latin-1, then UTF-8: the same words.
		{name: "charset", want: []string{"new", "unchanged", "unchanged"},
			serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
				var b strings.Builder
				(&sitPage{poll: p.poll, base: p.base, path: p.path}).article(&stringWriter{&b}, "fr", "Les registres paroissiaux de la vallée", "", "", append(sitProse("charset", 5), "Le curé écrivait : « Cette année, la récolte a manqué ; le prix du seigle a doublé. »"), fmt.Sprintf("<!-- %d -->", p.n))
				page := b.String()
				if p.poll == 0 {
					w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
					page = strings.Replace(page, `<meta charset="utf-8">`, "", 1)
					latin := make([]byte, 0, len(page))
					for _, r := range page {
						latin = append(latin, byte(r))
					}
					w.Write(latin)
					return
				}
				fmt.Fprint(w, page)
			}},
		// The same words, with the markup reflowed and entities spelled otherwise.
		{name: "reflow", want: []string{"new", "unchanged", "unchanged"},
			serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
				paras := sitProse("reflow", 6)
				if p.poll >= 1 {
					for i, s := range paras {
						s = strings.ReplaceAll(s, ", ", ",\n    ")
						s = strings.Replace(s, "the weather", "<span class=\"x\">the</span> weather", 1)
						paras[i] = strings.ReplaceAll(s, "and ", "&#97;nd ")
					}
				}
				p.article(w, "en", "The parish registers of reflow", "", "", paras, fmt.Sprintf("<!-- %d -->", p.n))
			}},
		// Moved by a 301 and revised at once.
		{name: "moved-revised", want: []string{"new", "revised", "unchanged"},
			serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
				paras := sitProse("moved-revised", 6)
				if p.poll > 0 {
					if r.URL.Path == "/s/moved-revised" {
						http.Redirect(w, r, "/s/moved-revised/new-slug", http.StatusMovedPermanently)
						return
					}
					p.path = "/s/moved-revised/new-slug"
					paras[2] = strings.Replace(paras[2], "three generations", "four generations", 1)
				}
				p.article(w, "en", "The parish registers of moved-revised", "", "", paras, fmt.Sprintf("<!-- %d -->", p.n))
			}},
		// Gone, then back with a correction.
		{name: "back-revised", want: []string{"new", "gone", "revised", "unchanged"},
			serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
				if p.poll == 1 {
					w.WriteHeader(http.StatusNotFound)
					return
				}
				paras := sitProse("back-revised", 6)
				if p.poll >= 2 {
					paras[2] = strings.Replace(paras[2], "three generations", "four generations", 1)
				}
				p.article(w, "en", "The parish registers of back-revised", "", "", paras, fmt.Sprintf("<!-- %d -->", p.n))
			}},
		// The canonical changes to a new slug; both URLs serve the page.
		{name: "canonical-move", want: []string{"new", "moved", "unchanged"},
			serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
				if p.poll > 0 {
					p.path = "/s/canonical-move/renamed"
				}
				p.article(w, "en", "The parish registers of canonical-move", "", "", sitProse("canonical-move", 6), fmt.Sprintf("<!-- %d -->", p.n))
			}},
		// Reached through its AMP copy, which names the article.
		{name: "amp", want: []string{"new", "unchanged", "unchanged"},
			serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
				p.article(w, "en", "The parish registers of amp", "", "", sitProse("amp", 6), fmt.Sprintf("<!-- %d -->", p.n))
			}},
		// Two feed items (two guids) link the page by two URLs; it names
		// one canonical URL: one article, one snapshot (the first poll
		// checks it through both items).
		{name: "two-items", want: []string{"new+unchanged", "unchanged", "unchanged"},
			serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
				p.article(w, "en", "The parish registers of two-items", "", "", sitProse("two-items", 6), fmt.Sprintf("<!-- %d -->", p.n))
			}},
		// A title that carries the time of its last update.
		{name: "title-stamp", want: []string{"new", "unchanged", "revised"},
			serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
				paras := sitProse("title-stamp", 6)
				if p.poll >= 2 {
					paras[2] = strings.Replace(paras[2], "three generations", "four generations", 1)
				}
				p.article(w, "en", "Registers found — updated "+pick(p.poll, "2:03 PM", "4:15 PM"), "", "", paras, fmt.Sprintf("<!-- %d -->", p.n))
			}},
	})
}

type stringWriter struct{ b *strings.Builder }

func (s *stringWriter) Header() http.Header         { return http.Header{} }
func (s *stringWriter) Write(p []byte) (int, error) { return s.b.Write(p) }
func (s *stringWriter) WriteHeader(int)             {}

// A series: part 1 at /s/series, part 2 at /s/series-2 (the slug
// WordPress gives a post of the same title), each linking the next part
// with rel=next and declaring its publication; part 2 is published at
// poll 1, part 3 at poll 2. A paginated article whose pages share the
// publication is followed as before (TestSituationsPaged).
func TestSituationsSeries(t *testing.T) {
	checkSituations(t, []situation{
		{name: "series", want: []string{"new", "unchanged", "unchanged"},
			serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
				part := 1
				fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/s/series-"), "%d", &part)
				if part > p.poll+1 {
					http.NotFound(w, r)
					return
				}
				nav := ""
				if part <= p.poll {
					nav = fmt.Sprintf(`<nav class="post-navigation"><a href="/s/series-%d" rel="next">Next: Letters from the valley</a></nav>`, part+1)
				}
				published := fmt.Sprintf(`<meta property="article:published_time" content="2024-0%d-01T08:00:00+00:00">`, part)
				p.article(w, "en", "Letters from the valley", published, "", sitProse(fmt.Sprintf("series part %d", part), 6), nav+fmt.Sprintf("<!-- %d -->", p.n))
			}},
	})
}
