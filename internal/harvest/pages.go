package harvest

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"strings"

	"annalist/internal/canonical"
	"annalist/internal/config"
	"annalist/internal/extract"
	"annalist/internal/fetch"
	"annalist/internal/store"
)

// MaxPages is how many pages of one paginated article are archived at
// most, page 1 included.
const MaxPages = 20

// morePages follows a paginated article from its first page (resp, its
// UTF-8 body, and art extracted from it): every later page, found by
// extract.NextPage (or the source's selectors.next_page), is fetched
// through the same client (so with the host's pacing and robots.txt),
// extracted with the same rules and appended to art's title-less body.
// It returns the later pages' responses, for WARC. It stops at MaxPages,
// at a page already seen (a loop, or a redirect back to page 1), at a page
// on another site, at a page whose text repeats the previous one (a
// site that ignores ?page=N), at a page published at another time than
// page 1 (another post), and at a page robots.txt disallows. A later
// page that cannot be fetched or extracted is an error: half an article
// stored as a revision would read as a cut, and the next capture as a
// restoration.
// The later pages' bodies are counted in hold (nil: not counted) until
// the article is stored.
func (h *Harvester) morePages(ctx context.Context, src *config.Source, rules extract.Rules, resp *fetch.Response, body []byte, art *extract.Result, hold *bodyHold) ([]store.Response, error) {
	if src.NoFollowPages {
		return nil, nil
	}
	log := h.logger().With("source", src.Name, "url", resp.URL)
	first := resp.URL
	seen := map[string]bool{pageKey(first): true, pageKey(resp.RequestURL): true}
	texts, htmls, mds := []string{art.Text}, []string{art.HTML}, []string{art.Markdown}
	var more []store.Response
	// Each page's next page comes with its extraction (Rules.Next), from
	// the one parse; a caller that did not ask for it on page 1 gets a
	// parse of its own.
	curURL, cur := first, art
	if rules.Next == nil {
		next, err := extract.NextPage(body, first, first, src.Selectors.NextPage)
		cur = &extract.Result{Next: next, NextErr: err}
	}
	rules.Next = &extract.NextRules{Selector: src.Selectors.NextPage, ArticleURL: first}
	for {
		next, err := cur.Next, cur.NextErr
		if err != nil {
			return nil, fmt.Errorf("find the next page of %s: %w", curURL, err)
		}
		if next == "" {
			break
		}
		if seen[pageKey(next)] {
			log.Debug("pagination leads back to a page already archived", "next", next)
			break
		}
		if len(texts) >= MaxPages {
			log.Warn("paginated article cut at the page limit", "pages", MaxPages, "next", next)
			break
		}
		seen[pageKey(next)] = true
		n := len(texts) + 1
		r, err := h.Fetch.Get(ctx, fetch.Request{URL: next, RespectRobots: &src.RespectRobots,
			Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"})
		if errors.Is(err, fetch.ErrRobots) {
			// The site's own wish, the same at every check: the article
			// is what robots.txt lets us read.
			log.Warn("next page disallowed by robots.txt; the article is archived up to it", "next", next, "pages", len(texts))
			break
		}
		if err != nil {
			return nil, fmt.Errorf("page %d of %s: %w", n, first, err)
		}
		if !sameSite(first, r.URL) {
			log.Warn("next page redirected to another site; not followed", "next", next, "to", r.URL)
			break
		}
		if r.URL != next && seen[pageKey(r.URL)] {
			log.Debug("next page redirected to a page already archived", "next", next, "to", r.URL)
			break
		}
		seen[pageKey(r.URL)] = true
		if hold != nil {
			if err := hold.add(ctx, len(r.Body)); err != nil {
				return nil, err
			}
		}
		if !r.IsHTML() {
			ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			return nil, fmt.Errorf("page %d of %s: %w: %s is %q", n, first, ErrNotHTML, r.URL, ct)
		}
		release, err := h.extractSlot(ctx)
		if err != nil {
			return nil, err
		}
		b, _ := r.UTF8()
		h.extractions.Add(1)
		ectx, cancel := h.extractContext(ctx) // each page its own deadline, as page 1
		pa, err := extract.ArticleContext(ectx, b, r.URL, rules)
		cancel()
		release()
		if err != nil {
			return nil, fmt.Errorf("page %d of %s: extract %s: %w", n, first, r.URL, err)
		}
		if strings.TrimSpace(pa.Text) == "" || pa.Text == texts[len(texts)-1] {
			log.Debug("next page repeats the previous one; pagination ends", "next", r.URL)
			break
		}
		if otherPublication(art, pa) {
			// The pages of one article share its publication: this is
			// another post whose address looks like a page of this one
			// (WordPress gives the next part of a series /slug-2/).
			log.Debug("next page was published at another time: another post; pagination ends", "next", r.URL)
			break
		}
		texts, htmls, mds = append(texts, pa.Text), append(htmls, pa.HTML), append(mds, pa.Markdown)
		art.Template = append(art.Template, pa.Template...) // what the joined snapshot dropped (template.go)
		more = append(more, store.Response{URL: r.URL, StatusCode: r.StatusCode, Proto: r.Proto, Header: r.Header,
			Body: r.Body, RawRequest: r.RawRequest, FetchedAt: r.FetchedAt})
		curURL, cur = r.URL, pa
	}
	if len(more) > 0 {
		art.Text = strings.Join(texts, "\n\n")
		art.HTML = strings.Join(htmls, "\n")
		art.Markdown = strings.Join(mds, "\n\n")
		log.Debug("paginated article", "pages", len(texts))
	}
	return more, nil
}

// withMorePages gives page the later pages of its article. A conditional
// GET and the body-key short cut both look at page 1 alone, which may stay
// the same while page 3 changes: a multi-page article keeps neither.
func withMorePages(page *store.Page, more []store.Response) {
	if len(more) == 0 {
		return
	}
	page.MorePages = more
	page.ETag, page.LastModified, page.BodyKey = "", "", ""
}

// pageKey names a page URL for loop detection: canonicalised where it can
// be, without a trailing slash.
func pageKey(u string) string {
	if c, err := canonical.URL(u, nil); err == nil {
		u = c
	}
	return strings.TrimSuffix(u, "/")
}

// otherPublication reports whether page (a next page of art) declares
// another publication than art's. Only dates of one kind are compared,
// both declared (metadata, the source's published selector) or both the
// first <time> of the body, and a body's <time> before the Web is a date
// the article tells, not its publication: page 2 of a diary that declares
// nothing, or whose first entry is dated 2 July 1916, is page 2 all the
// same.
func otherPublication(art, page *extract.Result) bool {
	a, p := art.Published, page.Published
	if a == nil || p == nil || art.PublishedInBody != page.PublishedInBody || a.Equal(*p) {
		return false
	}
	return !art.PublishedInBody || a.Year() >= extract.FirstWebYear && p.Year() >= extract.FirstWebYear
}
