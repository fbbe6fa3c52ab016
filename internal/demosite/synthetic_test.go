package demosite

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

func serveDirect(t testing.TB, s *Site, path string) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:40123"+path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", path, rec.Code)
	}
	return rec.Body.Bytes()
}

func TestNewSyntheticSizesAndLayout(t *testing.T) {
	const n, size = 200, 50_000
	s := NewSynthetic(n, size, 1)
	if len(s.Slugs()) != n {
		t.Fatalf("%d slugs", len(s.Slugs()))
	}
	srv := startServer(t, s)
	for i, slug := range s.Slugs() {
		page := getOK(t, srv, Path(slug))
		if len(page) < size*8/10 || len(page) > size*12/10 {
			t.Errorf("%s: %d bytes, want %d ±20%%", slug, len(page), size)
		}
		if i%50 != 0 {
			continue
		}
		p := pageParts(t, page)
		for _, k := range []string{"title", "body", "stamp", "views", "byline", "related", "ad"} {
			if p[k] == "" {
				t.Errorf("%s: %s empty", slug, k)
			}
		}
		text := 0
		for _, para := range paragraphsOf(t, page, "div.article-content") {
			text += len(para)
		}
		if frac := float64(text) / float64(len(page)); frac < 0.15 || frac > 0.3 {
			t.Errorf("%s: article text is %.2f of the page, want about 0.2", slug, frac)
		}
	}
	if f := parseFeed(t, getOK(t, srv, "/rss.xml")); len(f.Items) != n {
		t.Errorf("feed has %d items", len(f.Items))
	}
}

func TestNewSyntheticIsDeterministic(t *testing.T) {
	a, b, c := NewSynthetic(20, 20_000, 7), NewSynthetic(20, 20_000, 7), NewSynthetic(20, 20_000, 8)
	differs := 0
	for _, slug := range a.Slugs() {
		pa, pb, pc := serveDirect(t, a, Path(slug)), serveDirect(t, b, Path(slug)), serveDirect(t, c, Path(slug))
		if string(pa) != string(pb) {
			t.Errorf("%s differs between two sites with the same seed", slug)
		}
		if string(pa) != string(pc) {
			differs++
		}
	}
	if differs != len(a.Slugs()) {
		t.Errorf("only %d of %d pages change with the seed", differs, len(a.Slugs()))
	}
	if string(serveDirect(t, a, "/rss.xml")) != string(serveDirect(t, b, "/rss.xml")) {
		t.Error("feeds differ between two sites with the same seed")
	}
}

func BenchmarkServeSyntheticPage(b *testing.B) {
	for _, size := range []int{10_000, 50_000, 200_000} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			s := NewSynthetic(50, size, 1)
			slugs := s.Slugs()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				b.SetBytes(int64(len(serveDirect(b, s, Path(slugs[i%len(slugs)])))))
			}
		})
	}
}

func BenchmarkServeFeed(b *testing.B) {
	s := NewSynthetic(200, 10_000, 1)
	b.ReportAllocs()
	for b.Loop() {
		serveDirect(b, s, "/rss.xml")
	}
}

func BenchmarkNewSynthetic(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NewSynthetic(200, 50_000, 1)
	}
}
