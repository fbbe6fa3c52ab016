package demosite

import (
	"os"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

type sourceDef struct {
	Title     string `yaml:"title"`
	Feed      string `yaml:"feed"`
	Schedule  string `yaml:"schedule"`
	Selectors struct {
		Title     string   `yaml:"title"`
		Body      string   `yaml:"body"`
		Updated   string   `yaml:"updated"`
		Published string   `yaml:"published"`
		Byline    string   `yaml:"byline"`
		Remove    []string `yaml:"remove"`
	} `yaml:"selectors"`
	Ignore []string `yaml:"ignore"`
}

func TestSourceYAMLMatchesFeedsFile(t *testing.T) {
	want, err := os.ReadFile("../../feeds/examples/mondo-history.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := SourceYAML("https://www.mondohistory.example/rss.xml"); string(got) != string(want) {
		t.Errorf("SourceYAML and feeds/examples/mondo-history.yaml differ:\n%s", got)
	}
}

// The selectors in the source file must fit the pages this site serves.
func TestSourceSelectorsFitThePages(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	var def sourceDef
	if err := yaml.UnmarshalWithOptions(SourceYAML(srv.URL+"/rss.xml"), &def, yaml.Strict()); err != nil {
		t.Fatalf("parse SourceYAML: %v", err)
	}
	if def.Feed != srv.URL+"/rss.xml" || def.Title != "Mondo History" || def.Schedule != "0 */2 * * *" {
		t.Errorf("feed %q, title %q, schedule %q", def.Feed, def.Title, def.Schedule)
	}
	if len(def.Ignore) != 1 || def.Ignore[0] != `\d+ readers today` {
		t.Errorf("ignore = %q", def.Ignore)
	}
	for _, slug := range s.Slugs() {
		doc := parseHTML(t, getOK(t, srv, Path(slug)))
		sel := def.Selectors
		for _, one := range []string{sel.Title, sel.Body, sel.Updated, sel.Published, sel.Byline} {
			if n := doc.Find(one).Length(); n != 1 {
				t.Errorf("%s: %q matches %d elements, want 1", slug, one, n)
			}
		}
		for _, rm := range sel.Remove {
			if doc.Find(rm).Length() == 0 {
				t.Errorf("%s: remove selector %q matches nothing", slug, rm)
			}
			if doc.Find(sel.Body).Find(rm).Length() != 0 {
				t.Errorf("%s: %q sits inside the body", slug, rm)
			}
		}
		if !strings.HasPrefix(doc.Find(sel.Updated).Text(), "Updated on ") {
			t.Errorf("%s: updated text %q", slug, doc.Find(sel.Updated).Text())
		}
	}
}
