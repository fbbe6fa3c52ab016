package harvest

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"annalist/internal/extract"
	"annalist/internal/fetch"
	"annalist/internal/store"

	"github.com/PuerkitoBio/goquery"
)

// ErrNotArticle is recorded when a page that is not an article (the site's
// home or a section page, a "page not found" page) answers for a URL that
// is not in the archive: nothing is archived.
var ErrNotArticle = errors.New("harvest: not an article")

// Facts is everything the decision about one fetched page looks at: what
// the archive knows and what the fetch and the extraction found.
// capturePage gathers them; decide reads them and nothing else.
type Facts struct {
	// Known is the archived article the fetched URL (or the feed item's
	// guid) belongs to; nil for a URL the archive does not know.
	Known *store.Article
	// Named is the archived article the page's canonical URL belongs to,
	// when that is another article than Known (nil otherwise).
	Named *store.Article
	// Latest is the latest snapshot of the article judged (Named, else
	// Known); nil when it has none.
	Latest *Latest

	// The fetch.
	FetchErr    error  // the fetch failed: no response, or a status other than 2xx and 304
	Status      int    // the HTTP status (of the response or of the failure); 0 = none
	NotModified bool   // 304 to a conditional GET
	NotHTML     string // the Content-Type when the page is not HTML
	AskedURL    string
	FinalURL    string // after redirects
	// SameBody: the bytes, URLs and extraction rules of the page last
	// stored for Known; extracting it again would give the same state.
	SameBody bool

	// What the page says; nil when it was not extracted.
	Page *PageFacts
	// ExtractErr is why no article could be extracted (Page is nil).
	ExtractErr error
	// NotFoundPage: the page's title or heading says "page not found" and
	// it has little text (a soft 404). Set with or without Page.
	NotFoundPage string
}

// Latest is what the decision needs of an article's latest snapshot.
type Latest struct {
	ID           string // the snapshot's
	Fingerprint  string // in the current normaliser's version
	Words        int
	RevisionDate *time.Time
}

// PageFacts is what extraction found in a page.
type PageFacts struct {
	Canonical    string // the page's canonical URL on its own site (declared, else the final URL)
	Words        int
	Fingerprint  string
	RevisionDate *time.Time
	Fallback     bool     // the source's selectors failed; the generic extractor's result
	Warnings     []string // the extractor's, for ErrSelectorsBroke
}

// Verdict is what to do with a fetched page.
type Verdict struct {
	// Outcome is the capture's: store.OutcomeNew, Revised, Unchanged,
	// Moved, Back, Gone, NotModified or Error.
	Outcome string
	// Article is the archived article the page belongs to; nil for a new one.
	Article *store.Article
	// Snapshot: store the page as a new snapshot (new, revised).
	Snapshot bool
	// MovedFrom is the article's old canonical URL when it moved to
	// Page.Canonical; Back is set when a gone article answered again. Both
	// go with the capture whatever its outcome.
	MovedFrom string
	Back      bool
	// DateBump: unchanged text under a new revision date (no snapshot).
	DateBump bool
	// Reason says why the article is gone (Outcome gone).
	Reason string
	// Err is the failure (Outcome error).
	Err error
}

// decide is the one place that says what a fetched page is: a new
// snapshot, an unchanged check, a move, a removal (gone), a return (back),
// a date bump or a failure. The store only keeps what it is told, and
// re-checks "same as latest" inside its transaction so that concurrent
// writers never store one state twice.
func decide(f Facts) Verdict {
	known := f.Known
	gone := func(reason string) Verdict {
		if known == nil {
			// Never archived as an article: no article, no snapshot.
			return Verdict{Outcome: store.OutcomeError, Err: fmt.Errorf("%w: %s (%s); nothing archived", ErrNotArticle, f.AskedURL, reason)}
		}
		return Verdict{Outcome: store.OutcomeGone, Article: known, Reason: reason}
	}
	fail := func(err error) Verdict {
		return Verdict{Outcome: store.OutcomeError, Article: known, Err: err}
	}

	// 1. The fetch. Only 404 and 410 say an article is gone; every other
	// failure (5xx, 429, timeouts, DNS, refused connections) is transient.
	if f.FetchErr != nil {
		if f.Status == http.StatusNotFound || f.Status == http.StatusGone {
			return gone(fmt.Sprintf("%d %s", f.Status, http.StatusText(f.Status)))
		}
		return fail(f.FetchErr)
	}
	if f.NotModified {
		if known == nil {
			return fail(fmt.Errorf("%s: 304 Not Modified for a page not in the archive", f.AskedURL))
		}
		return Verdict{Outcome: store.OutcomeNotModified, Article: known}
	}
	if f.NotHTML != "" {
		return fail(fmt.Errorf("%w: %s is %s", ErrNotHTML, f.AskedURL, f.NotHTML))
	}

	// 2. Where the page is: a redirect to the site's home or to a section
	// above the article is a removal, not a new article.
	if f.FinalURL != f.AskedURL {
		if kind := homeOrSection(f.FinalURL, archivedURL(known), articleURL(known, f.AskedURL), f.AskedURL); kind != "" {
			return gone(fmt.Sprintf("redirected to the %s %s", kind, f.FinalURL))
		}
	}

	// 3. The page last stored, read again with the same rules: unchanged,
	// without extracting (a gone article's key was forgotten).
	if f.SameBody && known != nil && known.State != store.StateGone {
		return Verdict{Outcome: store.OutcomeUnchanged, Article: known}
	}

	// 4. What the page is.
	if f.NotFoundPage != "" {
		return gone("soft 404: the page says " + quoteShort(f.NotFoundPage))
	}
	if f.Page == nil {
		err := f.ExtractErr
		if err == nil {
			err = errors.New("nothing extracted")
		}
		return fail(err)
	}
	p := f.Page
	if p.Canonical != f.FinalURL {
		if kind := homeOrSection(p.Canonical, archivedURL(known), articleURL(known, f.AskedURL), f.FinalURL); kind != "" {
			return gone(fmt.Sprintf("its canonical URL is the %s %s", kind, p.Canonical))
		}
	}

	// 5. Which article: the one the page names, else the one reached.
	art := known
	if f.Named != nil {
		art = f.Named
	}
	latest := f.Latest
	if p.Fallback && latest != nil {
		// The source's selectors stopped working on an article they
		// extracted before (a redesign): a failure to fix in feeds/, never a
		// revision, even when the generic text happens to match.
		same := "differs from"
		if p.Fingerprint == latest.Fingerprint {
			same = "matches"
		}
		return Verdict{Outcome: store.OutcomeError, Article: art, Err: fmt.Errorf("%w: %s (the generic extractor's text %s the latest snapshot; nothing stored)",
			ErrSelectorsBroke, strings.Join(p.Warnings, "; "), same)}
	}
	if latest != nil && latest.Words >= 40 && p.Words*2 < latest.Words {
		return Verdict{Outcome: store.OutcomeError, Article: art, Err: fmt.Errorf("%w: %d words, the latest snapshot has %d (has the page layout or a selector changed?)",
			ErrShrunk, p.Words, latest.Words)}
	}
	if art == nil {
		return Verdict{Outcome: store.OutcomeNew, Snapshot: true}
	}

	// 6. The article's life: a new address, a return, a new state.
	v := Verdict{Article: art, Back: art.State == store.StateGone}
	if p.Canonical != art.URL {
		v.MovedFrom = art.URL
	}
	switch {
	case latest == nil || p.Fingerprint != latest.Fingerprint:
		v.Outcome, v.Snapshot = store.OutcomeRevised, true
		if latest == nil {
			v.Outcome = store.OutcomeNew
		}
	case v.Back:
		v.Outcome = store.OutcomeBack
	case v.MovedFrom != "":
		v.Outcome = store.OutcomeMoved
	default:
		v.Outcome = store.OutcomeUnchanged
		v.DateBump = p.RevisionDate != nil && (latest.RevisionDate == nil || !p.RevisionDate.Equal(*latest.RevisionDate))
	}
	return v
}

// articleURL is the URL whose path decides what a section of the article
// is: its canonical URL when archived, else the URL asked for.
func articleURL(known *store.Article, asked string) string {
	if known != nil {
		return known.URL
	}
	return asked
}

// homeOrSection says whether target is the home page ("home page") or a
// section above the article ("section page") on the article's site, and ""
// when it is neither. Both article URLs are tried (the canonical and the
// one fetched), since a moved article's paths differ. archived is the
// archived article's own URL ("" if none): an AMP or print copy is never
// archived under its own, so an archived URL that ends so is an article
// of its own ("/glossary/print"), and a section above it is a section.
func homeOrSection(target, archived string, articleURLs ...string) string {
	t, err := url.Parse(target)
	if err != nil || t.Host == "" {
		return ""
	}
	tp := trimIndex(t.EscapedPath())
	for _, au := range articleURLs {
		a, err := url.Parse(au)
		if err != nil || !sameSite(target, au) {
			continue
		}
		ap := trimIndex(a.EscapedPath())
		switch {
		case tp == ap:
			return ""
		case tp == "":
			return "home page"
		case strings.HasPrefix(ap, tp+"/"):
			if au != archived && alternateViews[strings.ToLower(ap[len(tp)+1:])] {
				// The article's AMP or print copy naming the article
				// (WordPress's /slug/amp/), or redirected to it.
				return ""
			}
			return "section page"
		}
	}
	return ""
}

// alternateViews are the last path segments of an article's other
// renderings, below the article's own path.
var alternateViews = map[string]bool{"amp": true, "amp.html": true, "print": true, "print.html": true, "printable": true}

// archivedURL is known's URL, "" when the page is no archived article's.
func archivedURL(known *store.Article) string {
	if known == nil {
		return ""
	}
	return known.URL
}

// trimIndex is a path without its trailing slash or index file, so that
// "/", "/index.html" and "" are all the home page.
func trimIndex(p string) string {
	for _, idx := range []string{"index.html", "index.htm", "index.php"} {
		p = strings.TrimSuffix(p, "/"+idx)
	}
	return strings.TrimSuffix(p, "/")
}

func quoteShort(s string) string {
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// statusOf is the HTTP status of a failed fetch (0 when no response came).
func statusOf(err error) int {
	var se *fetch.StatusError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// notFoundTitle matches the titles and headings of "page not found" pages:
// a phrase, or a bare "404" / "Error 404" (before the site's name), but not
// "404 BC". The phrases are those of the eleven languages whose revision
// stamps are known, and in English the usual ways of saying it ("Sorry, we
// couldn't find that page", "This page doesn't exist", "This article has
// been removed"); in every language a negative with the word "page" (see
// notFoundPageWord), so that an article's title ("Le trésor introuvable")
// is not taken for one.
var notFoundTitle = regexp.MustCompile(`(?i)(` +
	`not found|no longer available` +
	`|` + notFoundPageWord + `\b[^|–—:]{0,30}?(?:no longer exists?|(?:does|do)(?:n['’]t|\s+not)\s+exist|(?:has|have)\s+been\s+(?:removed|deleted|taken\s+down)|(?:can|could)(?:n['’]t|['’]t|\s*not)\s+be\s+found)` +
	`|(?:can|could)(?:n['’]t|['’]t|\s*not)\s+find\s+(?:` + notFoundPageWord + `|what\s+you)` +
	`|\bseite\b[^|–—:]{0,30}?nicht gefunden|\bseite existiert nicht|page introuvable|page non trouvée|page n['’]existe (?:pas|plus)` +
	`|página no encontrada|página no existe|pagina non trovata|pagina non esiste|página não encontrada|página não existe` +
	`|pagina niet gevonden|pagina bestaat niet|nie znaleziono strony|strona nie istnieje|страница не найдена|страница не существует` +
	`|页面未找到|页面不存在|找不到(?:该|此|您要的)?页面|頁面未找到|頁面不存在|找不到(?:該|此)?頁面|ページが見つかりません|ページは見つかりません|ページが存在しません` +
	`|^\W*((error|erreur|fehler)\W*)?404\W*($|[|–—:-]))`)

// notFoundPageWord is what a soft 404 says is missing, with its
// determiner ("the trading post that no longer exists" is no page): an
// English wording counts only with it ("This page doesn't exist", "This article has been
// removed", "We can't find that page"), and the German only with "Seite",
// so that a short article's title ("The chapel that no longer exists",
// "Das Grab wurde nicht gefunden") is not taken for one.
const notFoundPageWord = `\b(?:this|that|the|requested|your)\s+(?:page|article|post|content|url)`

// softNotFoundWords is "little text": a real article this short is rare,
// a not-found page this long is too.
const softNotFoundWords = 150

// notFoundPage returns the title or heading of a soft 404 (a 200 page that
// says it is not found and has little text), else "". art is the extracted
// article, nil when extraction found none.
func notFoundPage(page []byte, art *extract.Result) string {
	if art != nil && store.WordCount(art.Text) >= softNotFoundWords {
		return ""
	}
	var heads []string
	if art != nil {
		// Extraction read the page's title and h1 from its own parse.
		heads = append(heads, art.Title, art.PageTitle, art.PageH1)
	} else if doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page)); err == nil {
		heads = append(heads, doc.Find("title").First().Text(), doc.Find("h1").First().Text())
	}
	for _, t := range heads {
		if t = strings.Join(strings.Fields(t), " "); t != "" && notFoundTitle.MatchString(t) {
			return t
		}
	}
	return ""
}
