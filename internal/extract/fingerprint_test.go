package extract

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestFingerprint(t *testing.T) {
	readers := []*regexp.Regexp{regexp.MustCompile(`\d+ readers today`)}
	const title = "Chiang Ching-kuo and Outer Mongolia"
	const text = "Mondo History Updated on 2024-01-31\n\nIn 1945, both China and Japan were exhausted.\n\nThe Soviet Union had an intention to help."
	base := Fingerprint(title, text, "", readers)

	same := []struct{ name, title, text string }{
		{"stamp date changed", title, strings.Replace(text, "2024-01-31", "2024-03-02", 1)},
		{"stamp format changed", title, strings.Replace(text, "Updated on 2024-01-31", "Last updated: March 2, 2024", 1)},
		{"stamp gone", title, strings.Replace(text, " Updated on 2024-01-31", "", 1)},
		{"white space", "  Chiang  Ching-kuo and\tOuter Mongolia ", strings.ReplaceAll(text, "\n\n", "\n \n\n   ")},
		{"ignore pattern", title, text + "\n\n1234 readers today"},
		{"ignore pattern changed", title, text + "\n\n99 readers today"},
	}
	for _, tc := range same {
		if got := Fingerprint(tc.title, tc.text, "", readers); got != base {
			t.Errorf("%s: fingerprint changed\n%q\n%q", tc.name, Normalise(title, text, "", readers), Normalise(tc.title, tc.text, "", readers))
		}
	}

	different := []struct{ name, title, text string }{
		{"one word", title, strings.Replace(text, "exhausted", "tired", 1)},
		{"title word", "Chiang Ching-kuo and Inner Mongolia", text},
		{"paragraph added", title, text + "\n\nA new paragraph."},
		{"readers without ignore", title, text + "\n\n1234 readers today"},
		{"title and text swapped boundary", title + " In", strings.Replace(text, "In 1945", "1945", 1)},
	}
	for _, tc := range different {
		ignore := readers
		if tc.name == "readers without ignore" {
			ignore = nil
		}
		if Fingerprint(tc.title, tc.text, "", ignore) == base {
			t.Errorf("%s: fingerprint unchanged", tc.name)
		}
	}
}

func TestFingerprintFormat(t *testing.T) {
	fp := Fingerprint("t", "x", "", nil)
	if !regexp.MustCompile(`^n3:[0-9a-f]{64}$`).MatchString(fp) {
		t.Errorf("Fingerprint = %q, want n3:<sha256 hex>", fp)
	}
	if NormaliserVersion != 3 {
		t.Errorf("NormaliserVersion = %d; changing it changes every fingerprint", NormaliserVersion)
	}
	// Pinned: sha256("t\nx"). Stored fingerprints depend on this staying put.
	if want := "n3:8e2cbe3b93266a53e7bb3cb6ff01ab5e8e8559793942ffa6abaa7ff665d8caf5"; fp != want {
		t.Errorf("Fingerprint(t, x) = %s, want %s", fp, want)
	}
}

func TestNormalise(t *testing.T) {
	for _, tc := range []struct {
		name, title, text, want string
	}{
		{"stamp removed mid-line", "T", "Mondo History Updated on 2024-01-31\n\nBody text.", "T\nMondo History Body text."},
		{"every stamp removed", "T", "Updated on 2024-01-31. Text. Last modified: 2024-02-01 08:00", "T\n. Text."},
		{"stamp in title", "Title (Updated 31 January 2024)", "x", "Title ( )\nx"},
		{"NFC", "Cafe\u0301", "x", "Caf\u00e9\nx"},
		{"unicode space", "a\u00a0\u3000b", " x\n\ny ", "a b\nx y"},
	} {
		if got := Normalise(tc.title, tc.text, "", nil); got != tc.want {
			t.Errorf("%s: Normalise = %q, want %q", tc.name, got, tc.want)
		}
	}
	if Fingerprint("Cafe\u0301", "x", "", nil) != Fingerprint("Caf\u00e9", "x", "", nil) {
		t.Error("NFC and NFD spellings differ in fingerprint")
	}
}

func TestFingerprintKeepsDatesInProse(t *testing.T) {
	prose := func(day string) string {
		return "The Mondo History Updated on 2024-01-31\n\nThe archive shows that the decree was last modified on " + day +
			" May 1946 by the provincial censor, long after the treaty had been signed and the delegations had gone home."
	}
	if Fingerprint("T", prose("12"), "", nil) == Fingerprint("T", prose("14"), "", nil) {
		t.Fatal("a changed date inside a prose paragraph was ignored: that is a real revision")
	}
	long := strings.Repeat("Some long paragraph text about the treaty. ", 5)
	a := "Updated on 2024-01-31: " + long
	b := "Updated on 2024-02-09: " + long
	if Fingerprint("T", a, "", nil) != Fingerprint("T", b, "", nil) {
		t.Fatal("a stamp leading a long paragraph still counts")
	}
}

// TestFindStampBefore: looking for a long line's stamps only in its lead
// changes nothing. Each line here is scanned both ways, at every limit.
func TestFindStampBefore(t *testing.T) {
	filler := strings.Repeat("The garrison held the bridge for three days. ", 6)
	lines := []string{
		"Updated on 2024-01-31 " + filler,
		"  Last updated: 31 January 2024 " + filler,
		"Last" + strings.Repeat(" ", 80) + "updated 2024-01-31 " + filler,
		"Dernière mise à jour le 31/01/2024 " + filler,
		"Zaktualizowano 31.01.2024 " + filler,
		"Последнее обновление 31.01.2024 " + filler,
		"最終更新日 2024年1月31日 " + filler,
		strings.Repeat("x", 200) + "updated 2024-01-31 " + filler,
		filler + "Updated on 2024-01-31",
		"updated modified revised " + filler + " Modified 2024-02-01",
		"lastupdated 2024-01-31 " + filler,
		"Mondo History · Aktualisiert am 31.01.2024 · " + filler,
	}
	for _, l := range lines {
		s0, e0, t0, ok0 := findStamp(l)
		for limit := 0; limit <= len(l); limit++ {
			s, e, tm, ok := findStampBefore(l, limit)
			if ok0 && s0 < limit {
				if !ok || s != s0 || e != e0 || !tm.Equal(t0) {
					t.Fatalf("%q limit %d: %d,%d,%v,%v; findStamp %d,%d,%v,%v", l, limit, s, e, tm, ok, s0, e0, t0, ok0)
				}
			} else if ok && s < limit {
				t.Fatalf("%q limit %d: stamp at %d before the limit that findStamp (%d, %v) does not give", l, limit, s, s0, ok0)
			}
		}
	}
}

// TestRequiredLiteral: the prefilter that lets normaliseField skip an
// ignore pattern names only text that every match contains.
func TestRequiredLiteral(t *testing.T) {
	for expr, want := range map[string]string{
		`\d+ readers today`:           " readers today",
		`(?m)^Sponsored: .*$`:         "Sponsored: ",
		`(Ad|Advert)isement`:          "isement",
		`(?i)\d+ readers today`:       "",
		`(?i:views) \d+ times`:        " times",
		`\d+ (readers|viewers) now`:   " now",
		`readers|viewers`:             "",
		`(?:cookie)?s? banner`:        " banner",
		`x*`:                          "",
		`[\s\S]{3}Z`:                  "Z",
		`(?s)Share this.*Follow us`:   "Share this",
		`(?U)Share (this)+ Follow`:    " Follow",
		`\p{Lu}{3,} \(\d+ comments\)`: " comments)",
	} {
		re := regexp.MustCompile(expr)
		if got := requiredLiteral(re); got != want {
			t.Errorf("requiredLiteral(%s) = %q; want %q", expr, got, want)
		}
	}
	// And the normaliser gives what the patterns alone give, with and
	// without the literal in the text.
	ignore := []*regexp.Regexp{regexp.MustCompile(`\d+ readers today`), regexp.MustCompile(`(?i)ADVERT\w*`)}
	for _, text := range []string{"The siege. 1234 readers today\n\nAdvertisement. The end.", "The siege, no counter.\n\nThe end."} {
		want := text
		for _, re := range ignore {
			want = re.ReplaceAllString(want, "")
		}
		if got := Normalise("T", text, "", ignore); got != "T\n"+foldSpace(want) {
			t.Errorf("Normalise(%q) = %q; want %q", text, got, "T\n"+foldSpace(want))
		}
	}
}

// foldSpaceRef is foldSpace as first written, rune by rune.
func foldSpaceRef(s string) string {
	var b strings.Builder
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

// TestFoldSpaceShortCut: the byte-wise ASCII path folds exactly as the
// rune-wise one, invalid UTF-8 (becomes U+FFFD) and Unicode spaces included.
func TestFoldSpaceShortCut(t *testing.T) {
	pieces := []string{"a", "Z", " ", "\t", "\n", "\v", "\f", "\r", "\x1c", "\u0085", "\u00a0", "\u2003", "\u3000", "é", "台", "\xff", "\xe2\x80", "\ufffd", "-", "\x00"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := foldSpace(s), foldSpaceRef(s); got != want {
			t.Fatalf("foldSpace(%q) = %q; want %q", s, got, want)
		}
	}
}

// TestShortLine: shortLine, which tells most lines by their length in
// bytes, agrees with counting the runes of the trimmed line, at the edges
// of stampLineMax in one- to four-byte runes, with invalid bytes and
// surrounding white space.
func TestShortLine(t *testing.T) {
	var lines []string
	for _, unit := range []string{"a", "é", "€", "𝄞", "\xff", "a\xe2\x82"} {
		for n := stampLineMax - 2; n <= stampLineMax+2; n++ {
			line := strings.Repeat(unit, n)
			lines = append(lines, line, "  "+line+"\u00a0\n", line[:len(line)-1])
		}
	}
	for _, l := range lines {
		want := utf8.RuneCountInString(strings.TrimSpace(l)) <= stampLineMax
		if got := shortLine(l); got != want {
			t.Errorf("shortLine(%q) = %v, want %v", l, got, want)
		}
	}
}
