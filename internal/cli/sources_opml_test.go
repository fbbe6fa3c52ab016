package cli_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"annalist/internal/config"
)

type importOut struct {
	File    string `json:"file"`
	Written bool   `json:"written"`
	Sources []struct {
		Line     int    `json:"line"`
		Action   string `json:"action"`
		Name     string `json:"name"`
		Path     string `json:"path"`
		Title    string `json:"title"`
		Feed     string `json:"feed"`
		Site     string `json:"site"`
		Category string `json:"category"`
		Body     string `json:"body_selector"`
	} `json:"sources"`
	Skipped []struct {
		Line   int    `json:"line"`
		Feed   string `json:"feed"`
		Reason string `json:"reason"`
	} `json:"skipped"`
}

func feedFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "feeds"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// TestSourcesImport: a Miniflux export is shown (dry run, nothing written),
// then written with --write as feeds files the config loader reads, with
// names from the titles and the folders as categories; importing again
// leaves them alone, --replace rewrites them, and a name already taken by
// another source is made unique.
func TestSourcesImport(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Dir(f.cfg)
	// A source that already has the name the first feed would get.
	if err := os.WriteFile(filepath.Join(dir, "feeds", "jstor-daily.yaml"), []byte("feed: https://other.example/rss\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	opmlFile := filepath.Join("..", "opml", "testdata", "miniflux.opml")
	before := feedFiles(t, dir)

	out, stderr, code := f.run("sources", "import", opmlFile)
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		opmlFile + ":9: would create " + filepath.Join(dir, "feeds", "jstor-daily-2.yaml"),
		`    title: "JSTOR Daily"`,
		`    category: "Medieval & Early Modern"`,
		"4 to create, 0 to replace, 0 already configured, 0 skipped (dry run: add --write to write them)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if got := feedFiles(t, dir); !reflect.DeepEqual(got, before) {
		t.Fatalf("the dry run wrote files: %v", got)
	}

	var res importOut
	f.runJSON(&res, "sources", "import", opmlFile, "--write", "--json")
	var names []string
	for _, s := range res.Sources {
		if s.Action != "create" {
			t.Errorf("%s: action %s, want create", s.Name, s.Action)
		}
		names = append(names, s.Name)
	}
	want := []string{"jstor-daily-2", "the-public-domain-review", "medievalists-net", "smithsonian-magazine-history"}
	if !res.Written || !reflect.DeepEqual(names, want) {
		t.Fatalf("written %v, names %v, want %v", res.Written, names, want)
	}
	cfg, err := config.Load(f.cfg)
	if err != nil {
		t.Fatalf("the imported files do not load: %v", err)
	}
	src, ok := cfg.Source("smithsonian-magazine-history")
	if !ok || src.Title != "Smithsonian Magazine – History" || src.Feed != "https://www.smithsonianmag.com/rss/history/" ||
		src.Site != "https://www.smithsonianmag.com/history/" || src.Category != "Medieval & Early Modern" {
		t.Fatalf("imported source: %+v", src)
	}
	// Miniflux's scraper rule is the body selector.
	if src, _ := cfg.Source("medievalists-net"); src.Selectors.Body != "div.entry-content" {
		t.Fatalf("medievalists-net selectors: %+v", src.Selectors)
	}
	// The listing shows the categories.
	if out, _, code := f.run("sources"); code != 0 || !strings.Contains(out, "CATEGORY") || !strings.Contains(out, "Medieval & Early Modern") {
		t.Fatalf("sources after import: exit %d\n%s", code, out)
	}
	var listed []map[string]any
	f.runJSON(&listed, "sources", "--json")
	cats := map[string]any{}
	for _, r := range listed {
		cats[r["name"].(string)] = r["category"]
	}
	if cats["jstor-daily-2"] != "All" || cats["mondo-history"] != nil {
		t.Fatalf("sources --json categories: %v", cats)
	}

	// Again: every feed is configured now, nothing is touched.
	path := filepath.Join(dir, "feeds", "medievalists-net.yaml")
	if err := os.WriteFile(path, []byte("title: Mine\nfeed: https://www.medievalists.net/feed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res = importOut{}
	f.runJSON(&res, "sources", "import", opmlFile, "--write", "--json")
	for _, s := range res.Sources {
		if s.Action != "exists" {
			t.Errorf("second import: %s %s, want exists", s.Name, s.Action)
		}
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), "Mine") {
		t.Fatalf("an existing source was rewritten without --replace:\n%s", data)
	}
	res = importOut{}
	f.runJSON(&res, "sources", "import", opmlFile, "--write", "--replace", "--json")
	if res.Sources[2].Action != "replace" || res.Sources[2].Name != "medievalists-net" {
		t.Fatalf("--replace: %+v", res.Sources[2])
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), `title: "Medievalists.net"`) {
		t.Fatalf("--replace did not rewrite the file:\n%s", data)
	}
	if _, err := config.Load(f.cfg); err != nil {
		t.Fatal(err)
	}
}

// TestSourcesImportFreshRSS: FreshRSS's scraper outline is skipped with
// its line; the feeds are imported.
func TestSourcesImportFreshRSS(t *testing.T) {
	f := newFixture(t)
	opmlFile := filepath.Join("..", "opml", "testdata", "freshrss.opml")
	out, stderr, code := f.run("sources", "import", opmlFile, "--write")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(out, opmlFile+`:13: skipped: type "html+xpath" is not a feed`) || !strings.Contains(out, "3 to create, 0 to replace, 0 already configured, 1 skipped: written to") {
		t.Fatalf("output:\n%s", out)
	}
	cfg, err := config.Load(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := cfg.Source("mondo-storia-archivio"); !ok || s.Feed != "https://www.mondohistory.example/rss.xml?lang=it&section=storia" || s.Category != "Uncategorized" || s.Selectors.Body != "div.article-content" {
		t.Fatalf("mondo-storia-archivio: %+v", s)
	}
}

// TestSourcesImportForeignSelector: a reader's full-content rule that is
// no CSS selector annalist reads is left out; the feed is still imported.
func TestSourcesImportForeignSelector(t *testing.T) {
	f := newFixture(t)
	file := filepath.Join(t.TempDir(), "subs.opml")
	const src = `<opml version="2.0" xmlns:frss="https://freshrss.org/opml"><body>
<outline text="Odd" type="rss" xmlUrl="https://odd.example/rss" frss:cssFullContent="div[class="/>
<outline text="Fine" type="rss" xmlUrl="https://fine.example/rss" frss:cssFullContent="article .text"/>
</body></opml>`
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var res importOut
	f.runJSON(&res, "sources", "import", file, "--write", "--json")
	if len(res.Sources) != 2 || res.Sources[0].Body != "" || res.Sources[1].Body != "article .text" || len(res.Skipped) != 0 {
		t.Fatalf("%+v", res)
	}
	cfg, err := config.Load(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := cfg.Source("odd"); !ok || !s.Selectors.Empty() {
		t.Fatalf("odd: %+v", s)
	}
}

// TestSourcesImportBadOPML: a malformed file is an error naming file and
// line, exit 1, nothing written.
func TestSourcesImportBadOPML(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Dir(f.cfg)
	bad := filepath.Join(dir, "bad.opml")
	if err := os.WriteFile(bad, []byte("<opml version=\"2.0\">\n<body>\n<outline text=\"a\" xmlUrl=\"https://a.example/rss\">\n</body>\n</opml>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := feedFiles(t, dir)
	_, stderr, code := f.run("sources", "import", bad, "--write")
	if code != 1 || !strings.Contains(stderr, bad+":4: not well-formed XML") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if got := feedFiles(t, dir); !reflect.DeepEqual(got, before) {
		t.Fatalf("files written: %v", got)
	}
	if _, stderr, code := f.run("sources", "import"); code != 2 || !strings.Contains(stderr, "one OPML file") {
		t.Fatalf("no file: exit %d, %q", code, stderr)
	}
}

// TestSourcesExportImportRoundTrip: export, import into an empty config,
// and the sources come back the same: names, titles, feeds, sites and
// categories and body selectors (a source without a title comes back titled by its name).
func TestSourcesExportImportRoundTrip(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Dir(f.cfg)
	for name, body := range map[string]string{
		"rome.yaml":   "title: \"Rome: \\\"the <eternal> city\\\" & more\"\nfeed: https://rome.example/feed?a=1&b=2\nsite: https://rome.example/\ncategory: Ancient / Rome\nselectors:\n  body: div.post > p\n",
		"athens.yaml": "title: Athens\nfeed: https://athens.example/rss\ncategory: Ancient / Rome\n",
		"loose.yaml":  "feed: https://loose.example/atom.xml\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, "feeds", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exported := filepath.Join(dir, "sources.opml")
	if _, stderr, code := f.run("sources", "export", "-o", exported); code != 0 || !strings.Contains(stderr, "wrote 4 sources to "+exported) {
		t.Fatalf("export: exit %d\n%s", code, stderr)
	}
	stdout, _, code := f.run("sources", "export")
	// The two runs may fall in different seconds: dateCreated aside.
	undated := regexp.MustCompile(`<dateCreated>[^<]*</dateCreated>`)
	if data, _ := os.ReadFile(exported); code != 0 || undated.ReplaceAllString(string(data), "") != undated.ReplaceAllString(stdout, "") {
		t.Fatalf("export to stdout differs from -o:\n%s", stdout)
	}

	other := t.TempDir()
	otherCfg := filepath.Join(other, "config.yaml")
	if err := os.WriteFile(otherCfg, []byte("data_dir: archive\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, stderr, code := f.run("--config", otherCfg, "sources", "import", exported, "--write"); code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, stderr)
	}
	a, err := config.Load(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := config.Load(otherCfg)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ Name, Title, Feed, Site, Category, Body string }
	keys := func(c *config.Config) []key {
		var out []key
		for _, s := range c.Sources {
			if s.Title == "" { // OPML needs a text: the name stands in
				s.Title = s.Name
			}
			out = append(out, key{s.Name, s.Title, s.Feed, s.Site, s.Category, s.Selectors.Body})
		}
		return out
	}
	if !reflect.DeepEqual(keys(a), keys(b)) {
		t.Fatalf("round trip:\n%+v\nwant\n%+v", keys(b), keys(a))
	}
}

// TestSourcesImportReplaceRelativeConfig: with the config named by a
// relative path (config.yaml in the working directory, the usual case),
// --replace still finds the configured source's file in feeds_dir and
// rewrites it, and an "exists" row names that file.
func TestSourcesImportReplaceRelativeConfig(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Dir(f.cfg)
	t.Chdir(dir)
	f.cfg = "config.yaml"
	opmlFile := filepath.Join(dir, "list.opml")
	doc := `<opml version="2.0"><body><outline text="Mine" type="rss" xmlUrl="https://mine.example/feed"/></body></opml>`
	if err := os.WriteFile(opmlFile, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "feeds", "mine.yaml")
	if err := os.WriteFile(path, []byte("title: Old\nfeed: https://mine.example/feed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var res importOut
	f.runJSON(&res, "sources", "import", opmlFile, "--json")
	if len(res.Sources) != 1 || res.Sources[0].Action != "exists" || res.Sources[0].Path != path {
		t.Fatalf("import of a configured feed: %+v, want exists with path %s", res.Sources, path)
	}
	res = importOut{}
	f.runJSON(&res, "sources", "import", opmlFile, "--write", "--replace", "--json")
	if len(res.Sources) != 1 || res.Sources[0].Action != "replace" || res.Sources[0].Path != path {
		t.Fatalf("--replace with a relative config path: %+v, want replace of %s", res.Sources, path)
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), `title: "Mine"`) {
		t.Fatalf("--replace did not rewrite %s:\n%s", path, data)
	}
}

// TestSourcesExportImportKeepsDottedNames: source names with '.' or '_'
// (valid names: a feeds file history.com.yaml is source history.com) come
// back unchanged through export and import, as the README promises.
func TestSourcesExportImportKeepsDottedNames(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Dir(f.cfg)
	for name, feed := range map[string]string{"history.com": "https://history.example/rss", "old_maps": "https://maps.example/rss"} {
		if err := os.WriteFile(filepath.Join(dir, "feeds", name+".yaml"), []byte("title: Some Title\nfeed: "+feed+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, code := f.run("sources", "export")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	g := newFixture(t)
	opmlFile := filepath.Join(filepath.Dir(g.cfg), "export.opml")
	if err := os.WriteFile(opmlFile, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	var res importOut
	g.runJSON(&res, "sources", "import", opmlFile, "--json")
	names := map[string]bool{}
	for _, s := range res.Sources {
		names[s.Name] = true
	}
	if !names["history.com"] || !names["old_maps"] {
		t.Fatalf("imported names %v, want history.com and old_maps kept", names)
	}
}

// TestSourcesImportMissingFile: a file that cannot be opened is exit 1
// with its name said once.
func TestSourcesImportMissingFile(t *testing.T) {
	f := newFixture(t)
	missing := filepath.Join(t.TempDir(), "nope.opml")
	_, stderr, code := f.run("sources", "import", missing)
	if code != 1 || strings.Count(stderr, missing) != 1 || !strings.Contains(stderr, "no such file") {
		t.Fatalf("exit %d, stderr %q: want exit 1 naming %s once", code, stderr, missing)
	}
}

// TestSourcesImportReplaceKeepsName: --replace on a feeds file whose
// source is named by a `name:` key (not its file name) keeps that name:
// the archive's articles stay with their source.
func TestSourcesImportReplaceKeepsName(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Dir(f.cfg)
	path := filepath.Join(dir, "feeds", "old-file.yaml")
	if err := os.WriteFile(path, []byte("name: chronicle\ntitle: Old\nfeed: https://chronicle.example/feed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	opmlFile := filepath.Join(dir, "list.opml")
	doc := `<opml version="2.0"><body><outline text="The Chronicle" type="rss" xmlUrl="https://chronicle.example/feed"/></body></opml>`
	if err := os.WriteFile(opmlFile, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	var res importOut
	f.runJSON(&res, "sources", "import", opmlFile, "--write", "--replace", "--json")
	if len(res.Sources) != 1 || res.Sources[0].Action != "replace" || res.Sources[0].Name != "chronicle" {
		t.Fatalf("import: %+v", res.Sources)
	}
	cfg, err := config.Load(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := cfg.Source("chronicle"); !ok || s.Title != "The Chronicle" {
		data, _ := os.ReadFile(path)
		t.Fatalf("after --replace, source chronicle: %+v (found %v); the file:\n%s", s, ok, data)
	}
}
