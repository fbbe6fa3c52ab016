package extract

import (
	"strings"
	"testing"
	"time"
)

func TestScratchSlow(t *testing.T) {
	for _, tag := range []string{"div", "span", "em", "b", "a href=x", "table><tr><td", "ul><li", "blockquote", "p", "section", "q", "font", "h1", "sup", "pre","select","tr","td"} {
		for _, n := range []int{1000, 4000} {
			page := strings.Repeat("<"+tag+">", n) + "text, long enough to count as a paragraph here" + strings.Repeat("x ", 10)
			start := time.Now()
			Article([]byte(page), "https://x.example/", Rules{})
			t.Logf("%s %d: %v", tag, n, time.Since(start))
		}
	}
}
