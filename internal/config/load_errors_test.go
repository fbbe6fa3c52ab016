package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// wantErr is one expected problem: exact file, line and field, and a part
// of the message.
type wantErr struct {
	file  string
	line  int
	field string
	msg   string
}

// TestLoadErrors loads each testdata/bad/<case>/config.yaml from inside its
// directory, as a user would, and expects exactly the listed problems.
func TestLoadErrors(t *testing.T) {
	cases := []struct {
		dir  string
		want []wantErr
	}{
		{"unknown-key", []wantErr{
			{"config.yaml", 2, "htp", `unknown field "htp"`},
			{"config.yaml", 5, "http.timeot", `unknown field "timeot"`},
		}},
		{"duplicate-key", []wantErr{
			{"config.yaml", 4, "data_dir", "duplicate key (first defined at line 1)"},
		}},
		{"wrong-type", []wantErr{
			{"config.yaml", 2, "http.timeout", "want a string, got a list"},
			{"config.yaml", 3, "http.per_host_concurrency", "want an integer, got a string"},
			{"config.yaml", 4, "http.respect_robots", "want true or false, got a string"},
			{"config.yaml", 5, "http.max_items", "want an integer, got a number"},
			{"config.yaml", 6, "web", "want a mapping, got an integer"},
		}},
		{"http-values", []wantErr{
			{"config.yaml", 2, "http.timeout", "must be positive"},
			{"config.yaml", 3, "http.max_body", "must be positive"},
			{"config.yaml", 4, "http.per_host_interval", "must not be negative"},
			{"config.yaml", 5, "http.per_host_concurrency", "must be at least 1"},
			{"config.yaml", 6, "http.max_items", "must be at least 1"},
		}},
		{"bad-values", []wantErr{
			{"config.yaml", 1, "user_agent", "must not be empty"},
			{"config.yaml", 3, "http.timeout", `invalid duration "soon"`},
			{"config.yaml", 4, "http.max_body", `invalid size "15XB"`},
			{"config.yaml", 6, "defaults.schedule", `invalid schedule "every hour"`},
			{"config.yaml", 7, "defaults.watch[1]", "must be greater than the previous entry"},
			{"config.yaml", 9, "web.listen", `invalid address "localhost"`},
			{"config.yaml", 10, "web.base_url", `invalid URL "/archive": want an absolute http or https URL`},
		}},
		{"source-names", []wantErr{
			{"config.yaml", 2, "sources[0].name", "required for an inline source"},
			{"config.yaml", 4, "sources[1].name", `invalid source name "UPPER"`},
			{"feeds/Bad_Name.yaml", 2, "name", `invalid source name "Bad_Name"`},
		}},
		{"duplicate-name", []wantErr{
			{"feeds/beta.yaml", 2, "name", `duplicate source name "alpha": also defined at feeds/alpha.yaml:1`},
			{"config.yaml", 2, "sources[0].name", `duplicate source name "alpha": also defined at feeds/alpha.yaml:1`},
		}},
		{"feed-url", []wantErr{
			{"feeds/ftp.yaml", 1, "feed", "want an absolute http or https URL"},
			{"feeds/missing.yaml", 1, "feed", "required"},
			{"feeds/nohost.yaml", 1, "feed", "no host"},
			{"feeds/relative.yaml", 1, "feed", "want an absolute http or https URL"},
		}},
		{"schedule", []wantErr{
			{"feeds/bad-spec.yaml", 2, "schedule", `invalid schedule "61 * * * *"`},
			{"feeds/bad-zone.yaml", 2, "schedule", "unknown time zone Mars/Olympus_Mons"},
			{"feeds/negative-every.yaml", 2, "schedule", "@every interval must be positive"},
		}},
		{"watch", []wantErr{
			{"feeds/w.yaml", 4, "watch[1]", "must be positive, got 0s"},
			{"feeds/w.yaml", 5, "watch[2]", "30m0s must be greater than the previous entry 1h0m0s"},
			{"feeds/w.yaml", 6, "watch[3]", "must be positive, got -2h0m0s"},
			{"feeds/w.yaml", 7, "watch[4]", `invalid duration "soon"`},
		}},
		{"selectors", []wantErr{
			{"feeds/mondo-history.yaml", 7, "selectors.body", `invalid CSS selector "div["`},
			{"feeds/mondo-history.yaml", 10, "selectors.remove[1]", `invalid CSS selector "p:nth-child("`},
			{"feeds/mondo-history.yaml", 11, "selectors.colour", `unknown field "colour"`},
			{"feeds/mondo-history.yaml", 12, "selectors.next_page", `invalid CSS selector "a["`},
			{"feeds/mondo-history.yaml", 13, "follow_pages", "want true or false"},
		}},
		{"ignore", []wantErr{
			{"feeds/ig.yaml", 4, "ignore[1]", `invalid regexp "(unclosed"`},
			{"feeds/ig.yaml", 5, "ignore[2]", "empty pattern"},
		}},
		{"syntax", []wantErr{
			{"config.yaml", 3, "", "invalid YAML"},
		}},
		{"two-docs", []wantErr{
			{"config.yaml", 3, "", "only one YAML document"},
		}},
		{"not-a-mapping", []wantErr{
			{"config.yaml", 1, "", "want a mapping, got a list"},
		}},
		{"source-shapes", []wantErr{
			{"config.yaml", 2, "sources[0]", "want a mapping, got a string"},
			{"config.yaml", 5, "sources_extra", "unknown field"},
			{"feeds/dup.yaml", 3, "title", "duplicate key (first defined at line 2)"},
			{"feeds/list.yaml", 1, "", "want a mapping, got a list"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			t.Chdir(filepath.Join("testdata", "bad", tc.dir))
			c, err := Load("config.yaml")
			if err == nil {
				t.Fatalf("Load succeeded: %+v", c)
			}
			if c != nil {
				t.Errorf("Load returned a config with an error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false for %v", err)
			}
			got := configErrors(t, err)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(got), len(tc.want), err)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.File != w.file || g.Line != w.line || g.Field != w.field || !strings.Contains(g.Msg, w.msg) {
					t.Errorf("error %d = %q\nwant %s:%d: %s: …%s…", i, g.Error(), w.file, w.line, w.field, w.msg)
				}
				prefix := fmt.Sprintf("%s:%d: ", w.file, w.line)
				if w.field != "" {
					prefix += w.field + ": "
				}
				if !strings.HasPrefix(g.Error(), prefix) {
					t.Errorf("error %d = %q, want prefix %q", i, g.Error(), prefix)
				}
			}
		})
	}
}

// configErrors unpacks errors.Join into its *Error parts.
func configErrors(t *testing.T, err error) []*Error {
	t.Helper()
	var parts []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		parts = j.Unwrap()
	} else {
		parts = []error{err}
	}
	out := make([]*Error, 0, len(parts))
	for _, p := range parts {
		var e *Error
		if !errors.As(p, &e) {
			t.Fatalf("error %v is not a *config.Error", p)
		}
		out = append(out, e)
	}
	return out
}

func TestParseSourceErrors(t *testing.T) {
	_, err := ParseSource(strings.NewReader("feed: https://a.example/\nselectors:\n  body: 'div['\n"), "feeds/x.yaml", "x")
	want := `feeds/x.yaml:3: selectors.body: invalid CSS selector "div["`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
	// Parse gives the inline source the config file's name, not a feeds file.
	_, err = Parse(strings.NewReader("sources:\n  - name: a\n    feed: https://a.example/\n    watch: [2h, 1h]\n"), "etc/config.yaml", t.TempDir())
	want = "etc/config.yaml:4: sources[0].watch[1]: 1h0m0s must be greater"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

// TestLoadErrorPathsAsGiven checks feeds files are named relative to the
// path the user gave for config.yaml, not as absolute paths.
func TestLoadErrorPathsAsGiven(t *testing.T) {
	cfg := filepath.Join("testdata", "bad", "selectors", "config.yaml")
	_, err := Load(cfg)
	want := filepath.Join("testdata", "bad", "selectors", "feeds", "mondo-history.yaml") + ":7: selectors.body: "
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to contain %q", err, want)
	}
}

// TestParseMergeLimits checks that "<<" cycles and exponential merge chains
// end in an error instead of endless recursion or work.
func TestParseMergeLimits(t *testing.T) {
	bomb := "sources:\n  - &n0 {name: a, feed: 'https://a.example/'}\n"
	for i := 1; i <= 12; i++ {
		p := fmt.Sprintf("*n%d", i-1)
		bomb += fmt.Sprintf("  - &n%d {<<: [%s, %s, %s, %s, %s, %s, %s, %s], name: s%d}\n", i, p, p, p, p, p, p, p, p, i)
	}
	cases := map[string]string{
		"self":   "sources:\n  - &x\n    name: a\n    feed: https://a.example/\n    <<: *x\n",
		"nested": "sources:\n  - name: a\n    feed: https://a.example/\n    selectors: &s\n      <<: *s\n",
		"bomb":   bomb,
	}
	want := map[string]string{
		"self":   "c.yaml:5: sources[0]: merge key (<<) includes the mapping it is in",
		"nested": "c.yaml:5: sources[0].selectors: merge key (<<) includes the mapping it is in",
		"bomb":   "used too often (at most 1000 merges)",
	}
	for name, src := range cases {
		_, err := Parse(strings.NewReader(src), "c.yaml", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), want[name]) {
			t.Errorf("%s: err = %v, want %q", name, err, want[name])
		}
	}
	// A plain merge still works.
	c, err := Parse(strings.NewReader("sources:\n  - &a {name: a, feed: 'https://a.example/', title: A}\n  - {<<: *a, name: b}\n"), "c.yaml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := c.Source("b"); !ok || b.Title != "A" || b.Feed != "https://a.example/" {
		t.Errorf("merged source b = %+v", b)
	}
}
