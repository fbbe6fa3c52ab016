package extract

import (
	"html"
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
		if ok && when.Year() < firstStampYear {
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
		if utf8.RuneCountInString(strings.TrimSpace(l)) > stampLineMax {
			return l
		}
		f, changed := foldSpace(l), false
		for _, t := range times {
			if strings.Contains(f, t) {
				f, changed = strings.ReplaceAll(f, t, " "), true
			}
		}
		if !changed {
			return l
		}
		return f
	})
}
