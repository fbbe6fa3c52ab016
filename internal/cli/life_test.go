package cli_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"annalist/internal/demosite"
)

// An article's whole life through the documented commands: a move keeps
// the article and its ID, a removal shows as state "gone" in history, list
// and sources, and a return as "back".
func TestLifeThroughCommands(t *testing.T) {
	f := newFixture(t)
	const moved, removed = "grand-canal-grain-fleets", "hanseatic-league-kontors"
	f.runJSON(new(any), "fetch", "--json")
	var before []struct{ ID, URL string }
	f.runJSON(&before, "list", "--json")

	f.site.Move(moved, "grand-canal-grain-fleets-of-the-ming")
	f.site.Remove(removed, true)
	var fetched struct {
		Sources []struct {
			New, Revised, Moved, Gone, Back, Errors int
		} `json:"sources"`
	}
	f.runJSON(&fetched, "fetch", "--recheck", "all", "--json")
	if s := fetched.Sources[0]; s.Moved != 1 || s.Gone != 1 || s.New+s.Revised+s.Errors != 0 {
		t.Fatalf("fetch after a move and a removal: %+v", s)
	}

	type article struct {
		ID, URL, State string
		StateSince     *string `json:"state_since"`
		Snapshots      int
	}
	var list []article
	f.runJSON(&list, "list", "--json")
	if len(list) != len(before) {
		t.Fatalf("%d articles after the move, %d before", len(list), len(before))
	}
	byURL := map[string]article{}
	for _, a := range list {
		byURL[a.URL] = a
	}
	mv, ok := byURL[f.base+demosite.Path("grand-canal-grain-fleets-of-the-ming")]
	if !ok || mv.State != "live" || mv.Snapshots != 1 {
		t.Fatalf("moved article: %+v in %+v", mv, list)
	}
	for _, b := range before {
		if b.URL == f.base+demosite.Path(moved) && b.ID != mv.ID {
			t.Errorf("the move changed the article ID from %s to %s", b.ID, mv.ID)
		}
	}
	gone, ok := byURL[f.base+demosite.Path(removed)]
	if !ok || gone.State != "gone" || gone.StateSince == nil || gone.Snapshots != 1 {
		t.Fatalf("removed article: %+v", gone)
	}

	// history, by the old URL of the moved article and of the gone one.
	var hist []struct {
		ID, State         string
		StateSince        *string `json:"state_since"`
		DeclaredCanonical string  `json:"declared_canonical"`
	}
	f.runJSON(&hist, "history", f.base+demosite.Path(removed), "--json")
	if len(hist) != 1 || hist[0].State != "gone" || hist[0].StateSince == nil || *hist[0].StateSince != *gone.StateSince {
		t.Fatalf("history --json of the gone article: %+v", hist)
	}
	out, _, code := f.run("history", f.base+demosite.Path(removed))
	if code != 0 || !strings.Contains(out, "state: gone since "+*gone.StateSince) || !strings.Contains(out, "gone: 410 Gone") {
		t.Errorf("history of the gone article:\n%s", out)
	}
	out, _, code = f.run("history", f.base+demosite.Path(moved))
	if code != 0 || !strings.Contains(out, mv.ID) || !strings.Contains(out, "moved from "+f.base+demosite.Path(moved)) {
		t.Errorf("history of the moved article by its old URL:\n%s", out)
	}
	out, _, _ = f.run("list")
	if !strings.Contains(out, "[gone ") {
		t.Errorf("list does not mark the gone article:\n%s", out)
	}

	// sources counts the gone article.
	var srcs []struct{ Gone int }
	f.runJSON(&srcs, "sources", "--json")
	if srcs[0].Gone != 1 {
		t.Errorf("sources --json gone = %d, want 1", srcs[0].Gone)
	}
	if out, _, _ := f.run("sources"); !strings.Contains(out, "GONE") {
		t.Errorf("sources table has no GONE column:\n%s", out)
	}

	// The site puts it back: state back, still one snapshot.
	f.site.Remove(removed, false)
	f.runJSON(&fetched, "fetch", "--recheck", "all", "--json")
	if s := fetched.Sources[0]; s.Back != 1 {
		t.Fatalf("fetch after the return: %+v", s)
	}
	f.runJSON(&hist, "history", gone.ID, "--json")
	if len(hist) != 1 || hist[0].State != "back" {
		t.Fatalf("history --json after the return: %+v", hist)
	}
	var srcs2 []struct{ Gone int }
	f.runJSON(&srcs2, "sources", "--json")
	if srcs2[0].Gone != 0 {
		t.Errorf("sources --json gone = %d after the return, want 0", srcs2[0].Gone)
	}
}

// A syndicated copy on another site keeps the rel=canonical it declares:
// show --json and history --json give it as declared_canonical.
func TestDeclaredCanonicalThroughCommands(t *testing.T) {
	f := newFixture(t)
	f.runJSON(new(any), "fetch", "--json")
	original := f.base + demosite.Path(sample)
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><head><title>Chiang Ching-kuo and Outer Mongolia</title><link rel="canonical" href="%s"></head><body><article><h1>Chiang Ching-kuo and Outer Mongolia</h1>%s</article></body></html>`,
			original, strings.Repeat("<p>Republished from Mondo History with permission: the talks in Moscow in 1945 and what they cost.</p>", 12))
	}))
	t.Cleanup(partner.Close)
	copyURL := strings.Replace(partner.URL, "127.0.0.1", "localhost", 1) + "/partner/mongolia"
	var res struct{ Article, Outcome string }
	f.runJSON(&res, "fetch", "--url", copyURL, "--json")
	if res.Outcome != "new" {
		t.Fatalf("fetch --url of the copy: %+v", res)
	}
	var show struct {
		Article           string `json:"article"`
		CanonicalURL      string `json:"canonical_url"`
		DeclaredCanonical string `json:"declared_canonical"`
	}
	f.runJSON(&show, "show", res.Article, "--format", "json")
	if show.DeclaredCanonical != original || show.CanonicalURL != copyURL {
		t.Errorf("show --json of the copy: %+v, want declared_canonical %s", show, original)
	}
	var hist []struct {
		DeclaredCanonical string `json:"declared_canonical"`
	}
	f.runJSON(&hist, "history", res.Article, "--json")
	if len(hist) != 1 || hist[0].DeclaredCanonical != original {
		t.Errorf("history --json of the copy: %+v", hist)
	}
	var orig []struct {
		DeclaredCanonical string `json:"declared_canonical"`
	}
	f.runJSON(&orig, "history", original, "--json")
	if orig[0].DeclaredCanonical != "" {
		t.Errorf("the original has a declared canonical: %+v", orig)
	}
}
