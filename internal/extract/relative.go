package extract

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A relative time ("3 hours ago", "vor 3 Stunden", "昨天") is page
// furniture: it changes with every fetch while the article does not. Like
// revision stamps, relative times are removed from the fingerprinted text
// only where furniture stands: anywhere in a short line (a byline, a
// dateline), at the start of a long one, never inside prose.

// relNum is a count, in figures or as the word for "one" of each language.
const relNum = `(?:\d+|an?|one|a few|few|several|ein` + sp + `+paar|einigen|wenigen|eine[mnr]?|ein|une?|quelques|una?|un'|uma?|een|enkele|kilka|jedną|jeden|одну|один|несколько)`

// relHedge is the hedge a count may carry ("about an hour ago", "less than
// a minute ago", "over 2 years ago", as Rails words them; "vor etwa 3
// Stunden", "il y a plus de 2 ans", "hace más de 2 años"), with the
// revision keyword before it, anchored at the end of the text before a
// relative time: it is looked for only there, once a relative time is
// found, rather than inside relativeTime's large expression at every
// count.
var relHedge = lazyRegexp(`(?i)(?:(?:` + stampKeywordExpr + `)` + sp + `*[:：,\-–—]?` + sp + `*)?(?:about|around|almost|nearly|over|roughly|less` + sp + `+than|more` + sp + `+than|half|etwa|ungefähr|über|mehr` + sp + `+als|fast|knapp|environ|plus` + sp + `+de|moins` + sp + `+de|près` + sp + `+de|presque|unos|unas|más` + sp + `+de|menos` + sp + `+de|casi|circa|più` + sp + `+di|quasi|cerca` + sp + `+de|mais` + sp + `+de|quase|ongeveer|ruim|bijna|meer` + sp + `+dan|minder` + sp + `+dan|około|ponad|prawie|около|почти|более|больше|меньше)` + sp + `+$`)

// hedgeBack moves start, where a relative time begins in s, back over a
// hedge (and a keyword) before it that stands as words of its own.
func hedgeBack(s string, start int) int {
	from := max(0, start-64)
	for from > 0 && !utf8.RuneStart(s[from]) {
		from++
	}
	loc := relHedge().FindStringIndex(s[from:start])
	if loc == nil {
		return start
	}
	if r, _ := utf8.DecodeLastRuneInString(s[:from+loc[0]]); from+loc[0] > 0 && alphabetic(r) {
		return start // the end of a word ("moreover 2 years ago")
	}
	return from + loc[0]
}

// relClock is an optional time of day after "yesterday" and the like:
// "yesterday at 14:30", "gestern, 14.30 Uhr", "hier à 14h30".
const relClock = `(?:` + sp + `*(?:,|at|um|à|a` + sp + `+las|alle|às|om|o|в)?` + sp + `*\d{1,2}[:h.]\d{2}(?:` + sp + `*(?:[ap]\.?m\.?|uhr))?)?`

// relClockReq is relClock when it must be there: "Tuesday at 14:30".
const relClockReq = `(?:` + sp + `*(?:,|at|um|à|a` + sp + `+las|alle|às|om|o|в)?` + sp + `*\d{1,2}[:h.]\d{2}(?:` + sp + `*(?:[ap]\.?m\.?|uhr))?)`

// relDay is a day named relative to today: a weekday ("Updated Tuesday")
// or today itself, in the languages whose revision keywords are known. It
// counts only after a revision keyword or before a time of day: alone,
// "Tuesday" and "today" are words of the prose or of a title ("History
// Today").
const relDay = `(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today` +
	`|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|heute` +
	`|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|aujourd['’]hui` +
	`|lunes|martes|miércoles|jueves|viernes|sábado|domingo|hoy` +
	`|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica|oggi` +
	`|segunda-feira|terça-feira|quarta-feira|quinta-feira|sexta-feira|hoje` +
	`|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|vandaag` +
	`|dzisiaj|dziś|сегодня|今天|今日)`

// relKeyword is a revision keyword and what may follow it before a
// relative time or a bare time of day.
//
// Not "at": "Updated at 1:23 p.m." is in a page of the development set
// whose fingerprint must not change (TestDevOutputUnchanged), so a time
// alone after "Updated at" still counts, as before.
const relKeyword = `(?:` + stampKeywordExpr + `)` + sp + `*[:：,\-–—]?` + sp + `*(?:(?:on|am|le|el|il|em|op|à|um|às|alle|om|a` + sp + `+las|o|в)` + sp + `+)?`

// relativeTime matches a relative time, with the revision keyword that may
// introduce it ("Updated 3 hours ago", "Aktualisiert vor 3 Stunden"): a site
// that says so on one day and "Updated on 2024-01-31" on the next must
// leave the same text behind.
var relativeTime = lazyRegexp(relativeExpr)

// relativeTimeAt is relativeTime anchored at the text's start.
var relativeTimeAt = lazyRegexp(`^(?:` + relativeExpr + `)`)

const relativeExpr = `(?i)(?:(?:` + stampKeywordExpr + `)` + sp + `*[:：,\-–—]?` + sp + `*)?(?:` +
	// English: 3 hours ago, an hour ago, 3h ago, 5 mins ago
	relNum + sp + `*(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mos?|months?|y|yrs?|years?)\.?` + sp + `+ago` +
	`|(?:yesterday|just` + sp + `+now|moments?` + sp + `+ago)` + relClock +
	// German: vor 3 Stunden, vor einer Stunde, gestern
	`|vor` + sp + `+(?:(?:etwa|ungefähr|über|mehr` + sp + `+als|fast|knapp)` + sp + `+)?` + relNum + sp + `+(?:sekunden?|sek\.?|minuten?|min\.?|stunden?|std\.?|tag(?:en)?|wochen?|monat(?:en)?|jahr(?:en)?)` +
	`|(?:gestern|gerade` + sp + `+eben|soeben)` + relClock +
	// French: il y a 3 heures, il y a 2 jours; "hier" only with a time, as
	// it is also German for "here"
	`|il` + sp + `+y` + sp + `+a` + sp + `+(?:(?:environ|plus` + sp + `+de|moins` + sp + `+de|près` + sp + `+de|presque)` + sp + `+)?` + relNum + sp + `+(?:secondes?|s|minutes?|min|heures?|h|jours?|j|semaines?|mois|ans?|années?)` +
	`|hier` + sp + `*(?:,|à)` + sp + `*\d{1,2}[:h]\d{2}|à` + sp + `+l['’]instant` +
	// Spanish: hace 3 horas, ayer
	`|hace` + sp + `+(?:(?:unos|unas|más` + sp + `+de|menos` + sp + `+de|casi|alrededor` + sp + `+de)` + sp + `+)?` + relNum + sp + `+(?:segundos?|minutos?|min|horas?|h|días?|semanas?|mes(?:es)?|años?)` +
	`|(?:ayer|justo` + sp + `+ahora|ahora` + sp + `+mismo)` + relClock +
	// Italian: 3 ore fa, un giorno fa, ieri
	`|` + relNum + sp + `*(?:secondi|secondo|minuti|minuto|ore|ora|giorni|giorno|settimane|settimana|mesi|mese|anni|anno)` + sp + `+fa` +
	`|(?:ieri|proprio` + sp + `+ora)` + relClock +
	// Portuguese: há 3 horas, 3 horas atrás, ontem
	`|há` + sp + `+(?:(?:cerca` + sp + `+de|mais` + sp + `+de|menos` + sp + `+de|quase)` + sp + `+)?` + relNum + sp + `+(?:segundos?|minutos?|min|horas?|h|dias?|semanas?|m[eê]s(?:es)?|anos?)` +
	`|` + relNum + sp + `+(?:segundos?|minutos?|horas?|dias?|semanas?|m[eê]s(?:es)?|anos?)` + sp + `+atrás` +
	`|(?:ontem|agora` + sp + `+mesmo)` + relClock +
	// Dutch: 3 uur geleden, 2 dagen geleden, gisteren
	`|` + relNum + sp + `+(?:seconden?|minuten?|minuut|min|uur|uren|dagen?|weken?|maanden?|maand|jaar|jaren)` + sp + `+geleden` +
	`|(?:gisteren|zojuist|zonet)` + relClock +
	// Polish: 3 godziny temu, 2 dni temu, wczoraj
	`|(?:` + relNum + sp + `+)?(?:sekund[ay]?|sekundę|minut[ay]?|minutę|godzin[ay]?|godzinę|dni|dzień|tygodni[ea]?|tydzień|miesi[ąę]c[ey]?|miesięcy|lat[a]?|rok)` + sp + `+temu` +
	`|(?:wczoraj|przed` + sp + `+chwilą)` + relClock +
	// Russian: 3 часа назад, час назад, вчера
	`|(?:` + relNum + sp + `+)?(?:секунд[уы]?|минут[уы]?|час(?:а|ов)?|дн(?:я|ей)|день|недел[юиь]|недель|месяц(?:а|ев)?|год(?:а)?|лет)` + sp + `+назад` +
	`|(?:вчера|только` + sp + `+что)` + relClock +
	// Chinese and Japanese: 3 小时前, 3時間前, 2日前, 昨天, 刚刚, たった今
	`|(?:\d+|[一二两兩三四五六七八九十百几幾半数數]+|一个|一個)` + sp + `*(?:秒|秒钟|秒鐘|分钟|分鐘|分|小时|小時|時間|个小时|個小時|天|日|周|週|週間|星期|个星期|個星期|个月|個月|か月|ヶ月|ヵ月|カ月|年)` + sp + `*前` +
	`|(?:昨天|昨日|刚刚|剛剛|刚才|たった今)` + relClock +
	`)`

// dayTime matches a day named instead of a date after a revision keyword
// or before a time of day ("Updated Tuesday", "Updated today at 14:30",
// "Tuesday at 14:30"), and a time of day alone after the keyword
// ("Updated 14:03 GMT"). It is an expression of its own, gated by its own
// needles, so that the lines holding none of relativeTime's needles (most
// of them) do not pay for it.
var dayTime = lazyRegexp(dayTimeExpr)

var dayTimeAt = lazyRegexp(`^(?:` + dayTimeExpr + `)`)

const dayTimeExpr = `(?i)` + relKeyword + relDay + relClock + `|` + relDay + relClockReq +
	`|` + relKeyword + `\d{1,2}[:h]\d{2}(?:` + sp + `*(?:[ap]\.?m\.?))?(?:` + sp + `*(?:Z|UTC|GMT|` + zoneNames + `)\b)?`

// relativeNeedles are literal pieces of every relativeTime match (ASCII
// lower-cased), to skip the expensive regexp on the lines that hold none.
var relativeNeedles = []string{"ago", "just now", "yesterday", "vor ", "gestern", "gerade", "soeben", "il y a", "hier", "instant",
	"hace", "ayer", "ahora", " fa", "ieri", "proprio ora", "há", "atrás", "ontem", "agora", "geleden", "gisteren", "zojuist", "zonet",
	"temu", "wczoraj", "chwil", "назад", "вчера", "Вчера", "только что", "Только что", "前", "昨", "刚", "剛", "たった今"}

// dayTimeDays are the days of dayTime, as needles: a line with one of
// them and a time of day ("Tuesday at 14:30"), or with a revision keyword
// (stampNeedles), may hold a match.
var dayTimeDays = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
	"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "heute",
	"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "aujourd",
	"lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo", "hoy",
	"lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica", "oggi",
	"-feira", "hoje", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "vandaag",
	"dzisiaj", "dziś", "сегодня", "Сегодня", "今天", "今日"}

// relForm is one kind of relative time: its expression, anchored and
// not, and mayHold, false only for a text that holds no match: the
// expressions are large, and most lines hold none.
type relForm struct {
	re, at  func() *regexp.Regexp
	mayHold func(s string) bool
	// accept is nil (every match), or says whether the match line[start:end]
	// counts.
	accept func(line string, start, end int) bool
	back   func(s string, start int) int
}

var relForms = [...]relForm{
	{relativeTime, relativeTimeAt, hasRelativeNeedle, acceptRelative, hedgeBack},
	{dateRun, dateRunAt, func(s string) bool { return hasDigit(s) && hasStampNeedle(s) }, acceptDateRun, nil},
	{dayTime, dayTimeAt, func(s string) bool {
		if hasStampNeedle(s) { // a revision keyword, then a time or a day
			return hasDigit(s) || hasNeedleLower(asciiLower(s), dayTimeDays)
		}
		return hasClockDigits(s) && hasNeedleLower(asciiLower(s), dayTimeDays)
	}, acceptDayTime, nil},
}

// acceptDateRun takes a date run (see isDateRun) for a stamp, unless it
// names no year in a line that names one before the Web: "1851: charter
// revised 3 May, ratified 12 June" is the history's date.
func acceptDateRun(line string, start, end int) bool {
	m := line[start:end]
	return isDateRun(m) && (hasYearDigits(m) || !namesOldYear(line)) && !passiveBefore(line[:start])
}

// passiveVerb matches the end of a sentence's words before a revision
// keyword that make it a verb of the prose: "The treaty was revised on
// Tuesday", "the charter has been modified 3 May", "the constitution was
// last modified on 3 May 1997" are what the article tells, not a stamp.
var passiveVerb = lazyRegexp(`(?i)(?:^|[^\pL])(?:was|were|is|are|be|been|being|has|had|have|got|ist|sind|wurde|wurden|worden|été|fue|fueron|sido|stato|stata|stati|state|foi|foram|werd|werden|został[aoy]?|zostały|был[аио]?|были)(?:` + sp + `+(?:last|recently|also|later|then|again|first|since))?` + sp + `+$`)

// pageSubject matches a page named as what was revised: "This page was
// last modified on 31 January 2024, at 14:03" (MediaWiki's footer),
// "Cette page a été modifiée pour la dernière fois le …", "This article
// was updated on …" are stamps all the same.
var pageSubject = lazyRegexp(`(?i)(?:^|[^\pL])(?:page|article|post|entry|story|site|website|document|seite|artikel|beitrag|página|artículo|pagina|articolo|artigo|strona|artykuł|страница|статья)(?:[^\pL]|$)`)

// passiveBefore reports whether before, the text of a line before a
// revision keyword, ends with a verb that makes the keyword the prose's
// (and names no page as its subject).
func passiveBefore(before string) bool {
	if len(before) > 64 {
		before = before[len(before)-64:]
		for len(before) > 0 && !utf8.RuneStart(before[0]) {
			before = before[1:]
		}
	}
	return before != "" && passiveVerb().MatchString(before) && !pageSubject().MatchString(before)
}

// relYears finds a relative time's count of years: "200 years ago",
// "vor 150 Jahren".
var relYears = lazyRegexp(`(?i)(\d+)` + sp + `*(?:(?:y|yrs?|years?|jahr(?:en)?|ans|années|años|anni|anos|jaar|jaren|lat|лет|года?)(?:$|[^\pL])|年)`)

// acceptRelative takes a relative time for furniture unless it counts more
// years than the Web has had: "The mill, built about 200 years ago" is
// the history's.
func acceptRelative(line string, start, end int) bool {
	// From a little before the match: "лет назад", "lat temu" match
	// without the count before them ("200 лет назад").
	from := max(0, start-12)
	for from > 0 && !utf8.RuneStart(line[from]) {
		from++
	}
	for _, m := range relYears().FindAllStringSubmatch(line[from:end], -1) {
		if n, err := strconv.Atoi(m[1]); err == nil && n > maxWebAge {
			return false
		}
	}
	return true
}

// maxWebAge is the most years old a web page's relative time can say
// (the Web is younger).
const maxWebAge = 35

// acceptDayTime takes a day or a time after a revision keyword ("Updated
// Tuesday", "Updated 14:03 GMT") for a stamp; without one ("Tuesday at
// 14:30"), only as a field of its own, the line's whole or between
// separators ("By Jane Doe · Tuesday at 14:30"): "Tuesday at 14:30 the
// Bastille fell", a diary's line, is the article's.
func acceptDayTime(line string, start, end int) bool {
	if hasStampNeedle(line[start:end]) {
		return !passiveBefore(line[:start])
	}
	return fieldEdge(line[:start], true) && fieldEdge(line[end:], false)
}

// hasStampNeedle reports a revision keyword's needle in s.
func hasStampNeedle(s string) bool {
	p, _ := nextNeedle(s, 0)
	return p >= 0
}

func hasDigit(s string) bool { return strings.IndexAny(s, "0123456789") >= 0 }

// hasClockDigits reports a time of day's digits: 14:30, 9h30.
func hasClockDigits(s string) bool {
	for i := 1; i+2 < len(s); i++ {
		if (s[i] == ':' || s[i] == 'h') && isDigit(s[i-1]) && isDigit(s[i+1]) && isDigit(s[i+2]) {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// relativeLeadMax is how much of a long line's start is searched: the
// longest relative time ("il y a quelques semaines") fits well within it.
const relativeLeadMax = 64

// removeRelativeTimes drops the relative times of each line of s: all of
// them in a short line, a leading one in a long line.
func removeRelativeTimes(s string) string {
	return eachLine(s, removeLineRelative)
}

func removeLineRelative(s string) string {
	for i := range relForms {
		s = removeLineForm(s, &relForms[i])
	}
	return s
}

// removeLineForm drops one form's relative times from a line: all of them
// in a short line, a leading one in a long line.
func removeLineForm(s string, f *relForm) string {
	short := shortLine(s)
	lead := len(leadingSpace(s))
	scan := s
	if !short {
		end := min(len(s), lead+relativeLeadMax)
		for end < len(s) && !utf8.RuneStart(s[end]) {
			end++
		}
		scan = s[:end]
	}
	if !f.mayHold(scan) {
		return s
	}
	var b strings.Builder
	rest, done := s, 0 // done: bytes of s consumed so far
	for {
		var loc []int
		if short {
			loc = f.re().FindStringIndex(rest)
		} else {
			loc = matchBefore(f.at(), rest, lead+stampLeadMax-done)
		}
		if loc == nil {
			break
		}
		start, end := loc[0], loc[1]
		if !short && done+start-lead > stampLeadMax {
			break
		}
		// On s, not rest: a match cut off a rejected one ("00 years ago"
		// of "200 years ago") must see what stands before it.
		if !wordEdge(s, done+start, done+end) || f.accept != nil && !f.accept(s, done+start, done+end) {
			// Inside a word ("fa" in "sofa fa"): keep it, look further.
			_, size := utf8.DecodeRuneInString(rest[start:])
			b.WriteString(rest[:start+size])
			done += start + size
			rest = rest[start+size:]
			if !short {
				break
			}
			continue
		}
		if f.back != nil {
			start = f.back(rest, start)
		}
		b.WriteString(rest[:start])
		b.WriteByte(' ')
		done += end
		rest = rest[end:]
	}
	if done == 0 {
		return s
	}
	b.WriteString(rest)
	return b.String()
}

// matchBefore is the leftmost match in s of the expression that at
// anchors, when it starts at or before limit, else nil. A long line's
// relative time only counts at its start: trying the few starts there is
// far cheaper than searching the whole paragraph with this large
// expression.
func matchBefore(at *regexp.Regexp, s string, limit int) []int {
	for p := 0; p <= limit && p <= len(s); {
		if loc := at.FindStringIndex(s[p:]); loc != nil {
			return []int{p, p + loc[1]}
		}
		if p == len(s) {
			break
		}
		_, size := utf8.DecodeRuneInString(s[p:]) // as the regexp steps
		p += size
	}
	return nil
}

// hasRelativeNeedle reports whether s holds one of relativeNeedles as a
// word of its own ("ago" but not "Chicago", " fa" but not " far").
func hasRelativeNeedle(s string) bool { return hasNeedleLower(asciiLower(s), relativeNeedles) }

// hasNeedleLower reports whether lower (a text with its ASCII letters
// lower-cased) holds one of needles as a word of its own.
func hasNeedleLower(lower string, needles []string) bool {
	for _, n := range needles {
		for off := 0; off < len(lower); {
			i := strings.Index(lower[off:], n)
			if i < 0 {
				break
			}
			i += off
			j := i + len(n)
			if (i == 0 || !isASCIILetter(n[0]) || !isASCIILetter(lower[i-1])) &&
				(j == len(lower) || !isASCIILetter(n[len(n)-1]) || !isASCIILetter(lower[j])) {
				return true
			}
			off = i + 1
		}
	}
	return false
}

// wordEdge reports whether s[start:end] stands on word boundaries: no letter
// or digit of an alphabetic script touches it (ideographs need no spaces,
// so they do not count).
func wordEdge(s string, start, end int) bool {
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:start])
		if alphabetic(r) {
			return false
		}
	}
	if end < len(s) {
		r, _ := utf8.DecodeRuneInString(s[end:])
		if alphabetic(r) {
			return false
		}
	}
	return true
}

func alphabetic(r rune) bool {
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return false
	}
	return !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}
