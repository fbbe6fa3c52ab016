package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC)

// fp fingerprints title and text the way the normaliser would (version n1).
func fp(title, text string) string { return fpv("n1", title, text) }

func fpv(version, title, text string) string {
	sum := sha256.Sum256([]byte(title + "\n" + strings.Join(strings.Fields(text), " ")))
	return version + ":" + hex.EncodeToString(sum[:])
}

// page builds a capture of https://example.com/<slug> with the given text.
func page(slug, title, text string, at time.Time) *Page {
	u := "https://example.com/" + slug
	body := fmt.Sprintf("<html><head><title>%s</title></head><body><article><h1>%s</h1><p>%s</p></article></body></html>",
		title, title, text)
	return &Page{
		Source:      "example",
		FetchURL:    u + "?utm_source=feed",
		FinalURL:    u,
		Canonical:   u,
		CapturedAt:  at,
		StatusCode:  200,
		Proto:       "HTTP/1.1",
		Header:      http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Content-Encoding": {"gzip"}},
		Body:        []byte(body),
		RawRequest:  []byte("GET /" + slug + " HTTP/1.1\r\nHost: example.com\r\nUser-Agent: annalist-test\r\n\r\n"),
		Title:       title,
		Byline:      "A. Writer",
		HTML:        "<p>" + text + "</p>",
		Text:        text,
		Markdown:    text + "\n",
		Extractor:   "selectors/1",
		Fingerprint: fp(title, text),
	}
}

func mustSave(t testing.TB, s *Store, p *Page) *SaveResult {
	t.Helper()
	res, err := s.SaveCapture(context.Background(), p)
	if err != nil {
		t.Fatalf("SaveCapture(%s): %v", p.Canonical, err)
	}
	return res
}

// textGen writes English-like text: words of a Zipf-distributed vocabulary
// in sentences and paragraphs, compressing about as well as real prose.
type textGen struct {
	rng   *rand.Rand
	vocab []string
	zipf  *rand.Zipf
}

func newTextGen(seed uint64) *textGen {
	rng := rand.New(rand.NewPCG(seed, 7))
	syll := []string{"an", "ber", "ca", "de", "el", "for", "ga", "his", "in", "ja", "ko", "lu", "man", "ne", "or",
		"pa", "que", "ri", "st", "ta", "un", "ve", "wa", "xe", "yo", "zu", "th", "ing", "ed", "ion", "er", "al"}
	vrng := rand.New(rand.NewPCG(1, 2)) // one vocabulary for every generator, like one language
	vocab := make([]string, 6000)
	for i := range vocab {
		n := 1 + vrng.IntN(3)
		if i < 100 {
			n = 1
		}
		var b strings.Builder
		for range n {
			b.WriteString(syll[vrng.IntN(len(syll))])
		}
		vocab[i] = b.String()
	}
	return &textGen{rng: rng, vocab: vocab, zipf: rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))}
}

func (g *textGen) sentence() string {
	n := 6 + g.rng.IntN(20)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.vocab[g.zipf.Uint64()]
	}
	ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
	if n > 12 {
		ws[n/2] += ","
	}
	return strings.Join(ws, " ") + "."
}

// paragraphs returns paragraphs totalling about size bytes.
func (g *textGen) paragraphs(size int) []string {
	var ps []string
	total := 0
	for total < size {
		var b strings.Builder
		for i := 0; i < 3+g.rng.IntN(5); i++ {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(g.sentence())
		}
		ps = append(ps, b.String())
		total += b.Len() + 2
	}
	return ps
}

// boilerplate is a site's template: the same on every page, as on real sites.
func boilerplate() (head, foot string) {
	g := newTextGen(99)
	var h, f strings.Builder
	h.WriteString("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>\n")
	for i := range 40 {
		fmt.Fprintf(&h, "<link rel=\"stylesheet\" href=\"/static/css/%s-%d.css?v=%x\">\n", g.vocab[g.rng.IntN(3000)], i, g.rng.Uint64())
	}
	h.WriteString("<script>\n")
	for i := range 160 {
		fmt.Fprintf(&h, "  window.__cfg_%d = {id: %q, key: \"k%d\", on: %v, n: %d};\n", i, g.vocab[g.rng.IntN(6000)], g.rng.IntN(1000), i%2 == 0, g.rng.IntN(100000))
	}
	h.WriteString("</script></head><body><header><nav><ul>\n")
	for range 200 {
		w := g.vocab[g.rng.IntN(6000)]
		fmt.Fprintf(&h, "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/topics/%s/%d\">%s</a></li>\n", w, g.rng.IntN(9999), w)
	}
	h.WriteString("</ul></nav></header><main><article class=\"post\">\n")
	f.WriteString("</article><aside class=\"related\"><h2>Related Pages</h2><ul>\n")
	for range 70 {
		fmt.Fprintf(&f, "<li><a href=\"/articles/%x\">%s</a></li>\n", g.rng.Uint64(), g.sentence())
	}
	f.WriteString("</ul></aside></main><footer>")
	for range 30 {
		fmt.Fprintf(&f, "<a href=\"/about/%s\">%s</a> | ", g.vocab[g.rng.IntN(6000)], g.vocab[g.rng.IntN(6000)])
	}
	f.WriteString("</footer></body></html>\n")
	return h.String(), f.String()
}

// realisticPage is a ~50 KB page with ~10 KB of article text.
func realisticPage(g *textGen, head, foot string, i int, at time.Time) *Page {
	title := g.sentence()
	ps := g.paragraphs(10 << 10)
	var html, md, body strings.Builder
	for _, p := range ps {
		html.WriteString("<p>" + p + "</p>\n")
		md.WriteString(p + "\n\n")
	}
	text := strings.Join(ps, "\n\n")
	body.WriteString(fmt.Sprintf(head, title))
	body.WriteString("<h1>" + title + "</h1>\n<div class=\"byline\">By A. Writer</div>\n")
	body.WriteString(html.String())
	body.WriteString(foot)
	p := page(fmt.Sprintf("articles/%d", i), title, text, at)
	p.Body = []byte(body.String())
	p.HTML = "<h1>" + title + "</h1>\n" + html.String()
	p.Markdown = "# " + title + "\n\n" + md.String()
	return p
}

// openWithLostWARC saves one page in a new store, deletes the WARC file
// its snapshot points at, and reopens the store: an archive whose WARC
// file was lost.
func openWithLostWARC(t *testing.T, p *Page, legacy ...bool) (*Store, *SaveResult) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{NoSync: true, LegacyTextFormat: len(legacy) > 0 && legacy[0]})
	if err != nil {
		t.Fatal(err)
	}
	res := mustSave(t, s, p)
	sn, err := s.Snapshot(ctx, res.SnapshotID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "warc", sn.WARCFile)); err != nil {
		t.Fatal(err)
	}
	return MustOpenDir(t, dir, Options{NoSync: true}), res
}
