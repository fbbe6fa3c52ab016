package cli_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"annalist/internal/demosite"
)

// TestExtractJSONEmptyListsAreArrays: every list in `extract --json` is an
// array, [] when empty, never null (the contract of every --json output).
func TestExtractJSONEmptyListsAreArrays(t *testing.T) {
	f := newFixture(t)
	page := filepath.Join(t.TempDir(), "page.html")
	html := `<html><head><title>Essay</title></head><body><article><h1>Essay</h1><p>` +
		strings.Repeat("Words of the essay on the grain fleets of the Grand Canal. ", 20) + `</p></article></body></html>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := f.run("extract", "--format", "json", "--url", "https://history.example/essay", page)
	if code != 0 {
		t.Fatalf("extract: exit %d\n%s", code, stderr)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"warnings", "template"} {
		if got := string(raw[k]); got != "[]" {
			t.Errorf("%q = %s, want []", k, got)
		}
	}
	for _, k := range []string{"matched", "removed_by", "dropped"} {
		if got := string(raw[k]); !strings.HasPrefix(got, "{") {
			t.Errorf("%q = %s, want an object", k, got)
		}
	}
}

// TestDiffRefErrorsNameTheArgument: a FROM or TO that is no date or no
// snapshot says so of FROM/TO (diff has no --at flag), exit 2 for a bad
// date, and a missing snapshot ID is named as such, not as a bad date.
func TestDiffRefErrorsNameTheArgument(t *testing.T) {
	f := newFixture(t)
	if _, stderr, code := f.run("fetch"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s", code, stderr)
	}
	var list []struct {
		ID string `json:"id"`
	}
	f.runJSON(&list, "list", "--json")
	id := list[0].ID
	_, stderr, code := f.run("diff", id, "2030-01-01", "20200101")
	if code != 2 || !strings.Contains(stderr, `TO: "20200101" is not a date`) || strings.Contains(stderr, "--at") {
		t.Errorf("diff with a bad TO: exit %d\n%s", code, stderr)
	}
	_, stderr, code = f.run("diff", id, id+"/20000101000000", "2030-01-01")
	if code != 1 || !strings.Contains(stderr, "no snapshot "+id+"/20000101000000") {
		t.Errorf("diff with a missing snapshot ID: exit %d\n%s", code, stderr)
	}
}

// rfc3339Second is how every date is printed: RFC 3339 in UTC, to the second.
var rfc3339Second = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// TestFetchJSONNextDueToTheSecond: fetch --json's next_due is printed as
// every other date (RFC 3339 in UTC to the second), not with nanoseconds.
func TestFetchJSONNextDueToTheSecond(t *testing.T) {
	f := newFixture(t)
	if _, stderr, code := f.run("fetch"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s", code, stderr)
	}
	var out struct {
		Sources []struct {
			NextDue *string `json:"next_due"`
		} `json:"sources"`
	}
	f.runJSON(&out, "fetch", "--json")
	if len(out.Sources) != 1 || out.Sources[0].NextDue == nil {
		t.Fatalf("fetch --json: %+v, want one source with a next_due", out)
	}
	if got := *out.Sources[0].NextDue; !rfc3339Second.MatchString(got) {
		t.Errorf("next_due = %q, want RFC 3339 in UTC to the second", got)
	}
}

// TestDateFlagsHelpNamesEveryFormat: every flag that takes a date says in
// its help the three forms the README says every date flag accepts.
func TestDateFlagsHelpNamesEveryFormat(t *testing.T) {
	f := newFixture(t)
	for _, c := range [][2]string{{"list", "--since DATE"}, {"export", "--since DATE"}, {"show", "--at TIME"}} {
		out, _, code := f.run(c[0], "--help")
		if code != 0 {
			t.Fatalf("%s --help: exit %d", c[0], code)
		}
		i := strings.Index(out, "\n  "+c[1]+"\n")
		if i < 0 {
			t.Fatalf("%s --help does not list %s:\n%s", c[0], c[1], out)
		}
		help, _, _ := strings.Cut(out[i+1:], "\n  --")
		for _, form := range []string{"RFC 3339", "YYYY-MM-DD", "YYYYMMDDhhmmss"} {
			if !strings.Contains(help, form) {
				t.Errorf("%s %s: help does not name %s: %q", c[0], c[1], form, help)
			}
		}
	}
}

// TestFeedNotAFeedSaysItOnce: a feed URL that answers a web page is
// reported as "could not be read: no feed format detected", without the
// parser's prefixes stacked ("parse feed: feed: …").
func TestFeedNotAFeedSaysItOnce(t *testing.T) {
	f := newFixture(t)
	src := "feed: " + f.base + demosite.Path(sample) + "\n"
	if err := os.WriteFile(filepath.Join(filepath.Dir(f.cfg), "feeds", "mondo-history.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := f.run("fetch")
	want := "feed " + f.base + demosite.Path(sample) + " could not be read: no feed format detected\n"
	if code != 1 || !strings.Contains(out+stderr, want) {
		t.Errorf("fetch of a web page as a feed: exit %d, output lacks %q:\n%s%s", code, want, out, stderr)
	}
	var srcs []struct {
		LastError string `json:"last_error"`
	}
	f.runJSON(&srcs, "sources", "--json")
	if len(srcs) != 1 || strings.Contains(srcs[0].LastError, "feed: feed:") {
		t.Errorf("sources --json: %+v", srcs)
	}
}

// TestVerifyJSONKeysOnEveryProblem: every element of verify --json's
// "damaged" has the keys the README lists, a pointer problem (a WARC file
// gone) as well as a damaged stretch.
func TestVerifyJSONKeysOnEveryProblem(t *testing.T) {
	f := newFixture(t)
	if _, stderr, code := f.run("fetch"); code != 0 {
		t.Fatalf("fetch: %s", stderr)
	}
	files, err := filepath.Glob(filepath.Join(f.archiveDir(), "warc", "*.warc.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no WARC files: %v", err)
	}
	for _, p := range files {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, code := f.run("verify", "--json")
	if code != 1 {
		t.Fatalf("verify with the WARC files gone: exit %d\n%s", code, stderr)
	}
	var v struct {
		Damaged []map[string]json.RawMessage `json:"damaged"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Damaged) == 0 {
		t.Fatalf("verify --json: %v\n%s", err, out)
	}
	for _, d := range v.Damaged {
		for _, k := range []string{"file", "offset", "end", "record_id", "problem", "snapshots"} {
			if _, ok := d[k]; !ok {
				t.Errorf("damaged element lacks %q (problem %s)", k, d["problem"])
			}
		}
	}
}

// TestReindexJSONKeys: reindex --json has every key the README lists,
// moved_aside "" when there was no database to move aside.
func TestReindexJSONKeys(t *testing.T) {
	f := newFixture(t)
	if _, stderr, code := f.run("fetch"); code != 0 {
		t.Fatalf("fetch: %s", stderr)
	}
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(f.archiveDir(), "annalist.db"+s))
	}
	var rep map[string]any
	f.runJSON(&rep, "reindex", "--from-warc", "--json")
	for _, k := range []string{"files", "records", "sources", "articles", "snapshots", "duplicates", "no_metadata", "damaged", "raw_damaged", "moved_aside"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("reindex --json lacks %q: %v", k, rep)
		}
	}
	if rep["moved_aside"] != nil && rep["moved_aside"] != "" {
		t.Errorf("moved_aside = %v with no database to move aside", rep["moved_aside"])
	}
}

// TestListenFlagThatIsNoAddress: serve --listen and demo --listen with a
// value that is no host:port are bad usage (exit 2, naming --listen), as
// web.listen: nonsense in config.yaml is; a port in use stays a failure.
func TestListenFlagThatIsNoAddress(t *testing.T) {
	f := newFixture(t)
	if _, stderr, code := f.run("fetch"); code != 0 {
		t.Fatalf("fetch: %s", stderr)
	}
	for _, args := range [][]string{{"serve", "--listen", "nonsense"}, {"demo", "--listen", "nonsense"}} {
		_, stderr, code := f.run(args...)
		if code != 2 || !strings.Contains(stderr, `--listen "nonsense": want host:port`) {
			t.Errorf("annalist %v: exit %d\n%s", args, code, stderr)
		}
	}
}

// TestFetchEmptyURLIsNoPoll: fetch --url "" (a script's unset variable) is
// bad usage, not a poll of every source.
func TestFetchEmptyURLIsNoPoll(t *testing.T) {
	f := newFixture(t)
	out, stderr, code := f.run("fetch", "--url", "", "--json")
	if code != 2 || !strings.Contains(stderr, "--url is empty") || out != "" {
		t.Errorf("fetch --url '': exit %d\nstdout %s\nstderr %s", code, out, stderr)
	}
	if n := f.site.Requests("/rss.xml"); n != 0 {
		t.Errorf("the feed was requested %d times", n)
	}
}

// TestFetchSourceNamedTwice: fetch S S polls S once (one element in
// --json, one request of its feed), not twice at the same time.
func TestFetchSourceNamedTwice(t *testing.T) {
	f := newFixture(t)
	var out struct {
		Sources []struct {
			Name string `json:"name"`
		} `json:"sources"`
	}
	f.runJSON(&out, "fetch", "mondo-history", "mondo-history", "--json")
	if len(out.Sources) != 1 {
		t.Errorf("fetch --json lists %d sources, want 1: %+v", len(out.Sources), out)
	}
	if n := f.site.Requests("/rss.xml"); n != 1 {
		t.Errorf("the feed was requested %d times, want 1", n)
	}
}

// TestFetchURLThatIsNoURL: a --url value that is no absolute http(s) URL
// is bad usage (exit 2, naming it), checked before the archive is
// opened: no error capture is recorded of a mistyped flag.
func TestFetchURLThatIsNoURL(t *testing.T) {
	f := newFixture(t)
	for _, u := range []string{"notaurl", "example.org/page", "ftp://example.org/a", "http:///nohost"} {
		out, stderr, code := f.run("fetch", "--url", u, "--json")
		if code != 2 || !strings.Contains(stderr, "--url \""+u+"\" is no absolute http or https URL") || out != "" {
			t.Errorf("fetch --url %q: exit %d\nstdout %s\nstderr %s", u, code, out, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(f.cfg), "archive")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the archive was opened for a bad --url: %v", err)
	}
}

// TestSearchBadQueryReadsForPeople: a query the index cannot parse is bad
// usage that says how a search is written, as the web page does, not the
// parser's words ("no such column", "fts5: syntax error").
func TestSearchBadQueryReadsForPeople(t *testing.T) {
	f := newFixture(t)
	if _, stderr, code := f.run("fetch"); code != 0 {
		t.Fatalf("fetch: exit %d: %s", code, stderr)
	}
	for _, q := range []string{"col:x", `"unterminated`, "AND"} {
		_, stderr, code := f.run("search", q)
		if code != 2 || !strings.Contains(stderr, "could not be understood") || !strings.Contains(stderr, `use "quotes" for a phrase`) ||
			strings.Contains(stderr, "column") || strings.Contains(stderr, "fts5") {
			t.Errorf("search %q: exit %d, stderr %s", q, code, stderr)
		}
	}
}
