package harvest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"annalist/internal/extract"
	"annalist/internal/fetch"
	"annalist/internal/store"
)

// want is what TestDecide expects of a verdict.
type want struct {
	outcome   string
	article   string // ID of Verdict.Article; "" = nil
	snapshot  bool
	movedFrom string
	back      bool
	dateBump  bool
	reason    string // in Reason (gone) or Err (error)
	is        error  // errors.Is(Err, is)
}

// TestDecide is every outcome of the one decision, from the facts alone.
func TestDecide(t *testing.T) {
	const (
		site    = "https://history.example"
		artURL  = site + "/news/2024/fall-of-rome"
		newURL  = site + "/news/2024/the-fall-of-rome"
		fp      = "n1:aaaa"
		otherFP = "n1:bbbb"
	)
	jan, feb := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	live := &store.Article{ID: "aaaaaaaaaaaa", URL: artURL, State: store.StateLive}
	goneArt := &store.Article{ID: "aaaaaaaaaaaa", URL: artURL, State: store.StateGone}
	other := &store.Article{ID: "bbbbbbbbbbbb", URL: newURL, State: store.StateLive}
	latest := &Latest{Fingerprint: fp, Words: 300, RevisionDate: &jan}
	page := func(canon, fingerprint string) *PageFacts {
		return &PageFacts{Canonical: canon, Words: 300, Fingerprint: fingerprint}
	}
	fetched := func(f Facts) Facts { // a 200 at the article's URL unless said otherwise
		if f.AskedURL == "" {
			f.AskedURL = artURL
		}
		if f.FinalURL == "" {
			f.FinalURL = f.AskedURL
		}
		if f.Status == 0 && f.FetchErr == nil {
			f.Status = 200
		}
		return f
	}
	statusErr := func(code int) error { return &fetch.StatusError{URL: artURL, Code: code} }

	cases := []struct {
		name string
		f    Facts
		want want
	}{
		// New articles and revisions.
		{"new article", fetched(Facts{Page: page(artURL, fp)}),
			want{outcome: store.OutcomeNew, snapshot: true}},
		{"known article without a snapshot yet", fetched(Facts{Known: live, Page: page(artURL, fp)}),
			want{outcome: store.OutcomeNew, article: live.ID, snapshot: true}},
		{"revised", fetched(Facts{Known: live, Latest: latest, Page: page(artURL, otherFP)}),
			want{outcome: store.OutcomeRevised, article: live.ID, snapshot: true}},
		{"unchanged", fetched(Facts{Known: live, Latest: latest, Page: page(artURL, fp)}),
			want{outcome: store.OutcomeUnchanged, article: live.ID}},
		{"unchanged: same body, not extracted", fetched(Facts{Known: live, SameBody: true}),
			want{outcome: store.OutcomeUnchanged, article: live.ID}},
		{"date bump: same text, new revision date", fetched(Facts{Known: live, Latest: latest,
			Page: &PageFacts{Canonical: artURL, Words: 300, Fingerprint: fp, RevisionDate: &feb}}),
			want{outcome: store.OutcomeUnchanged, article: live.ID, dateBump: true}},
		{"not modified", fetched(Facts{Known: live, NotModified: true, Status: 304}),
			want{outcome: store.OutcomeNotModified, article: live.ID}},
		{"the page names another archived article", fetched(Facts{Known: live, Named: other, Latest: latest, Page: page(newURL, fp)}),
			want{outcome: store.OutcomeUnchanged, article: other.ID}},

		// Moves.
		{"moved: 301 to a new slug, same text", fetched(Facts{Known: live, Latest: latest, FinalURL: newURL, Page: page(newURL, fp)}),
			want{outcome: store.OutcomeMoved, article: live.ID, movedFrom: artURL}},
		{"moved and revised", fetched(Facts{Known: live, Latest: latest, FinalURL: newURL, Page: page(newURL, otherFP)}),
			want{outcome: store.OutcomeRevised, article: live.ID, snapshot: true, movedFrom: artURL}},
		{"feed links a new URL for a known guid", fetched(Facts{Known: live, Latest: latest, AskedURL: newURL, Page: page(newURL, fp)}),
			want{outcome: store.OutcomeMoved, article: live.ID, movedFrom: artURL}},
		{"301 then 200 with the old canonical: no move", fetched(Facts{Known: live, Latest: latest, FinalURL: newURL, Page: page(artURL, fp)}),
			want{outcome: store.OutcomeUnchanged, article: live.ID}},

		// Removals: only for an archived article.
		{"404", fetched(Facts{Known: live, FetchErr: statusErr(404), Status: 404}),
			want{outcome: store.OutcomeGone, article: live.ID, reason: "404 Not Found"}},
		{"410", fetched(Facts{Known: live, FetchErr: statusErr(410), Status: 410}),
			want{outcome: store.OutcomeGone, article: live.ID, reason: "410 Gone"}},
		{"302 to the home page", fetched(Facts{Known: live, FinalURL: site + "/", Page: page(site+"/", otherFP)}),
			want{outcome: store.OutcomeGone, article: live.ID, reason: "redirected to the home page"}},
		{"302 to /index.html", fetched(Facts{Known: live, FinalURL: site + "/index.html", Page: page(site+"/index.html", otherFP)}),
			want{outcome: store.OutcomeGone, article: live.ID, reason: "home page"}},
		{"302 to a section above the article", fetched(Facts{Known: live, FinalURL: site + "/news/", Page: page(site+"/news/", otherFP)}),
			want{outcome: store.OutcomeGone, article: live.ID, reason: "redirected to the section page"}},
		{"a page whose canonical is the home page", fetched(Facts{Known: live, FinalURL: site + "/latest?from=" + "fall-of-rome", Page: page(site+"/", otherFP)}),
			want{outcome: store.OutcomeGone, article: live.ID, reason: "canonical URL is the home page"}},
		{"soft 404", fetched(Facts{Known: live, Latest: latest, NotFoundPage: "Seite nicht gefunden", Page: page(artURL, otherFP)}),
			want{outcome: store.OutcomeGone, article: live.ID, reason: "soft 404"}},
		{"soft 404 with nothing to extract", fetched(Facts{Known: live, NotFoundPage: "404", ExtractErr: errors.New("no content")}),
			want{outcome: store.OutcomeGone, article: live.ID, reason: "soft 404"}},
		{"still gone", fetched(Facts{Known: goneArt, FetchErr: statusErr(410), Status: 410}),
			want{outcome: store.OutcomeGone, article: live.ID, reason: "410"}},

		// What is never archived as an article.
		{"a new URL redirected to the home page", fetched(Facts{FinalURL: site + "/", Page: page(site+"/", fp)}),
			want{outcome: store.OutcomeError, reason: "home page", is: ErrNotArticle}},
		{"a new URL answering 404", fetched(Facts{FetchErr: statusErr(404), Status: 404}),
			want{outcome: store.OutcomeError, reason: "404"}},
		{"a new soft 404", fetched(Facts{NotFoundPage: "Page introuvable", Page: page(artURL, fp)}),
			want{outcome: store.OutcomeError, reason: "soft 404", is: ErrNotArticle}},

		// An article's AMP or print copy names the article: it is no section.
		{"a new AMP copy naming its article", fetched(Facts{AskedURL: artURL + "/amp/", Page: page(artURL, fp)}),
			want{outcome: store.OutcomeNew, snapshot: true}},
		{"a new AMP URL redirected to its article", fetched(Facts{AskedURL: artURL + "/amp", FinalURL: artURL, Page: page(artURL, fp)}),
			want{outcome: store.OutcomeNew, snapshot: true}},
		{"a new print copy naming its article", fetched(Facts{AskedURL: artURL + "/print", Page: page(artURL, fp)}),
			want{outcome: store.OutcomeNew, snapshot: true}},
		// An archived article whose own address ends so ("/glossary/print",
		// an article about printing) redirected to its section is gone.
		{"an archived article named print redirected to its section", fetched(Facts{Known: &store.Article{ID: "cccccccccccc", URL: site + "/glossary/print", State: store.StateLive},
			AskedURL: site + "/glossary/print", FinalURL: site + "/glossary", Page: page(site+"/glossary", otherFP)}),
			want{outcome: store.OutcomeGone, article: "cccccccccccc", reason: "section page"}},
		{"a new URL below a section that names the section", fetched(Facts{AskedURL: site + "/news/2024/fall-of-rome/comments", Page: page(artURL, fp)}),
			want{outcome: store.OutcomeError, reason: "section page", is: ErrNotArticle}},

		// Transient faults never mark an article gone.
		{"503", fetched(Facts{Known: live, FetchErr: statusErr(503), Status: 503}),
			want{outcome: store.OutcomeError, article: live.ID, reason: "503"}},
		{"timeout", fetched(Facts{Known: live, FetchErr: errors.New("fetch: GET x: total timeout 20s exceeded")}),
			want{outcome: store.OutcomeError, article: live.ID, reason: "timeout"}},
		{"DNS error", fetched(Facts{Known: live, FetchErr: errors.New("dial tcp: lookup history.example: no such host")}),
			want{outcome: store.OutcomeError, article: live.ID, reason: "no such host"}},
		{"a gone article's 503", fetched(Facts{Known: goneArt, FetchErr: statusErr(503), Status: 503}),
			want{outcome: store.OutcomeError, article: live.ID, reason: "503"}},

		// Returns.
		{"back with the same text", fetched(Facts{Known: goneArt, Latest: latest, Page: page(artURL, fp)}),
			want{outcome: store.OutcomeBack, article: live.ID, back: true}},
		{"back with a new text", fetched(Facts{Known: goneArt, Latest: latest, Page: page(artURL, otherFP)}),
			want{outcome: store.OutcomeRevised, article: live.ID, snapshot: true, back: true}},
		{"back at a new address", fetched(Facts{Known: goneArt, Latest: latest, FinalURL: newURL, Page: page(newURL, fp)}),
			want{outcome: store.OutcomeBack, article: live.ID, back: true, movedFrom: artURL}},
		{"a gone article's same body is read again", fetched(Facts{Known: goneArt, Latest: latest, SameBody: true, Page: page(artURL, fp)}),
			want{outcome: store.OutcomeBack, article: live.ID, back: true}},

		// Extraction failures.
		{"not HTML", fetched(Facts{Known: live, NotHTML: "application/pdf"}),
			want{outcome: store.OutcomeError, article: live.ID, is: ErrNotHTML}},
		{"nothing extracted", fetched(Facts{Known: live, ExtractErr: errors.New("extract: no article text")}),
			want{outcome: store.OutcomeError, article: live.ID, reason: "no article text"}},
		{"the selectors broke", fetched(Facts{Known: live, Latest: latest, Page: &PageFacts{Canonical: artURL, Words: 300, Fingerprint: fp, Fallback: true}}),
			want{outcome: store.OutcomeError, article: live.ID, is: ErrSelectorsBroke, reason: "matches"}},
		{"the selectors miss a new article: archived generically", fetched(Facts{Page: &PageFacts{Canonical: artURL, Words: 300, Fingerprint: fp, Fallback: true}}),
			want{outcome: store.OutcomeNew, snapshot: true}},
		{"shrunk", fetched(Facts{Known: live, Latest: latest, Page: &PageFacts{Canonical: artURL, Words: 100, Fingerprint: otherFP}}),
			want{outcome: store.OutcomeError, article: live.ID, is: ErrShrunk}},
		{"304 for a page not in the archive", fetched(Facts{NotModified: true}),
			want{outcome: store.OutcomeError, reason: "304"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkVerdict(t, decide(c.f), c.want) })
	}
}

// TestNotFoundPageReusesExtraction: with an extracted article the check
// takes the page's title and h1 from it and does not parse the page again.
func TestNotFoundPageReusesExtraction(t *testing.T) {
	page := "<html><head><title>Page not found – Rome History</title></head><body><h1>Sorry</h1>" +
		"<article><p>We could not find the page you asked for. Try the search box or the list of all articles on the history of Rome.</p></article></body></html>"
	art := extracted(t, page)
	if art == nil {
		t.Fatal("no article extracted")
	}
	if got, want := notFoundPage(nil, art), "Page not found – Rome History"; got != want {
		t.Errorf("notFoundPage(nil page, extracted) = %q (article title %q), want %q", got, art.Title, want)
	}
}

func TestNotFoundPage(t *testing.T) {
	for _, c := range []struct {
		page string
		want string
	}{
		{"<html><head><title>Page not found – Rome History</title></head><body><p>Sorry.</p></body></html>", "Page not found – Rome History"},
		{"<html><head><title>Rome History</title></head><body><h1>Seite nicht gefunden</h1><p>Leider.</p></body></html>", "Seite nicht gefunden"},
		{"<html><head><title>Erreur 404</title></head><body><h1>Page introuvable</h1></body></html>", "Erreur 404"},
		{"<html><head><title>The fall of Rome</title></head><body><h1>The fall of Rome</h1><p>In 476 …</p></body></html>", ""},
		{"<html><head><title>404 BC: the siege</title></head><body><h1>404 BC</h1><p>" + strings.Repeat("Sparta besieged Athens. ", 60) + "</p></body></html>", ""},
		{"<html><head><title>404 BC: the siege</title></head><body><h1>404 BC</h1><p>Sparta besieged Athens by land and sea.</p></body></html>", ""},
		{"<html><head><title>404 – Rome History</title></head><body><p>Nothing here.</p></body></html>", "404 – Rome History"},
		{"<html><head><title>Rome History</title></head><body><h1>Error 404</h1></body></html>", "Error 404"},
		// Other wordings and languages.
		{"<html><head><title>Oops! | Rome History</title></head><body><h1>Sorry, we couldn’t find that page</h1><p>Try the search.</p></body></html>", "Sorry, we couldn’t find that page"},
		{"<html><head><title>Rome History</title></head><body><h1>This page doesn't exist</h1><p>Go back home.</p></body></html>", "This page doesn't exist"},
		{"<html><head><title>Removed | Rome History</title></head><body><h1>This article has been removed</h1><p>It is no longer here.</p></body></html>", "This article has been removed"},
		{"<html><head><title>Rome History</title></head><body><h1>Die Seite wurde nicht gefunden</h1><p>Leider.</p></body></html>", "Die Seite wurde nicht gefunden"},
		{"<html><head><title>Page non trouvée | Rome</title></head><body><p>Désolé.</p></body></html>", "Page non trouvée | Rome"},
		{"<html><head><title>Página não encontrada</title></head><body><p>Desculpe.</p></body></html>", "Página não encontrada"},
		{"<html><head><title>Nie znaleziono strony</title></head><body><p>Przepraszamy.</p></body></html>", "Nie znaleziono strony"},
		{"<html><head><title>Страница не найдена</title></head><body><p>Такой страницы нет.</p></body></html>", "Страница не найдена"},
		{"<html><head><title>页面未找到</title></head><body><p>您访问的页面不存在。</p></body></html>", "页面未找到"},
		{"<html><head><title>ページが見つかりません</title></head><body><p>お探しのページは見つかりませんでした。</p></body></html>", "ページが見つかりません"},
		// An article's title that only sounds like one.
		{"<html><head><title>Le trésor introuvable</title></head><body><h1>Le trésor introuvable</h1><p>En 1794, le curé cacha les registres.</p></body></html>", ""},
		{"<html><head><title>The country that does not exist on maps</title></head><body><h1>The country</h1><p>" + strings.Repeat("A short history of a border. ", 40) + "</p></body></html>", ""},
		// Short articles (a photograph and its caption) whose titles say
		// what the soft 404s say, of something that is not a page.
		{"<html><head><title>The chapel that no longer exists</title></head><body><h1>The chapel that no longer exists</h1><p>Demolished in 1962; the parish register records its last wedding.</p></body></html>", ""},
		{"<html><head><title>The letters that could not be found</title></head><body><h1>The letters that could not be found</h1><p>The archive searched in 1921 and again in 1954.</p></body></html>", ""},
		{"<html><head><title>Statues that have been removed</title></head><body><h1>Statues that have been removed</h1><p>A list, with the year of each removal.</p></body></html>", ""},
		{"<html><head><title>Das Grab wurde nicht gefunden</title></head><body><h1>Das Grab wurde nicht gefunden</h1><p>Die Grabung von 1911 blieb ohne Ergebnis.</p></body></html>", ""},
	} {
		got := notFoundPage([]byte(c.page), extracted(t, c.page))
		if got != c.want {
			t.Errorf("notFoundPage(%.60q) = %q, want %q", c.page, got, c.want)
		}
	}
}

// extracted is the generic extraction of page, nil when it finds nothing.
func extracted(t *testing.T, page string) *extract.Result {
	t.Helper()
	art, err := extract.Article([]byte(page), "https://history.example/a", extract.Rules{})
	if err != nil {
		return nil
	}
	return art
}

// checkVerdict compares a verdict with what was wanted of it.
func checkVerdict(t *testing.T, v Verdict, w want) {
	t.Helper()
	got := want{outcome: v.Outcome, snapshot: v.Snapshot, movedFrom: v.MovedFrom, back: v.Back, dateBump: v.DateBump}
	if v.Article != nil {
		got.article = v.Article.ID
	}
	cmp := w
	cmp.reason, cmp.is = "", nil
	if got != cmp {
		t.Errorf("decide = %+v\nwant    %+v", got, cmp)
	}
	text := v.Reason
	if v.Err != nil {
		text = v.Err.Error()
	}
	if (v.Outcome == store.OutcomeError) != (v.Err != nil) {
		t.Errorf("outcome %q with error %v", v.Outcome, v.Err)
	}
	if w.reason != "" && !strings.Contains(text, w.reason) {
		t.Errorf("reason/error %q, want it to contain %q", text, w.reason)
	}
	if w.is != nil && !errors.Is(v.Err, w.is) {
		t.Errorf("error %v, want errors.Is %v", v.Err, w.is)
	}
}
