package harvest

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"time"

	"annalist/internal/canonical"
	"annalist/internal/config"
	"annalist/internal/extract"
	"annalist/internal/feed"
	"annalist/internal/fetch"
	"annalist/internal/store"
)

// ErrNotHTML is recorded when an article URL answers with something other
// than an HTML page (a PDF, an image).
var ErrNotHTML = errors.New("harvest: not an HTML page")

// ErrShrunk is recorded when a page's body is far shorter than the
// article's latest snapshot: most likely a site redesign broke extraction,
// so it is never stored as a revision.
var ErrShrunk = errors.New("harvest: extracted body far shorter than the latest snapshot")

// ErrSelectorsBroke is recorded when the source's selectors extracted an
// article before and no longer match it (the extractor fell back to
// generic): most likely a site redesign, so it is never stored as a revision.
var ErrSelectorsBroke = errors.New("harvest: the source's selectors no longer match this article")

// PageResult is what capturing one page did.
type PageResult struct {
	URL        string `json:"url"`
	ArticleID  string `json:"article"`
	Outcome    string `json:"outcome"`
	SnapshotID string `json:"snapshot"`
	Err        error  `json:"-"`
	Error      string `json:"error"`
}

// CaptureURL archives one page now (`annalist fetch --url`). src may be
// nil: the page is then extracted generically and filed under the source
// name "manual".
func (h *Harvester) CaptureURL(ctx context.Context, src *config.Source, rawURL string) PageResult {
	if src == nil {
		src = &config.Source{Name: ManualSource, RespectRobots: true, Watch: h.Watch}
	}
	u, err := canonical.URL(rawURL, nil)
	if err != nil {
		pr := PageResult{URL: rawURL, Outcome: store.OutcomeError, Err: err, Error: err.Error()}
		h.recordError(ctx, src.Name, "", rawURL, err)
		return pr
	}
	var known *store.Article
	if a, err := h.Store.ArticleByURL(ctx, u); err == nil {
		known = a
	} else if a, err := h.Store.ArticleByURL(ctx, rawURL); err == nil {
		known = a
	}
	return h.capturePage(ctx, src, rawURL, nil, known)
}

// RetryFailedCheck is how soon a known article whose check failed is due
// again.
const RetryFailedCheck = time.Hour

// ManualSource is the source name of pages archived with `fetch --url`
// without --source.
const ManualSource = "manual"

// capturePage fetches, extracts and stores one page. item is the feed item
// that led here (nil for re-checks and --url); known is the article if the
// archive already has it.
func (h *Harvester) capturePage(ctx context.Context, src *config.Source, pageURL string, item *feed.Item, known *store.Article) (pr PageResult) {
	pr = PageResult{URL: pageURL}
	log := h.logger().With("source", src.Name, "url", pageURL)
	articleID := ""
	if known != nil {
		articleID = known.ID
	}
	fail := func(err error) PageResult {
		pr.Outcome, pr.Err, pr.Error = store.OutcomeError, err, err.Error()
		pr.ArticleID = articleID
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			// A shutdown or a cancelled command, not the page's fault: no
			// error capture, and the article stays due.
			return pr
		}
		h.recordError(ctx, src.Name, articleID, pageURL, err)
		if known != nil {
			// Retry a failed check within the hour rather than waiting
			// for the next watch age (which may be a month away).
			now := h.now()
			next := NextCheck(known.FirstSeen, now, h.watch(src))
			if retry := now.Add(RetryFailedCheck); retry.Before(next) {
				next = retry
			}
			if err := h.Store.SetNextCheck(context.WithoutCancel(ctx), known.ID, &next); err != nil {
				log.Error("set next check", "error", err)
			}
		}
		log.Warn("page failed", "error", err)
		return pr
	}
	defer func() {
		if p := recover(); p != nil {
			pr = fail(fmt.Errorf("panic while archiving %s: %v", pageURL, p))
		}
	}()

	req := fetch.Request{URL: pageURL, RespectRobots: &src.RespectRobots,
		Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
	if known != nil {
		req.ETag, req.LastModified = known.ETag, known.LastModified
	}
	resp, err := h.Fetch.Get(ctx, req)
	if err != nil {
		return fail(err)
	}
	now := h.now()
	if resp.NotModified {
		if known == nil {
			return fail(fmt.Errorf("%s: 304 Not Modified for a page not in the archive", pageURL))
		}
		next := NextCheck(known.FirstSeen, now, h.watch(src))
		c := store.Capture{ArticleID: known.ID, Source: src.Name, URL: pageURL, CapturedAt: now, Outcome: store.OutcomeNotModified,
			FetchDuration: resp.Duration}
		if err := h.Store.RecordCapture(ctx, c); err != nil {
			return fail(fmt.Errorf("record capture: %w", err))
		}
		if err := h.Store.SetNextCheck(ctx, known.ID, &next); err != nil {
			log.Error("set next check", "error", err)
		}
		pr.ArticleID, pr.Outcome = known.ID, store.OutcomeNotModified
		return pr
	}
	if !resp.IsHTML() {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if ct == "" {
			ct = "unknown type"
		}
		return fail(fmt.Errorf("%w: %s is %s", ErrNotHTML, pageURL, ct))
	}

	rules := rulesFor(src, pageURL, resp.URL)
	key := bodyKey(src, rules, pageURL, resp)
	if sameBody(known, key, item) {
		// The very page last stored for this article, read with the same
		// rules: extracting it again would give the latest snapshot's state.
		next := NextCheck(known.FirstSeen, now, h.watch(src))
		err := h.Store.RecordUnchanged(context.WithoutCancel(ctx), store.Unchanged{
			FetchDuration: resp.Duration,
			ArticleID:     known.ID, Source: src.Name, URL: resp.URL, CapturedAt: now, BodyKey: key,
			NextCheckAt: &next, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")})
		if err == nil {
			pr.ArticleID, pr.Outcome = known.ID, store.OutcomeUnchanged
			log.Debug("page archived", "article", known.ID, "outcome", pr.Outcome, "same_body", true)
			return pr
		}
		if !errors.Is(err, store.ErrBodyKeyStale) {
			return fail(fmt.Errorf("store %s: %w", pageURL, err))
		}
		// Another capture stored a different page meanwhile: decide in full.
	}

	body, _ := resp.UTF8()
	h.extractions.Add(1)
	ectx, cancel := h.extractContext(ctx)
	defer cancel()
	art, err := extract.ArticleContext(ectx, body, resp.URL, rules)
	if err != nil {
		return fail(fmt.Errorf("extract %s: %w", resp.URL, err))
	}
	if art.Fallback || art.Title == "" {
		// Never skipped when fetched again: a re-check of this same page
		// must still be told that the selectors miss it (ErrSelectorsBroke),
		// and a title taken from the feed item is not in the key.
		key = ""
	}

	canon := h.canonicalURL(art.CanonicalURL, resp.URL, pageURL)
	if known == nil || known.ID != store.ArticleID(canon) {
		// The page names its article (a moved article's canonical points
		// at its new address): judge it against that article's snapshots.
		known, articleID = nil, ""
		if a, err := h.Store.ArticleByURL(ctx, canon); err == nil {
			known = a
			articleID = a.ID
		}
	}
	var latest *store.Snapshot
	if known != nil {
		latest, err = h.Store.LatestSnapshot(ctx, known.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fail(fmt.Errorf("latest snapshot of %s: %w", known.ID, err))
		}
	}
	title := art.Title
	if title == "" && item != nil {
		title = item.Title
	}
	fingerprint, err := extract.FingerprintContext(ectx, title, art.Text, art.HTML, src.IgnoreRE)
	if err != nil {
		return fail(fmt.Errorf("fingerprint %s: %w", resp.URL, err))
	}
	if art.Fallback && latest != nil {
		// The source's selectors stopped working on an article they
		// extracted before (a redesign): an extraction failure to fix in
		// feeds/, never a revision, even when the generic text happens to
		// match. A new article is archived with the generic extractor.
		same := "differs from"
		if fingerprint == latest.Fingerprint {
			same = "matches"
		}
		return fail(fmt.Errorf("%w: %s (the generic extractor's text %s the latest snapshot; nothing stored)",
			ErrSelectorsBroke, strings.Join(art.Warnings, "; "), same))
	}
	words := len(strings.Fields(art.Text)) // counted as the store counts a snapshot's words
	if latest != nil && latest.Words >= 40 && words*2 < latest.Words {
		return fail(fmt.Errorf("%w: %d words, the latest snapshot has %d (has the page layout or a selector changed?)", ErrShrunk, words, latest.Words))
	}

	revised := art.Revised
	if revised == nil && item != nil {
		revised = item.Updated
	}
	published := art.Published
	if published == nil && item != nil {
		published = item.Published
	}
	firstSeen := now
	if known != nil {
		firstSeen = known.FirstSeen
	}
	next := NextCheck(firstSeen, now, h.watch(src))
	ignore := src.IgnoreRE
	page := &store.Page{
		Source:        src.Name,
		FetchURL:      pageURL,
		FinalURL:      resp.URL,
		Canonical:     canon,
		OtherURLs:     otherURLs(pageURL, resp.URL, item),
		CapturedAt:    now,
		FetchDuration: resp.Duration,
		StatusCode:    resp.StatusCode,
		Proto:         resp.Proto,
		Header:        resp.Header,
		Body:          resp.Body,
		RawRequest:    resp.RawRequest,
		Title:         title,
		Byline:        art.Byline,
		HTML:          art.HTML,
		Text:          art.Text,
		Markdown:      art.Markdown,
		RevisionDate:  revised,
		PublishedDate: published,
		Fingerprint:   fingerprint,
		Refingerprint: h.refingerprinter(ignore),
		Extractor:     art.Extractor + "/" + extract.Version,
		ETag:          resp.Header.Get("ETag"),
		LastModified:  resp.Header.Get("Last-Modified"),
		NextCheckAt:   &next,
		BodyKey:       key,
	}
	// A page already fetched is stored even when a shutdown began meanwhile.
	saved, err := h.Store.SaveCapture(context.WithoutCancel(ctx), page)
	if err != nil {
		return fail(fmt.Errorf("store %s: %w", pageURL, err))
	}
	pr.ArticleID, pr.Outcome, pr.SnapshotID = saved.ArticleID, saved.Outcome, saved.SnapshotID
	for _, w := range art.Warnings {
		log.Warn("extraction warning", "article", saved.ArticleID, "warning", w)
	}
	log.Debug("page archived", "article", saved.ArticleID, "outcome", saved.Outcome)
	return pr
}

// watch is the source's revision-watch schedule. The config loader has
// already put the defaults in; an empty one (`watch: []`) means no watch.
func (h *Harvester) watch(src *config.Source) []time.Duration {
	return src.Watch
}

// rulesFor returns the source's selectors, unless the page ended up on
// another site than the one asked for: that site's layout is not the
// source's, so the generic extractor runs there.
func rulesFor(src *config.Source, askedURL, finalURL string) extract.Rules {
	if !selectorsApply(src, askedURL, finalURL) {
		return extract.Rules{}
	}
	s := src.Selectors
	return extract.Rules{Title: s.Title, Body: s.Body, Updated: s.Updated, Published: s.Published, Byline: s.Byline, Remove: s.Remove}
}

// selectorsApply reports whether rulesFor gives the source's selectors.
func selectorsApply(src *config.Source, askedURL, finalURL string) bool {
	return !src.Selectors.Empty() && sameSite(askedURL, finalURL)
}

// sameSite compares hosts, ignoring case and a leading "www.".
func sameSite(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	ha := strings.TrimPrefix(strings.ToLower(ua.Hostname()), "www.")
	hb := strings.TrimPrefix(strings.ToLower(ub.Hostname()), "www.")
	return ha == hb
}

// canonicalURL picks the URL that names the article: the page's declared
// canonical (or og:url) when it stays on the site, else the fetched URL.
func (h *Harvester) canonicalURL(declared, finalURL, askedURL string) string {
	if declared != "" && sameSite(declared, finalURL) {
		if c, err := canonical.URL(declared, nil); err == nil {
			return c
		}
	}
	if c, err := canonical.URL(askedURL, nil); err == nil {
		return c
	}
	return askedURL
}

// otherURLs lists every spelling the article was reached by.
func otherURLs(asked, final string, item *feed.Item) []string {
	urls := []string{asked, final}
	if item != nil {
		urls = append(urls, item.Link, item.Canonical)
	}
	for _, u := range []string{asked, final} {
		if c, err := canonical.URL(u, nil); err == nil {
			urls = append(urls, c)
		}
	}
	out := urls[:0]
	seen := map[string]bool{}
	for _, u := range urls {
		if u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}
