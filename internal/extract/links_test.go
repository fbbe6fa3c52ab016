package extract

import (
	"strings"
	"testing"
)

func TestLinks(t *testing.T) {
	const page = "https://www.history.example/2024/yalta"
	for _, tc := range []struct{ body, want string }{
		{`<p>See <a href="https://archive.example/doc/12">the minutes</a>.</p>`, "archive.example/doc/12"},
		{`<a href="https://www.history.example/sources/4">x</a>`, "/sources/4"},
		{`<a href="http://history.example/sources/4">x</a>`, "/sources/4"},
		{`<a href="#fn1">1</a><a href="https://www.history.example/2024/yalta#part2">x</a>`, ""},
		{`<a href="https://www.history.example/2024/yalta?utm_source=x">x</a>`, ""},
		{`<a href="mailto:editor@history.example">x</a>`, ""},
		{`<a href="https://archive.example/doc/12?utm_source=feed&amp;fbclid=abc#p3">x</a>`, "archive.example/doc/12"},
		{`<a href="https://archive.example/doc/12;jsessionid=0F3A9C2E77B1D4F6A8C0E2B4D6F8A0C2">x</a>`, "archive.example/doc/12"},
		{`<a href="https://archive.example/doc?id=12&amp;sid=8812">x</a>`, "archive.example/doc?id=12"},
		{`<a href="https://archive.example/doc?id=12&amp;_wpnonce=9a8b7c6d5e">x</a>`, "archive.example/doc?id=12"},
		{`<a href="https://archive.example/doc?id=12&amp;k=3f2a9c1e-77b1-4d4f-a8c0-e2b4d6f8a0c2">x</a>`, "archive.example/doc?id=12"},
		{`<a href="https://archive.example/doc?id=12&amp;t=1764547200">x</a>`, "archive.example/doc?id=12"},
		{`<a href="https://archive.example/doc?1764547200123">x</a>`, "archive.example/doc"},
		{`<a href="https://archive.example/doc?id=1946&amp;page=3">x</a>`, "archive.example/doc?id=1946&page=3"},
		{`<a href="https://a.example/1">x</a> <a href="https://b.example/2">y</a>`, "a.example/1 b.example/2"},
	} {
		if got := Links(tc.body, page); got != tc.want {
			t.Errorf("Links(%s) = %q, want %q", tc.body, got, tc.want)
		}
	}
	// Without the page's address, targets are whole.
	if got := Links(`<a href="https://www.history.example/sources/4">x</a>`, ""); got != "history.example/sources/4" {
		t.Errorf("Links without a page = %q", got)
	}
}

// A footnote whose source link now points elsewhere, its anchor text the
// same, is a revision; a change of what varies per request is not.
func TestFingerprintLinks(t *testing.T) {
	const page = "https://history.example/yalta"
	body := func(href string) string {
		return `<p>The minutes say so.<sup><a href="#fn1">1</a></sup></p><ol><li id="fn1"><a href="` + href + `">Minutes of the plenary session</a></li></ol>`
	}
	text := "The minutes say so.1\n\nMinutes of the plenary session"
	fp := func(href string) string {
		f, err := FingerprintContext(t.Context(), page, "Yalta", text, body(href), nil)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	base := fp("https://archive.example/yalta/minutes-4")
	if fp("https://archive.example/yalta/minutes-5") == base {
		t.Error("a changed link target left the fingerprint unchanged")
	}
	for _, same := range []string{
		"https://archive.example/yalta/minutes-4?utm_campaign=feed",
		"https://archive.example/yalta/minutes-4#page-2",
		"https://archive.example/yalta/minutes-4;jsessionid=A1B2C3D4E5",
		"https://archive.example/yalta/minutes-4?sid=77812",
		"https://archive.example/yalta/minutes-4?token=9f8e7d6c5b4a3921",
		"http://www.archive.example/yalta/minutes-4",
	} {
		if got := fp(same); got != base {
			t.Errorf("%s changed the fingerprint", same)
		}
	}
	// The same page at another address (the site moved to https and a new
	// domain), its own links resolved against that address: the same.
	moved := func(pageURL string) string {
		html := `<p>See <a href="` + pageURL + `#part2">below</a> and <a href="` + pageURL[:strings.LastIndex(pageURL, "/")] + `/sources/4">the sources</a>.</p>`
		f, err := FingerprintContext(t.Context(), pageURL, "Yalta", "See below and the sources.", html, nil)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if moved("http://history.example/yalta") != moved("https://www.new-history.example/yalta") {
		t.Error("a page's move to another address changed the fingerprint")
	}
	if !strings.HasPrefix(base, "n3:") {
		t.Errorf("fingerprint %s, want n3:", base)
	}
}

func TestStripDroppedHTML(t *testing.T) {
	body := `<p>The minutes say so.</p><p>Get the Dispatch, <a href="https://news.example/signup">our newsletter</a>.</p><ul><li><a href="https://archive.example/1">Source one</a></li></ul>`
	drops := []TemplateDrop{{TextKey: textKey("Get the Dispatch, our newsletter.")}}
	got := StripDroppedHTML(body, drops)
	if strings.Contains(got, "news.example") || !strings.Contains(got, "archive.example/1") || !strings.Contains(got, "The minutes say so.") {
		t.Errorf("StripDroppedHTML = %s", got)
	}
	if got := StripDroppedHTML(body, []TemplateDrop{{TextKey: textKey("elsewhere")}}); got != body {
		t.Errorf("nothing dropped, yet the HTML changed: %s", got)
	}
}
