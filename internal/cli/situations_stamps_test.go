package cli_test

import (
	"net/http"
	"strings"
	"testing"
)

// stampSit: an article whose only change at poll 1 is its stamp line (top
// gives the line at each poll), and whose third paragraph is corrected at
// poll 2.
func stampSit(name, lang string, tops ...string) situation {
	return situation{name: name, want: []string{"new", "unchanged", "revised"},
		serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
			paras := sitProse(name, 6)
			if p.poll >= 2 {
				paras[2] = strings.Replace(paras[2], "three generations", "four generations", 1)
			}
			p.article(w, lang, "The parish registers of "+name, "", pick(p.poll, tops...), paras, "")
		}}
}

func TestSituationsStamps(t *testing.T) {
	checkSituations(t, []situation{
		stampSit("fr-maj", "fr", `<p class="meta">Par Claire Dubois — Mis à jour le 31 janvier 2024 à 14h03</p>`, `<p class="meta">Par Claire Dubois — Mis à jour le 2 février 2024 à 9h12</p>`),
		stampSit("de-akt", "de", `<p class="meta">Aktualisiert am 31.01.2024, 14:03 Uhr</p>`, `<p class="meta">Aktualisiert am 01.02.2024, 09:12 Uhr</p>`),
		stampSit("es-act", "es", `<p class="meta">Actualizado: 31/01/2024</p>`, `<p class="meta">Actualizado: 01/02/2024</p>`),
		stampSit("en-lastmod", "en", `<p class="meta">Last modified: Jan. 31, 2024 at 3:04 p.m. EST</p>`, `<p class="meta">Last modified: Feb. 1, 2024 at 11:15 a.m. EST</p>`),
		stampSit("en-daysago", "en", `<p class="meta">By Jane Doe · 2 days ago</p>`, `<p class="meta">By Jane Doe · 3 days ago</p>`),
		stampSit("en-weekday", "en", `<p class="meta">By Jane Doe · Updated Tuesday</p>`, `<p class="meta">By Jane Doe · Updated Wednesday</p>`),
		stampSit("time-updated", "en", `<p class="meta">Updated <time datetime="2024-01-31T14:03:00Z">Jan 31, 2024, 2:03 PM</time></p>`, `<p class="meta">Updated <time datetime="2024-02-01T09:12:00Z">Feb 1, 2024, 9:12 AM</time></p>`),
		stampSit("in-para", "en", `<p>Updated Jan. 31, 2024, 2:03 p.m. GMT — The valley's registers, long thought lost in the fire of 1911, were found in a presbytery attic, and they are the subject of this article, which has been revised as the cataloguing goes on.</p>`, `<p>Updated Feb. 1, 2024, 9:12 a.m. GMT — The valley's registers, long thought lost in the fire of 1911, were found in a presbytery attic, and they are the subject of this article, which has been revised as the cataloguing goes on.</p>`),
		stampSit("it-ult", "it", `<p class="meta">Ultimo aggiornamento: 31 gennaio 2024, ore 14:03</p>`, `<p class="meta">Ultimo aggiornamento: 1 febbraio 2024, ore 09:12</p>`),
		stampSit("pt-atu", "pt", `<p class="meta">Atualizado em 31/01/2024 às 14h03</p>`, `<p class="meta">Atualizado em 01/02/2024 às 09h12</p>`),
		stampSit("en-gmt", "en", `<p class="meta">Updated: 31 January 2024 14:03 GMT</p>`, `<p class="meta">Updated: 1 February 2024 09:12 GMT</p>`),
		stampSit("ja-upd", "ja", `<p class="meta">更新日：2024年1月31日 14:03</p>`, `<p class="meta">更新日：2024年2月1日 9:12</p>`),
		stampSit("en-pubupd", "en", `<p class="meta">Published 3 hours ago · Updated 20 minutes ago</p>`, `<p class="meta">Published 5 hours ago · Updated 1 hour ago</p>`),
		stampSit("en-iso", "en", `<p class="meta">Updated 2024-01-31T14:03:00Z</p>`, `<p class="meta">Updated 2024-02-01T09:12:00Z</p>`),
		stampSit("nl-bij", "nl", `<p class="meta">Laatst bijgewerkt: 31 januari 2024 14:03</p>`, `<p class="meta">Laatst bijgewerkt: 1 februari 2024 09:12</p>`),
		stampSit("en-edited", "en", `<p class="meta">Edited Jan 31, 2024</p>`, `<p class="meta">Edited Feb 1, 2024</p>`),
		stampSit("en-zone", "en", `<p class="meta">Updated Jan. 31, 2024, 3:04 p.m. EST</p>`, `<p class="meta">Updated July 1, 2024, 9:12 a.m. EDT</p>`),
		stampSit("es-weekday", "es", `<p class="meta">Por Ana García · Actualizado el martes, 14:03</p>`, `<p class="meta">Por Ana García · Actualizado el miércoles, 09:12</p>`),
		stampSit("en-today", "en", `<p class="meta">Updated today at 2:03 PM</p>`, `<p class="meta">Updated Tuesday at 9:12 AM</p>`),
		stampSit("en-noyear", "en", `<p class="meta">By Jane Doe | Updated: 31 Jan, 14:03</p>`, `<p class="meta">By Jane Doe | Updated: 1 Feb, 09:12</p>`),
		stampSit("en-2digit", "en", `<p class="meta">Updated 1/31/24 3:04 PM ET</p>`, `<p class="meta">Updated 2/1/24 9:12 AM ET</p>`),
		stampSit("en-weekday-first", "en", `<p class="meta">Updated on Wednesday 31 January 2024</p>`, `<p class="meta">Updated on Thursday 1 February 2024</p>`),
		stampSit("en-rails", "en", `<p class="meta">Posted about 3 hours ago</p>`, `<p class="meta">Posted less than a minute ago</p>`),
		stampSit("en-age", "en", `<p class="meta">Jane Doe · 3h</p>`, `<p class="meta">Jane Doe · 1d</p>`),
		stampSit("ja-weekday", "ja", `<p class="meta">最終更新：2024年1月31日(水)</p>`, `<p class="meta">最終更新：2024年2月1日(木)</p>`),
		stampSit("time-only", "en", `<p class="meta">By Jane Doe <time datetime="2024-01-31T14:03:00Z">Jan 31, 2024, 2:03 PM</time></p>`, `<p class="meta">By Jane Doe <time datetime="2024-02-01T09:12:00Z">Feb 1, 2024, 9:12 AM</time></p>`),
		stampSit("en-revised", "en", `<p class="meta">Last revised on January 31st, 2024</p>`, `<p class="meta">Last revised on February 1st, 2024</p>`),
	})
}
