package feed

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"annalist/internal/canonical"
)

// rawItem is an entry as the format gave it, before links are resolved and
// keys assigned.
type rawItem struct {
	guid      string
	links     []string // candidates in order of preference
	title     string
	summary   string
	content   string
	author    string
	published *time.Time
	updated   *time.Time
}

func fromGofeed(it *gofeed.Item) rawItem {
	r := rawItem{
		guid:      strings.TrimSpace(it.GUID),
		title:     strings.TrimSpace(it.Title),
		summary:   strings.TrimSpace(it.Description),
		content:   strings.TrimSpace(it.Content),
		author:    authorOf(it),
		published: utc(it.PublishedParsed),
		updated:   utc(it.UpdatedParsed),
	}
	if it.Link != "" {
		r.links = append(r.links, it.Link)
	}
	r.links = append(r.links, it.Links...)
	return r
}

// authorOf joins the item's author names (e-mail addresses when a name is
// missing), so co-written articles keep every byline.
func authorOf(it *gofeed.Item) string {
	people := it.Authors
	if len(people) == 0 && it.Author != nil {
		people = []*gofeed.Person{it.Author}
	}
	var names []string
	for _, p := range people {
		if p == nil {
			continue
		}
		n := strings.TrimSpace(p.Name)
		if n == "" {
			n = strings.TrimSpace(p.Email)
		}
		if n != "" {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// rssUpdated returns an RSS item's modification date: dcterms:modified,
// dc:modified or atom:updated when present. Otherwise gofeed's dc:date, but
// only when it differs from the publication date: gofeed copies dc:date into
// both, and a copy says nothing about a revision.
func rssUpdated(it *gofeed.Item) *time.Time {
	for _, e := range [][2]string{
		{"dcterms", "modified"}, {"dc", "modified"},
		{"atom", "updated"}, {"atom10", "updated"}, {"atom03", "modified"},
	} {
		if t := extDate(it, e[0], e[1]); t != nil {
			return t
		}
	}
	up, pub := utc(it.UpdatedParsed), utc(it.PublishedParsed)
	if up == nil || (pub != nil && up.Equal(*pub)) {
		return nil
	}
	return up
}

// extDates are the layouts of W3C-DTF (RFC 3339 and its shorter forms) and
// RFC 822, which is what dcterms and atom extension elements carry.
var extDates = []string{
	time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02",
	time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 -0700",
}

func extDate(it *gofeed.Item, prefix, name string) *time.Time {
	es := it.Extensions[prefix][name]
	if len(es) == 0 {
		return nil
	}
	s := strings.TrimSpace(es[0].Value)
	for _, layout := range extDates {
		if t, err := time.Parse(layout, s); err == nil {
			return utc(&t)
		}
	}
	return nil
}

// utc returns t in UTC, or nil for a missing or zero date.
func utc(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// normalise resolves the item's link against base and fills the Item; the
// Key is provisional until assignKeys makes it unique.
func (r rawItem) normalise(base *url.URL) Item {
	it := Item{
		GUID:      r.guid,
		Title:     r.title,
		Summary:   r.summary,
		Content:   r.content,
		Author:    r.author,
		Published: r.published,
		Updated:   r.updated,
	}
	for _, l := range r.links {
		if it.Link, it.Canonical = resolveLink(l, base); it.Link != "" {
			break
		}
	}
	// A GUID stands in for a missing link only when it is an absolute
	// http(s) URL. isPermaLink is no guide: gofeed reports the spec's
	// default "true" for every guid without the attribute, most of which
	// are opaque IDs, and a permalink must be a full URL anyway.
	if it.Link == "" && isAbsoluteHTTP(r.guid) {
		it.Link, it.Canonical = resolveLink(r.guid, nil)
	}
	switch {
	case it.GUID != "":
		it.Key = it.GUID
	case it.Canonical != "":
		it.Key = it.Canonical
	default:
		body := it.Content
		if body == "" {
			body = it.Summary
		}
		sum := sha256.Sum256([]byte(it.Title + "\n" + body))
		it.Key = "sha256:" + hex.EncodeToString(sum[:])
	}
	return it
}

// resolveLink resolves raw against base and returns it with its canonical
// form, or two empty strings when the result is not an http(s) URL with a
// host: such items are kept but never fetched.
func resolveLink(raw string, base *url.URL) (link, canon string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if !isHTTP(u) {
		return "", ""
	}
	link = u.String()
	canon, err = canonical.URL(link, nil)
	if err != nil {
		return "", ""
	}
	return link, canon
}

func isAbsoluteHTTP(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && isHTTP(u)
}

func isHTTP(u *url.URL) bool {
	s := strings.ToLower(u.Scheme)
	return (s == "http" || s == "https") && u.Host != ""
}

// assignKeys makes keys unique in document order: the second item with key
// k becomes "k#2", the third "k#3", skipping suffixes another item already
// holds, so the same document always yields the same keys.
func assignKeys(items []Item) {
	used := make(map[string]bool, len(items))
	next := make(map[string]int)
	for i := range items {
		k := items[i].Key
		if used[k] {
			n := max(next[k], 2)
			for used[k+"#"+strconv.Itoa(n)] {
				n++
			}
			next[k] = n + 1
			k += "#" + strconv.Itoa(n)
			items[i].Key = k
		}
		used[k] = true
	}
}
