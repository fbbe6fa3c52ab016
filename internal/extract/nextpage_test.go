package extract

import "testing"

func TestContinues(t *testing.T) {
	const art = "https://www.example.com/2024/01/the-siege/"
	for _, c := range []struct {
		article, target string
		n               int
		ok              bool
	}{
		{art, art, 0, true},
		{art, "https://example.com/2024/01/the-siege/2/", 2, true},
		{art, "https://example.com/2024/01/the-siege/page/3", 3, true},
		{art, "https://example.com/2024/01/the-siege/?page=2", 2, true},
		{art, "https://example.com/2024/01/the-siege?p=1", 1, true},
		{art, "https://example.com/2024/01/the-siege-2/", 2, true},
		{art, "https://example.com/2024/01/the-next-post/", 0, false}, // a blog's next post
		{art, "https://example.com/2024/01/page/2/", 0, false},        // the archive index
		{art, "https://example.com/page/2/", 0, false},
		{art, "https://other.example/2024/01/the-siege/2/", 0, false}, // another host
		{art, "https://example.com/2024/01/the-siege/?page=x", 0, false},
		{art, "https://example.com/2024/01/the-siege/comments/", 0, false},
		{"https://example.com/story.html", "https://example.com/story-2.html", 2, true},
		{"https://example.com/story.html", "https://example.com/story_p3.html", 3, true},
		{"https://example.com/story.html", "https://example.com/story-2.php", 0, false},
		{"https://example.com/articles/12", "https://example.com/articles/13", 0, false},
		{"https://example.com/a?id=7", "https://example.com/a?id=7&page=2", 2, true},
		{"https://example.com/a?id=7", "https://example.com/a?id=8&page=2", 0, false},
		{"https://example.com/?p=100", "https://example.com/?p=101", 0, false}, // WordPress: the next post
		{"https://example.com/a?page=1", "https://example.com/a?page=2", 2, true},
		{art, "https://example.com/2024/01/the-siege/comment-page-2/", 0, false},
	} {
		n, ok := Continues(c.article, c.target)
		if n != c.n || ok != c.ok {
			t.Errorf("Continues(%s, %s) = %d, %v; want %d, %v", c.article, c.target, n, ok, c.n, c.ok)
		}
	}
}

const nextArt = "https://example.com/history/the-siege"

// nextPageCases are pages of the article nextArt and the next page each
// leads to.
var nextPageCases = func() []nextPageCase {
	const art = nextArt
	return []nextPageCase{
		{"link rel=next", `<head><link rel="next" href="/history/the-siege?page=2"></head><p>x</p>`, art, "", art + "?page=2"},
		{"a rel=next", `<p>x</p><a rel="nofollow next" href="the-siege/2/">2</a>`, art, "", art + "/2/"},
		{"next page text", `<p>x</p><a href="/history/the-siege/2">Next page »</a>`, art, "", art + "/2"},
		{"Weiter", `<a href="/history/the-siege/2">Weiter</a>`, art, "", art + "/2"},
		{"Page suivante", `<a href="?page=2">Page suivante</a>`, art, "", art + "?page=2"},
		{"Siguiente", `<a href="/history/the-siege/page/2">Siguiente ›</a>`, art, "", art + "/page/2"},
		{"blog next post", `<link rel="next" href="/history/the-fall"><a rel="next" href="/history/the-fall">Next</a>`, art, "", ""},
		{"archive page 2", `<a rel="next" href="/history/page/2/">Next page</a>`, art, "", ""},
		{"other host", `<link rel="next" href="https://mirror.example/history/the-siege?page=2">`, art, "", ""},
		{"numbered links are not next", `<a href="/history/the-siege/2">2</a>`, art, "", ""},
		{"back to page 1 from page 2", `<a rel="next" href="/history/the-siege?page=1">Next</a>`, art + "?page=2", "", ""},
		{"page 2 to 3", `<a rel="prev" href="/history/the-siege">Previous</a><a rel="next" href="/history/the-siege?page=3">Next</a>`, art + "?page=2", "", art + "?page=3"},
		{"selector", `<div class="pager"><a href="/history/the-siege-continued">more</a></div>`, art, ".pager", "https://example.com/history/the-siege-continued"},
		{"selector on a", `<a class="cont" href="/history/x">more</a>`, art, "a.cont", "https://example.com/history/x"},
		{"selector off site", `<a class="cont" href="https://elsewhere.example/x">more</a>`, art, "a.cont", ""},
		{"selector matches nothing", `<link rel="next" href="/history/the-siege?page=2">`, art, "a.cont", ""},
	}
}()

type nextPageCase struct{ name, page, pageURL, selector, want string }

func TestNextPage(t *testing.T) {
	const art = nextArt
	for _, c := range nextPageCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := NextPage([]byte(c.page), c.pageURL, art, c.selector)
			if err != nil || got != c.want {
				t.Errorf("NextPage = %q, %v; want %q", got, err, c.want)
			}
		})
	}
	if _, err := NextPage([]byte("<p>x</p>"), art, art, "a[[["); err == nil {
		t.Error("an invalid selector is not an error")
	}
}

// TestArticleNextPage: asked through Rules.Next, Article finds the same
// next page as NextPage (the one parse serves both), on the page as
// fetched: a Remove rule that drops the pager does not hide it, and an
// invalid selector is reported without failing the extraction.
func TestArticleNextPage(t *testing.T) {
	const body = `<article><h1>The siege</h1><p>The town held out for eleven weeks before the walls were breached in the spring of 1648, and the chroniclers wrote of little else for a generation.</p></article>`
	for _, c := range nextPageCases {
		t.Run(c.name, func(t *testing.T) {
			page := c.page + body
			want, err := NextPage([]byte(page), c.pageURL, nextArt, c.selector)
			if err != nil || want != c.want {
				t.Fatalf("NextPage = %q, %v; want %q", want, err, c.want)
			}
			rules := Rules{Next: &NextRules{Selector: c.selector, ArticleURL: nextArt}}
			if c.pageURL == nextArt {
				rules.Next.ArticleURL = "" // page 1: its own URL
			}
			res, err := Article([]byte(page), c.pageURL, rules)
			if err != nil {
				t.Fatal(err)
			}
			if res.Next != want || res.NextErr != nil {
				t.Errorf("Article: Next = %q, %v; want %q (NextPage's)", res.Next, res.NextErr, want)
			}
		})
	}
	page := `<div class="pager"><a href="/history/the-siege/2">Next page</a></div>` + body
	res, err := Article([]byte(page), nextArt, Rules{Remove: []string{".pager"}, Next: &NextRules{}})
	if err != nil || res.Next != nextArt+"/2" {
		t.Errorf("pager removed by a rule: Next = %q, %v; want %q", res.Next, err, nextArt+"/2")
	}
	if res, err := Article([]byte(page), nextArt, Rules{}); err != nil || res.Next != "" || res.NextErr != nil {
		t.Errorf("without Rules.Next: %v, %v; want no next page looked for", res, err)
	}
	res, err = Article([]byte(page), nextArt, Rules{Next: &NextRules{Selector: "a[[["}})
	if err != nil {
		t.Fatalf("invalid next_page selector: %v; want the article extracted", err)
	}
	if res.NextErr == nil || res.Text == "" {
		t.Errorf("invalid next_page selector: NextErr %v, text %q; want the article and NextErr", res.NextErr, res.Text)
	}
}
