package faultsite

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// page renders an article in the Mondo History layout (the selectors of
// demosite.SourceYAML: h1.article-title, div.article-content), so a source
// defined with those selectors extracts it by selectors.
func page(title, bodyHTML string) string {
	return pageWithHead(title, "", bodyHTML)
}

func pageWithHead(title, head, bodyHTML string) string {
	return "<!DOCTYPE html>\n<html><head>" + head + "<title>" + html.EscapeString(title) + "</title></head>\n<body>" +
		`<nav class="menu"><a href="/">Home</a></nav>` +
		`<article><h1 class="article-title">` + html.EscapeString(title) + "</h1>\n" +
		`<div class="article-content">` + bodyHTML + "</div></article>\n" +
		`<footer class="site-footer">Fault site footer</footer></body></html>` + "\n"
}

// paragraphs repeats a sentence into a few paragraphs, enough words for
// any extractor to take it as an article.
func paragraphs(sentence string) string {
	var b strings.Builder
	for i := range 4 {
		fmt.Fprintf(&b, "<p>%s Paragraph %d of the archived article continues the account with further detail about the period.</p>\n",
			html.EscapeString(sentence), i+1)
	}
	return b.String()
}

// GoodTitle is the title of the good article slug.
func GoodTitle(slug string) string { return "Good article " + slug }

// GoodText is a sentence the text of the good article slug contains.
func GoodText(slug string) string {
	return "The chronicle of " + slug + " records the harbour treaty signed by the merchant council."
}

func (s *Site) serveArticle(w http.ResponseWriter, r *http.Request, slug string) {
	if slug == "" || strings.Contains(slug, "/") {
		http.NotFound(w, r)
		return
	}
	text(w, "text/html; charset=utf-8", page(GoodTitle(slug), paragraphs(GoodText(slug))))
}

func (s *Site) serveItem(w http.ResponseWriter, r *http.Request, n string) {
	text(w, "text/html; charset=utf-8", page("Item "+n, paragraphs("Item "+n+" of the very long feed.")))
}

func (s *Site) servePDF(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/pdf")
	_, _ = w.Write([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))
}

// onePixelPNG is a 1×1 PNG; only its type matters here.
var onePixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

func (s *Site) serveImage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(onePixelPNG)
}

// InvalidUTF8Text is the readable part of PageInvalidUTF8's text.
const InvalidUTF8Text = "Broken bytes here"

func (s *Site) serveInvalidUTF8(w http.ResponseWriter, r *http.Request) {
	body := paragraphs(InvalidUTF8Text + " \xff\xfe\xc3\x28 and \xed\xa0\x80 surrogates.")
	text(w, "text/html; charset=utf-8", page("Invalid \xff UTF-8", body))
}

// Latin1UTF8Text is in PageLatin1UTF8, sent as UTF-8 under a Latin-1 header.
const Latin1UTF8Text = "Café au lait, Ærøskøbing, naïve façade — 汉字 and Ελληνικά"

func (s *Site) serveLatin1UTF8(w http.ResponseWriter, r *http.Request) {
	text(w, "text/html; charset=iso-8859-1", page("Latin-1 header over UTF-8", paragraphs(Latin1UTF8Text)))
}

// OtherHost returns host (host:port) under another name for the same
// server: 127.0.0.1 ↔ localhost. A redirect there leaves the site.
func OtherHost(host string) string {
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		h, port = host, ""
	}
	other := "localhost"
	if h == "localhost" {
		other = "127.0.0.1"
	}
	if port == "" {
		return other
	}
	return net.JoinHostPort(other, port)
}

// LandingText is in PageLanding's text.
const LandingText = "This landing page lives on another site than the source."

func (s *Site) serveOffsite(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "http://"+OtherHost(r.Host)+PageLanding, http.StatusFound)
}

func (s *Site) serveLanding(w http.ResponseWriter, r *http.Request) {
	text(w, "text/html; charset=utf-8", page("Landing page", paragraphs(LandingText)))
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
