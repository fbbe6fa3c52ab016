package extract

import (
	"strings"
	"testing"
	"time"
)

const furnitureProse = "In February 1945 the three leaders met at the Livadia Palace to settle the order of post-war Europe, and the conference ended with a communiqué that each side read differently for decades afterwards."

// A byline's relative time changes at every fetch; the article does not.
func TestRelativeTimesAreFurniture(t *testing.T) {
	for _, tc := range []struct{ lang, before, after string }{
		{"en", "By Jane Doe · 3 hours ago", "By Jane Doe · 4 hours ago"},
		{"en hour", "Posted an hour ago", "Posted 2 hours ago"},
		{"en short", "Jane Doe — 3h ago", "Jane Doe — 5h ago"},
		{"en yesterday", "Updated yesterday at 14:30", "Updated 2 days ago"},
		{"en just now", "Just now", "5 mins ago"},
		{"en line start", "3 hours ago — " + furnitureProse, "4 hours ago — " + furnitureProse},
		{"de", "Von Anna Schmidt, vor 3 Stunden", "Von Anna Schmidt, vor 4 Stunden"},
		{"de gestern", "Anna Schmidt | vor einer Stunde", "Anna Schmidt | gestern, 14:30"},
		{"de ein paar", "Anna Schmidt | vor ein paar Minuten", "Anna Schmidt | vor 2 Tagen"},
		{"fr", "Par Jean Dupont, il y a 3 heures", "Par Jean Dupont, il y a 2 jours"},
		{"fr hier", "Publié hier à 14h30", "Publié il y a 3 jours"},
		{"es", "Por Ana García · hace 3 horas", "Por Ana García · hace 1 día"},
		{"es ayer", "Publicado ayer", "Publicado hace 2 semanas"},
		{"it", "Di Marco Rossi, 3 ore fa", "Di Marco Rossi, 2 giorni fa"},
		{"pt", "Por João Silva, há 3 horas", "Por João Silva, há 2 dias"},
		{"pt atrás", "João Silva — 3 horas atrás", "João Silva — ontem"},
		{"nl", "Door Jan de Vries, 3 uur geleden", "Door Jan de Vries, 2 dagen geleden"},
		{"pl", "Autor: Jan Kowalski, 3 godziny temu", "Autor: Jan Kowalski, 2 dni temu"},
		{"pl no number", "Jan Kowalski · godzinę temu", "Jan Kowalski · wczoraj"},
		{"ru", "Иван Петров, 3 часа назад", "Иван Петров, вчера"},
		{"zh", "作者：王伟 3 小时前", "作者：王伟 昨天"},
		{"zh days", "王伟 · 2天前", "王伟 · 刚刚"},
		{"zh numerals", "王伟 · 三小时前", "王伟 · 半小时前"},
		{"ja several", "山田太郎 数時間前", "山田太郎 昨日"},
		{"ja", "山田太郎 3時間前", "山田太郎 2日前"},
	} {
		a := tc.before + "\n\n" + furnitureProse
		b := tc.after + "\n\n" + furnitureProse
		if Fingerprint("Yalta", a, "", nil) != Fingerprint("Yalta", b, "", nil) {
			t.Errorf("%s: %q → %q changed the fingerprint\n%q\n%q", tc.lang, tc.before, tc.after,
				Normalise("Yalta", a, "", nil), Normalise("Yalta", b, "", nil))
		}
	}
}

// Inside prose, a relative time is the article's wording: a change there
// is a revision.
func TestRelativeTimesInProseCount(t *testing.T) {
	for _, tc := range []struct{ name, before, after string }{
		{"en", furnitureProse + " The treaty was signed 3 days ago by every delegation present.",
			furnitureProse + " The treaty was signed 4 days ago by every delegation present."},
		{"de", furnitureProse + " Die Konferenz endete vor 3 Tagen mit einem Kommuniqué.",
			furnitureProse + " Die Konferenz endete vor 4 Tagen mit einem Kommuniqué."},
		{"fr hier", furnitureProse + " Le traité a été signé hier soir.",
			furnitureProse + " Le traité a été signé ce matin."},
	} {
		if Fingerprint("Yalta", tc.before, "", nil) == Fingerprint("Yalta", tc.after, "", nil) {
			t.Errorf("%s: a change of wording in prose left the fingerprint unchanged", tc.name)
		}
	}
	// Not a relative time at all: words that merely contain the letters.
	for _, tc := range []struct{ before, after string }{
		{"Chicago, 1893", "Chicago, 1894"},
		{"Hier finden Sie die Quellen", "Hier finden Sie keine Quellen"},
		{"A sofa fa", "A sofa fb"},
	} {
		if Fingerprint("T", tc.before, "", nil) == Fingerprint("T", tc.after, "", nil) {
			t.Errorf("%q → %q: fingerprint unchanged", tc.before, tc.after)
		}
	}
	if got := Normalise("T", "Hier finden Sie die Quellen", "", nil); !strings.Contains(got, "Hier finden") {
		t.Errorf("German \"hier\" (here) was removed: %q", got)
	}
}

// Revision stamps in the eleven languages, with their usual date forms:
// found with their date, and out of the fingerprint.
func TestRevisionStampsInElevenLanguages(t *testing.T) {
	jan31 := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		stamp string
		want  time.Time
	}{
		{"Updated on 2024-01-31", jan31},
		{"Last updated: January 31, 2024", jan31},
		{"Modified 01/31/2024", jan31},
		{"Updated 31/01/2024", jan31},
		{"Aktualisiert am 31.01.2024", jan31},
		{"Zuletzt aktualisiert: 31. Januar 2024", jan31},
		{"Aktualisiert am 31.01.2024, 14:30 Uhr", jan31.Add(14*time.Hour + 30*time.Minute)},
		{"Geändert am 1. März 2024", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"Mis à jour le 31/01/2024", jan31},
		{"Mis à jour le 31/01/2024 à 14h30", jan31.Add(14*time.Hour + 30*time.Minute)},
		{"Mise à jour le 31 janvier 2024", jan31},
		{"Modifié le 1er février 2024", time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"Dernière mise à jour : 05/02/2024", time.Date(2024, 2, 5, 0, 0, 0, 0, time.UTC)},
		{"Actualizado el 31 de enero de 2024", jan31},
		{"Última actualización: 05/02/2024", time.Date(2024, 2, 5, 0, 0, 0, 0, time.UTC)},
		{"Aggiornato il 31 gennaio 2024", jan31},
		{"Ultimo aggiornamento: 31/01/2024", jan31},
		{"Atualizado em 31/01/2024", jan31},
		{"Atualizado em 31 de janeiro de 2024", jan31},
		{"Bijgewerkt op 31-01-2024", jan31},
		{"Laatst bijgewerkt: 31 januari 2024", jan31},
		{"Zaktualizowano: 31.01.2024", jan31},
		{"Aktualizacja: 31 stycznia 2024", jan31},
		{"Обновлено: 31.01.2024", jan31},
		{"Обновлено 31 января 2024 г.", jan31},
		{"更新于 2024年1月31日", jan31},
		{"更新時間：2024-01-31", jan31},
		{"最后更新：2024/01/31", jan31},
		{"更新日：2024年1月31日", jan31},
		{"最終更新日 2024/01/31", jan31},
		{"Actualizado: 31/01/2024 - 14:30", jan31.Add(14*time.Hour + 30*time.Minute)},
		{"Atualizado em 31/01/2024 às 14h30", jan31.Add(14*time.Hour + 30*time.Minute)},
		{"Zaktualizowano: 31.01.2024, godz. 14:30", jan31.Add(14*time.Hour + 30*time.Minute)},
		{"Bijgewerkt op 31-01-2024 om 14:30", jan31.Add(14*time.Hour + 30*time.Minute)},
		{"Обновлено 31.01.2024 в 14:30", jan31.Add(14*time.Hour + 30*time.Minute)},
		{"更新日時：2024年1月31日 14時30分", jan31.Add(14*time.Hour + 30*time.Minute)},
	} {
		text := "Mondo History\n\n" + tc.stamp + "\n\n" + furnitureProse
		stamp, got, ok := FindRevisionStamp(text)
		if !ok || !got.Equal(tc.want) {
			t.Errorf("FindRevisionStamp(%q) = %q, %v, %v; want %v", tc.stamp, stamp, got, ok, tc.want)
			continue
		}
		if stamp != tc.stamp && !strings.HasPrefix(tc.stamp, stamp) {
			t.Errorf("FindRevisionStamp(%q) found %q", tc.stamp, stamp)
		}
		if n := Normalise("T", text, "", nil); n != Normalise("T", "Mondo History\n\n"+furnitureProse, "", nil) {
			t.Errorf("stamp %q left in the fingerprint: %q", tc.stamp, n)
		}
		if got, ok := ParseDate(tc.stamp); !ok || !got.Equal(tc.want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.stamp, got, ok, tc.want)
		}
	}
	// An English slash date is month first; a German one day first.
	if _, got, _ := FindRevisionStamp("Updated 05/02/2024"); !got.Equal(time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Updated 05/02/2024 = %v, want 2 May", got)
	}
	if _, got, _ := FindRevisionStamp("Aktualisiert am 05/02/2024"); !got.Equal(time.Date(2024, 2, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Aktualisiert am 05/02/2024 = %v, want 5 February", got)
	}
	// Not a keyword: part of another word.
	if s, _, ok := FindRevisionStamp("unmodified 2024-01-31"); ok {
		t.Errorf("found %q inside a word", s)
	}
}

// A page's stamp in German or French gives the revision date, and a new
// stamp date alone is not a revision.
func TestArticleStampOfOtherLanguages(t *testing.T) {
	page := func(stamp string) []byte {
		return []byte(`<html lang="de"><head><title>Jalta</title></head><body><article><h1>Jalta</h1>
<div class="meta">` + stamp + `</div>
<p>` + furnitureProse + `</p><p>` + furnitureProse + `</p></article></body></html>`)
	}
	for _, tc := range []struct{ a, b string }{
		{"Aktualisiert am 31.01.2024", "Aktualisiert am 02.03.2024"},
		{"Mis à jour le 31/01/2024", "Mis à jour le 02/03/2024"},
		{"Actualizado el 31 de enero de 2024", "Actualizado el 2 de marzo de 2024"},
	} {
		ra, err := Article(page(tc.a), "https://example.org/a", Rules{})
		if err != nil {
			t.Fatal(err)
		}
		rb, err := Article(page(tc.b), "https://example.org/a", Rules{})
		if err != nil {
			t.Fatal(err)
		}
		if ra.Revised == nil || !ra.Revised.Equal(time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)) || ra.RevisionText != tc.a {
			t.Errorf("%s: revised %v %q", tc.a, ra.Revised, ra.RevisionText)
		}
		if Fingerprint(ra.Title, ra.Text, ra.HTML, nil) != Fingerprint(rb.Title, rb.Text, rb.HTML, nil) {
			t.Errorf("%s → %s: fingerprint changed", tc.a, tc.b)
		}
	}
}

// Declared revision dates in the page's metadata, each alone on a page
// without a stamp in its text.
func TestDeclaredRevisionDates(t *testing.T) {
	want := time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC)
	body := `<article><h1>Yalta</h1><p>` + furnitureProse + `</p><p>` + furnitureProse + `</p>%s</article>`
	for _, tc := range []struct{ name, head, body string }{
		{"article:modified_time", `<meta property="article:modified_time" content="2024-01-31T08:00:00Z">`, ""},
		{"JSON-LD", `<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","dateModified":"2024-01-31T08:00:00Z"}</script>`, ""},
		{"JSON-LD @graph", `<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"X"},{"@type":"Article","datePublished":"2023-05-01T00:00:00Z","dateModified":"2024-01-31T08:00:00Z"}]}</script>`, ""},
		{"microdata meta", "", `<meta itemprop="dateModified" content="2024-01-31T08:00:00Z">`},
		{"microdata time", "", `<time itemprop="dateModified" datetime="2024-01-31T08:00:00Z">31 January</time>`},
		{"hAtom time.updated", "", `<time class="entry-date published" datetime="2023-05-01T00:00:00Z">1 May 2023</time><time class="updated" datetime="2024-01-31T08:00:00Z">31 January 2024</time>`},
		{"hAtom abbr", "", `<abbr class="updated" title="2024-01-31T08:00:00Z">31 January</abbr>`},
		{"hAtom text", "", `<span class="updated">January 31, 2024 at 8:00 am</span>`},
	} {
		page := `<html><head><title>Yalta</title>` + tc.head + `</head><body>` + strings.Replace(body, "%s", tc.body, 1) + `</body></html>`
		res, err := Article([]byte(page), "https://example.org/yalta", Rules{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if res.Revised == nil || !res.Revised.Equal(want) {
			t.Errorf("%s: Revised = %v, want %v", tc.name, res.Revised, want)
		}
	}
}

// Captions and alt texts count in the fingerprint; image addresses, sizes,
// srcset and lazy-loading attributes do not.
func TestCaptionsCountImagesDoNot(t *testing.T) {
	page := func(figure string) []byte {
		return []byte(`<html><head><title>Yalta</title></head><body><article><h1>Yalta</h1><p>` + furnitureProse + `</p>` +
			figure + `<p>` + furnitureProse + `</p></article></body></html>`)
	}
	fp := func(figure string) string {
		res, err := Article(page(figure), "https://example.org/yalta", Rules{})
		if err != nil {
			t.Fatal(err)
		}
		return Fingerprint(res.Title, res.Text, res.HTML, nil)
	}
	base := fp(`<figure><img src="/img/yalta.jpg" alt="The three leaders seated" width="800"><figcaption>Stalin at Yalta</figcaption></figure>`)
	for name, fig := range map[string]string{
		"other URL and size":  `<figure><img src="https://cdn.example.org/yalta-1024.jpg?w=1024" alt="The three leaders seated" width="1024" height="700"><figcaption>Stalin at Yalta</figcaption></figure>`,
		"srcset and lazy":     `<figure><img src="data:image/gif;base64,R0lGOD" data-src="/img/yalta-v2.jpg" srcset="/img/yalta-400.jpg 400w, /img/yalta-800.jpg 800w" sizes="50vw" loading="lazy" decoding="async" alt="The three leaders seated"><figcaption>Stalin at Yalta</figcaption></figure>`,
		"white space":         `<figure>  <img src="/img/y.jpg" alt=" The three  leaders seated "><figcaption> Stalin   at Yalta </figcaption></figure>`,
		"caption class (div)": `<div class="wp-caption"><img src="/img/y.jpg" alt="The three leaders seated"><p class="wp-caption-text">Stalin at Yalta</p></div>`,
	} {
		if got := fp(fig); got != base {
			t.Errorf("%s changed the fingerprint", name)
		}
	}
	for name, fig := range map[string]string{
		"corrected caption": `<figure><img src="/img/yalta.jpg" alt="The three leaders seated" width="800"><figcaption>Roosevelt at Yalta</figcaption></figure>`,
		"corrected alt":     `<figure><img src="/img/yalta.jpg" alt="The three leaders standing" width="800"><figcaption>Stalin at Yalta</figcaption></figure>`,
		"caption removed":   `<figure><img src="/img/yalta.jpg" alt="The three leaders seated" width="800"></figure>`,
	} {
		if got := fp(fig); got == base {
			t.Errorf("%s left the fingerprint unchanged", name)
		}
	}
	if got := Captions(`<p>x</p><figure><img src="/a.jpg" alt="Alt one"><figcaption>Caption <em>one</em></figcaption></figure><img src="/b.jpg" alt="Alt two">`); got != "Caption one\n\nAlt one\n\nAlt two" {
		t.Errorf("Captions = %q", got)
	}
}

// Many sites say "Updated 3 hours ago" on the day of a revision and
// "Updated on 2024-01-31" afterwards: the line is furniture either way, so
// the switch from one to the other is no revision.
func TestRelativeRevisionStampBecomesDated(t *testing.T) {
	for _, tc := range []struct{ lang, before, after string }{
		{"en", "Updated 3 hours ago", "Updated on 2024-01-31"},
		{"en last", "Last updated: 2 days ago", "Last updated January 31, 2024"},
		{"en byline", "By Jane Doe · Updated 3 hours ago", "By Jane Doe · Updated January 31, 2024"},
		{"de", "Aktualisiert vor 3 Stunden", "Aktualisiert am 31.01.2024"},
		{"fr", "Mis à jour il y a 2 heures", "Mis à jour le 31/01/2024"},
		{"es", "Actualizado hace 3 horas", "Actualizado el 31 de enero de 2024"},
		{"it", "Aggiornato 3 ore fa", "Aggiornato il 31/01/2024"},
		{"ru", "Обновлено 3 часа назад", "Обновлено 31 января 2024"},
		{"zh", "更新于 3 小时前", "更新于 2024年1月31日"},
	} {
		a := tc.before + "\n\n" + furnitureProse
		b := tc.after + "\n\n" + furnitureProse
		if Fingerprint("Yalta", a, "", nil) != Fingerprint("Yalta", b, "", nil) {
			t.Errorf("%s: %q → %q changed the fingerprint\n%q\n%q", tc.lang, tc.before, tc.after,
				Normalise("Yalta", a, "", nil), Normalise("Yalta", b, "", nil))
		}
	}
	// In prose the keyword stays: "revised 3 days ago" there is wording.
	long := furnitureProse + " The text was revised 3 days ago by the editors."
	if got := Normalise("T", long, "", nil); !strings.Contains(got, "revised 3 days ago") {
		t.Errorf("a relative time inside prose was removed: %q", got)
	}
}

// Stamps as sites write them beyond our fixtures: a day named instead of a
// date, a time alone, Italian "ore", a zone abbreviation that turns from
// EST to EDT in summer.
func TestStampsOfOtherForms(t *testing.T) {
	for _, tc := range []struct{ name, before, after string }{
		{"weekday", "By Jane Doe · Updated Tuesday", "By Jane Doe · Updated Wednesday"},
		{"weekday and time", "Updated Tuesday at 2:03 p.m.", "Updated today at 9:12 a.m."},
		{"today", "Last updated: today, 14:03", "Last updated: yesterday, 09:12"},
		{"time only", "Updated 14:03 GMT", "Updated 09:12 GMT"},
		{"es weekday", "Actualizado el martes, 14:03", "Actualizado el miércoles, 09:12"},
		{"de heute", "Aktualisiert heute, 14:03 Uhr", "Aktualisiert gestern, 09:12 Uhr"},
		{"it ore", "Ultimo aggiornamento: 31 gennaio 2024, ore 14:03", "Ultimo aggiornamento: 1 febbraio 2024, ore 09:12"},
		{"it alle ore", "Aggiornato il 31/01/2024 alle ore 14:03", "Aggiornato il 01/02/2024 alle ore 09:12"},
		{"es hrs", "Actualizado: 31/01/2024 14:03 hrs", "Actualizado: 01/02/2024 09:12 hrs"},
		{"zone", "Last modified: Jan. 31, 2024 at 3:04 p.m. EST", "Last modified: July 1, 2024 at 9:12 a.m. EDT"},
		{"page as subject", "This page was last modified on 31 January 2024, at 14:03.", "This page was last modified on 1 February 2024, at 09:12."},
		{"article as subject", "This article was updated on 31 January 2024", "This article was updated on 1 February 2024"},
	} {
		a := tc.before + "\n\n" + furnitureProse
		b := tc.after + "\n\n" + furnitureProse
		if Normalise("T", a, "", nil) != Normalise("T", b, "", nil) {
			t.Errorf("%s: %q → %q changed the fingerprint\n%q\n%q", tc.name, tc.before, tc.after,
				Normalise("T", a, "", nil), Normalise("T", b, "", nil))
		}
	}
	if _, got, _ := FindRevisionStamp("Last modified: Jan. 31, 2024 at 3:04 p.m. EST"); !got.Equal(time.Date(2024, 1, 31, 20, 4, 0, 0, time.UTC)) {
		t.Errorf("EST stamp read as %v", got)
	}
	// Not furniture: a weekday or "today" in a title or in prose, a time in
	// prose, and a stamp-like line whose date is before the Web.
	for _, tc := range []struct{ before, after string }{
		{"Black Tuesday", "Black Thursday"},
		{"History Today", "History Tomorrow"},
		{furnitureProse + " The delegates updated their notes at 14:03 each day.", furnitureProse + " The delegates updated their notes at 15:03 each day."},
		{"Last revised on 3 May 1851 by the bishop's clerk.", "Last revised on 3 May 1852 by the bishop's clerk."},
		{"Updated on 1 March 1851, the register lists 40 households.", "Updated on 1 March 1852, the register lists 40 households."},
		// A keyword that is the prose's verb: what the article tells.
		{"The treaty was revised on Tuesday", "The treaty was revised on Wednesday"},
		{"The charter was modified 3 May", "The charter was modified 4 May"},
		{"The constitution was last modified on 3 May 1997", "The constitution was last modified on 4 May 1997"},
		// More years ago than the Web has been.
		{"The mill, built about 200 years ago", "The mill, built about 300 years ago"},
		{"Founded 150 years ago", "Founded 160 years ago"},
		{"Мельница · 200 лет назад", "Мельница · 300 лет назад"},
		{"磨坊 · 200年前", "磨坊 · 300年前"},
	} {
		if Normalise("T", tc.before, "", nil) == Normalise("T", tc.after, "", nil) {
			t.Errorf("%q → %q: fingerprint unchanged (%q)", tc.before, tc.after, Normalise("T", tc.after, "", nil))
		}
	}
	if _, _, ok := FindRevisionStamp("Last revised on 3 May 1851 by the bishop's clerk."); ok {
		t.Error("a date of 1851 was taken for a revision stamp")
	}
}

// Stamps in the layouts no date pattern reads (no year, two digits, the
// weekday or the time first), hedged and short ages, and a stamp's
// trailing weekday: the keyword and the date after it go; a keyword
// followed by numbers that are no date stays.
func TestStampRunsAndAges(t *testing.T) {
	for _, tc := range []struct{ before, after string }{
		{"By Jane Doe · 3h", "By Jane Doe · 5h"},
		{"Jane Doe | 2d", "Jane Doe | 3d"},
		{"Updated 1/31/24 3:04 PM", "Updated 2/1/24 9:12 AM"},
		{"Aktualisiert: 31.01.24, 14:03", "Aktualisiert: 01.02.24, 09:12"},
		{"Updated: 31 Jan", "Updated: 1 Feb"},
		{"Updated Jan. 31", "Updated Feb. 1"},
		{"Mis à jour le 31 janv.", "Mis à jour le 1er févr."},
		{"Updated Jan 31, 2024 3:04 p.m. ET", "Updated Jul 1, 2024 9:12 a.m. ET"},
		{"Updated on Wednesday 31 January 2024", "Updated on Thursday 1 February 2024"},
		{"Updated Wed, Jan 31, 2024", "Updated Thu, Feb 1, 2024"},
		{"Last Updated: 2024.01.31", "Last Updated: 2024.02.01"},
		{"Updated 31-Jan-2024", "Updated 01-Feb-2024"},
		{"最終更新：2024年1月31日(水)", "最終更新：2024年2月1日(木)"},
		{"Обновлено 31 января, 14:03", "Обновлено 1 февраля, 09:12"},
		{"UPDATED: JANUARY 31, 2024 AT 3:04 PM", "UPDATED: FEBRUARY 1, 2024 AT 9:12 AM"},
		{"Updated: 3:04 PM, Jan 31, 2024", "Updated: 9:12 AM, Feb 1, 2024"},
		{"Updated 31 minutes ago", "Updated an hour ago"},
		{"Updated less than a minute ago", "Updated about an hour ago"},
		{"Updated over 2 years ago", "Updated almost 3 years ago"},
		{"Anna Schmidt | vor etwa 3 Stunden", "Anna Schmidt | vor über 2 Jahren"},
		{"Par Jean Dupont, il y a environ 3 heures", "Par Jean Dupont, il y a plus de 2 ans"},
		{"Por Ana García · hace más de 2 años", "Por Ana García · hace unos 3 días"},
		{"Di Marco Rossi, circa 3 ore fa", "Di Marco Rossi, più di 2 giorni fa"},
		{"Publié le 31/01/2024 à 14h03, mis à jour à 15h10", "Publié le 31/01/2024 à 14h03, mis à jour à 16h20"},
	} {
		a, b := Normalise("T", tc.before+"\n\n"+furnitureProse, "", nil), Normalise("T", tc.after+"\n\n"+furnitureProse, "", nil)
		if a != b {
			t.Errorf("%q → %q changed the fingerprint: %q vs %q", tc.before, tc.after, a, b)
		}
	}
	for _, tc := range []struct{ before, after string }{
		{"Updated 3 times since", "Updated 4 times since"},
		{"Revised 2nd edition", "Revised 3rd edition"},
		{"Updated on 12 March 1848, the roll lists 40 men", "Updated on 12 March 1849, the roll lists 40 men"},
		{"Updated: 31 Jan · 12 comments by the curate", "Updated: 31 Jan · 13 comments by the curate"},
		// A date without a year in a line naming one before the Web.
		{"1851: charter revised 3 May, ratified 12 June", "1851: charter revised 4 May, ratified 12 June"},
		// A month after a stamp begins a date of the article's.
		{"Updated 3 May 2024. May 1945: the surrender at Reims", "Updated 3 May 2024. June 1945: the surrender at Reims"},
		// A day and a time without a keyword, not a field of their own: a
		// diary's line.
		{"Tuesday at 14:30 the Bastille fell", "Tuesday at 15:30 the Bastille fell"},
	} {
		if Normalise("T", tc.before, "", nil) == Normalise("T", tc.after, "", nil) {
			t.Errorf("%q → %q: fingerprint unchanged (%q)", tc.before, tc.after, Normalise("T", tc.after, "", nil))
		}
	}
}
