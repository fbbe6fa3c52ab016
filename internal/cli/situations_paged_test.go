package cli_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// pagedSit: an article in two pages, page 2 at pagePath(base) and linked
// by link (its href at %s); page 2 changes by edit at each poll.
func pagedSit(name, page2, link string, want []string, edit func(p *sitPage, paras []string) string) situation {
	return situation{name: name, want: want,
		serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
			url := r.URL.Path
			if r.URL.RawQuery != "" {
				url += "?" + r.URL.RawQuery
			}
			paras := sitProse(name, 12)
			if url == "/s/"+name+page2 {
				more := paras[6:]
				tail := edit(p, more)
				p.article(w, "en", "The parish registers of "+name+" (page 2)", sitPublished, "", more, tail)
				return
			}
			head := sitPublished
			if link != "" {
				head += fmt.Sprintf(link, p.base+"/s/"+name+page2)
			}
			p.article(w, "en", "The parish registers of "+name, head, "", paras[:6],
				fmt.Sprintf(`<nav class="pages"><a href="/s/%s">1</a> <a href="/s/%s%s">2</a> <a href="/s/%s%s">Next page</a></nav>`, name, name, page2, name, page2))
		}}
}

// sitPublished is the publication every page of a paginated article
// declares.
const sitPublished = `<meta property="article:published_time" content="2024-01-01T08:00:00+00:00">`

func TestSituationsPaged(t *testing.T) {
	change := func(p *sitPage, paras []string) string {
		if p.poll >= 2 {
			paras[1] = strings.Replace(paras[1], "three generations", "four generations", 1)
		}
		return fmt.Sprintf(`<div class="stats">%d views</div><!-- %d -->`, p.n, p.n)
	}
	want := []string{"new", "unchanged", "revised", "unchanged"}
	r := checkSituations(t, []situation{
		pagedSit("paged-query", "?page=2", `<link rel="next" href="%s">`, want, change),
		pagedSit("paged-path", "/2/", "", want, change),
		pagedSit("paged-relnext", "/page/2", `<link rel="next" href="%s">`, want, change),
	})
	for _, name := range []string{"paged-query", "paged-path", "paged-relnext"} {
		var hist []struct{ Pages int }
		r.f.runJSON(&hist, "history", r.base+"/s/"+name, "--json")
		if len(hist) != 2 || hist[0].Pages != 2 || hist[1].Pages != 2 {
			t.Errorf("%s: snapshots %+v, want two of two pages", name, hist)
		}
	}
}

// A diary in two pages whose prose dates its entries with <time>: page 2
// declares no publication of its own (diarySit's declared page 1) or
// neither does (bare), and each page's first <time> is an entry's date.
// Page 2 is the article's all the same, and its revision the article's.
func diarySit(name string, declared bool) situation {
	return situation{name: name, want: []string{"new", "unchanged", "revised", "unchanged"},
		serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
			paras := sitProse(name, 12)
			if r.URL.RawQuery == "page=2" {
				more := paras[6:]
				more[0] = `<time datetime="1916-07-02">2 July 1916</time>. ` + more[0]
				if p.poll >= 2 {
					more[1] = strings.Replace(more[1], "three generations", "four generations", 1)
				}
				p.article(w, "en", "The diary of "+name+" (page 2)", "", "", more, "")
				return
			}
			head := ""
			if declared {
				head = sitPublished
			}
			first := paras[:6]
			first[0] = `<time datetime="1916-07-01">1 July 1916</time>. ` + first[0]
			p.article(w, "en", "The diary of "+name, head, "", first,
				fmt.Sprintf(`<nav class="pages"><a href="/s/%s?page=2">Next page</a></nav>`, name))
		}}
}

func TestSituationsPagedDiary(t *testing.T) {
	r := checkSituations(t, []situation{diarySit("paged-diary", true), diarySit("paged-diary-bare", false)})
	for _, name := range []string{"paged-diary", "paged-diary-bare"} {
		var hist []struct{ Pages int }
		r.f.runJSON(&hist, "history", r.base+"/s/"+name, "--json")
		if len(hist) != 2 || hist[0].Pages != 2 || hist[1].Pages != 2 {
			t.Errorf("%s: snapshots %+v, want two of two pages", name, hist)
		}
	}
}
