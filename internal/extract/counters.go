package extract

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A counter ("1,204 views", "56 shares", "Comments: 12", "4 min read",
// "Lesezeit: 4 Min.") is page furniture: the site counts again at every
// fetch while the article does not change. Like a revision stamp it is
// removed from the fingerprinted text only in a short line (a byline, a
// row of counters under the title), and only as a field of its own: at the
// line's start or end, or between separators ("·", "|", "/", ",", "—" …)
// or other counters. "12 comments by the curate" and "The 12 votes that
// changed France" are the article's words, and a change there a revision.

// counterNum is a count: 1204, 1,204, 1.204, 1 204, 12.5K, 3M.
const counterNum = `(?:\d{1,3}(?:[,.` + "\u00a0\u202f" + ` ]\d{3})+|\d+(?:[.,]\d+)?` + sp + `*[kKmM]?)`

// counterNouns are what is counted, in the languages whose revision
// stamps are known, longest first: the expression takes the first
// alternative that matches, and "12 comment" must not stop short of
// "12 commentaires".
var counterNouns = func() string {
	nouns := []string{"views?", "page" + sp + "*views?", "shares?", "comments?", "likes?", "reads?", "readers", "reactions?", "votes?",
		"responses?", "replies", "reply", "claps?", "retweets?", "bookmarks?", "saves", "visits", "hits",
		"aufrufe", "kommentare?", "leser", "mal" + sp + "+gelesen", "mal" + sp + "+geteilt",
		"vues", "partages", "commentaires?", "réactions", "lectures",
		"visitas", "vistas", "comentarios?", "compartidos", "lecturas",
		"visualizzazioni", "commenti", "condivisioni", "letture",
		"visualizações", "comentários", "partilhas", "leituras",
		"weergaven", "reacties", "keer" + sp + "+gelezen",
		"wyświetle[nń]", "wyświetlenia", "komentarz[ey]?", "odsłon[ay]?",
		"просмотр(?:ов|а)?", "комментари(?:ев|я|й)", "прочтени(?:й|я)",
		"次阅读", "次瀏覽", "次浏览", "阅读", "閱讀", "评论", "評論", "浏览", "瀏覽", "回复", "回覆", "回閲覧", "件のコメント", "コメント"}
	sort.SliceStable(nouns, func(i, j int) bool { return len(nouns[i]) > len(nouns[j]) })
	return strings.Join(nouns, "|")
}()

// readingLabels name a reading time: "Reading time: 4 min", "4 min read",
// "Lesezeit 4 Min.", "4 min de lecture", "Czas czytania: 4 min".
const readingLabels = `reading` + sp + `+time|read` + sp + `+time|lesezeit|lesedauer|temps` + sp + `+de` + sp + `+lecture|tiempo` + sp + `+de` + sp + `+lectura|tempo` + sp + `+di` + sp + `+lettura|tempo` + sp + `+de` + sp + `+leitura|leestijd|czas` + sp + `+czytania|время` + sp + `+чтения|阅读时间|閱讀時間|読了時間`

const minutes = `(?:min(?:ute)?s?|minuten|minuti|minutos|minut|мин(?:ут[аы]?)?|分钟|分鐘|分)\.?`

var counterRe = lazyRegexp(`(?i)` + counterNum + sp + `*(?:` + counterNouns + `)` +
	`|(?:` + counterNouns + `)` + sp + `*[:：(（]?` + sp + `*` + counterNum + `[)）]?` +
	`|\d+` + sp + `*[-–]?` + sp + `*` + minutes + sp + `*(?:read|reading|de` + sp + `+lecture|de` + sp + `+lectura|di` + sp + `+lettura|de` + sp + `+leitura|lesezeit|leestijd|czytania|чтения)` +
	`|(?:` + readingLabels + `)` + sp + `*[:：]?` + sp + `*(?:about|approx\.?|ca\.|environ|circa|около)?` + sp + `*\d+` + sp + `*` + minutes +
	// last, as the reading time's "4 min" must be tried first: an age in
	// a byline's own field, "Jane Doe · 3h", "· 2d"
	// (no space: "45 m" is a height, "3 h" a duration)
	`|\d{1,2}(?:h|hrs?|m|mins?|d|w|mo)\.?`)

// counterNeedles are pieces (ASCII lower-cased) of every counter's words:
// a short line holding none, or no digit, is left alone without running
// counterRe.
var counterNeedles = []string{"view", "share", "comment", "like", "read", "reaction", "vote", "respons", "repl", "clap", "retweet",
	"bookmark", "save", "visit", "hit", "min", "aufruf", "kommentar", "leser", "gelesen", "geteilt", "lesezeit", "lesedauer",
	"vue", "partage", "réaction", "lecture", "vista", "coment", "compartido", "lectura", "visualizz", "commenti", "condivision",
	"lettura", "visualiza", "partilha", "leitura", "weergave", "reactie", "leestijd", "wyświetl", "komentarz", "odsłon", "czytania",
	"просмотр", "комментар", "прочтен", "чтения", "阅读", "閱讀", "评论", "評論", "浏览", "瀏覽", "回复", "回覆", "閲覧", "コメント", "読了"}

// counterSeparators may stand between the fields of a byline.
const counterSeparators = "·•|/,;–—-()[]｜・、"

// removeCounters drops the counters and copyright years of each short
// line of s.
func removeCounters(s string) string {
	return eachLine(s, func(l string) string { return removeCopyrightYears(removeLineCounters(l)) })
}

// copyrightYears matches a copyright notice's years, which a site bumps
// every January on every page: "© 2025", "Copyright © 2005–2025", "(c)
// 2025". The years alone go, in a short line, when they are the Web's
// (an article's "Copyright 1710: the Statute of Anne" stays).
var copyrightYears = lazyRegexp(`(?i)(?:©|\(c\)|copyright)(?:` + sp + `*©)?` + sp + `*((?:19|20)\d{2})(?:` + sp + `*[-–—/]` + sp + `*((?:19|20)\d{2}))?`)

func removeCopyrightYears(s string) string {
	if !strings.Contains(s, "©") && indexFoldASCII(s, "copyright") < 0 && indexFoldASCII(s, "(c)") < 0 {
		return s
	}
	if !shortLine(s) {
		return s
	}
	return copyrightYears().ReplaceAllStringFunc(s, func(m string) string {
		for _, y := range regexpYears.FindAllString(m, -1) {
			if n, _ := strconv.Atoi(y); n < FirstWebYear {
				return m
			}
		}
		return "©"
	})
}

var regexpYears = regexp.MustCompile(`\d{4}`)

func removeLineCounters(s string) string {
	if len(s) < 4 || !shortLine(s) || !mayHoldCounter(s) {
		return s
	}
	locs := counterRe().FindAllStringIndex(s, -1)
	if locs != nil && namesOldYear(s) {
		locs = withoutAges(s, locs)
	}
	if locs == nil || !hasWebCounter(s, locs) {
		return s
	}
	var b strings.Builder
	done := 0
	for i := 0; i < len(locs); {
		// A run of counters with only spaces and separators between them.
		j := i + 1
		for j < len(locs) && onlySeparators(s[locs[j-1][1]:locs[j][0]]) {
			j++
		}
		start, end := locs[i][0], locs[j-1][1]
		if fieldEdge(s[done:start], true) && fieldEdge(s[end:], false) && wordEdge(s, start, end) {
			b.WriteString(s[done:start])
			b.WriteByte(' ')
			done = end
		}
		i = j
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// historyCounters are the counted things that a history counts as well as
// a site: "Gladstone | Liberal | 1,204 votes" is an election's table row,
// "Faraday — 123 lectures" a life, "Banks | 12 saves" a match. A line's
// counters of these alone are the article's; beside a counter only a site
// keeps ("1,204 views · 12 votes"), they are furniture too.
var historyCounters = lazyRegexp(`(?i)\b(?:votes?|visits|hits|readers|responses?|replies|reply|reactions?|lectures|saves)\b`)

// hasWebCounter reports whether one of the counters at locs in s is not
// of historyCounters.
func hasWebCounter(s string, locs [][]int) bool {
	for _, l := range locs {
		if !historyCounters().MatchString(s[l[0]:l[1]]) {
			return true
		}
	}
	return false
}

// ageOnly is a counterRe match that is a bare age ("3h", "2d").
var ageOnly = lazyRegexp(`^\d{1,2}(?:h|hrs?|m|mins?|d|w|mo)\.?$`)

// withoutAges drops the bare ages of locs: in a line naming a year before
// the Web ("Working day, 1850 · 14h", "Siege of Paris, 1870 — 19w") they
// are durations the article gives, not the time since a post.
func withoutAges(s string, locs [][]int) [][]int {
	out := locs[:0:0]
	for _, l := range locs {
		if !ageOnly().MatchString(s[l[0]:l[1]]) {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// mayHoldCounter reports an age ("3h"), or a counter needle at a word's
// start with a digit near it, in s. It reads s once, word by word (most
// short lines with a digit hold no counter), looking up each ASCII word's
// first two letters.
func mayHoldCounter(s string) bool {
	if strings.IndexAny(s, "0123456789") < 0 {
		return false
	}
	if hasAgeToken(s) {
		return true
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			continue
		}
		if !isASCIILetter(c) || i > 0 && isASCIILetter(s[i-1]) || i+1 >= len(s) || s[i+1] >= utf8.RuneSelf {
			continue
		}
		for _, n := range counterNeedlesByPair[asciiLowerByte(c)][asciiLowerByte(s[i+1])] {
			if i+len(n) <= len(s) && asciiEqualFold(s[i:i+len(n)], n) && digitNear(s, i, i+len(n)) {
				return true
			}
		}
	}
	if !ascii {
		for _, n := range counterNeedles {
			if len(n) >= 2 && n[0] < utf8.RuneSelf && n[1] < utf8.RuneSelf {
				continue // looked up above
			}
			for off := 0; off < len(s); {
				i := indexFoldASCII(s[off:], n)
				if i < 0 {
					break
				}
				if digitNear(s, off+i, off+i+len(n)) {
					return true
				}
				off += i + 1
			}
		}
	}
	return false
}

// counterNeedlesByPair lists the counter needles that start with two ASCII
// letters by those letters.
var counterNeedlesByPair = func() (t [128][128][]string) {
	for _, n := range counterNeedles {
		if len(n) >= 2 && n[0] < utf8.RuneSelf && n[1] < utf8.RuneSelf {
			t[n[0]][n[1]] = append(t[n[0]][n[1]], n)
		}
	}
	return t
}()

// indexFoldASCII is strings.Index(asciiLower(s), needle) for a lower-case
// needle, without the lower-cased copy (this runs on most short lines).
func indexFoldASCII(s, needle string) int {
	if needle == "" {
		return 0
	}
	c0, up := needle[0], needle[0]
	if 'a' <= c0 && c0 <= 'z' {
		up = c0 - 'a' + 'A'
	}
	for i := 0; i+len(needle) <= len(s); i++ {
		if s[i] != c0 && s[i] != up {
			continue
		}
		if asciiEqualFold(s[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

// counterReach is how far from a counter's word its number may stand:
// "Reading time: about 4 min", "1 204 просмотра".
const counterReach = 24

// digitNear reports an ASCII digit within counterReach bytes before start
// or after end in s.
func digitNear(s string, start, end int) bool {
	return strings.IndexAny(s[max(0, start-counterReach):start], "0123456789") >= 0 ||
		strings.IndexAny(s[end:min(len(s), end+counterReach)], "0123456789") >= 0
}

// hasAgeToken reports a number followed by a unit of age as a word of
// its own: "3h", "2d", "5mins", "2mo".
func hasAgeToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			continue
		}
		j := i + 1
		k := j
		for k < len(s) && isASCIILetter(s[k]) {
			k++
		}
		switch asciiLower(s[j:k]) {
		case "h", "hr", "hrs", "m", "min", "mins", "d", "w", "mo":
			return true
		}
	}
	return false
}

// onlySeparators reports whether s is made of spaces and separators.
func onlySeparators(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !strings.ContainsRune(counterSeparators, r) {
			return false
		}
	}
	return true
}

// fieldEdge reports whether side (the text before a run of counters when
// before, else the text after it) leaves the run a field of its own: it is
// empty or blank, or ends (starts) with a separator.
func fieldEdge(side string, before bool) bool {
	side = strings.TrimFunc(side, unicode.IsSpace)
	if side == "" {
		return true
	}
	var r rune
	if before {
		r, _ = utf8.DecodeLastRuneInString(side)
	} else {
		r, _ = utf8.DecodeRuneInString(side)
	}
	return strings.ContainsRune(counterSeparators, r)
}
