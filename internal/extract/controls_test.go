package extract

import (
	"strings"
	"testing"
)

// Control characters in a page never reach the extracted title, byline,
// text, Markdown or HTML; tabs and newlines stay where the text has them.
func TestArticleDropsControlCharacters(t *testing.T) {
	page := "<html><head><title>T\x1b]0;pwned\x07itle \x1b[2J\u009bnow</title></head><body><article>" +
		"<h1>T\x1b]0;pwned\x07itle \x1b[2J\u009bnow</h1><p class=\"byline\">By Ann\x1b[31m Writer</p>" +
		"<p>The first paragraph of the article\x1b[2J carries a clear-screen sequence in the middle of a long sentence about the canal.</p>" +
		"<p>The second paragraph\x07 rings a bell\u0085 and then goes on about the barges and the locks for a while more.</p>" +
		"<p>A third paragraph with plain words about the grain, the fleets and the capital, to make an article of it.</p>" +
		"</article></body></html>"
	for _, rules := range []Rules{{}, {Title: "h1", Body: "article", Byline: ".byline"}} {
		res, err := Article([]byte(page), "https://example.org/a", rules)
		if err != nil {
			t.Fatal(err)
		}
		for field, v := range map[string]string{"title": res.Title, "byline": res.Byline, "text": res.Text, "markdown": res.Markdown, "html": res.HTML} {
			if i := strings.IndexFunc(v, isDroppedControl); i >= 0 {
				t.Errorf("rules %+v: %s keeps control character %q: %q", rules, field, v[i:i+1], v)
			}
		}
		if !strings.Contains(res.Text, "sentence about the canal.\n\nThe second paragraph rings a bell and then") {
			t.Errorf("rules %+v: text lost its paragraphs or words: %q", rules, res.Text)
		}
		if !strings.HasPrefix(res.Title, "T]0;pwneditle [2Jnow") {
			t.Errorf("rules %+v: title = %q", rules, res.Title)
		}
	}
}
