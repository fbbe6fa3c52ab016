package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzArticle: Article never panics, and whatever it returns as HTML keeps
// the sanitiser's promises. Seeds: the testdata pages (below) and
// testdata/fuzz/FuzzArticle.
func FuzzArticle(f *testing.F) {
	pages, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
		f.Add(b, true)
	}
	f.Fuzz(func(t *testing.T, page []byte, selectors bool) {
		rules := Rules{}
		if selectors {
			rules = Rules{Title: "h1", Body: "div, article, p", Updated: "time, .update-time", Remove: []string{".ad"}}
		}
		res, err := Article(page, "https://fuzz.example/a/b.html", rules)
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("Article panicked: %v", err)
			}
			return
		}
		assertSafeHTML(t, res.HTML)
		if strings.Contains(strings.ToLower(res.Markdown), "](javascript:") {
			t.Fatalf("Markdown links to javascript: %q", res.Markdown)
		}
	})
}

// FuzzParseDate: ParseDate and FindRevisionStamp never panic, a found stamp
// is a substring of the input, and every date returned is in UTC.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"Updated on 2024-01-31", "31.01.2024", "Jan 31st, 2024 at 3:15 pm", "更新于 2024年1月31日", "Обновлено 31 января 2024", "2024-01-31T08:00:00+05:30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tm, ok := ParseDate(s); ok && tm.Location() != time.UTC {
			t.Fatalf("ParseDate(%q) = %v, not UTC", s, tm)
		}
		if stamp, tm, ok := FindRevisionStamp(s); ok {
			if !strings.Contains(s, stamp) || tm.Location() != time.UTC {
				t.Fatalf("FindRevisionStamp(%q) = %q, %v", s, stamp, tm)
			}
		}
		_ = Normalise(s, s, "", nil)
	})
}
