package extract

import (
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

// removeLineRelativeReference is removeLineRelative as it was, searching a
// long line whole.
func removeLineRelativeReference(s string) string {
	short := utf8.RuneCountInString(strings.TrimSpace(s)) <= stampLineMax
	lead := len(leadingSpace(s))
	scan := s
	if !short {
		end := min(len(s), lead+relativeLeadMax)
		for end < len(s) && !utf8.RuneStart(s[end]) {
			end++
		}
		scan = s[:end]
	}
	if !hasRelativeNeedle(scan) {
		return s
	}
	var b strings.Builder
	rest, done := s, 0
	for {
		loc := relativeTime().FindStringIndex(rest)
		if loc == nil {
			break
		}
		start, end := loc[0], loc[1]
		if !short && done+start-lead > stampLeadMax {
			break
		}
		if !wordEdge(rest, start, end) {
			_, size := utf8.DecodeRuneInString(rest[start:])
			b.WriteString(rest[:start+size])
			done += start + size
			rest = rest[start+size:]
			if !short {
				break
			}
			continue
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

// TestRemoveLineRelativeUnchanged: a long line's relative times are found
// by trying the starts its lead allows, with the result of searching the
// whole line: leading ones (after indents, one after another, inside a
// word, cut by invalid bytes) and later ones that must stay.
func TestRemoveLineRelativeUnchanged(t *testing.T) {
	heads := []string{"", " ", "  \t", "\u00a0", "x", "xx ", "Updated ", "Updated: ", "sofa ", "\xff", "é", "· "}
	rels := []string{"3 hours ago", "an hour ago", "yesterday at 14:30", "vor 3 Stunden", "il y a 2 jours", "hace 3 horas",
		"2 giorni fa", "há 3 horas", "3 uur geleden", "3 godziny temu", "3 часа назад", "3小时前", "昨天", "just now",
		"Updated 3 hours ago", "Aktualisiert vor 3 Stunden", "yesterdays", "ago", "fa", "3 hours  ago", "2 days ago 3 days ago"}
	tail := " — the rest of a long paragraph that goes on about the mills, the river and the barges of the old town, " +
		"written three hours ago by someone who was there yesterday, and more words to make it long enough."
	rng := rand.New(rand.NewSource(3))
	check := func(s string) {
		t.Helper()
		if got, want := removeLineForm(s, &relForms[0]), removeLineRelativeReference(s); got != want {
			t.Errorf("removeLineRelative(%q) =\n%q, want\n%q", s, got, want)
		}
	}
	for _, h := range heads {
		for _, r := range rels {
			check(h + r + tail)
			check(h + r + " " + rels[rng.Intn(len(rels))] + tail)
			check(h + r + rels[rng.Intn(len(rels))] + tail)
			check(h + r) // short: searched whole, as before
		}
	}
}
