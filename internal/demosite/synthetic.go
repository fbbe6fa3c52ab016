package demosite

import (
	"fmt"
	"html/template"
	"math/rand/v2"
	"strings"
	"time"
)

var synthWords = strings.Fields(`empire river trade merchant harbour kingdom treaty
	council monastery chronicle archive caravan fortress frontier dynasty emperor
	bishop guild market canal harvest famine plague reform rebellion scholar
	manuscript library printer voyage fleet colony province governor tax census
	coin silver grain salt timber wool silk pepper bridge road garrison siege
	alliance envoy court palace temple pilgrim city village peasant landlord
	charter assembly senate republic revolution war peace border map compass
	calendar festival ritual legend record witness letter ledger customs port`)

var synthAuthors = []string{"Anna Keller", "Rahul Mehta", "Sofia Marques", "Liu Fang", "Tomasz Nowak", "Mondo History Editors"}

// NewSynthetic returns a site of n generated articles whose pages are about
// size bytes of HTML each (within a few percent for loopback hosts), built
// like real pages: about a fifth article text, the rest navigation, meta,
// boxes and inline styles and scripts. The same (n, size, seed) always gives
// the same site. Slugs are synthetic-0000 … synthetic-{n-1}.
func NewSynthetic(n int, size int, seed int64) *Site {
	s := newEmpty()
	base := time.Date(2023, 1, 1, 6, 0, 0, 0, time.UTC)
	for i := range n {
		rng := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
		a := &article{
			slug:      fmt.Sprintf("synthetic-%04d", i),
			title:     synthTitle(rng),
			author:    synthAuthors[rng.IntN(len(synthAuthors))],
			published: base.Add(time.Duration(i) * 7 * time.Hour),
			views:     rng.IntN(5000),
			ad:        defaultAd,
		}
		a.updated = a.published.Add(time.Duration(1+rng.IntN(60)) * 24 * time.Hour)
		a.lastMod = a.updated
		for textLen := 0; textLen < size/5; {
			p := synthParagraph(rng)
			textLen += len(p)
			a.paragraphs = append(a.paragraphs, p)
		}
		if n > 1 {
			for range 3 {
				a.related = append(a.related, fmt.Sprintf("synthetic-%04d", rng.IntN(n)))
			}
		}
		s.add(a)
	}
	// Padding is sized against a rendered page, so titles of related
	// articles must all exist first.
	titles := s.titlesLocked()
	for i, slug := range s.order {
		a := s.articles[slug]
		// A stream apart from the text's, so chrome never shifts the text.
		rng := rand.New(rand.NewPCG(uint64(seed)^0x9e3779b97f4a7c15, uint64(i)))
		page, err := renderPage(*a, "http", "127.0.0.1:65535", titles)
		if err != nil {
			panic(fmt.Sprintf("demosite: %v", err))
		}
		a.headExtra, a.bodyExtra = synthChrome(rng, size-len(page))
	}
	return s
}

func synthTitle(rng *rand.Rand) string {
	words := make([]string, 4+rng.IntN(5))
	for i := range words {
		w := synthWords[rng.IntN(len(synthWords))]
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return "The " + strings.Join(words, " ")
}

func synthParagraph(rng *rand.Rand) string {
	var b strings.Builder
	for s := range 3 + rng.IntN(5) {
		if s > 0 {
			b.WriteByte(' ')
		}
		n := 8 + rng.IntN(13)
		for w := range n {
			word := synthWords[rng.IntN(len(synthWords))]
			if w == 0 {
				word = strings.ToUpper(word[:1]) + word[1:]
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(word)
		}
		if rng.IntN(4) == 0 {
			fmt.Fprintf(&b, " in %d", 800+rng.IntN(1100))
		}
		b.WriteByte('.')
	}
	return b.String()
}

// synthChrome returns inline styles and scripts for the head and a sidebar
// with a script for the body, together about budget bytes.
func synthChrome(rng *rand.Rand, budget int) (head, body template.HTML) {
	const tags = len("<style></style>\n<script></script>") + len(`<aside class="sidebar"><script></script></aside>`)
	budget -= tags
	if budget < 0 {
		budget = 0
	}
	css := filler(budget*2/5, func(i int) string {
		return fmt.Sprintf(".m-%d{margin:%dpx 0;padding:%dpx;color:#%06x}\n", i, rng.IntN(24), rng.IntN(16), rng.IntN(1<<24))
	})
	headJS := filler(budget*2/5, func(i int) string {
		return fmt.Sprintf("window.__m%d=function(e){return (e||0)*%d+%d};\n", i, rng.IntN(997), rng.IntN(97))
	})
	bodyJS := filler(budget-len(css)-len(headJS), func(i int) string {
		return fmt.Sprintf("dataLayer.push({event:'slot_%d',v:%d});\n", i, rng.IntN(100000))
	})
	head = template.HTML("<style>" + css + "</style>\n<script>" + headJS + "</script>")
	body = template.HTML(`<aside class="sidebar"><script>` + bodyJS + `</script></aside>`)
	return head, body
}

// filler joins lines until it has n bytes and cuts it to exactly n.
func filler(n int, line func(i int) string) string {
	if n <= 0 {
		return ""
	}
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(line(i))
	}
	return b.String()[:n]
}
