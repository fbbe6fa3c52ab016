package cli_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func init() {
	feedLinks["no-canonical-two-urls"] = []string{"", "/s/no-canonical-two-urls?utm_source=rss&xtor=RSS-3", "/s/no-canonical-two-urls?ito=1490&smid=tw-share"}
	feedLinks["canonical-slash"] = []string{"", "/s/canonical-slash/", "/s/canonical-slash?ref=home"}
}

// lifeSit: an article that is served normally (with a counter in a
// comment) while serve returns false.
func lifeSit(name string, want []string, serve func(w http.ResponseWriter, r *http.Request, p *sitPage) bool) situation {
	return situation{name: name, want: want,
		serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
			if serve != nil && serve(w, r, p) {
				return
			}
			p.article(w, "en", "The parish registers of "+name, "", "", sitProse(name, 6), fmt.Sprintf("<!-- %d -->", p.n))
		}}
}

func softPage(w http.ResponseWriter, lang, title, h1, text string) {
	fmt.Fprintf(w, `<!DOCTYPE html><html lang="%s"><head><meta charset="utf-8"><title>%s</title></head><body><header><a href="/">Situations</a></header><main><h1>%s</h1><p>%s</p><p><a href="/">Home</a></p></main></body></html>`, lang, title, h1, text)
}

func TestSituationsLife(t *testing.T) {
	gone := []string{"new", "gone", "gone"}
	soft := func(name, lang, title, h1, text string) situation {
		return lifeSit(name, gone, func(w http.ResponseWriter, r *http.Request, p *sitPage) bool {
			if p.poll == 0 {
				return false
			}
			softPage(w, lang, title, h1, text)
			return true
		})
	}
	checkSituations(t, []situation{
		lifeSit("gone-404", gone, func(w http.ResponseWriter, r *http.Request, p *sitPage) bool {
			if p.poll > 0 {
				w.WriteHeader(http.StatusNotFound)
				softPage(w, "en", "Situations", "Situations", "Nothing here.")
				return true
			}
			return false
		}),
		lifeSit("gone-410", []string{"new", "gone", "back"}, func(w http.ResponseWriter, r *http.Request, p *sitPage) bool {
			if p.poll == 1 {
				w.WriteHeader(http.StatusGone)
				return true
			}
			return false
		}),
		soft("soft-en", "en", "Oops! | Situations", "Sorry, we couldn't find that page", "The page you were looking for may have moved. Try the search."),
		soft("soft-en2", "en", "Situations", "This page doesn't exist", "Try the search, or go back home."),
		soft("soft-pt", "pt", "Página não encontrada | Situations", "Página não encontrada", "A página que procura não existe."),
		soft("soft-fr", "fr", "Page non trouvée | Situations", "Page non trouvée", "La page demandée n'existe pas."),
		soft("soft-de", "de", "Situations", "Die Seite wurde nicht gefunden", "Leider existiert diese Seite nicht."),
		soft("soft-ru", "ru", "Страница не найдена | Situations", "Страница не найдена", "Такой страницы нет."),
		soft("soft-pl", "pl", "Nie znaleziono strony | Situations", "Nie znaleziono strony", "Strona nie istnieje."),
		soft("soft-zh", "zh", "页面未找到 | Situations", "页面未找到", "您访问的页面不存在。"),
		soft("soft-ja", "ja", "ページが見つかりません | Situations", "ページが見つかりません", "お探しのページは見つかりませんでした。"),
		soft("soft-es", "es", "Error 404 | Situations", "Lo sentimos, la página que buscas no existe", "Vuelve al inicio."),
		soft("soft-removed", "en", "Content removed | Situations", "This article has been removed", "It is no longer available."),
		lifeSit("to-home", gone, func(w http.ResponseWriter, r *http.Request, p *sitPage) bool {
			if p.poll > 0 {
				http.Redirect(w, r, "/", http.StatusMovedPermanently)
				return true
			}
			return false
		}),
		lifeSit("moved-301", []string{"new", "moved", "unchanged"}, func(w http.ResponseWriter, r *http.Request, p *sitPage) bool {
			if p.poll > 0 {
				if r.URL.Path == "/s/moved-301" {
					http.Redirect(w, r, "/s/moved-301/the-parish-registers", http.StatusMovedPermanently)
					return true
				}
				p.path = "/s/moved-301/the-parish-registers"
			}
			return false
		}),
		lifeSit("moved-302-temp", []string{"new", "unchanged", "unchanged"}, func(w http.ResponseWriter, r *http.Request, p *sitPage) bool {
			// A temporary redirect to a tracking URL of the same page.
			if r.URL.Query().Get("ref") == "" {
				http.Redirect(w, r, "/s/moved-302-temp?ref=r"+fmt.Sprint(p.n), http.StatusFound)
				return true
			}
			return false
		}),
		lifeSit("no-canonical-two-urls", []string{"new", "unchanged", "unchanged"}, func(w http.ResponseWriter, r *http.Request, p *sitPage) bool {
			// No rel=canonical; the feed's link gains a tracking parameter.
			var b strings.Builder
			fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>No canonical | Situations</title></head><body><main><article><h1>No canonical</h1>`)
			for _, para := range sitProse("no-canonical-two-urls", 6) {
				fmt.Fprintf(&b, "<p>%s</p>\n", para)
			}
			fmt.Fprintf(&b, "</article></main><!-- %d --></body></html>", p.n)
			fmt.Fprint(w, b.String())
			return true
		}),
		lifeSit("canonical-slash", []string{"new", "unchanged", "unchanged"}, nil),
	})
}
