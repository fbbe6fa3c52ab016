package extract

import (
	"fmt"
	"os"
	"testing"
)

func FuzzScratch(f *testing.F) {
	f.Add([]byte("<p>x</p>"), false)
	f.Fuzz(func(t *testing.T, page []byte, selectors bool) {
		os.WriteFile(fmt.Sprintf("/tmp/fuzzlast-%d", os.Getpid()), page, 0o644)
		rules := Rules{}
		if selectors {
			rules = Rules{Title: "h1", Body: "div, article, p", Updated: "time, .update-time", Remove: []string{".ad"}}
		}
		Article(page, "https://fuzz.example/a/b.html", rules)
	})
}
