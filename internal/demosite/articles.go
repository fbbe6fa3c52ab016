package demosite

import (
	"bufio"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed articles/*.txt
var articleFS embed.FS

// article is one page of the site. Slices are never changed in place once
// stored, so a struct copy taken under the lock is a safe snapshot.
type article struct {
	slug       string
	title      string
	author     string
	published  time.Time
	updated    time.Time // zero: never updated, no stamp shown
	views      int
	paragraphs []string
	related    []string // slugs of this site, or URLs
	ad         string
	gone       bool   // 404
	removed    bool   // 410 Gone
	movedTo    string // the slug it lives at now ("" = its own): the old path answers 301
	unlisted   bool   // left out of the feed (the page still serves)
	broken     bool   // redesign: body div renamed
	gbk        bool   // served as GBK bytes with a late <meta charset>

	// lastMod only moves forward, one second at least per change, so
	// If-Modified-Since never hides a change made after a fetch.
	lastMod time.Time

	// Extra markup of synthetic pages (inline styles and scripts).
	headExtra, bodyExtra template.HTML
}

// path is where the article lives now (after a move, its new path).
func (a *article) path() string {
	if a.movedTo != "" {
		return Path(a.movedTo)
	}
	return Path(a.slug)
}

const defaultAd = "Discover your family history: try our archive free for 30 days"

// loadArticles reads the embedded demo articles, in file-name order.
func loadArticles() ([]*article, error) {
	names, err := fs.Glob(articleFS, "articles/*.txt")
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	sort.Strings(names)
	var out []*article
	for _, name := range names {
		b, err := articleFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		a, err := parseArticle(string(b))
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// parseArticle reads "key: value" header lines, a blank line, then
// paragraphs separated by blank lines.
func parseArticle(src string) (*article, error) {
	head, body, ok := strings.Cut(src, "\n\n")
	if !ok {
		return nil, fmt.Errorf("no blank line after the header")
	}
	a := &article{ad: defaultAd}
	sc := bufio.NewScanner(strings.NewReader(head))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			return nil, fmt.Errorf("header line %q: no colon", sc.Text())
		}
		val = strings.TrimSpace(val)
		var err error
		switch key {
		case "title":
			a.title = val
		case "slug":
			a.slug = val
		case "author":
			a.author = val
		case "published":
			a.published, err = time.Parse(time.RFC3339, val)
		case "updated":
			a.updated, err = time.Parse(time.RFC3339, val)
		case "views":
			a.views, err = strconv.Atoi(val)
		case "related":
			for _, r := range strings.Split(val, ",") {
				if r = strings.TrimSpace(r); r != "" {
					a.related = append(a.related, r)
				}
			}
		default:
			return nil, fmt.Errorf("unknown header %q", key)
		}
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", key, err)
		}
	}
	for _, p := range strings.Split(body, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			a.paragraphs = append(a.paragraphs, p)
		}
	}
	if a.slug == "" || a.title == "" || a.published.IsZero() || len(a.paragraphs) == 0 {
		return nil, fmt.Errorf("slug, title, published and a body are required")
	}
	a.lastMod = laterOf(a.published, a.updated)
	return a, nil
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
