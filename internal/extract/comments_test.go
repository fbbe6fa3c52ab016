package extract

import (
	"strings"
	"testing"
)

// Readers' comments nested in the post's <article> are not the article;
// a post nested in a page-wide <article> under a furniture-named wrapper
// still is (it holds the <h1>).
func TestNestedArticles(t *testing.T) {
	prose := strings.Repeat("The parish registers of the valley record baptisms, marriages and burials, and in the margins the weather and the price of rye. ", 4)
	comment := `<li class="comment"><article class="comment-body"><footer class="comment-meta">Reader says:</footer><div class="comment-content"><p>My great-grandfather was baptised there in 1831, and his brother in 1834.</p></div></article></li>`
	page := `<html><head><title>Registers</title></head><body><article class="post"><h1>Registers</h1><p>` + prose + `</p><p>` + prose + `</p>
<div id="comments" class="comments-area"><h2 class="comments-title">2 thoughts on this story</h2><ol class="comment-list">` + comment + comment + `</ol></div></article></body></html>`
	res, err := Article([]byte(page), "https://history.example/registers", Rules{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Text, "great-grandfather") || !strings.Contains(res.Text, "price of rye") {
		t.Errorf("comments kept or prose lost:\n%s", res.Text)
	}

	wrapped := `<html><head><title>Registers</title></head><body><article class="page"><div class="layout has-sidebar"><article class="post"><h1>Registers</h1><p>` + prose + `</p><p>` + prose + `</p></article></div><aside class="sidebar"><p>Archive</p></aside></article></body></html>`
	if res, err = Article([]byte(wrapped), "https://history.example/registers", Rules{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Text, "price of rye") {
		t.Errorf("the post nested in a page-wide <article> was lost:\n%s", res.Text)
	}
}
