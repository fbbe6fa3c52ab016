package cli_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// sitComments are the comments a page shows at a poll: two at first, one
// more at every poll after.
func sitComments(poll int) []string {
	cs := []string{"Fascinating: my great-grandfather was baptised in that church in 1831.", "Does anyone know whether the 1848 burial register survived the fire?"}
	for k := range poll {
		cs = append(cs, fmt.Sprintf("Comment %d: the county record office holds a microfilm copy of the registers, ask for reel %d.", k+3, 17+k))
	}
	return cs
}

// commentSit: an article whose comments (written into its page by
// comments, inside the post's own markup) grow at every poll, while its
// text changes only at poll 2: one revision, at poll 2.
func commentSit(name string, comments func(cs []string) string) situation {
	return situation{name: name, want: []string{"new", "unchanged", "revised", "unchanged"},
		serve: func(w http.ResponseWriter, r *http.Request, p *sitPage) {
			paras := sitProse(name, 6)
			if p.poll >= 2 {
				paras[2] = strings.Replace(paras[2], "the price of rye", "the price of oats", 1)
			}
			p.article(w, "en", "The parish registers of "+name, "", "", paras, comments(sitComments(p.poll)))
		}}
}

func TestSituationsComments(t *testing.T) {
	checkSituations(t, []situation{
		commentSit("wp-comment-body", func(cs []string) string {
			var b strings.Builder
			b.WriteString(`<div id="comments" class="comments-area"><h2 class="comments-title">` + fmt.Sprint(len(cs)) + ` thoughts on this story</h2><ol class="comment-list">`)
			for i, c := range cs {
				fmt.Fprintf(&b, `<li id="comment-%d" class="comment even thread-even depth-1"><article id="div-comment-%d" class="comment-body"><footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Reader %d</b> <span class="says">says:</span></div><div class="comment-metadata"><a href="#comment-%d"><time datetime="2026-03-0%dT10:00:00+00:00">March %d, 2026 at 10:00 am</time></a></div></footer><div class="comment-content"><p>%s</p></div><div class="reply"><a rel="nofollow" class="comment-reply-link" href="?replytocom=%d#respond">Reply</a></div></article></li>`, i+1, i+1, i+1, i+1, i+1, i+1, c, i+1)
			}
			b.WriteString(`</ol><div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3><form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form"><p class="comment-form-comment"><label for="comment">Comment</label><textarea id="comment" name="comment"></textarea></p></form></div></div>`)
			return b.String()
		}),
		commentSit("wp-commentlist", func(cs []string) string {
			var b strings.Builder
			b.WriteString(`<h3 id="comments">` + fmt.Sprint(len(cs)) + ` Responses to this story</h3><ol class="commentlist">`)
			for i, c := range cs {
				fmt.Fprintf(&b, `<li class="comment" id="li-comment-%d"><div id="comment-%d"><div class="comment-author vcard"><cite class="fn">Reader %d</cite> Says:</div><div class="comment-meta commentmetadata">March %d, 2026 at 10:0%d am</div><p>%s</p></div></li>`, i+1, i+1, i+1, i+1, i, c)
			}
			b.WriteString(`</ol>`)
			return b.String()
		}),
		commentSit("disqus-thread", func(cs []string) string {
			var b strings.Builder
			b.WriteString(`<section id="disqus_thread"><div class="post-list">`)
			for i, c := range cs {
				fmt.Fprintf(&b, `<article class="post"><header><span class="author">Reader %d</span> <span class="post-meta">%d days ago</span></header><div class="post-message"><p>%s</p></div></article>`, i+1, len(cs)-i, c)
			}
			b.WriteString(`</div></section>`)
			return b.String()
		}),
		commentSit("comments-n-section", func(cs []string) string {
			var b strings.Builder
			fmt.Fprintf(&b, `<section class="responses"><h2>Comments (%d)</h2>`, len(cs))
			for i, c := range cs {
				fmt.Fprintf(&b, `<article><h3>Reader %d wrote</h3><p>%s</p></article>`, i+1, c)
			}
			b.WriteString(`</section>`)
			return b.String()
		}),
	})
}
