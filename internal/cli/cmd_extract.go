package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"annalist/internal/config"
	"annalist/internal/extract"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
	"annalist/internal/store"
	"annalist/internal/view"
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
	Fallback     bool              `json:"fallback"`
	Matched      map[string]string `json:"matched"`
	Removed      int               `json:"removed"`
	RemovedBy    map[string]int    `json:"removed_by"`
	Dropped      map[string]int    `json:"dropped"`
	Cleaned      int               `json:"cleaned"`
	RulesVersion string            `json:"rules_version"`
	Warnings     []string          `json:"warnings"`
	Words        int               `json:"words"`
	Fingerprint  string            `json:"fingerprint"`
	NextPage     string            `json:"next_page"` // a paginated article's next page, "" if none (not fetched here)
	// The source's learned template (--source): the articles it was
	// learned from, and the blocks dropped as its furniture.
	TemplateLearned int            `json:"template_learned"`
	Template        []templateJSON `json:"template"`
	Text            string         `json:"text"`
	Markdown        string         `json:"markdown"`
	HTML            string         `json:"html"`
}

type templateJSON struct {
	Text     string `json:"text"`
	Articles int    `json:"articles"`
	Key      string `json:"key"`
}

func runExtract(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	sourceName := fs.String("source", "", "apply this source's selectors and ignore patterns (default: generic extraction)")
	format := fs.String("format", "text", "text, markdown, html or json")
	pageURL := fs.String("url", "", "for a FILE or stdin: the URL the page came from (resolves its links)")
	pos, err := m.parseArgs(fs, args)
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
	page, base, err := m.readExtractPage(ctx, cfg, arg, *pageURL)
	if err != nil {
		return err
	}
	// The same deadline as `fetch` (harvest.Harvester.ExtractTimeout's default).
	ectx, cancel := context.WithTimeout(ctx, extract.DefaultDeadline)
	defer cancel()
	rules := extractRules(src)
	if src != nil {
		rules.Template = m.sourceTemplate(ctx, cfg, src.Name, base)
	}
	art, err := extract.ArticleContext(ectx, page, base, rules)
	if err != nil {
		return within(arg, err)
	}
	if t := rules.Template; t != nil && t.Prior == nil && len(art.Template) > 0 && art.CanonicalURL != "" && art.CanonicalURL != base {
		// A page at a URL the archive does not know may name an archived
		// article by its canonical URL: fetch then drops only the blocks
		// that article already had (harvest examine), and so does this.
		if named := m.sourceTemplate(ctx, cfg, src.Name, art.CanonicalURL); named != nil && named.Prior != nil {
			rules.Template = named
			if art, err = extract.ArticleContext(ectx, page, base, rules); err != nil {
				return within(arg, err)
			}
		}
	}
	if art.NextErr != nil {
		return within(arg, art.NextErr)
	}
	var ignore []*regexp.Regexp
	if src != nil {
		ignore = src.IgnoreRE
	}
	fp, err := extract.FingerprintContext(ectx, base, art.Title, art.Text, art.HTML, ignore)
	if err != nil {
		return fmt.Errorf("fingerprint %s: %w", arg, err)
	}
	if *format == "json" {
		learned := 0
		if rules.Template != nil {
			learned = rules.Template.Learned
		}
		tj := []templateJSON{}
		warnings := append([]string{}, art.Warnings...) // [] when none, never null
		for _, d := range art.Template {
			tj = append(tj, templateJSON{Text: d.Text, Articles: d.Articles, Key: d.Key})
		}
		return m.writeJSON(extractJSON{TemplateLearned: learned, Template: tj, Title: art.Title, Byline: art.Byline, SiteName: art.SiteName, Lang: art.Lang,
			CanonicalURL: art.CanonicalURL, Published: view.Time(art.Published), Revised: view.Time(art.Revised),
			RevisionText: art.RevisionText, LeadImage: art.LeadImage, Extractor: art.Extractor, Fallback: art.Fallback,
			Matched: art.Matched, Removed: art.Removed, RemovedBy: art.RemovedBy, Dropped: art.Dropped, Cleaned: art.Cleaned,
			RulesVersion: extract.Version, Warnings: warnings, Words: extract.Words(art.Text), Fingerprint: fp,
			NextPage: art.Next, Text: art.Text, Markdown: art.Markdown, HTML: art.HTML})
	}
	m.writeExtracted(*format, art)
	for _, w := range art.Warnings {
		fmt.Fprintf(m.Stderr, "warning: %s\n", termLine(w))
	}
	return nil
}

// sourceTemplate is the template the archive has learned for source, as
// fetch applies it to pageURL (for an archived article, only to the blocks
// its latest snapshot had); nil, with a warning, when it cannot be read (no
// archive yet means nothing learned, silently).
func (m *Main) sourceTemplate(ctx context.Context, cfg *config.Config, source, pageURL string) *extract.Template {
	st, err := store.OpenReadOnly(ctx, cfg.DataDir, m.storeOptions(cfg)) // the configured index: SQLite or PostgreSQL
	if errors.Is(err, store.ErrNoArchive) {
		return nil
	}
	if err != nil {
		fmt.Fprintf(m.Stderr, "warning: source %s: template not applied: open archive %s: %v\n", source, cfg.DataDir, err)
		return nil
	}
	defer st.Close()
	t, err := harvest.LoadTemplate(ctx, st, source)
	if err != nil {
		fmt.Fprintf(m.Stderr, "warning: source %s: template not applied: %v\n", source, err)
		return nil
	}
	if a, err := st.ResolveArticle(ctx, pageURL); err == nil {
		if latest, err := st.LatestSnapshot(ctx, a.ID); err == nil {
			if err := harvest.PriorBlocks(ctx, st, t, latest); err != nil {
				fmt.Fprintf(m.Stderr, "warning: source %s: template not applied: %v\n", source, err)
				return nil
			}
		}
	}
	return t
}

// readExtractPage reads the page extract works on (a URL fetched as fetch
// would, a FILE, or - for stdin) as UTF-8, and the URL its links resolve
// against: the final URL fetched, else base, else a placeholder.
func (m *Main) readExtractPage(ctx context.Context, cfg *config.Config, arg, base string) ([]byte, string, error) {
	if strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://") {
		fc := fetch.New(fetch.Options{UserAgent: cfg.UserAgent, Timeout: cfg.HTTP.Timeout, MaxBody: cfg.HTTP.MaxBody,
			RespectRobots: cfg.HTTP.RespectRobots, AllowPrivateNetworks: cfg.HTTP.AllowPrivateNetworks, Logger: m.logger})
		resp, err := fc.Get(ctx, fetch.Request{URL: arg})
		if err != nil {
			return nil, "", &wrapped{text: arg + " could not be fetched: " + fetch.Reason(arg, err), err: err}
		}
		if !resp.IsHTML() {
			return nil, "", fmt.Errorf("%s is not an HTML page (%s)", arg, resp.Header.Get("Content-Type"))
		}
		page, _ := resp.UTF8()
		return page, resp.URL, nil
	}
	var raw []byte
	var err error
	if arg == "-" {
		raw, err = io.ReadAll(io.LimitReader(m.Stdin, cfg.HTTP.MaxBody+1))
	} else {
		raw, err = os.ReadFile(arg)
	}
	if err != nil {
		if arg == "-" {
			return nil, "", fmt.Errorf("read stdin: %w", err)
		}
		return nil, "", fmt.Errorf("page file: %w", err) // the *PathError names it
	}
	page, _ := fetch.ToUTF8(raw, "")
	if base == "" {
		base = "http://localhost/"
	}
	return page, base, nil
}

// extractRules are the rules extract applies: src's selectors (none for
// generic extraction), and, as fetch does, the next page looked for in the
// same parse unless src says not to follow pages.
func extractRules(src *config.Source) extract.Rules {
	var rules extract.Rules
	if src != nil {
		s := src.Selectors
		rules = extract.Rules{Title: s.Title, Body: s.Body, Updated: s.Updated, Published: s.Published, Byline: s.Byline, Remove: s.Remove}
	}
	if src == nil || !src.NoFollowPages {
		// The page given is taken as the article's first.
		rules.Next = &extract.NextRules{}
		if src != nil {
			rules.Next.Selector = src.Selectors.NextPage
		}
	}
	return rules
}

// writeExtracted prints the extracted article in a text format: markdown
// and html keep stdout for the document and report on stderr.
func (m *Main) writeExtracted(format string, art *extract.Result) {
	switch format {
	case "markdown":
		writeExtractReport(m.Stderr, art) // stdout stays the document
		fmt.Fprintf(m.Stdout, "# %s\n\n%s\n", termLine(art.Title), termText(strings.TrimRight(art.Markdown, "\n")))
	case "html":
		writeExtractReport(m.Stderr, art)
		fmt.Fprintln(m.Stdout, termText(art.HTML))
	default:
		fmt.Fprintf(m.Stdout, "%s\n", termLine(art.Title))
		if art.Byline != "" {
			fmt.Fprintf(m.Stdout, "by %s\n", termLine(art.Byline))
		}
		if art.Published != nil {
			fmt.Fprintf(m.Stdout, "published %s\n", art.Published.UTC().Format("2006-01-02"))
		}
		if art.Revised != nil {
			fmt.Fprintf(m.Stdout, "revision date %s", art.Revised.UTC().Format("2006-01-02"))
			if art.RevisionText != "" {
				fmt.Fprintf(m.Stdout, " (%q)", art.RevisionText)
			}
			fmt.Fprintln(m.Stdout)
		}
		writeExtractReport(m.Stdout, art)
		if art.Next != "" {
			fmt.Fprintf(m.Stdout, "next page: %s (archiving follows it; this shows page 1 only)\n", termLine(art.Next))
		}
		fmt.Fprintf(m.Stdout, "\n%s\n", termText(strings.TrimRight(art.Text, "\n")))
	}
}

// writeExtractReport says how the body was found, for users testing the
// selectors they write: the extractor, which selector matched each field,
// and what was removed (by each Remove rule, and by the generic extractor).
func writeExtractReport(w io.Writer, art *extract.Result) {
	fmt.Fprintf(w, "extractor %s (rules v%s)", art.Extractor, extract.Version)
	if art.Fallback {
		fmt.Fprint(w, ", fallback: the selectors failed")
	}
	fmt.Fprintln(w)
	for _, field := range sortedKeys(art.Matched) {
		// Matched and dropped elements are named by the page's own ids
		// and classes.
		fmt.Fprintf(w, "  %s ← %s\n", field, termLine(art.Matched[field]))
	}
	for _, sel := range sortedKeys(art.RemovedBy) {
		fmt.Fprintf(w, "  removed %d × %s\n", art.RemovedBy[sel], termLine(sel))
	}
	if len(art.Template) > 0 {
		fmt.Fprintf(w, "  dropped %d blocks as the source's template (learned from %d articles):\n", len(art.Template), art.Template[0].Learned)
		for _, d := range art.Template {
			fmt.Fprintf(w, "    in %d articles: %s\n", d.Articles, termLine(d.Text))
		}
	}
	if len(art.Dropped) > 0 {
		total := 0
		for _, k := range art.Dropped {
			total += k
		}
		fmt.Fprintf(w, "  generic extractor dropped %d elements:\n", total)
		for _, what := range sortedKeys(art.Dropped) {
			fmt.Fprintf(w, "    %d × %s\n", art.Dropped[what], termLine(what))
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
