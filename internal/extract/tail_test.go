package extract

import "testing"

func TestDropTail(t *testing.T) {
	runPrecisionCases(t, []precisionCase{
		// The comment form under it goes as chrome; the heading stayed.
		{"a heading whose form went as chrome", `<h3>Tell us what YOU think...</h3><form><textarea></textarea><input type="submit" value="Post"></form>`,
			[]string{"Tell us what"}, nil},
		{"a heading over a player", `<div><h4><strong>How to listen to the Archive Hour</strong></h4><iframe src="/player"></iframe></div>`,
			[]string{"How to listen"}, nil},
		{"two headings in a row, the outer in another block", `<h2><a href="/subscribe">Our newsletter</a></h2><div><h3>Leave a word</h3></div>`,
			[]string{"Our newsletter", "Leave a word"}, nil},

		// Not at the end, or not a heading: the article's own.
		{"a heading followed by prose stays", `<h3>The second inquiry</h3>` + prose("Dacre"),
			nil, []string{"The second inquiry", "Dacre"}},
		{"a bold link closing the article stays", `<p><strong><a href="/archive">Browse the whole archive here.</a></strong></p>`,
			nil, []string{"Browse the whole archive here."}},
		{"a bold sign-off stays", `<p><strong>Mary Lyle, county archivist</strong></p>`,
			nil, []string{"Mary Lyle"}},
		{"a closing short paragraph stays", `<p>Ends.</p>`,
			nil, []string{"Ends."}},
	})
}
