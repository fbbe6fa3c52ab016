package cli_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// changeSit: an article that, at poll 1, changes only in what edit does
// to its paragraphs and tail; noise in a comment makes every response's
// bytes differ.
func changeSit(name string, want1 string, edit func(poll int, paras []string) (tail string)) situation {
	return situation{name: name, want: []string{"new", want1, "unchanged"},
		serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
			paras := sitProse(name, 6)
			tail := edit(p.poll, paras)
			p.article(w, "en", "The parish registers of "+name, "", "", paras, tail+fmt.Sprintf("<!-- %d -->", p.n))
		}}
}

func TestSituationsRealChanges(t *testing.T) {
	checkSituations(t, []situation{
		changeSit("caption-word", "revised", func(poll int, paras []string) string {
			return `<figure><img src="/img/r.jpg" alt="A page of the register"><figcaption>The register of baptisms, ` + pick(poll, "1794", "1795") + `.</figcaption></figure>`
		}),
		changeSit("alt-word", "revised", func(poll int, paras []string) string {
			return `<p><img src="/img/r.jpg" alt="` + pick(poll, "The curate's hand", "The clerk's hand") + `"></p>`
		}),
		changeSit("table-number", "revised", func(poll int, paras []string) string {
			return `<table><tr><th>Year</th><th>Baptisms</th><th>Burials</th></tr><tr><td>1794</td><td>` + pick(poll, "38", "36") + `</td><td>41</td></tr><tr><td>1795</td><td>44</td><td>29</td></tr></table>`
		}),
		changeSit("prose-year", "revised", func(poll int, paras []string) string {
			if poll >= 1 {
				paras[3] = strings.Replace(paras[3], "between 1790 and 1860", "between 1790 and 1861", 1)
			}
			return ""
		}),
		changeSit("prose-date", "revised", func(poll int, paras []string) string {
			paras[1] = pick(poll, "The fire broke out on 12 March 1848, a Sunday, and by the evening the presbytery and its library were ash; only the registers kept in the church survived.",
				"The fire broke out on 12 March 1849, a Sunday, and by the evening the presbytery and its library were ash; only the registers kept in the church survived.")
			return ""
		}),
		changeSit("short-dated-line", "revised", func(poll int, paras []string) string {
			paras[1] = pick(poll, "Last revised on 3 May 1851 by the bishop's clerk.", "Last revised on 3 May 1852 by the bishop's clerk.")
			return ""
		}),
		changeSit("heading-date", "revised", func(poll int, paras []string) string {
			return "<h2>" + pick(poll, "12 March 1848", "12 March 1849") + "</h2><p>The diary's entry for that day is short: the fire, the rain, the registers saved.</p>"
		}),
		changeSit("footnote", "revised", func(poll int, paras []string) string {
			notes := `<ol class="footnotes"><li id="fn1">County record office, P123/1/4.</li>`
			if poll >= 1 {
				notes += `<li id="fn2">Bishop's transcripts, 1794.</li>`
			}
			return notes + `</ol>`
		}),
		changeSit("para-removed", "revised", func(poll int, paras []string) string {
			if poll >= 1 {
				paras[5] = ""
			}
			return ""
		}),
		changeSit("ago-in-prose", "revised", func(poll int, paras []string) string {
			paras[1] = pick(poll, "Two days ago the vicar found more.", "Three days ago the vicar found more.")
			return ""
		}),
		changeSit("updated-in-prose", "revised", func(poll int, paras []string) string {
			paras[1] = pick(poll, "Updated on 1 March 1851, the register lists 40 households.", "Updated on 1 March 1852, the register lists 40 households.")
			return ""
		}),
		changeSit("counts-in-prose", "revised", func(poll int, paras []string) string {
			paras[1] = pick(poll, "12 comments by the curate", "13 comments by the curate")
			return ""
		}),
	})
}

// Real changes that the furniture rules took for a stamp, a counter or an
// age (review of revisionG): each a revision, through fetch.
func TestSituationsRealChangesLikeFurniture(t *testing.T) {
	checkSituations(t, []situation{
		changeSit("votes-row", "revised", func(poll int, paras []string) string {
			return `<table><tr><th>Candidate</th><th>Party</th><th>Votes</th></tr><tr><td>Gladstone</td><td>Liberal</td><td>` + pick(poll, "1,204 votes", "1,240 votes") + `</td></tr></table>`
		}),
		changeSit("height-row", "revised", func(poll int, paras []string) string {
			return `<table><tr><td>The spire</td><td>` + pick(poll, "56 m", "58 m") + `</td></tr></table>`
		}),
		changeSit("time-year", "revised", func(poll int, paras []string) string {
			return `<ul><li><time datetime="` + pick(poll, "1848", "1849") + `">` + pick(poll, "1848", "1849") + `</time> — the registers moved to the vestry</li></ul>`
		}),
		changeSit("time-row-2001", "revised", func(poll int, paras []string) string {
			return `<ul><li><time datetime="` + pick(poll, "2001-09-11", "2001-09-12") + `">` + pick(poll, "11 September 2001", "12 September 2001") + `</time> — the archive's servers moved to the vestry</li></ul>`
		}),
		changeSit("passive-keyword", "revised", func(poll int, paras []string) string {
			paras[1] = pick(poll, "The charter was revised on Tuesday.", "The charter was revised on Wednesday.")
			return ""
		}),
		changeSit("diary-day-time", "revised", func(poll int, paras []string) string {
			paras[1] = pick(poll, "Tuesday at 14:30 the bells rang.", "Tuesday at 15:30 the bells rang.")
			return ""
		}),
		changeSit("centuries-ago", "revised", func(poll int, paras []string) string {
			return `<figure><img src="/img/m.jpg" alt=""><figcaption>The mill, built about ` + pick(poll, "200", "300") + ` years ago</figcaption></figure>`
		}),
	})
}
