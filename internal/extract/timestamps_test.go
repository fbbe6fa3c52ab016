package extract

import "testing"

// A <time datetime> in a byline is a stamp without a keyword: its change
// alone is no revision. In prose, or naming a moment before the Web, it is
// the article's.
func TestTimeElementsInShortLines(t *testing.T) {
	byline := func(dt, shown string) (text, body string) {
		return "By Jane Doe " + shown + "\n\n" + furnitureProse,
			`<p>By Jane Doe <time datetime="` + dt + `">` + shown + `</time></p><p>` + furnitureProse + `</p>`
	}
	t1, h1 := byline("2024-01-31T14:03:00Z", "Jan 31, 2024, 2:03 PM")
	t2, h2 := byline("2024-02-01T09:12:00Z", "Feb 1, 2024, 9:12 AM")
	if Normalise("T", t1, h1, nil) != Normalise("T", t2, h2, nil) {
		t.Errorf("a byline's <time> changed the fingerprint:\n%q\n%q", Normalise("T", t1, h1, nil), Normalise("T", t2, h2, nil))
	}
	for _, tc := range []struct{ name, text1, body1, text2, body2 string }{
		{"a diary's heading", "12 March 1848\n\n" + furnitureProse, `<h2><time datetime="1848-03-12">12 March 1848</time></h2><p>` + furnitureProse + `</p>`,
			"12 March 1849\n\n" + furnitureProse, `<h2><time datetime="1849-03-12">12 March 1849</time></h2><p>` + furnitureProse + `</p>`},
		{"prose", furnitureProse + " The talks resumed on 3 March 2021 in Geneva.", `<p>` + furnitureProse + ` The talks resumed on <time datetime="2021-03-03">3 March 2021</time> in Geneva.</p>`,
			furnitureProse + " The talks resumed on 4 March 2021 in Geneva.", `<p>` + furnitureProse + ` The talks resumed on <time datetime="2021-03-04">4 March 2021</time> in Geneva.</p>`},
		// A timeline's year or month, which no date pattern reads.
		{"a year", "1848 — revolution in Paris\n\n" + furnitureProse, `<p><time datetime="1848">1848</time> — revolution in Paris</p><p>` + furnitureProse + `</p>`,
			"1849 — revolution in Paris\n\n" + furnitureProse, `<p><time datetime="1849">1849</time> — revolution in Paris</p><p>` + furnitureProse + `</p>`},
		{"a month", "June 1919 — the treaty signed\n\n" + furnitureProse, `<p><time datetime="1919-06">June 1919</time> — the treaty signed</p><p>` + furnitureProse + `</p>`,
			"July 1919 — the treaty signed\n\n" + furnitureProse, `<p><time datetime="1919-07">July 1919</time> — the treaty signed</p><p>` + furnitureProse + `</p>`},
		// A timeline's row of the Web's years: the entry's date.
		{"a timeline row", "- 11 September 2001 — attacks on New York and Washington\n\n" + furnitureProse, `<ul><li><time datetime="2001-09-11">11 September 2001</time> — attacks on New York and Washington</li></ul><p>` + furnitureProse + `</p>`,
			"- 12 September 2001 — attacks on New York and Washington\n\n" + furnitureProse, `<ul><li><time datetime="2001-09-12">12 September 2001</time> — attacks on New York and Washington</li></ul><p>` + furnitureProse + `</p>`},
		// A byline's short <time> text is not a piece of another number.
		{"a number's digits", "By Jane Doe, May 3\n\n3 dead at the barricade", `<p>By Jane Doe, May <time datetime="2024-05-03">3</time></p><p>3 dead at the barricade</p>`,
			"By Jane Doe, May 3\n\n33 dead at the barricade", `<p>By Jane Doe, May <time datetime="2024-05-03">3</time></p><p>33 dead at the barricade</p>`},
		{"no datetime", "By Jane Doe Jan 31, 2024", `<p>By Jane Doe <time>Jan 31, 2024</time></p>`,
			"By Jane Doe Feb 1, 2024", `<p>By Jane Doe <time>Feb 1, 2024</time></p>`},
	} {
		if Normalise("T", tc.text1, tc.body1, nil) == Normalise("T", tc.text2, tc.body2, nil) {
			t.Errorf("%s: a change left the fingerprint unchanged", tc.name)
		}
	}
}
