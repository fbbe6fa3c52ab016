package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Flag values that would silently do something else must be refused as
// usage errors (issue 12, point 4).
func TestBadFlagValuesAreUsageErrors(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "--limit", "-3"}, "--limit -3"},
		{[]string{"search", "tea", "--limit", "-1"}, "--limit -1"},
		{[]string{"search", "tea", "--limit", "0"}, "--limit 0"},
		{[]string{"diff", "x", "--color", "blue"}, "auto, always or never"},
	} {
		out, stderr, code := f.run(tc.args...)
		if code != 2 {
			t.Errorf("annalist %v: exit %d, want 2\nstdout: %s\nstderr: %s", tc.args, code, out, stderr)
			continue
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("annalist %v: stderr %q does not name %q", tc.args, stderr, tc.want)
		}
	}
}

// A --source filter naming no source is an error, not an empty table; a
// source dropped from the config but kept in the archive still filters.
func TestSourceFilterMustNameASource(t *testing.T) {
	f := newFixture(t)
	if _, stderr, code := f.run("fetch"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s", code, stderr)
	}
	for _, args := range [][]string{
		{"list", "--source", "nosuch"},
		{"search", "tea", "--source", "nosuch"},
	} {
		out, stderr, code := f.run(args...)
		if code != 2 || !strings.Contains(stderr, `"nosuch"`) {
			t.Errorf("annalist %v: exit %d, want 2 naming \"nosuch\"\nstdout: %s\nstderr: %s", args, code, out, stderr)
		}
	}
	if err := os.Remove(filepath.Join(filepath.Dir(f.cfg), "feeds", "mondo-history.yaml")); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := f.run("list", "--source", "mondo-history")
	if code != 0 || !strings.Contains(out, "mondo-history") {
		t.Errorf("list --source of an archived, unconfigured source: exit %d\nstdout: %s\nstderr: %s", code, out, stderr)
	}
}

// A feeds_dir written in config.yaml that does not exist is an error naming
// the file and key, exit 2; the default ./feeds may be absent.
func TestMissingFeedsDirIsAnError(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Dir(f.cfg)
	cfg := "data_dir: archive\nfeeds_dir: feedz\nhttp:\n  allow_private_networks: true\n"
	if err := os.WriteFile(f.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := f.run("sources")
	if code != 2 || !strings.Contains(stderr, "config.yaml:2") || !strings.Contains(stderr, "feeds_dir") || !strings.Contains(stderr, "feedz") {
		t.Errorf("missing feeds_dir: exit %d, want 2 naming config.yaml:2, feeds_dir and feedz\nstdout: %s\nstderr: %s", code, out, stderr)
	}
	// Default feeds dir absent, inline sources only: still fine.
	if err := os.RemoveAll(filepath.Join(dir, "feeds")); err != nil {
		t.Fatal(err)
	}
	cfg = "data_dir: archive\nsources:\n  - name: inline\n    feed: http://127.0.0.1:1/rss.xml\n"
	if err := os.WriteFile(f.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, stderr, code := f.run("sources"); code != 0 || !strings.Contains(out, "inline") {
		t.Errorf("inline sources without a feeds dir: exit %d\nstdout: %s\nstderr: %s", code, out, stderr)
	}
}

// Help and misspelt commands (issue 12, point 5).
func TestHelpAndDidYouMean(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lsit"}, "did you mean list?"},
		{[]string{"serach", "tea"}, "did you mean search?"},
		{[]string{"help", "nosuch"}, `unknown command "nosuch"`},
		{[]string{"help", "fetc"}, "did you mean fetch?"},
	} {
		out, stderr, code := f.run(tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("annalist %v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
		if out != "" {
			t.Errorf("annalist %v: printed on stdout: %q", tc.args, out)
		}
	}
	if _, stderr, _ := f.run("zzzzzzzz"); strings.Contains(stderr, "did you mean") {
		t.Errorf("a name far from every command got a suggestion: %q", stderr)
	}

	// `help fetch` and `fetch --help` print the same help, with the flags
	// spelt as the docs spell them.
	help, stderr, code := f.run("help", "fetch")
	if code != 0 || stderr != "" {
		t.Fatalf("help fetch: exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"usage: annalist fetch", "--recheck", "--url", "--json"} {
		if !strings.Contains(help, want) {
			t.Errorf("help fetch lacks %q:\n%s", want, help)
		}
	}
	out, _, code := f.run("list", "--help")
	if code != 0 || !strings.Contains(out, "  --limit N") || strings.Contains(out, "\n  -limit") {
		t.Errorf("list --help: exit %d, want flags spelt --limit:\n%s", code, out)
	}
	if again, _, _ := f.run("fetch", "--help"); again != help {
		t.Errorf("fetch --help differs from help fetch:\n%s\n---\n%s", again, help)
	}
}

// A bad flag prints the error and the usage once, on stderr.
func TestBadFlagPrintsUsageOnce(t *testing.T) {
	f := newFixture(t)
	out, stderr, code := f.run("list", "--limt", "3")
	if code != 2 || out != "" {
		t.Fatalf("list --limt: exit %d, stdout %q", code, out)
	}
	if n := strings.Count(stderr, "usage: annalist list"); n != 1 {
		t.Errorf("usage printed %d times:\n%s", n, stderr)
	}
	if n := strings.Count(stderr, "-limt"); n != 1 {
		t.Errorf("error printed %d times:\n%s", n, stderr)
	}
}

// Every flag error names the flag as the docs and usage lines spell it
// (--limit), not as the flag package does (-limit): a bad value, a
// missing value, a bad boolean.
func TestFlagErrorsSpellFlagsWithTwoDashes(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "--limit", "x"}, "for flag --limit"},
		{[]string{"serve", "--listen"}, "needs an argument: --listen"},
		{[]string{"list", "--json=maybe"}, "for --json"},
		{[]string{"fetch", "--bogus"}, "not defined: --bogus"},
	} {
		_, stderr, code := f.run(tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("annalist %v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// Errors about files name each file once, the one the user gave, and a
// bad --recheck reads like the other bad flag values.
func TestFileErrorsNameTheFileOnce(t *testing.T) {
	f := newFixture(t)
	f.run("fetch")
	missing := filepath.Join(t.TempDir(), "nosuch")
	for _, tc := range []struct {
		args    []string
		want    string
		notWant string
	}{
		{[]string{"extract", missing + ".html"}, missing + ".html", "read " + missing},
		{[]string{"export", "-o", filepath.Join(missing, "x.wacz")}, "-o " + filepath.Join(missing, "x.wacz") + ": no directory " + missing, ".tmp"},
		{[]string{"fetch", "--recheck", "sometimes"}, "--recheck sometimes: must be none, due or all", "recheck must"},
	} {
		_, stderr, code := f.run(tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, tc.notWant) {
			t.Errorf("annalist %v: exit %d, stderr %q; want %q and not %q", tc.args, code, stderr, tc.want, tc.notWant)
		}
		if strings.Count(stderr, missing) > 1 && !strings.Contains(stderr, "no directory "+missing) {
			t.Errorf("annalist %v names the file more than once: %q", tc.args, stderr)
		}
	}
}
