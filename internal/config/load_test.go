package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadValid(t *testing.T) {
	path := filepath.Join("testdata", "valid", "config.yaml")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "valid"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != filepath.Join(dir, "config.yaml") {
		t.Errorf("Path = %q", c.Path)
	}
	if c.DataDir != filepath.Join(dir, "data", "archive") {
		t.Errorf("DataDir = %q, want it relative to the config file", c.DataDir)
	}
	if c.FeedsDir != filepath.Join(dir, "feeds") {
		t.Errorf("FeedsDir = %q", c.FeedsDir)
	}
	if c.UserAgent != "annalist/0.1 (+https://example.org/annalist)" {
		t.Errorf("UserAgent = %q", c.UserAgent)
	}
	wantHTTP := HTTP{
		Timeout:              30 * time.Second,
		MaxBody:              500_000,
		PerHostInterval:      0,
		PerHostConcurrency:   4,
		RespectRobots:        false,
		AllowPrivateNetworks: true,
		MaxItems:             50,
	}
	if c.HTTP != wantHTTP {
		t.Errorf("HTTP = %+v\nwant %+v", c.HTTP, wantHTTP)
	}
	const sched = "CRON_TZ=Europe/Rome 0 6 * * *"
	watch := []time.Duration{2 * time.Hour, 12 * time.Hour}
	if c.Defaults.Schedule != sched || !reflect.DeepEqual(c.Defaults.Watch, watch) {
		t.Errorf("Defaults = %+v", c.Defaults)
	}
	if c.Web.Listen != "[::1]:9090" {
		t.Errorf("Web.Listen = %q", c.Web.Listen)
	}

	feeds := filepath.Join("testdata", "valid", "feeds")
	want := []Source{
		{
			// Everything left out comes from config.yaml's defaults and http.
			Name: "b-site", Feed: "https://b.example/feed",
			Schedule: sched, Watch: watch, RespectRobots: false,
			File: filepath.Join(feeds, "b-site.yml"), Line: 1,
		},
		{
			Name: "inline-one", Title: "Inline One", Feed: "https://inline.example/feed.atom",
			Schedule: sched, Watch: watch,
			Selectors: Selectors{Body: "article .content, main", Remove: []string{".ad"}},
			File:      path, Line: 19,
		},
		{
			// Merged from inline-two with "<<", overriding name and title.
			Name: "inline-three", Title: "1914", Feed: "http://two.example/rss",
			Schedule: sched, Watch: watch, RespectRobots: true,
			Selectors: Selectors{Body: "article .content, main", Remove: []string{".ad"}},
			Ignore:    []string{`\d+ views`},
			File:      path, Line: 31,
		},
		{
			Name: "inline-two", Feed: "http://two.example/rss",
			Schedule: sched, Watch: watch, RespectRobots: true,
			Selectors: Selectors{Body: "article .content, main", Remove: []string{".ad"}},
			Ignore:    []string{`\d+ views`},
			File:      path, Line: 26,
		},
		{
			Name: "mondo-history", Title: "Mondo History", Feed: "https://example.org/rss.xml",
			Schedule: "0 */2 * * *", Watch: []time.Duration{time.Hour, 24 * time.Hour}, RespectRobots: true,
			Selectors: Selectors{
				Title: "h1.article-title", Body: "div.article-content", Updated: ".update-time",
				Published: "time.pub", Byline: ".author", Remove: []string{".related-pages", ".share", ".ad"},
			},
			Ignore: []string{`\d+ readers today`, `(?i)updated on .*`},
			File:   filepath.Join(feeds, "mondo-history.yaml"), Line: 2,
		},
	}
	if len(c.Sources) != len(want) {
		names := make([]string, len(c.Sources))
		for i, s := range c.Sources {
			names[i] = s.Name
		}
		t.Fatalf("sources = %v, want %d (README.md, dot-files and directories ignored)", names, len(want))
	}
	for i, w := range want {
		g := c.Sources[i]
		if len(g.IgnoreRE) != len(g.Ignore) {
			t.Errorf("%s: %d IgnoreRE for %d Ignore", g.Name, len(g.IgnoreRE), len(g.Ignore))
		}
		for j, re := range g.IgnoreRE {
			if re.String() != g.Ignore[j] {
				t.Errorf("%s: IgnoreRE[%d] = %q, want %q", g.Name, j, re, g.Ignore[j])
			}
		}
		g.IgnoreRE = nil
		if !reflect.DeepEqual(g, w) {
			t.Errorf("source %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if !c.Sources[4].IgnoreRE[1].MatchString("Updated on 3 May") {
		t.Errorf("IgnoreRE not usable")
	}
	// Watch slices are copies: editing one source must not change another.
	c.Sources[0].Watch[0] = time.Minute
	if c.Sources[1].Watch[0] != 2*time.Hour || c.Defaults.Watch[0] != 2*time.Hour {
		t.Errorf("sources share the defaults' Watch slice")
	}
}

func TestSourceLookup(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "valid", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, ok := c.Source("mondo-history")
	if !ok || s.Title != "Mondo History" {
		t.Fatalf("Source(mondo-history) = %+v, %v", s, ok)
	}
	s.Title = "changed"
	if c.Sources[4].Title != "changed" {
		t.Errorf("Source returned a copy, want a pointer into Sources")
	}
	for _, name := range []string{"", "missing", "zzz", "a"} {
		if s, ok := c.Source(name); ok {
			t.Errorf("Source(%q) = %+v, want not found", name, s)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope", "config.yaml")
	_, err := Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
	if errors.Is(err, ErrInvalid) {
		t.Errorf("a missing file is not ErrInvalid")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v, want it to name %s", err, path)
	}
}

func TestLoadDefaultsAndMissingFeedsDir(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	// Explicit nulls mean "not set", like leaving the key out.
	writeFile(t, path, "# nothing but defaults\nhttp:\n  timeout:\nweb:\n")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Path = path
	want.DataDir = filepath.Join(dir, "archive")
	want.FeedsDir = filepath.Join(dir, "feeds")
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
}

func TestLoadEmptyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	writeFile(t, path, "")
	writeFile(t, filepath.Join(dir, "feeds", "a.yaml"), "feed: https://a.example/feed\n")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 1 {
		t.Fatalf("sources = %+v", c.Sources)
	}
	s := c.Sources[0]
	if s.Name != "a" || s.Schedule != "@every 1h" || !reflect.DeepEqual(s.Watch, defaultWatch()) || !s.RespectRobots {
		t.Errorf("source = %+v, want built-in defaults", s)
	}
}

func TestLoadAbsoluteDirs(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	writeFile(t, path, "data_dir: "+filepath.Join(other, "arch")+"\nfeeds_dir: "+filepath.Join(other, "f")+"\n")
	writeFile(t, filepath.Join(other, "f", "bad.yaml"), "feed: nope\n")
	_, err := Load(path)
	want := filepath.Join(other, "f", "bad.yaml") + ":1: feed: "
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to contain %q", err, want)
	}
	writeFile(t, filepath.Join(other, "f", "bad.yaml"), "feed: https://ok.example/\n")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != filepath.Join(other, "arch") || c.FeedsDir != filepath.Join(other, "f") {
		t.Errorf("DataDir, FeedsDir = %q, %q", c.DataDir, c.FeedsDir)
	}
}

func TestParseDoesNotReadFeedsDir(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("testdata", "valid"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(strings.NewReader("sources:\n  - name: x\n    feed: https://x.example/\n"), "config.yaml", dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 1 || c.Sources[0].Name != "x" {
		t.Errorf("sources = %+v, want only the inline one", c.Sources)
	}
	if c.FeedsDir != filepath.Join(dir, "feeds") || c.Path != "" {
		t.Errorf("FeedsDir = %q, Path = %q", c.FeedsDir, c.Path)
	}
}

func TestParseSourceDefaults(t *testing.T) {
	s, err := ParseSource(strings.NewReader("# comment\nfeed: https://a.example/feed\n"), "feeds/a.yaml", "a")
	if err != nil {
		t.Fatal(err)
	}
	want := Source{
		Name: "a", Feed: "https://a.example/feed", Schedule: "@every 1h",
		Watch: defaultWatch(), RespectRobots: true, File: "feeds/a.yaml", Line: 2,
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
	// An explicit empty watch list turns the revision watch off; it is not
	// replaced by the defaults.
	s, err = ParseSource(strings.NewReader("feed: https://a.example/feed\nwatch: []\nrespect_robots: false\n"), "a.yaml", "a")
	if err != nil {
		t.Fatal(err)
	}
	if s.Watch == nil || len(s.Watch) != 0 || s.RespectRobots {
		t.Errorf("Watch = %#v, RespectRobots = %v", s.Watch, s.RespectRobots)
	}
}

func TestDefault(t *testing.T) {
	c := Default()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != filepath.Join(wd, "archive") || c.FeedsDir != filepath.Join(wd, "feeds") {
		t.Errorf("dirs = %q, %q", c.DataDir, c.FeedsDir)
	}
	want := HTTP{Timeout: 20 * time.Second, MaxBody: 15 << 20, PerHostInterval: time.Second,
		PerHostConcurrency: 2, RespectRobots: true, MaxItems: 500}
	if c.HTTP != want {
		t.Errorf("HTTP = %+v", c.HTTP)
	}
	if c.Defaults.Schedule != "@every 1h" || len(c.Defaults.Watch) != 6 || c.Defaults.Watch[5] != 720*time.Hour {
		t.Errorf("Defaults = %+v", c.Defaults)
	}
	if c.Web.Listen != "127.0.0.1:8080" || c.UserAgent != defaultUserAgent || len(c.Sources) != 0 || c.Path != "" {
		t.Errorf("Default() = %+v", c)
	}
	if _, err := ParseSchedule(c.Defaults.Schedule); err != nil {
		t.Errorf("default schedule: %v", err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPagesAndBaseURL(t *testing.T) {
	src, err := ParseSource(strings.NewReader("feed: https://a.example/\nfollow_pages: false\nselectors:\n  next_page: a.next-part\n"), "feeds/x.yaml", "x")
	if err != nil {
		t.Fatal(err)
	}
	if !src.NoFollowPages || src.Selectors.NextPage != "a.next-part" || !src.Selectors.Empty() {
		t.Errorf("source = %+v", src)
	}
	src, err = ParseSource(strings.NewReader("feed: https://a.example/\n"), "feeds/x.yaml", "x")
	if err != nil || src.NoFollowPages {
		t.Errorf("default follow_pages: %+v, %v", src, err)
	}
	c, err := Parse(strings.NewReader("web:\n  base_url: https://archive.example.org/\n"), "c.yaml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if c.Web.BaseURL != "https://archive.example.org/" || c.Web.ArchiveBase() != "https://archive.example.org" {
		t.Errorf("web = %+v, base %q", c.Web, c.Web.ArchiveBase())
	}
	if got := Default().Web.ArchiveBase(); got != "http://127.0.0.1:8080" {
		t.Errorf("default archive base = %q", got)
	}
	for _, bad := range []string{"ftp://a.example/", "https://", "https://a.example/?x=1"} {
		_, err := Parse(strings.NewReader("web:\n  base_url: '"+bad+"'\n"), "c.yaml", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "c.yaml:2: web.base_url: invalid URL") {
			t.Errorf("base_url %q: err = %v", bad, err)
		}
	}
}
