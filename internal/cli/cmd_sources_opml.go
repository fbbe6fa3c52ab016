package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"annalist/internal/config"
	"annalist/internal/opml"
)

var sourcesImportCommand = command{
	name:    "sources import",
	summary: "show the feeds/*.yaml an OPML file would add (one per feed outline); --write writes them",
	usage:   "sources import FILE.opml [--write] [--replace] [--json]",
}

var sourcesExportCommand = command{
	name:    "sources export",
	summary: "write the configured sources as OPML 2.0 (for Miniflux, FreshRSS and other readers)",
	usage:   "sources export [-o FILE]",
}

// importJSON is `sources import --json`.
type importJSON struct {
	File    string          `json:"file"`
	Written bool            `json:"written"`
	Sources []importedJSON  `json:"sources"`
	Skipped []skippedOPMLJS `json:"skipped"`
}

type importedJSON struct {
	Line     int    `json:"line"`
	Action   string `json:"action"` // create, replace, exists
	Name     string `json:"name"`
	Path     string `json:"path"` // the feeds file ("" for an inline source left alone)
	Title    string `json:"title"`
	Feed     string `json:"feed"`
	Site     string `json:"site"`
	Category string `json:"category"`
	Body     string `json:"body_selector"` // selectors.body, from miniflux:scraperRules or frss:cssFullContent
	yaml     []byte
}

type skippedOPMLJS struct {
	Line   int    `json:"line"`
	Feed   string `json:"feed"`
	Reason string `json:"reason"`
}

func runSourcesImport(ctx context.Context, m *Main, args []string) error {
	m.current = sourcesImportCommand
	fs := m.newFlagSet()
	write := fs.Bool("write", false, "write the files (default: only show what would be written)")
	replace := fs.Bool("replace", false, "rewrite the feeds file of a source already configured with the same feed URL (default: leave it untouched)")
	asJSON := fs.Bool("json", false, "print a JSON object on stdout")
	pos, err := m.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("sources import takes one OPML file")
	}
	cfg, err := m.configOrDefault()
	if err != nil {
		return err
	}
	file := pos[0]
	f, err := os.Open(file)
	if err != nil {
		// The *PathError names the file already.
		return fmt.Errorf("sources import: %w", err)
	}
	doc, err := opml.Parse(f, file)
	f.Close()
	if err != nil {
		return err
	}
	plan, skipped, err := planImport(cfg, doc, file, *replace)
	if err != nil {
		return err
	}
	if *write {
		if err := writeImport(cfg, plan); err != nil {
			return err
		}
	}
	if *asJSON {
		return m.writeJSON(importJSON{File: file, Written: *write, Sources: plan, Skipped: skipped})
	}
	counts := map[string]int{}
	for _, p := range plan {
		counts[p.Action]++
		switch p.Action {
		case "exists":
			fmt.Fprintf(m.Stdout, "%s:%d: %s is already configured as %s: left untouched\n", file, p.Line, termLine(p.Feed), p.Name)
			continue
		case "replace":
			fmt.Fprintf(m.Stdout, "%s:%d: %s %s (replacing source %s)\n", file, p.Line, verb(*write, "replace", "replaced"), m.shownPath(p.Path), p.Name)
		default:
			fmt.Fprintf(m.Stdout, "%s:%d: %s %s\n", file, p.Line, verb(*write, "create", "created"), m.shownPath(p.Path))
		}
		if !*write {
			for _, l := range strings.SplitAfter(strings.TrimRight(string(p.yaml), "\n"), "\n") {
				fmt.Fprintf(m.Stdout, "    %s", termText(l))
			}
			fmt.Fprintln(m.Stdout)
		}
	}
	for _, s := range skipped {
		fmt.Fprintf(m.Stdout, "%s:%d: skipped: %s\n", file, s.Line, termLine(s.Reason))
	}
	fmt.Fprintf(m.Stdout, "%d to create, %d to replace, %d already configured, %d skipped", counts["create"], counts["replace"], counts["exists"], len(skipped))
	if *write {
		fmt.Fprintf(m.Stdout, ": written to %s\n", m.shownPath(cfg.FeedsDir))
	} else if counts["create"]+counts["replace"] > 0 {
		fmt.Fprint(m.Stdout, " (dry run: add --write to write them)\n")
	} else {
		fmt.Fprintln(m.Stdout)
	}
	return nil
}

func verb(done bool, todo, did string) string {
	if done {
		return did
	}
	return "would " + todo
}

// shownPath shows p relative to the working directory when it is below it.
func (m *Main) shownPath(p string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return p
}

// configOrDefault loads the configuration; with no config file at all (a
// first run) the defaults stand, feeds_dir ./feeds.
func (m *Main) configOrDefault() (*config.Config, error) {
	cfg, err := m.loadConfig()
	if errors.Is(err, os.ErrNotExist) {
		cfg, err = config.Default(), nil
	}
	return cfg, err
}

// planImport decides, for each feed of doc, what import does: create a new
// feeds file under a unique name, replace a configured source's file, or
// leave a configured source alone. Every file it would write is checked
// with the config loader first.
func planImport(cfg *config.Config, doc *opml.Document, file string, replace bool) ([]importedJSON, []skippedOPMLJS, error) {
	taken := map[string]bool{}
	byFeed := map[string]*config.Source{}
	for i := range cfg.Sources {
		s := &cfg.Sources[i]
		taken[s.Name] = true
		byFeed[feedKey(s.Feed)] = s
	}
	if entries, err := os.ReadDir(cfg.FeedsDir); err == nil {
		for _, e := range entries {
			taken[strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".yaml"), ".yml")] = true
		}
	}
	plan := []importedJSON{}
	skipped := []skippedOPMLJS{}
	for _, s := range doc.Skipped {
		skipped = append(skipped, skippedOPMLJS{Line: s.Line, Feed: s.XMLURL, Reason: s.Reason})
	}
	seen := map[string]int{}
	for _, f := range doc.Feeds {
		key := feedKey(f.XMLURL)
		if line, dup := seen[key]; dup {
			skipped = append(skipped, skippedOPMLJS{Line: f.Line, Feed: f.XMLURL, Reason: fmt.Sprintf("the same feed as line %d", line)})
			continue
		}
		seen[key] = f.Line
		p := importedJSON{Line: f.Line, Title: f.Title, Feed: f.XMLURL, Site: siteURL(f.HTMLURL), Category: f.Category, Body: f.BodySelector}
		if s, ok := byFeed[key]; ok {
			p.Name, p.Action = s.Name, "exists"
			if replace && filepath.Dir(s.File) == cfg.FeedsDir {
				p.Action, p.Path = "replace", s.File
			} else if filepath.Dir(s.File) == cfg.FeedsDir {
				p.Path = s.File
			}
		} else {
			p.Action = "create"
			p.Name = uniqueName(sourceName(f), taken)
			taken[p.Name] = true
			p.Path = filepath.Join(cfg.FeedsDir, p.Name+".yaml")
		}
		if p.Action != "exists" {
			p.yaml = importYAML(p, file)
			if _, err := config.ParseSource(bytes.NewReader(p.yaml), p.Path, p.Name); err != nil && p.Body != "" {
				// The reader's selector is no CSS annalist reads (Miniflux's
				// scraper rules may be its own syntax): import without it.
				p.Body = ""
				p.yaml = importYAML(p, file)
			}
			if _, err := config.ParseSource(bytes.NewReader(p.yaml), p.Path, p.Name); err != nil {
				// A title or category the loader refuses (say, a control
				// character) is left out rather than failing the import.
				skipped = append(skipped, skippedOPMLJS{Line: f.Line, Feed: f.XMLURL, Reason: err.Error()})
				continue
			}
		}
		plan = append(plan, p)
	}
	return plan, skipped, nil
}

// feedKey compares feed URLs loosely: scheme, host case and a trailing
// slash do not make another feed.
func feedKey(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return s
	}
	return strings.ToLower(u.Host) + strings.TrimSuffix(u.EscapedPath(), "/") + "?" + u.RawQuery
}

// siteURL keeps htmlUrl when it is an absolute http(s) URL.
func siteURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return ""
	}
	return s
}

// sourceName is the name annalist wrote (annalist:name), else the title
// slugified, else the feed's host.
func sourceName(f opml.Feed) string {
	if n := slug(f.Name); n != "" && n == f.Name {
		return n
	}
	if n := slug(f.Title); n != "" {
		return n
	}
	if u, err := url.Parse(f.XMLURL); err == nil {
		if n := slug(strings.TrimPrefix(u.Hostname(), "www.")); n != "" {
			return n
		}
	}
	return "source"
}

// slug turns a title into a source name: accents dropped, lower case,
// runs of anything but letters and digits made one '-', at most 60 bytes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(s) {
		if b.Len() >= 60 {
			break
		}
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

// uniqueName appends -2, -3… to name until no source or file has it.
func uniqueName(name string, taken map[string]bool) string {
	if !taken[name] {
		return name
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("%s-%d", name, i); !taken[n] {
			return n
		}
	}
}

// importYAML renders one feeds file. Values are JSON strings, which YAML
// reads as double-quoted scalars: any title is safe.
func importYAML(p importedJSON, file string) []byte {
	var b bytes.Buffer
	q := yamlString
	fmt.Fprintf(&b, "# Imported by `annalist sources import` from %s (line %d).\n", strings.Trim(q(filepath.Base(file)), `"`), p.Line)
	fmt.Fprintf(&b, "title: %s\nfeed: %s\n", q(p.Title), q(p.Feed))
	if p.Site != "" {
		fmt.Fprintf(&b, "site: %s\n", q(p.Site))
	}
	if p.Category != "" {
		fmt.Fprintf(&b, "category: %s\n", q(p.Category))
	}
	if p.Body != "" {
		fmt.Fprintf(&b, "# The reader's full-content selector; check it with\n# `annalist extract --source NAME URL`.\nselectors:\n  body: %s\n", q(p.Body))
	} else {
		fmt.Fprintf(&b, "# No selectors: the generic extractor picks the article body. To write\n# some, see `annalist add URL` and `annalist extract --source NAME URL`.\n")
	}
	return b.Bytes()
}

// yamlString quotes s as a JSON string, which YAML reads as a
// double-quoted scalar whatever s holds.
func yamlString(s string) string {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSpace(out.String())
}

// writeImport writes the planned files: a new one never over a file that
// appeared since (O_EXCL), a replaced one through a renamed temporary file.
func writeImport(cfg *config.Config, plan []importedJSON) error {
	if err := os.MkdirAll(cfg.FeedsDir, 0o755); err != nil {
		return fmt.Errorf("create feeds_dir: %w", err)
	}
	for _, p := range plan {
		switch p.Action {
		case "create":
			f, err := os.OpenFile(p.Path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return fmt.Errorf("write %s: %w", p.Path, err)
			}
			_, err = f.Write(p.yaml)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("write %s: %w", p.Path, err)
			}
		case "replace":
			if err := writeFileAtomic(p.Path, p.yaml); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeFileAtomic replaces path with data: a reader sees the old file or
// the new one, never half of it.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func runSourcesExport(ctx context.Context, m *Main, args []string) error {
	m.current = sourcesExportCommand
	fs := m.newFlagSet()
	out := fs.String("o", "", "write to FILE (default: stdout)")
	pos, err := m.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("sources export takes no arguments")
	}
	cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	feeds := make([]opml.Feed, 0, len(cfg.Sources))
	for _, s := range cfg.Sources {
		feeds = append(feeds, opml.Feed{Title: s.Title, XMLURL: s.Feed, HTMLURL: s.Site, Category: s.Category, Name: s.Name, BodySelector: s.Selectors.Body})
	}
	var buf bytes.Buffer
	if err := opml.Write(&buf, "annalist sources", m.Now(), feeds); err != nil {
		return err
	}
	if *out == "" || *out == "-" {
		_, err := io.Copy(m.Stdout, &buf)
		return err
	}
	if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "wrote %d sources to %s\n", len(feeds), *out)
	return nil
}
