package extract

import (
	"html"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A <time datetime> element is the page's own word that its text is a
// moment: in a byline ("By Jane Doe <time datetime=…>Jan 31, 2024, 2:03
// PM</time>") it is the date the site shows, often the last change's,
// with no keyword to tell it for a revision stamp. Its text is left out of
// the fingerprint in a short line, as a stamp's is; in prose it is the
// article's, and a moment before the Web (a diary's "12 March 1848") is
// history either way.

// timeTextMax bounds, in runes, the text of a <time> taken for a stamp.
const timeTextMax = 60

// timeElement matches a <time datetime> of sanitised body HTML (the
// sanitiser writes its attributes so) whose content is text alone.
var timeElement = lazyRegexp(`<time datetime="([^"]*)">([^<]{1,400})</time>`)

// timeTexts returns the texts (white space folded) of body's <time
// datetime> elements that name a moment of the Web's years.
func timeTexts(body string) []string {
	if !strings.Contains(body, "<time datetime=") {
		return nil
	}
	var out []string
	for _, m := range timeElement().FindAllStringSubmatch(body, -1) {
		dt, t := html.UnescapeString(m[1]), foldSpace(html.UnescapeString(m[2]))
		if t == "" || utf8.RuneCountInString(t) > timeTextMax || strings.IndexAny(t, "0123456789") < 0 {
			continue
		}
		when, ok := ParseDate(dt)
		if !ok {
			when, ok = ParseDate(t)
		}
		if ok && when.Year() < FirstWebYear || !ok && (namesOldYear(dt) || namesOldYear(t)) {
			// A moment before the Web, a full date or not ("1848",
			// datetime="1919-06" "June 1919"): history.
			continue
		}
		out = append(out, t)
	}
	return out
}

// removeTimeTexts drops the times' texts from the short lines of text.
func removeTimeTexts(text string, times []string) string {
	if len(times) == 0 {
		return text
	}
	return eachLine(text, func(l string) string {
		if !shortLine(l) {
			return l
		}
		f, changed := foldSpace(l), false
		for _, t := range times {
			if timelineRow(f, t) {
				continue
			}
			if g, ok := replaceWords(f, t); ok {
				f, changed = g, true
			}
		}
		if !changed {
			return l
		}
		return f
	})
}

// replaceWords replaces with a space each occurrence of t in s that
// stands on word edges: a <time>'s "3" is not the 3 of "1,234" or "33".
func replaceWords(s, t string) (string, bool) {
	var b strings.Builder
	done, found := 0, false
	for off := 0; off < len(s); {
		i := strings.Index(s[off:], t)
		if i < 0 {
			break
		}
		i += off
		if !wordEdge(s, i, i+len(t)) {
			off = i + 1
			continue
		}
		b.WriteString(s[done:i])
		b.WriteByte(' ')
		done, off, found = i+len(t), i+len(t), true
	}
	if !found {
		return s, false
	}
	b.WriteString(s[done:])
	return b.String(), true
}

// namesOldYear reports a year before FirstWebYear (four digits from
// 1000, on word edges) in s.
func namesOldYear(s string) bool {
	for _, loc := range regexpYears.FindAllStringIndex(s, -1) {
		if y, _ := strconv.Atoi(s[loc[0]:loc[1]]); y >= 1000 && y < FirstWebYear && wordEdge(s, loc[0], loc[1]) {
			return true
		}
	}
	return false
}

// timelineEntry is what follows a timeline's date: a dash or a colon, then
// words ("11 September 2001 — attacks on New York").
var timelineEntry = lazyRegexp(`^` + sp + `*[—–:]` + sp + `*\pL`)

// timelineRow reports whether line (white space folded) is a timeline's
// row that t, a <time>'s text, dates: t begins the line and a dash or a
// colon and words follow. The date is the entry's, not the page's.
func timelineRow(line, t string) bool {
	line = strings.TrimLeft(line, "-*•· ") // a list item's marker ("- ")
	return strings.HasPrefix(line, t) && timelineEntry().MatchString(line[len(t):])
}
