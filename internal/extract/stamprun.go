package extract

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A revision keyword followed by a date in a layout ParseDate does not
// read is a stamp all the same: "Updated: 31 Jan" (no year), "Updated
// 1/31/24 3:04 PM" (two digits), "Updated on Wednesday 31 January 2024"
// (a weekday first), "Updated: 3:04 PM, Jan 31, 2024" (the time first),
// "Last Updated: 2024.01.31", "Обновлено 31 января, 14:03". Sites write
// dates in more ways than a list of layouts can hold, so the fingerprint
// leaves out the keyword and the run of date words after it (numbers,
// month and weekday names, times, zones, the glue between them) when the
// run holds a date: a number beside a month or weekday name, or two
// numbers joined by a date's separator (a time alone is dayTime's). Where it applies is as
// for the stamps: anywhere in a short line, at the start of a long one;
// and a run naming a year before 1991 is history, not a stamp. The
// revision date is still read only from the layouts ParseDate knows.

// dateRunWords are the words of a date besides its numbers, in the
// languages of the revision keywords.
var dateRunWords = quoteWords(append(dateRunOtherWords(), monthWords()...))

// stampTailWords are dateRunWords but the months': a month after a
// stamp's date begins another date ("Updated 3 May 2024. May 1945: the
// surrender"), which is the article's.
var stampTailWords = quoteWords(dateRunOtherWords())

// monthWords are the month names of the stamp languages.
func monthWords() []string {
	words := []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
		"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
		// abbreviations euMonths lacks
		"ene", "abr", "ago", "dic", "gen", "mag", "giu", "lug", "ott", "set", "okt", "dez", "mrt", "fev", "out", "sept"}
	for m := range euMonths {
		words = append(words, m)
	}
	for m := range ruMonths {
		words = append(words, m)
	}
	return words
}

// quoteWords is an alternation of words, longest first.
func quoteWords(words []string) string {
	sort.Slice(words, func(i, j int) bool {
		if len(words[i]) != len(words[j]) {
			return len(words[i]) > len(words[j])
		}
		return words[i] < words[j]
	})
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return strings.Join(words, "|")
}

// dateRunOtherWords are a date's words but its months: weekdays, glue,
// times of day and zones.
func dateRunOtherWords() []string {
	return append([]string{
		// weekdays, and their usual abbreviations
		"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
		"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
		"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
		"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
		"lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo",
		"lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica",
		"segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira",
		"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
		// glue, times of day and zones
		"on", "at", "am", "um", "le", "à", "el", "de", "del", "il", "alle", "ore", "em", "às", "op", "om", "o", "dnia",
		"godz", "г", "года", "uhr", "h", "hrs", "hr", "a.m", "p.m", "am", "pm", "utc", "gmt", "et", "pt", "ct", "mt",
	}, zoneWords()...)
}

// zoneWords are the zone abbreviations of zoneOffsets, lower-cased.
func zoneWords() []string {
	words := make([]string, 0, len(zoneOffsets))
	for z := range zoneOffsets {
		words = append(words, strings.ToLower(z))
	}
	return words
}

// dateRunToken is one word of a date: a number (with its ordinal or a
// dot), a word of dateRunWords (with a dot), an ideograph of a date, a
// zone offset.
var dateRunToken = `(?:\d{1,4}(?:st|nd|rd|th|er|e|º|ª|\.)?|(?:` + dateRunWords + `)\.?|[年月日時分号火水木金土]|[+-]\d{2}:?\d{2})`

// dateRunSep is what stands between a date's words.
const dateRunSep = `[\s\p{Zs},./:\-–—|()（）・]`

var dateRunExpr = `(?i)` + relKeyword + dateRunToken + `(?:` + dateRunSep + `*` + dateRunToken + `){0,15}`

var dateRun = lazyRegexp(dateRunExpr)

var dateRunAt = lazyRegexp(`^(?:` + dateRunExpr + `)`)

// dateRunNumbers finds a run's numbers; dateRunJoined two numbers joined
// by a date's separator; dateRunNamed a name of a month or
// weekday (any word of three letters or more but the glue).
var (
	dateRunNumbers = lazyRegexp(`\d+`)
	dateRunJoined  = lazyRegexp(`\d[./\-年月]\d`)
	dateRunNamed   = lazyRegexp(`(?i)\pL{3,}`)
)

// dateRunGlue are dateRunWords' words of three letters or more that name
// no month nor day.
var dateRunGlue = func() map[string]bool {
	glue := map[string]bool{"alle": true, "ore": true, "dnia": true, "godz": true, "года": true, "uhr": true, "hrs": true,
		"utc": true, "gmt": true, "del": true}
	for _, z := range zoneWords() {
		glue[z] = true
	}
	return glue
}()

// isDateRun reports whether m (a match of dateRun: the keyword, then the
// run) holds a date of the Web's years.
func isDateRun(m string) bool {
	k := stampKeyword().FindStringIndex(m)
	if k == nil {
		return false
	}
	run := m[k[1]:]
	nums := dateRunNumbers().FindAllString(run, -1)
	if len(nums) == 0 {
		return false
	}
	for _, n := range nums {
		if len(n) == 4 {
			if y, _ := strconv.Atoi(n); y < FirstWebYear {
				return false
			}
		}
	}
	if dateRunJoined().MatchString(run) {
		return true
	}
	for _, w := range dateRunNamed().FindAllString(run, -1) {
		if !dateRunGlue[strings.ToLower(w)] {
			return true
		}
	}
	return false
}

// stampTail is what may follow a stamp's date and belongs to it: a time,
// a zone, a weekday in brackets ("2024年1月31日(水)", "31.01.2024 (Mi.)",
// "Jan 31, 2024 3:04 PM ET"), and no bare number, which could be the
// article's.
var stampTail = lazyRegexp(`(?i)^(?:` + dateRunSep + `*(?:\d{1,2}[:h時]\d{2}(?::\d{2})?|[月火水木金土日]|(?:` + stampTailWords + `)\.?))+`)

// stampTailEnd is how much of rest, which follows a stamp, is its tail
// (0 if none): stampTail's match, when it ends on a word's edge.
func stampTailEnd(rest string) int {
	loc := stampTail().FindStringIndex(rest)
	if loc == nil || !wordEdge(rest, 0, loc[1]) {
		return 0
	}
	return loc[1]
}
