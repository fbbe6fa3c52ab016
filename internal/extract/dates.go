package extract

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// sp matches one horizontal or vertical space, including the no-break and
// ideographic spaces that pages put inside dates ("Jan&nbsp;31, 2024").
const sp = `[\s\p{Zs}]`

const monthNames = `jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|aug(?:ust|\.)?|sep(?:t(?:ember)?)?\.?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?`

const ruMonthNames = `января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря`

// euMonths are the month names of German, French, Spanish, Italian,
// Portuguese, Dutch and Polish (genitive, as dates write them), with the
// usual abbreviations, by number.
var euMonths = map[string]int{
	"januar": 1, "jänner": 1, "janvier": 1, "janv": 1, "enero": 1, "gennaio": 1, "janeiro": 1, "januari": 1, "stycznia": 1,
	"februar": 2, "février": 2, "fevrier": 2, "févr": 2, "febrero": 2, "febbraio": 2, "fevereiro": 2, "februari": 2, "lutego": 2,
	"märz": 3, "maerz": 3, "mars": 3, "marzo": 3, "março": 3, "marco": 3, "maart": 3, "marca": 3,
	"avril": 4, "avr": 4, "abril": 4, "aprile": 4, "kwietnia": 4,
	"mai": 5, "mayo": 5, "maggio": 5, "maio": 5, "mei": 5, "maja": 5,
	"juni": 6, "juin": 6, "junio": 6, "giugno": 6, "junho": 6, "czerwca": 6,
	"juli": 7, "juillet": 7, "juil": 7, "julio": 7, "luglio": 7, "julho": 7, "lipca": 7,
	"august": 8, "août": 8, "aout": 8, "agosto": 8, "augustus": 8, "sierpnia": 8,
	"september": 9, "septembre": 9, "septiembre": 9, "setiembre": 9, "settembre": 9, "setembro": 9, "września": 9,
	"oktober": 10, "octobre": 10, "octubre": 10, "ottobre": 10, "outubro": 10, "października": 10,
	"november": 11, "novembre": 11, "noviembre": 11, "novembro": 11, "listopada": 11,
	"dezember": 12, "décembre": 12, "decembre": 12, "déc": 12, "diciembre": 12, "dicembre": 12, "dezembro": 12, "december": 12, "grudnia": 12,
}

// anyMonthNames is monthNames plus every euMonths name, longest first so
// that the preferred match is the whole word.
var anyMonthNames = func() string {
	names := make([]string, 0, len(euMonths))
	for k := range euMonths {
		names = append(names, regexp.QuoteMeta(k)+`\.?`)
	}
	sort.Slice(names, func(i, j int) bool {
		if len(names[i]) != len(names[j]) {
			return len(names[i]) > len(names[j])
		}
		return names[i] < names[j]
	})
	return strings.Join(names, "|") + "|" + monthNames
}()

// clock is an optional time of day after a date: "08:00", "T08:00:00.123Z",
// ", 8:05 pm", " at 08:00 UTC", "08:00:00 +0000", " à 14h30", ", 14:30 Uhr",
// " - 14:30", " 14時30分", ", ore 14:30", " alle ore 14:30", " 14:30 hrs",
// " 3:04 p.m. EST".
// A zone is only read after a time so that a date range "2024-01-31-0500"
// is not taken for a zone.
const clock = `(?:(?:T|,?` + sp + `*(?:(?:at|à|um|a` + sp + `+las|alle(?:` + sp + `+ore)?|ore|às|om|o|godz\.?|в|[,|\-–—])` + sp + `*)?)(\d{1,2})(?:[:h時])(\d{2})分?(?::(\d{2})(?:[.,]\d+)?)?(?:` + sp + `*([ap]\.?m\.?))?(?:` + sp + `*(Z|UTC|GMT|[+-]\d{2}:?\d{2}|` + zoneNames + `)(?:\b|$))?(?:` + sp + `*(?:uhr|hrs?\.?|h)(?:\b|$))?)?`

// zoneNames are the zone abbreviations a stamp's time may carry, with
// their offsets: without them, "3:04 p.m. EST" leaves "EST" behind, which
// becomes "EDT" in summer.
const zoneNames = `[ECMP][SD]T|BST|CES?T|MES?Z|EES?T|WES?T|JST|KST|HKT|SGT|AE[SD]T`

var zoneOffsets = map[string]int{
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
	"BST": 1, "CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2, "EET": 2, "EEST": 3, "WET": 0, "WEST": 1,
	"JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11,
}

// datePattern is one recognised layout; the y/m/d fields index submatch
// groups (month may be a name), and clockAt is the first group of clock.
type datePattern struct {
	re      *regexp.Regexp // unanchored, for ParseDate
	at      *regexp.Regexp // anchored at the start, for revision stamps
	y, m, d int
	clockAt int  // 0 if the layout has no time of day
	numeric bool // d/m/y or m/d/y: groups m and d are swapped unless day first (see build)
}

func newDatePattern(expr string, y, m, d, clockAt int) datePattern {
	return datePattern{
		re: regexp.MustCompile(`(?i)` + expr),
		at: regexp.MustCompile(`(?i)^(?:` + expr + `)`),
		y:  y, m: m, d: d, clockAt: clockAt,
	}
}

// datePatterns are compiled on first use: the Unicode, case-folding
// expressions cost most of a millisecond, which a command that never parses
// a date should not pay at start-up.
func numericDate(expr string, y, m, d, clockAt int) datePattern {
	p := newDatePattern(expr, y, m, d, clockAt)
	p.numeric = true
	return p
}

var datePatterns = sync.OnceValue(func() []datePattern {
	return []datePattern{
		// 2024-01-31, 2024-01-31T08:00:00Z, 2024/01/31 08:00
		// (no \b after the day: "31T08" has none; build rejects "2024-01-311")
		newDatePattern(`\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})`+clock, 1, 2, 3, 4),
		// 31.01.2024 (day first, as written in Europe and Russia), and
		// 31/01/2024, 31-01-2024, 01/31/2024: day first after a stamp
		// keyword of a language that writes it so; else month first
		// unless that cannot be a date.
		numericDate(`\b(\d{1,2})([./-])(\d{1,2})[./-](\d{4})\b`+clock, 4, 3, 1, 5),
		// January 31st, 2024 / Jan 31, 2024 / Jan. 31 2024
		newDatePattern(`\b(`+monthNames+`)`+sp+`*(\d{1,2})(?:st|nd|rd|th)?\b,?`+sp+`*(\d{4})\b`+clock, 3, 1, 2, 4),
		// 31 January 2024 / Wed, 31 Jan 2024 08:00:00 GMT / 31st of January, 2024 /
		// 31. Januar 2024 / 1er février 2024 / 31 de enero de 2024 / 31 stycznia 2024
		newDatePattern(`\b(\d{1,2})(?:st|nd|rd|th|er|\.)?(?:`+sp+`+(?:of|de))?[-`+sp[1:len(sp)-1]+`]+(`+anyMonthNames+`)(?:`+sp+`+de)?[-,`+sp[1:len(sp)-1]+`]*(\d{4})\b`+clock, 3, 2, 1, 4),
		// 2024年1月31日
		newDatePattern(`(\d{4})`+sp+`*年`+sp+`*(\d{1,2})`+sp+`*月`+sp+`*(\d{1,2})`+sp+`*[日号]?`+clock, 1, 2, 3, 4),
		// 31 января 2024 (г.)
		newDatePattern(`(\d{1,2})`+sp+`+(`+ruMonthNames+`)`+sp+`+(\d{4})(?:`+sp+`*г\.?)?`+clock, 3, 2, 1, 4),
	}
})

// ParseDate parses the first date found in s, which may be free text such as
// "Updated on 2024-01-31", "Updated: Jan 31, 2024", "31 January 2024",
// "2024年1月31日", "31 января 2024" or RFC 3339. Dates without a zone are
// taken as UTC; the result is always in UTC. It reports false if s holds no
// valid date.
func ParseDate(s string) (time.Time, bool) {
	if !hasYearDigits(s) {
		// Every layout, RFC 3339 included, has a four-digit year: the
		// many short blocks tested for being a date line mostly have none.
		return time.Time{}, false
	}
	return parseDateText(s)
}

// parseDateText is ParseDate without the check for a year's digits.
func parseDateText(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err == nil {
		return t.UTC(), true
	}
	// A stamp's keyword says how its language orders day and month.
	dayFirst := false
	if start, end, _, ok := findStamp(s); ok {
		dayFirst = dayFirstKeyword(stampKeyword().FindString(s[start:end]))
	}
	type cand struct {
		p          *datePattern
		loc        []int
		start, end int
	}
	var cands []cand
	patterns := datePatterns()
	for i := range patterns {
		p := &patterns[i]
		for _, loc := range p.re.FindAllStringSubmatchIndex(s, 8) {
			cands = append(cands, cand{p, loc, loc[0], loc[1]})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].start != cands[j].start {
			return cands[i].start < cands[j].start
		}
		return cands[i].end > cands[j].end
	})
	for _, c := range cands {
		if t, ok := c.p.build(s, c.loc, dayFirst); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// hasYearDigits reports four ASCII digits in a row (\d is ASCII in Go's
// regexps).
func hasYearDigits(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if run++; run == 4 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// parseDateAt parses a date that starts exactly at s[0]; n is its length.
// dayFirst reads 01/02/2024 as 1 February.
func parseDateAt(s string, dayFirst bool) (t time.Time, n int, ok bool) {
	patterns := datePatterns()
	for i := range patterns {
		p := &patterns[i]
		loc := p.at.FindStringSubmatchIndex(s)
		if loc == nil {
			continue
		}
		if t, ok := p.build(s, loc, dayFirst); ok && loc[1] > n {
			return t, loc[1], true
		}
	}
	return time.Time{}, 0, false
}

// build turns one match into a time, rejecting impossible dates such as
// 2024-02-30 or 31.13.2024. A numeric d/m/y date is read day first when
// dayFirst or written with dots, else month first; either way, a reading
// with a month above 12 gives way to the other.
func (p *datePattern) build(s string, loc []int, dayFirst bool) (time.Time, bool) {
	group := func(i int) string {
		if loc[2*i] < 0 {
			return ""
		}
		return s[loc[2*i]:loc[2*i+1]]
	}
	dateEnd := max(loc[2*p.y+1], loc[2*p.m+1], loc[2*p.d+1])
	if dateEnd < len(s) && s[dateEnd] >= '0' && s[dateEnd] <= '9' {
		return time.Time{}, false
	}
	year, _ := strconv.Atoi(group(p.y))
	day, _ := strconv.Atoi(group(p.d))
	month := monthNumber(group(p.m))
	if p.numeric {
		if !dayFirst && group(2) != "." {
			day, month = month, day
		}
		if month > 12 && day <= 12 {
			day, month = month, day
		}
	}
	if year < 1000 || month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	var hour, minute, second int
	loc0 := time.UTC
	if p.clockAt > 0 && group(p.clockAt) != "" {
		hour, _ = strconv.Atoi(group(p.clockAt))
		minute, _ = strconv.Atoi(group(p.clockAt + 1))
		second, _ = strconv.Atoi(group(p.clockAt + 2))
		if ampm := strings.ToLower(group(p.clockAt + 3)); ampm != "" {
			if hour < 1 || hour > 12 {
				return time.Time{}, false
			}
			hour %= 12
			if ampm[0] == 'p' {
				hour += 12
			}
		}
		if hour > 23 || minute > 59 || second > 60 {
			return time.Time{}, false
		}
		if z, ok := zoneOf(group(p.clockAt + 4)); ok {
			loc0 = z
		} else {
			return time.Time{}, false
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, loc0)
	if t.Day() != day || int(t.Month()) != month {
		return time.Time{}, false // normalised away: the date does not exist
	}
	return t.UTC(), true
}

func zoneOf(z string) (*time.Location, bool) {
	switch strings.ToUpper(z) {
	case "", "Z", "UTC", "GMT":
		return time.UTC, true
	}
	if h, ok := zoneOffsets[strings.ToUpper(z)]; ok {
		return time.FixedZone(strings.ToUpper(z), h*3600), true
	}
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	digits := strings.ReplaceAll(z[1:], ":", "")
	if len(digits) != 4 {
		return nil, false
	}
	h, err1 := strconv.Atoi(digits[:2])
	m, err2 := strconv.Atoi(digits[2:])
	if err1 != nil || err2 != nil || h > 14 || m > 59 {
		return nil, false
	}
	return time.FixedZone(z, sign*(h*3600+m*60)), true
}

var ruMonths = map[string]int{
	"января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6,
	"июля": 7, "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}

func monthNumber(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	if n, ok := ruMonths[s]; ok {
		return n
	}
	if n, ok := euMonths[s]; ok {
		return n
	}
	if len(s) < 3 {
		return 0
	}
	switch s[:3] {
	case "jan":
		return 1
	case "feb":
		return 2
	case "mar":
		return 3
	case "apr":
		return 4
	case "may":
		return 5
	case "jun":
		return 6
	case "jul":
		return 7
	case "aug":
		return 8
	case "sep":
		return 9
	case "oct":
		return 10
	case "nov":
		return 11
	case "dec":
		return 12
	}
	return 0
}

// stampKeyword finds the words that introduce a revision stamp, in
// English, German, French, Spanish, Italian, Portuguese, Dutch, Polish,
// Russian, Chinese and Japanese. \b only knows ASCII word characters, so
// findStamp checks the word boundaries itself (see wordEdge).
var stampKeyword = lazyRegexp(`(?i)(?:` + stampKeywordExpr + `)`)

// stampKeywordExpr is stampKeyword's alternatives, also used by
// relativeTime ("Updated 3 hours ago").
const stampKeywordExpr = `last` + sp + `*[-–]?` + sp + `*(?:updated|modified|revised)|updated|modified|revised` +
	`|zuletzt` + sp + `+(?:aktualisiert|geändert)|aktualisiert|geändert` +
	`|dernière` + sp + `+(?:mise` + sp + `+à` + sp + `+jour|modification)|mise?` + sp + `+à` + sp + `+jour|modifiée?` +
	`|última` + sp + `+(?:actualización|atualização|modificación)|actualizado|modificado|atualizado` +
	`|ultimo` + sp + `+aggiornamento|ultima` + sp + `+modifica|aggiornato|modificato` +
	`|laatst` + sp + `+(?:bijgewerkt|gewijzigd)|bijgewerkt|gewijzigd` +
	`|ostatnia` + sp + `+(?:aktualizacja|modyfikacja)|zaktualizowano|aktualizacja|zmodyfikowano` +
	`|последнее` + sp + `+обновление|обновлено|обновлён|обновлен|изменено` +
	`|最后更新时间|最後更新時間|最后更新|最後更新|更新时间|更新時間|更新于|更新於|修改于|修改於|最終更新日時|最終更新日|最終更新|更新日時|更新日`

// dayFirstKeyword reports whether a stamp keyword's language writes
// 01/02/2024 for 1 February: all of them but English.
func dayFirstKeyword(k string) bool {
	k = asciiLower(k)
	return !strings.HasPrefix(k, "last") && !strings.HasPrefix(k, "updated") &&
		!strings.HasPrefix(k, "modified") && !strings.HasPrefix(k, "revised")
}

// stampGlue is what may sit between the keyword and the date: "on", "at",
// "am", "le", "el", "il", "em", "op", "dnia", ":", "：", a dash, "于".
var stampGlue = lazyRegexp(`(?i)^(?:` + sp + `|[:：,\-–—]|(?:on|at|am|le|el|il|em|op|dnia|de|в|от)` + sp + `|于|於|は)*`)

// FindRevisionStamp finds the first revision stamp in text — a keyword such
// as Updated, Last modified, Aktualisiert am, Mis à jour le, Actualizado el,
// Aggiornato il, Atualizado em, Bijgewerkt op, Zaktualizowano, Обновлено,
// 更新于 or 最終更新日 followed by a parseable date — and returns the exact
// substring ("Updated on 2024-01-31") and its time in UTC.
func FindRevisionStamp(text string) (stamp string, t time.Time, ok bool) {
	start, end, t, ok := findStamp(text)
	if !ok {
		return "", time.Time{}, false
	}
	return text[start:end], t, true
}

// stampNeedles are literal pieces of every stampKeyword match, for a fast
// scan: a case-insensitive Unicode regexp over a whole page is slow, and
// most text holds no stamp at all.
var stampNeedles = stampNeedleList[:]

var stampNeedleList = [...]string{"updated", "modified", "revised", "aktualisiert", "geändert",
	"à jour", "modifié", "actualizado", "actualización", "atualizado", "atualização",
	"aggiorna", "modifica", "bijgewerkt", "gewijzigd", "zaktualizowano", "aktualizacja", "zmodyfikowano", "modyfikacja",
	"обновлен", "Обновлен", "ОБНОВЛЕН", "обновлён", "Обновлён", "ОБНОВЛЁН", "обновление", "Обновление", "изменено", "Изменено", "ИЗМЕНЕНО",
	"更新", "修改"}

func findStamp(text string) (start, end int, t time.Time, ok bool) {
	return findStampBefore(text, len(text))
}

// stampReach bounds how far past its keyword's start a needle can sit:
// the window findStamp matches the keyword in starts 24 bytes before the
// needle (back to a rune start), moved back to the start of an ASCII word,
// and no keyword has more ASCII letters in a row than "zaktualizowano";
// rounded up generously.
const stampReach = 64

// maxNeedle is the longest stamp needle, in bytes.
var maxNeedle = func() int {
	n := 0
	for _, s := range stampNeedleList {
		n = max(n, len(s))
	}
	return n
}()

// findStampBefore is findStamp for a caller that wants only a stamp
// starting before limit (a long line's lead): it looks for needles only
// where such a stamp's could be, so it gives findStamp's answer when that
// starts before limit, and otherwise no stamp or one starting after it.
func findStampBefore(text string, limit int) (start, end int, t time.Time, ok bool) {
	scan := text
	if cut := limit + stampReach + maxNeedle; cut < len(text) {
		scan = text[:cut] // a needle cut in two cannot be one that counts
	}
	for off := 0; off < len(scan); {
		// The first needle at or after off (the first listed, where two
		// start at one byte), in one pass over the text rather than one
		// search a needle: most text holds none.
		p, n := nextNeedle(scan, off)
		if p < 0 {
			break
		}
		// Match the keyword regexp on a window around the needle: from a
		// word start up to 24 bytes before it ("last ", "последнее "), to
		// one rune after it (so the word's end can be checked).
		from := max(0, p-24)
		for from > 0 && !utf8.RuneStart(text[from]) {
			from--
		}
		for from > 0 && isASCIILetter(text[from-1]) {
			from--
		}
		to := min(len(text), p+n+24) // "aggiorna|mento", "更新|日時"
		for to < len(text) && !utf8.RuneStart(text[to]) {
			to++
		}
		off = p + n
		var loc []int // the keyword match that covers this needle
		for _, l := range stampKeyword().FindAllStringIndex(text[from:to], -1) {
			if from+l[1] >= p+n && wordEdge(text, from+l[0], from+l[1]) {
				loc = l
				break
			}
		}
		if loc == nil {
			continue
		}
		kStart, kEnd := from+loc[0], from+loc[1]
		rest := text[kEnd:]
		glue := stampGlue().FindStringIndex(rest)
		if t, dn, ok := parseDateAt(rest[glue[1]:], dayFirstKeyword(text[kStart:kEnd])); ok && t.Year() >= FirstWebYear {
			return kStart, kEnd + glue[1] + dn, t, true
		}
	}
	return 0, 0, time.Time{}, false
}

// FirstWebYear is the earliest year of a web page's own dates (its
// revision stamp, its publication): a page cannot have been updated
// before the Web was. "Last revised on 3 May 1851 by the bishop's clerk"
// is the history the article tells, and a correction of that year is a
// revision.
const FirstWebYear = 1991

// needlesFrom lists, for each byte, the stamp needles that start with it,
// in stampNeedles' order.
var needlesFrom = func() (t [256][]string) {
	for _, s := range stampNeedleList {
		t[s[0]] = append(t[s[0]], s)
	}
	return t
}()

// needleAt is the length of the first of stampNeedles that s starts with,
// ASCII letters in any case; 0 if none.
func needleAt(s string) int {
	for _, needle := range needlesFrom[asciiLowerByte(s[0])] {
		if len(s) < len(needle) {
			continue
		}
		i := 1
		for i < len(needle) && asciiLowerByte(s[i]) == needle[i] {
			i++
		}
		if i == len(needle) {
			return len(needle)
		}
	}
	return 0
}

func asciiLowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// asciiLower lower-cases ASCII letters only, so byte offsets stay valid.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// lazyRegexp compiles expr on first use.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
