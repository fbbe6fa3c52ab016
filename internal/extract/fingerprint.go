package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormaliserVersion names the normalisation rules Fingerprint hashes; it is
// the prefix of every fingerprint, so a change of rules never silently
// compares fingerprints made under different ones.
const NormaliserVersion = 1

// Fingerprint returns the dedup fingerprint of an article's title and text:
// "n<NormaliserVersion>:" + the hex SHA-256 of Normalise(title, text, ignore).
// Pages that differ only in their revision stamp date, white space, Unicode
// composition or a match of an ignore pattern get the same fingerprint.
func Fingerprint(title, text string, ignore []*regexp.Regexp) string {
	sum := sha256.Sum256([]byte(Normalise(title, text, ignore)))
	return "n" + strconv.Itoa(NormaliserVersion) + ":" + hex.EncodeToString(sum[:])
}

// Normalise returns what Fingerprint hashes: title and text each in Unicode
// NFC, with every revision stamp (see FindRevisionStamp) and every match of
// each ignore pattern removed, white space runs folded to one space and
// trimmed; then joined by "\n".
func Normalise(title, text string, ignore []*regexp.Regexp) string {
	return normaliseField(title, ignore) + "\n" + normaliseField(text, ignore)
}

func normaliseField(s string, ignore []*regexp.Regexp) string {
	s = norm.NFC.String(s)
	s = removeStamps(s)
	for _, re := range ignore {
		if re != nil {
			s = re.ReplaceAllString(s, "")
		}
	}
	return foldSpace(s)
}

// stampLineMax is the longest line (in runes) whose revision stamps are
// removed wherever they stand; in a longer line, only a stamp near its
// start is. A stamp is a line of page furniture ("Mondo History Updated on
// 2024-01-31"), while prose that mentions a date ("the decree was last
// modified on 12 May 1946") is content: a change there is a real revision.
const stampLineMax = 120

// stampLeadMax is how far into a long line (in bytes, after its indent) a stamp may start and still be
// removed ("Updated on 2024-01-31: this article now covers …").
const stampLeadMax = 4

// removeStamps drops the revision stamps of each line of s.
func removeStamps(s string) string {
	if !strings.Contains(s, "\n") {
		return removeLineStamps(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = removeLineStamps(l)
	}
	return strings.Join(lines, "\n")
}

// removeLineStamps drops the revision stamps of one line (all of them in a
// short line, a leading one in a long line). It loops because removing one
// stamp can join the pieces around it into another; each pass shortens the
// line, so it ends.
func removeLineStamps(s string) string {
	short := utf8.RuneCountInString(strings.TrimSpace(s)) <= stampLineMax
	for {
		var b strings.Builder
		rest, found := s, false
		for {
			start, end, _, ok := findStamp(rest)
			if !ok {
				break
			}
			if !short && b.Len()+start-len(leadingSpace(s)) > stampLeadMax {
				break
			}
			found = true
			b.WriteString(rest[:start])
			b.WriteByte(' ') // keep the words either side apart
			rest = rest[end:]
		}
		if !found {
			return s
		}
		b.WriteString(rest)
		s = b.String()
	}
}

func leadingSpace(s string) string {
	return s[:len(s)-len(strings.TrimLeftFunc(s, unicode.IsSpace))]
}

// foldSpace replaces each run of Unicode white space with one ASCII space
// and trims both ends.
func foldSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
