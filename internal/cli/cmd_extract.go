package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"annalist/internal/config"
	"annalist/internal/extract"
	"annalist/internal/fetch"
)

var extractCommand = command{
	name:    "extract",
	summary: "show what would be archived from a page (a file, a URL or - for stdin), storing nothing",
	usage:   "extract [--source NAME] [--url URL] [--format text|markdown|html|json] FILE|URL|-",
	run:     runExtract,
}

type extractJSON struct {
	Title        string            `json:"title"`
	Byline       string            `json:"byline"`
	SiteName     string            `json:"site_name"`
	Lang         string            `json:"lang"`
	CanonicalURL string            `json:"canonical_url"`
	Published    *string           `json:"published_date"`
	Revised      *string           `json:"revision_date"`
	RevisionText string            `json:"revision_text"`
	LeadImage    string            `json:"lead_image"`
	Extractor    string            `json:"extractor"`
	Matched      map[string]string `json:"matched"`
	Removed      int               `json:"removed"`
	Warnings     []string          `json:"warnings"`
	Words        int               `json:"words"`
	Fingerprint  string            `json:"fingerprint"`
	Text         string            `json:"text"`
	Markdown     string            `json:"markdown"`
	HTML         string            `json:"html"`
}

func runExtract(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	sourceName := fs.String("source", "", "apply this source's selectors and ignore patterns (default: generic extraction)")
	format := fs.String("format", "text", "text, markdown, html or json")
	pageURL := fs.String("url", "", "for a FILE or stdin: the URL the page came from (resolves its links)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("extract takes one FILE, URL or - (stdin)")
	}
	switch *format {
	case "text", "markdown", "html", "json":
	default:
		return usageErr("--format: %q is not text, markdown, html or json", *format)
	}
	var src *config.Source
	cfg, cfgErr := m.loadConfig()
	if *sourceName != "" {
		if cfgErr != nil {
			return cfgErr
		}
		s, ok := cfg.Source(*sourceName)
		if !ok {
			return usageErr("--source: no source named %q in %s", *sourceName, m.configPath)
		}
		src = s
	}
	if cfg == nil {
		cfg = config.Default()
	}

	arg := pos[0]
	var page []byte
	base := *pageURL
	switch {
	case strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://"):
		fc := fetch.New(fetch.Options{UserAgent: cfg.UserAgent, Timeout: cfg.HTTP.Timeout, MaxBody: cfg.HTTP.MaxBody,
			RespectRobots: cfg.HTTP.RespectRobots, AllowPrivateNetworks: cfg.HTTP.AllowPrivateNetworks, Logger: m.logger})
		resp, err := fc.Get(ctx, fetch.Request{URL: arg})
		if err != nil {
			return err
		}
		if !resp.IsHTML() {
			return fmt.Errorf("%s is not an HTML page (%s)", arg, resp.Header.Get("Content-Type"))
		}
		page, _ = resp.UTF8()
		base = resp.URL
	default:
		var raw []byte
		if arg == "-" {
			raw, err = io.ReadAll(io.LimitReader(m.Stdin, cfg.HTTP.MaxBody+1))
		} else {
			raw, err = os.ReadFile(arg)
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", arg, err)
		}
		page, _ = fetch.ToUTF8(raw, "")
		if base == "" {
			base = "http://localhost/"
		}
	}
	var rules extract.Rules
	var ignoreSrc *config.Source
	if src != nil {
		s := src.Selectors
		rules = extract.Rules{Title: s.Title, Body: s.Body, Updated: s.Updated, Published: s.Published, Byline: s.Byline, Remove: s.Remove}
		ignoreSrc = src
	}
	art, err := extract.Article(page, base, rules)
	if err != nil {
		return fmt.Errorf("extract %s: %w", arg, err)
	}
	var fp string
	if ignoreSrc != nil {
		fp = extract.Fingerprint(art.Title, art.Text, ignoreSrc.IgnoreRE)
	} else {
		fp = extract.Fingerprint(art.Title, art.Text, nil)
	}
	switch *format {
	case "json":
		return m.writeJSON(extractJSON{Title: art.Title, Byline: art.Byline, SiteName: art.SiteName, Lang: art.Lang,
			CanonicalURL: art.CanonicalURL, Published: jsonTime(art.Published), Revised: jsonTime(art.Revised),
			RevisionText: art.RevisionText, LeadImage: art.LeadImage, Extractor: art.Extractor, Matched: art.Matched,
			Removed: art.Removed, Warnings: art.Warnings, Words: extract.Words(art.Text), Fingerprint: fp,
			Text: art.Text, Markdown: art.Markdown, HTML: art.HTML})
	case "markdown":
		fmt.Fprintf(m.Stdout, "# %s\n\n%s\n", art.Title, strings.TrimRight(art.Markdown, "\n"))
	case "html":
		fmt.Fprintln(m.Stdout, art.HTML)
	default:
		fmt.Fprintf(m.Stdout, "%s\n", art.Title)
		if art.Revised != nil {
			fmt.Fprintf(m.Stdout, "revision date %s", art.Revised.UTC().Format("2006-01-02"))
			if art.RevisionText != "" {
				fmt.Fprintf(m.Stdout, " (%q)", art.RevisionText)
			}
			fmt.Fprintln(m.Stdout)
		}
		fmt.Fprintf(m.Stdout, "extractor %s", art.Extractor)
		for field, sel := range art.Matched {
			fmt.Fprintf(m.Stdout, " · %s ← %s", field, sel)
		}
		if art.Removed > 0 {
			fmt.Fprintf(m.Stdout, " · %d elements removed", art.Removed)
		}
		fmt.Fprintf(m.Stdout, "\n\n%s\n", strings.TrimRight(art.Text, "\n"))
	}
	for _, w := range art.Warnings {
		fmt.Fprintf(m.Stderr, "warning: %s\n", w)
	}
	return nil
}
