package extract

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// mondoRules are the selectors a source config would give the Mondo History
// demo site.
var mondoRules = Rules{
	Title:   "h1.article-title",
	Body:    "div.article-content",
	Updated: ".update-time",
	Remove:  []string{".related-pages", ".share", ".ad"},
}

type goldenCase struct {
	name  string
	page  string
	url   string
	rules Rules
}

var goldenCases = []goldenCase{
	{"mondo-selectors", "mondo-article.html", "https://mondo.example/history/chiang.html", mondoRules},
	{"mondo-generic", "mondo-article.html", "https://mondo.example/history/chiang.html", Rules{}},
	{"magazine-generic", "magazine-article.html", "https://annals.example/2023/12/caravanserais", Rules{}},
	{"hostile-generic", "hostile.html", "https://hostile.example/post/1", Rules{}},
	{"blog-comments-generic", "blog-comments.html", "https://tudor.example/2023/10/bess-letters/", Rules{}},
	{"chinese-generic", "chinese-article.html", "https://lishi.example/a/zhenghe.html", Rules{}},
	{"russian-generic", "russian-article.html", "https://istoria.example/transsib", Rules{}},
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustArticle(t testing.TB, page, pageURL string, rules Rules) *Result {
	t.Helper()
	res, err := Article(readTestdata(t, page), pageURL, rules)
	if err != nil {
		t.Fatalf("Article(%s): %v", page, err)
	}
	return res
}

// TestGolden compares text, Markdown and HTML with testdata/golden; run
// `go test -run TestGolden -update` to rewrite them after a deliberate change.
func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			res := mustArticle(t, tc.page, tc.url, tc.rules)
			for ext, got := range map[string]string{".txt": res.Text, ".md": res.Markdown, ".html": res.HTML} {
				path := filepath.Join("testdata", "golden", tc.name+ext)
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create)", err)
				}
				if got+"\n" != string(want) {
					t.Errorf("%s differs from golden:\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
				}
			}
		})
	}
}
