package cli_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// noiseSit: an article whose tail (inside the article) changes with every
// request; its words change at poll 2.
func noiseSit(name string, top, tail func(p *sitPage) string) situation {
	return situation{name: name, want: []string{"new", "unchanged", "revised", "unchanged"},
		serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
			paras := sitProse(name, 6)
			if p.poll >= 2 {
				paras[4] = strings.Replace(paras[4], "the price of rye", "the price of oats", 1)
			}
			t := ""
			if top != nil {
				t = top(p)
			}
			p.article(w, "en", "The parish registers of "+name, "", t, paras, tail(p))
		}}
}

func TestSituationsNoise(t *testing.T) {
	related := []string{"The salt roads of Lorraine", "Letters from a Baltic captain", "The last of the lamplighters", "A census taker in 1851", "How the Thames froze", "Mapping the old parishes"}
	checkSituations(t, []situation{
		noiseSit("counters", nil, func(p *sitPage) string {
			return fmt.Sprintf(`<div class="stats"><span>%d views</span> · <span>%d shares</span> · <a href="#comments">%d comments</a></div>`, 1000+p.n*7, 50+p.n, 10+p.n%5)
		}),
		noiseSit("counters-top", func(p *sitPage) string {
			return fmt.Sprintf(`<p class="meta">By Jane Doe · %d min read · %s views</p>`, 4+p.n%2, fmt.Sprint(1200+p.n))
		}, func(p *sitPage) string { return "" }),
		noiseSit("related", nil, func(p *sitPage) string {
			var b strings.Builder
			b.WriteString(`<div class="more"><h3>More from Situations</h3>`)
			for k := range 3 {
				i := (int(p.n) + k) % len(related)
				fmt.Fprintf(&b, `<div class="card"><a href="/s/x%d"><h4>%s</h4></a></div>`, i, related[i])
			}
			b.WriteString(`</div>`)
			return b.String()
		}),
		noiseSit("related-teasers", nil, func(p *sitPage) string {
			var b strings.Builder
			b.WriteString(`<section><h2>You might also like</h2><ul>`)
			for k := range 3 {
				i := (int(p.n) + k) % len(related)
				fmt.Fprintf(&b, `<li><a href="/s/x%d">%s</a> — a new look at an old question, from the archives.</li>`, i, related[i])
			}
			b.WriteString(`</ul></section>`)
			return b.String()
		}),
		noiseSit("csrf", nil, func(p *sitPage) string {
			return fmt.Sprintf(`<form method="post" action="/comment"><input type="hidden" name="csrf_token" value="tok%dx%d"><textarea name="c"></textarea><button>Post comment</button></form><script nonce="n%d">var x=%d;</script>`, p.n, p.n*31, p.n, p.n)
		}),
		noiseSit("img-v", nil, func(p *sitPage) string {
			return fmt.Sprintf(`<figure><img src="/img/register.jpg?v=%d" srcset="/img/register-800.jpg?v=%d 800w, /img/register-1600.jpg?v=%d 1600w" alt="A page of the register"><figcaption>The register of baptisms, 1794.</figcaption></figure>`, p.n, p.n, p.n)
		}),
		noiseSit("lazy", nil, func(p *sitPage) string {
			if p.n%2 == 0 {
				return `<figure><img src="/img/placeholder.gif" data-src="/img/register.jpg" class="lazy" alt="A page of the register"><figcaption>The register of baptisms, 1794.</figcaption></figure>`
			}
			return `<figure><img src="/img/register.jpg" class="lazyloaded" alt="A page of the register"><figcaption>The register of baptisms, 1794.</figcaption></figure>`
		}),
		noiseSit("random-classes", func(p *sitPage) string {
			return fmt.Sprintf(`<div class="css-%x" id="el-%d"><p class="sc-%x">By Jane Doe</p></div>`, p.n*7919, p.n, p.n*104729)
		}, func(p *sitPage) string {
			return fmt.Sprintf(`<div class="css-%x"><p class="sc-%x">Filed under Parish history</p></div>`, p.n*13, p.n*17)
		}),
		noiseSit("ad-slot", nil, func(p *sitPage) string {
			ads := []string{"Save 20% on walking boots this week only", "Discover your family tree: free trial", "The best history podcasts of the year"}
			return fmt.Sprintf(`<div class="ad-slot" id="div-gpt-ad-%d"><span>Advertisement</span><a href="https://ads.example.com/c?%d">%s</a></div>`, p.n, p.n, ads[int(p.n)%len(ads)])
		}),
		noiseSit("ad-mid", nil, func(p *sitPage) string {
			ads := []string{"Save 20% on walking boots this week only", "Discover your family tree: free trial", "The best history podcasts of the year"}
			return fmt.Sprintf(`<aside class="inline-promo"><p>Sponsored</p><p><a href="https://ads.example.com/c?%d">%s</a></p></aside><p>A last word: the registers are now open to readers in the county record office, by appointment.</p>`, p.n, ads[int(p.n)%len(ads)])
		}),
		noiseSit("reading-time", func(p *sitPage) string {
			return fmt.Sprintf(`<p class="meta">Reading time %d min</p>`, 3+p.n%3)
		}, func(p *sitPage) string { return "" }),
		noiseSit("copyright-year", nil, func(p *sitPage) string {
			// A new year on the site: every page's notice says so.
			return fmt.Sprintf(`<p class="legal">© %d Situations Ltd. All rights reserved.</p>`, 2025+p.n%2)
		}),
		noiseSit("comments-count", nil, func(p *sitPage) string {
			return fmt.Sprintf(`<h3>%d Comments</h3><p><a href="#respond">Leave a comment</a></p>`, p.n)
		}),
	})
}
