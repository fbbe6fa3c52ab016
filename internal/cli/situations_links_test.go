package cli_test

import (
	"fmt"
	"net/http"
	"testing"
)

// linkSit: an article whose notes (its tail) link their sources as link
// writes them at each request; the prose never changes.
func linkSit(name, want1 string, link func(p *sitPage) string) situation {
	return situation{name: name, want: []string{"new", want1, "unchanged"},
		serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
			notes := `<h2>Notes</h2><ol class="footnotes"><li id="fn1"><a href="` + link(p) + `">Minutes of the vestry of ` + name + `, 1794</a>, folio 12.</li><li id="fn2">Bishop's transcripts of ` + name + `, 1794.</li></ol>`
			paras := sitProse(name, 6)
			paras[1] += `<sup><a href="#fn1">1</a></sup>`
			p.article(w, "en", "The parish registers of "+name, "", "", paras, notes+fmt.Sprintf("<!-- %d -->", p.n))
		}}
}

func TestSituationsLinks(t *testing.T) {
	checkSituations(t, []situation{
		// The same anchor text now points at another document: a revision.
		linkSit("link-target", "revised", func(p *sitPage) string {
			return "https://records.example/vestry/" + pick(p.poll, "1794-minutes", "1795-minutes")
		}),
		linkSit("link-relative-target", "revised", func(p *sitPage) string {
			return pick(p.poll, "/sources/vestry-1794", "/sources/vestry-1795")
		}),
		// What varies per request, or only in spelling, is no revision.
		linkSit("link-jsessionid", "unchanged", func(p *sitPage) string {
			return fmt.Sprintf("https://records.example/vestry/1794;jsessionid=%X", 0x5EED0000+p.n*7919)
		}),
		linkSit("link-sid", "unchanged", func(p *sitPage) string {
			return fmt.Sprintf("https://records.example/vestry?item=1794&sid=%d", 100000+p.n*37)
		}),
		linkSit("link-nonce", "unchanged", func(p *sitPage) string {
			return fmt.Sprintf("https://records.example/vestry/1794?_wpnonce=%08x", 0x9a8b7c6d+p.n)
		}),
		linkSit("link-token-query", "unchanged", func(p *sitPage) string {
			return fmt.Sprintf("https://records.example/vestry/1794?v=%032x", 0xfeed0000+p.n)
		}),
		linkSit("link-tracking", "unchanged", func(p *sitPage) string {
			return fmt.Sprintf("https://records.example/vestry/1794?utm_source=feed&utm_campaign=poll%d", p.n)
		}),
		linkSit("link-fragment", "unchanged", func(p *sitPage) string {
			return fmt.Sprintf("https://records.example/vestry/1794#folio-%d", p.n)
		}),
		linkSit("link-same-page", "unchanged", func(p *sitPage) string {
			return fmt.Sprintf("%s#note-%d", p.path, p.n)
		}),
		linkSit("link-scheme", "unchanged", func(p *sitPage) string {
			return pick(p.poll, "http://records.example/vestry/1794", "https://www.records.example/vestry/1794")
		}),
		linkSit("link-absolute-self-host", "unchanged", func(p *sitPage) string {
			return pick(p.poll, "/sources/vestry-1794", p.base+"/sources/vestry-1794")
		}),
	})
}
