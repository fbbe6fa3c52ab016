package extract

import "testing"

// Counters in a byline or a row of their own change at every fetch; the
// article does not.
func TestCountersAreFurniture(t *testing.T) {
	for _, tc := range []struct{ name, before, after string }{
		{"row", "1,204 views · 56 shares · 12 comments", "1,377 views · 61 shares · 14 comments"},
		{"votes beside views", "1,204 views · 12 votes", "1,377 views · 14 votes"},
		{"byline", "By Jane Doe · 4 min read · 1201 views", "By Jane Doe · 5 min read · 1388 views"},
		{"reading time", "Reading time 4 min", "Reading time: 5 minutes"},
		{"label first", "Views: 12.5K | Comments (3)", "Views: 13K | Comments (4)"},
		{"de", "Von Anna Schmidt | Lesezeit: 4 Min. | 1.204 Aufrufe", "Von Anna Schmidt | Lesezeit: 5 Min. | 1.377 Aufrufe"},
		{"fr", "Par Jean Dupont — 4 min de lecture — 12 commentaires", "Par Jean Dupont — 5 min de lecture — 13 commentaires"},
		{"es", "Por Ana García, 1.204 visitas", "Por Ana García, 1.377 visitas"},
		{"ru", "Иван Петров · 1 204 просмотра", "Иван Петров · 1 377 просмотров"},
		{"zh", "王伟 ｜ 阅读 1204 ｜ 评论 12", "王伟 ｜ 阅读 1377 ｜ 评论 14"},
		{"copyright", "© 2025 Situations Ltd. All rights reserved.", "© 2026 Situations Ltd. All rights reserved."},
		{"copyright range", "Copyright © 2005–2025 The Quarterly Past", "Copyright © 2005–2026 The Quarterly Past"},
	} {
		a := tc.before + "\n\n" + furnitureProse
		b := tc.after + "\n\n" + furnitureProse
		if Normalise("T", a, "", nil) != Normalise("T", b, "", nil) {
			t.Errorf("%s: %q → %q changed the fingerprint\n%q\n%q", tc.name, tc.before, tc.after,
				Normalise("T", a, "", nil), Normalise("T", b, "", nil))
		}
	}
	// The article's words: a count inside a sentence or a title, and a
	// long line.
	for _, tc := range []struct{ before, after string }{
		{"12 comments by the curate", "13 comments by the curate"},
		{"The 12 votes that changed France", "The 13 votes that changed France"},
		{"The assembly counted the ballots: 312 votes", "The assembly counted the ballots: 313 votes"},
		{furnitureProse + " The register was consulted by 40 readers · 12 comments", furnitureProse + " The register was consulted by 41 readers · 12 comments"},
		{"The census of 1851 | 1,204 households", "The census of 1851 | 1,205 households"},
		{"Copyright 1710: the Statute of Anne", "Copyright 1709: the Statute of Anne"},
		// What a history counts, in a table row or a list's line.
		{"Gladstone | Liberal | 1,204 votes", "Gladstone | Liberal | 1,240 votes"},
		{"Faraday — 123 lectures", "Faraday — 124 lectures"},
		{"Visits: 1850, 1862", "Visits: 1851, 1862"},
		{"Big Ben | 96 m", "Big Ben | 97 m"},
		{"Working day, 1850 · 14h", "Working day, 1850 · 12h"},
	} {
		if Normalise("T", tc.before, "", nil) == Normalise("T", tc.after, "", nil) {
			t.Errorf("%q → %q: fingerprint unchanged (%q)", tc.before, tc.after, Normalise("T", tc.after, "", nil))
		}
	}
}
