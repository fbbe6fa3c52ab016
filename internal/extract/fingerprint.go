package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"unicode"

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

// removeStamps drops every revision stamp. It loops because removing one
// stamp can join the pieces around it into another; each pass shortens s, so
// it ends.
func removeStamps(s string) string {
	for {
		var b strings.Builder
		rest, found := s, false
		for {
			start, end, _, ok := findStamp(rest)
			if !ok {
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
