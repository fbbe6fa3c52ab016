package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"annalist/internal/cli"
	"annalist/internal/demosite"
	"annalist/internal/store"
)

const sample = "chiang-ching-kuo-outer-mongolia"

type fixture struct {
	t    *testing.T
	site *demosite.Site
	base string
	cfg  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	site := demosite.New()
	srv := httptest.NewServer(site.Handler())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "feeds"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "data_dir: archive\nhttp:\n  per_host_interval: 0s\n  allow_private_networks: true\nweb:\n  listen: 127.0.0.1:0\n"
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "feeds", "mondo-history.yaml"), demosite.SourceYAML(srv.URL+"/rss.xml"), 0o644); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, site: site, base: srv.URL, cfg: filepath.Join(dir, "config.yaml")}
}

// storeFixture is a fixture with no site whose archive is open in st, for
// a test to fill directly (and close) before it runs commands on it.
func storeFixture(t *testing.T) (*fixture, *store.Store) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("data_dir: archive\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, "archive"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, cfg: cfg}, st
}

// run runs annalist with the fixture's config and returns stdout, stderr
// and the exit code.
func (f *fixture) run(args ...string) (string, string, int) {
	f.t.Helper()
	var out, errb bytes.Buffer
	m := &cli.Main{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""),
		Getenv: func(k string) string {
			if k == "ANNALIST_CONFIG" {
				return f.cfg
			}
			return ""
		}}
	code := m.Run(context.Background(), args)
	return out.String(), errb.String(), code
}

// runJSON runs a command that must succeed and decodes its stdout.
func (f *fixture) runJSON(v any, args ...string) {
	f.t.Helper()
	out, stderr, code := f.run(args...)
	if code != 0 {
		f.t.Fatalf("annalist %v: exit %d\nstderr: %s", args, code, stderr)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(v); err != nil {
		f.t.Fatalf("annalist %v: stdout is not the JSON contract: %v\n%s", args, err, out)
	}
	if dec.More() {
		f.t.Fatalf("annalist %v: more than one JSON document on stdout", args)
	}
}

// keys returns the sorted keys of each object of a JSON array or object.
func keys(t *testing.T, out string) []string {
	t.Helper()
	var raw any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	obj := raw
	if arr, ok := raw.([]any); ok {
		if len(arr) == 0 {
			t.Fatal("empty array")
		}
		obj = arr[0]
	}
	var ks []string
	for k := range obj.(map[string]any) {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func sorted(s ...string) []string { sort.Strings(s); return s }

func TestFetchAndBrowseJSONContract(t *testing.T) {
	f := newFixture(t)
	n := len(f.site.Slugs())

	var fetched struct {
		Sources []struct {
			Name        string `json:"name"`
			Items       int    `json:"items"`
			New         int    `json:"new"`
			Revised     int    `json:"revised"`
			Unchanged   int    `json:"unchanged"`
			NotModified int    `json:"not_modified"`
			Errors      int    `json:"errors"`
		} `json:"sources"`
	}
	out, _, _ := f.run("fetch", "--json")
	if got, want := keys(t, out), sorted("sources"); !reflect.DeepEqual(got, want) {
		t.Fatalf("fetch --json keys = %v, want %v", got, want)
	}
	var rawFetch struct{ Sources []map[string]any }
	json.Unmarshal([]byte(out), &rawFetch)
	json.Unmarshal([]byte(out), &fetched)
	var fetchKeys []string
	for k := range rawFetch.Sources[0] {
		fetchKeys = append(fetchKeys, k)
	}
	sort.Strings(fetchKeys)
	if want := sorted("name", "items", "new", "revised", "unchanged", "not_modified", "errors", "moved", "gone", "back", "not_due", "later", "no_link", "rechecked", "next_due"); !reflect.DeepEqual(fetchKeys, want) {
		t.Fatalf("fetch --json source keys = %v, want %v", fetchKeys, want)
	}
	if len(fetched.Sources) != 1 || fetched.Sources[0].Name != "mondo-history" || fetched.Sources[0].New != n || fetched.Sources[0].Items != n {
		t.Fatalf("fetch --json = %+v, want %d new in mondo-history", fetched, n)
	}

	out, _, _ = f.run("sources", "--json")
	if got, want := keys(t, out), sorted("name", "title", "feed", "schedule", "next_run", "last_poll_at", "last_outcome", "last_error", "articles", "snapshots", "gone"); !reflect.DeepEqual(got, want) {
		t.Fatalf("sources keys = %v, want %v", got, want)
	}
	var srcs []map[string]any
	f.runJSON(&srcs, "sources", "--json")
	if srcs[0]["last_outcome"] != "ok" || srcs[0]["articles"].(float64) != float64(n) || srcs[0]["next_run"] == nil {
		t.Fatalf("sources = %v", srcs)
	}

	out, _, _ = f.run("list", "--json")
	if got, want := keys(t, out), sorted("id", "source", "url", "title", "snapshots", "first_seen", "last_captured_at", "latest_revision_date", "state", "state_since"); !reflect.DeepEqual(got, want) {
		t.Fatalf("list keys = %v, want %v", got, want)
	}
	var list []struct {
		ID, Source, URL, Title string
		Snapshots              int
	}
	f.runJSON(&list, "list", "--json", "--source", "mondo-history")
	if len(list) != n {
		t.Fatalf("list = %d articles, want %d", len(list), n)
	}
	articleURL := f.base + demosite.Path(sample)
	var id string
	for _, a := range list {
		if a.URL == articleURL {
			id = a.ID
		}
	}
	if id == "" {
		t.Fatalf("no article with URL %s in %+v", articleURL, list)
	}

	// Revise the article and re-check everything.
	f.site.Revise(sample, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), func(p []string) []string {
		p[0] = strings.Replace(p[0], "both China and Japan were exhausted", "China and Japan were both worn out", 1)
		return p
	})
	f.runJSON(&fetched, "fetch", "mondo-history", "--recheck", "all", "--json")
	if fetched.Sources[0].Revised != 1 || fetched.Sources[0].NotModified != n-1 {
		t.Fatalf("after a revision: %+v", fetched.Sources[0])
	}

	out, _, _ = f.run("history", id, "--json")
	if got, want := keys(t, out), sorted("id", "captured_at", "revision_date", "published_date", "title", "fingerprint", "words", "pages", "declared_canonical", "state", "state_since"); !reflect.DeepEqual(got, want) {
		t.Fatalf("history keys = %v, want %v", got, want)
	}
	var hist []struct {
		RevisionDate string `json:"revision_date"`
		SnapID       string `json:"id"`
	}
	f.runJSON(&hist, "history", articleURL+"?utm_source=x", "--json") // any spelling of its URL
	if len(hist) != 2 || !strings.HasPrefix(hist[1].RevisionDate, "2024-03-01") {
		t.Fatalf("history = %+v", hist)
	}

	out, stderr, code := f.run("diff", id)
	if code != 0 || !strings.Contains(out, "[-both China and Japan were exhausted-]") || !strings.Contains(out, "{+China and Japan were both worn out+}") {
		// Word diffs may group differently; both wordings must be there.
		if code != 0 || !strings.Contains(out, "exhausted") || !strings.Contains(out, "worn out") || !strings.Contains(out, "[-") || !strings.Contains(out, "{+") {
			t.Fatalf("diff: exit %d\n%s\n%s", code, out, stderr)
		}
	}

	var shown map[string]any
	f.runJSON(&shown, "show", id, "--format", "json", "--snapshot", hist[0].SnapID)
	if !strings.Contains(shown["text"].(string), "both China and Japan were exhausted") {
		t.Fatalf("show --snapshot of the first version: %v", shown["text"])
	}
	f.runJSON(&shown, "show", id, "--format", "json", "--at", "2099-01-01")
	if shown["id"] != hist[1].SnapID {
		t.Fatalf("show --at the future = %v, want the latest %s", shown["id"], hist[1].SnapID)
	}
	if shown["pages"] != 1.0 {
		t.Fatalf("show json pages = %v, want 1", shown["pages"])
	}
	if w := shown["warc"].(map[string]any); w["record_id"] == "" || w["file"] == "" {
		t.Fatalf("show json without WARC location: %v", w)
	}

	out, _, _ = f.run("search", "Yalta", "--json")
	if got, want := keys(t, out), sorted("article", "snapshot", "source", "title", "url", "captured_at", "snippet", "revision_date"); !reflect.DeepEqual(got, want) {
		t.Fatalf("search keys = %v, want %v", got, want)
	}
	// Text output groups an article's matching versions, as the web page
	// does: the newest with its snippet, then the earlier ones.
	out, _, _ = f.run("search", "Yalta")
	if !strings.HasPrefix(out, hist[1].SnapID+"  ") || !strings.Contains(out, "\n  also in 1 earlier version: "+hist[0].SnapID) ||
		strings.Count(out, hist[0].SnapID) != 1 {
		t.Fatalf("search text output not grouped by article (latest %s, earlier %s):\n%s", hist[1].SnapID, hist[0].SnapID, out)
	}
	var hits []map[string]any
	f.runJSON(&hits, "search", "worn", "out", "--json")
	if len(hits) != 1 || hits[0]["article"] != id {
		t.Fatalf("search 'worn out' = %v, want the revised snapshot only", hits)
	}
}

func TestGlobalFlagsAnywhere(t *testing.T) {
	f := newFixture(t)
	for _, args := range [][]string{
		{"--config", f.cfg, "sources", "--json"},
		{"sources", "--json", "--config", f.cfg},
		{"sources", "--config=" + f.cfg, "--log-level", "debug", "--json"},
	} {
		out, stderr, code := f.run(args...)
		if code != 0 || !strings.HasPrefix(strings.TrimSpace(out), "[") {
			t.Fatalf("annalist %v: exit %d\n%s\n%s", args, code, out, stderr)
		}
	}
}

func TestErrorsAndExitCodes(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"nosuch"}, 2, `unknown command "nosuch"`},
		{[]string{"fetch", "nosuch"}, 2, `no source named "nosuch"`},
		{[]string{"fetch", "--recheck", "sometimes"}, 2, "--recheck sometimes: must be none, due or all"},
		{[]string{"history"}, 2, "history takes one ARTICLE"},
		{[]string{"history", "ffffffffffff"}, 1, `no article "ffffffffffff"`},
		{[]string{"show", "x", "--format", "pdf"}, 2, "--format"},
		{[]string{"--config", "/nonexistent/config.yaml", "list"}, 1, "/nonexistent/config.yaml"},
		{[]string{"list", "--log-format", "xml"}, 2, "--log-format"},
		{[]string{"search", "NEAR(a b)"}, 2, "NEAR is not supported"},
	}
	for _, c := range cases {
		out, stderr, code := f.run(c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("annalist %v: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, c.code, c.want)
		}
		if out != "" {
			t.Errorf("annalist %v: printed on stdout on error: %q", c.args, out)
		}
	}
}

func TestFetchExitsOneWhenAPageFails(t *testing.T) {
	f := newFixture(t)
	f.site.SetGone("silk-road-caravan-cities", true)
	out, stderr, code := f.run("fetch", "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr, "silk-road-caravan-cities") || !strings.Contains(stderr, "404") {
		t.Fatalf("the failed page is not named on stderr: %q", stderr)
	}
	var res struct {
		Sources []struct {
			New, Errors int
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Sources[0].Errors != 1 || res.Sources[0].New != len(f.site.Slugs())-1 {
		t.Fatalf("fetch = %+v; the other pages must still be archived", res)
	}
}

func TestFetchURL(t *testing.T) {
	f := newFixture(t)
	out, _, _ := f.run("fetch", "--url", f.base+demosite.Path(sample), "--source", "mondo-history", "--json")
	if got, want := keys(t, out), sorted("url", "article", "outcome", "snapshot", "error"); !reflect.DeepEqual(got, want) {
		t.Fatalf("fetch --url --json keys = %v, want %v", got, want)
	}
	var r map[string]any
	json.Unmarshal([]byte(out), &r)
	if r["outcome"] != "new" || r["snapshot"] == "" {
		t.Fatalf("fetch --url = %v", r)
	}
	f.runJSON(&r, "fetch", "--url", f.base+demosite.Path(sample), "--source", "mondo-history", "--json")
	if r["outcome"] != "unchanged" && r["outcome"] != "not-modified" {
		t.Fatalf("second fetch --url = %v", r)
	}
	var list []map[string]any
	f.runJSON(&list, "list", "--json")
	if len(list) != 1 || list[0]["snapshots"].(float64) != 1 {
		t.Fatalf("list = %v", list)
	}
}

func TestExtractShowsSelectors(t *testing.T) {
	f := newFixture(t)
	page := filepath.Join(t.TempDir(), "page.html")
	resp := fetchBytes(t, f.base+demosite.Path(sample))
	if err := os.WriteFile(page, resp, 0o644); err != nil {
		t.Fatal(err)
	}
	var x map[string]any
	f.runJSON(&x, "extract", "--source", "mondo-history", "--format", "json", page)
	if x["extractor"] != "selectors" || x["revision_date"] == nil || !strings.HasPrefix(x["revision_date"].(string), "2024-01-31") {
		t.Fatalf("extract = %v", x)
	}
	if strings.Contains(x["text"].(string), "Related Pages") {
		t.Fatal("Related Pages kept")
	}
	m := x["matched"].(map[string]any)
	if m["body"] != "div.article-content" {
		t.Fatalf("matched = %v", m)
	}
	if x["next_page"] != "" {
		t.Fatalf("next_page = %v on a one-page article", x["next_page"])
	}
	paged := filepath.Join(t.TempDir(), "paged.html")
	if err := os.WriteFile(paged, []byte(`<html><head><link rel="next" href="/essay?page=2"></head><body><article><h1>Essay</h1><p>`+
		strings.Repeat("Words of the first page of the essay. ", 20)+`</p></article></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	f.runJSON(&x, "extract", "--format", "json", "--url", "https://history.example/essay", paged)
	if x["next_page"] != "https://history.example/essay?page=2" {
		t.Fatalf("next_page = %v", x["next_page"])
	}
	out, _, _ := f.run("extract", "--url", "https://history.example/essay", paged)
	if !strings.Contains(out, "next page: https://history.example/essay?page=2") {
		t.Fatalf("extract text does not name the next page:\n%s", out)
	}
}

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	m := &cli.Main{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := m.Run(context.Background(), []string{"demo", "--data", dir, "--log-level", "error"}); code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	text := out.String()
	for _, want := range []string{"1 revised", "2024-01-31", "[-", "{+", "annalist --config",
		"1 moved, 1 gone", "moved from ", "-of-the-ming.html", "state: gone since ", "gone: 410 Gone"} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q:\n%s", want, text)
		}
	}
	// The kept archive browses with the printed config.
	cfg := filepath.Join(dir, "config.yaml")
	out.Reset()
	if code := m.Run(context.Background(), []string{"--config", cfg, "list", "--json"}); code != 0 {
		t.Fatalf("list on the demo archive: %s", errb.String())
	}
	var list []map[string]any
	if err := json.Unmarshal(out.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	snaps := 0
	for _, a := range list {
		snaps += int(a["snapshots"].(float64))
	}
	if snaps != len(list)+1 {
		t.Fatalf("demo archive: %d articles, %d snapshots; want exactly one revision stored", len(list), snaps)
	}
}

// TestDemoRefusesAUsedDirectory: a second demo into the first one's
// directory told a false story ("First poll: every article is new", then
// "0 new … 5 moved", each article's history doubled); it is now refused
// before anything runs, exit 2, naming the directory.
func TestDemoRefusesAUsedDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("data_dir: archive\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	m := &cli.Main{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := m.Run(context.Background(), []string{"demo", "--data", dir})
	if code != 2 || !strings.Contains(errb.String(), dir) || !strings.Contains(errb.String(), "not empty") {
		t.Fatalf("demo into a used directory: exit %d, stderr %q; want exit 2 naming %s", code, errb.String(), dir)
	}
	if out.Len() != 0 {
		t.Errorf("demo ran anyway:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "archive")); err == nil {
		t.Errorf("demo wrote an archive into the used directory")
	}
}

func fetchBytes(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSourcesShowsAFailingSource(t *testing.T) {
	f := newFixture(t)
	feeds := filepath.Join(filepath.Dir(f.cfg), "feeds", "mondo-history.yaml")
	if err := os.WriteFile(feeds, demosite.SourceYAML(f.base+"/no-such-feed.xml"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, _, code := f.run("fetch"); code != 1 {
			t.Fatalf("fetch of a missing feed: exit %d, want 1", code)
		}
	}
	out, _, code := f.run("sources")
	// The table gives the short cause, the line below it the whole error.
	if code != 0 || !strings.Contains(out, "failing (3 polls in a row): HTTP 404") ||
		!strings.Contains(out, "mondo-history: last error: feed "+f.base+"/no-such-feed.xml could not be fetched: 404 Not Found") {
		t.Fatalf("sources output does not show the failing source:\n%s", out)
	}
	var rows []map[string]any
	f.runJSON(&rows, "sources", "--json")
	if rows[0]["last_outcome"] != "error" || !strings.Contains(rows[0]["last_error"].(string), "no-such-feed.xml") {
		t.Fatalf("sources --json = %v", rows)
	}
}

func TestShowCitationFormats(t *testing.T) {
	f := newFixture(t)
	var r map[string]any
	f.runJSON(&r, "fetch", "--url", f.base+demosite.Path(sample), "--source", "mondo-history", "--json")
	id, snap := r["article"].(string), r["snapshot"].(string)
	ts := strings.TrimPrefix(snap, id+"/")

	// Without web.base_url the archive URL is derived from web.listen.
	out, stderr, code := f.run("show", id, "--format", "bibtex", "--snapshot", ts)
	if code != 0 || !strings.HasPrefix(out, "@misc{annalist:"+id+":"+ts+",") ||
		!strings.Contains(out, `\url{http://127.0.0.1:0/a/`+snap+`}`) || !strings.Contains(out, "howpublished = {Mondo History}") {
		t.Fatalf("show --format bibtex: exit %d\n%s\n%s", code, out, stderr)
	}
	cfg, err := os.ReadFile(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg = append(cfg, "  base_url: https://archive.example.org\n"...)
	if err := os.WriteFile(f.cfg, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	f.runJSON(&items, "show", id, "--format", "csl-json", "--at", "2099-01-01")
	if len(items) != 1 || items[0]["type"] != "webpage" || items[0]["archive_location"] != "https://archive.example.org/a/"+snap ||
		items[0]["container-title"] != "Mondo History" || items[0]["archive"] != "annalist" {
		t.Fatalf("show --format csl-json = %v", items)
	}
	if _, stderr, code := f.run("show", id, "--format", "ris"); code != 2 || !strings.Contains(stderr, "bibtex or csl-json") {
		t.Fatalf("--format ris: exit %d, %s", code, stderr)
	}
}
