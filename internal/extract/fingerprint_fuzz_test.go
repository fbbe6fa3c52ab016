package extract

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// FuzzFingerprint: the fingerprint normaliser never panics, always names
// its version, and ignores what is not a revision: trailing white space,
// Unicode composition, and a revision stamp standing on its own short line.
// Seeds: below and testdata/fuzz/FuzzFingerprint.
func FuzzFingerprint(f *testing.F) {
	for _, s := range [][2]string{
		{"Chiang Ching-kuo and Outer Mongolia", "Mondo History Updated on 2024-01-31\n\nIn 1945, both China and Japan were exhausted."},
		{"", ""},
		{"Café", "e\u0301 composed differently\n\tTabs and  spaces"},
		{"更新于 2024年1月31日", "历史\n更新于 2024年1月31日\n正文"},
		{"Обновлено 31 января 2024", "Текст статьи.\nОбновлено 31 января 2024"},
		{"Last modified", "the decree was last modified on 12 May 1946, as the archive shows"},
	} {
		f.Add(s[0], s[1])
	}
	const prefix = "n3:"
	f.Fuzz(func(t *testing.T, title, text string) {
		fp := Fingerprint(title, text, "", nil)
		if !strings.HasPrefix(fp, prefix) || len(fp) != len(prefix)+64 {
			t.Fatalf("Fingerprint = %q, want %q + 64 hex digits", fp, prefix)
		}
		if got := Fingerprint(title, text+"  ", "", nil); got != fp {
			t.Fatalf("trailing white space changed the fingerprint\n%q\n%q", Normalise(title, text, "", nil), Normalise(title, text+"  ", "", nil))
		}
		if got := Fingerprint(norm.NFD.String(title), norm.NFD.String(text), "", nil); got != fp {
			t.Fatalf("decomposed input changed the fingerprint\n%q\n%q", Normalise(title, text, "", nil), Normalise(norm.NFD.String(title), norm.NFD.String(text), "", nil))
		}
		stamped := text + "\nUpdated on 2024-01-31\n"
		if got := Fingerprint(title, stamped, "", nil); got != fp {
			t.Fatalf("a revision stamp line changed the fingerprint\n%q\n%q", Normalise(title, text, "", nil), Normalise(title, stamped, "", nil))
		}
	})
}
