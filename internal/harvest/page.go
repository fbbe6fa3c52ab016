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
	// Moved and Back: the article moved or came back with this capture,
	// whatever its outcome (a move or return with new text is "revised").
	Moved bool `json:"-"`
	Back  bool `json:"-"`
	// Stopped: the poll was stopped (Ctrl-C) before the page's request
	// was sent, or cancelled (a daemon shutting down) while the page was
	// in hand; nothing was recorded for it, and it is due again.
	Stopped bool `json:"-"`
}

// stopKey carries a poll's Stop channel to the request of a page's first
// fetch (fetch.Request.Stop).
type stopKey struct{}

func withStop(ctx context.Context, stop <-chan struct{}) context.Context {
	if stop == nil {
		return ctx
	}
	return context.WithValue(ctx, stopKey{}, stop)
}

func stopOf(ctx context.Context) <-chan struct{} {
	stop, _ := ctx.Value(stopKey{}).(<-chan struct{})
	return stop
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
	defer h.flushLearning(ctx)
	return h.capturePage(ctx, src, rawURL, nil, known)
}

// RetryFailedCheck is how soon a known article whose check failed is due
// again.
const RetryFailedCheck = time.Hour

// ManualSource is the source name of pages archived with `fetch --url`
// without --source.
const ManualSource = "manual"

// capturePage fetches one page, gathers the facts about it (gather), lets
// decide say what it is, and records that (record). item is the feed item
// that led here (nil for re-checks and --url); known is the article the URL
// or the item's guid belongs to, if the archive has it.
func (h *Harvester) capturePage(ctx context.Context, src *config.Source, pageURL string, item *feed.Item, known *store.Article) PageResult {
	pr, _ := h.capture(ctx, src, pageURL, item, known, false)
	return pr
}

// capture is capturePage. With later set, a page found unchanged (or
// answered 304 Not Modified) is only handed to the store
// (store.Store.SendUnchanged) and rest, not nil, waits for its row's
// commit and returns the page's result (pr is then meaningless): the
// caller fetches its next page meanwhile (runJobs). The page's body stays
// in hand until rest returns: a stale key (another capture stored a
// different page meanwhile) is then examined in full.
func (h *Harvester) capture(ctx context.Context, src *config.Source, pageURL string, item *feed.Item, known *store.Article, later bool) (pr PageResult, rest func() PageResult) {
	pr = PageResult{URL: pageURL}
	log := h.logger().With("source", src.Name, "url", pageURL)
	defer func() {
		if p := recover(); p != nil {
			pr, rest = h.pageFailed(ctx, src, pageURL, known, fmt.Errorf("panic while archiving %s: %v", pageURL, p), 0), nil
		}
	}()
	g, err := h.gather(ctx, src, pageURL, item, known)
	if g != nil && g.hold != nil {
		defer func() {
			if rest == nil {
				g.hold.release() // its bodies' bytes in hand (holdBody)
			}
		}()
	}
	if g != nil && g.expected != nil {
		defer g.expected() // if no record was sent
	}
	if err != nil {
		return h.pageFailed(ctx, src, pageURL, known, err, 0), nil
	}
	if errors.Is(g.facts.FetchErr, fetch.ErrStopped) {
		return PageResult{URL: pageURL, Stopped: true}, nil
	}
	v := decide(g.facts)
	if v.Err != nil {
		return h.pageFailed(ctx, src, pageURL, v.Article, v.Err, g.facts.Status), nil
	}
	answered := func(pr PageResult, err error) PageResult {
		if err != nil {
			return h.pageFailed(ctx, src, pageURL, v.Article, fmt.Errorf("store %s: %w", pageURL, err), g.facts.Status)
		}
		log.Debug("page archived", "article", pr.ArticleID, "outcome", pr.Outcome, "same_body", g.facts.SameBody,
			"moved_from", v.MovedFrom, "back", v.Back, "date_bump", v.DateBump)
		return pr
	}
	var wait func() error
	if later && (g.facts.SameBody && v.Outcome == store.OutcomeUnchanged || v.Outcome == store.OutcomeNotModified) {
		wait = h.sendUnchanged(ctx, src, g, v)
	}
	if wait != nil {
		return pr, func() (pr PageResult) {
			defer func() {
				if g.hold != nil {
					g.hold.release()
				}
				if p := recover(); p != nil {
					pr = h.pageFailed(ctx, src, pageURL, known, fmt.Errorf("panic while archiving %s: %v", pageURL, p), 0)
				}
			}()
			return answered(h.unchangedAnswered(ctx, src, g, v, wait()))
		}
	}
	return answered(h.record(ctx, src, g, v)), nil
}

// gathered is one fetched page: the facts decide reads, and what record
// needs to store it.
type gathered struct {
	facts    Facts
	item     *feed.Item
	resp     *fetch.Response
	art      *extract.Result
	title    string
	key      string           // body key ("" = none)
	declared string           // off-site rel=canonical, canonicalised
	more     []store.Response // a paginated article's later pages (pages.go)
	// priorOf is the archived article the template was applied for when
	// it is not known: the one the page turned out to name (examine).
	priorOf *store.Article
	hold    *bodyHold // the bodies' bytes in hand, released once the page is stored (holdBody)
	// expected takes back the store's expectation of an unchanged record
	// (expectUnchanged); set only for a page found unchanged.
	expected func()
}

// writeExpecter is the part of store.Store that lets the group committer
// wait for a write on its way (store.Store.ExpectWrite).
type writeExpecter interface {
	ExpectWrite() (done func())
}

// expectUnchanged tells the store that a re-check of known is under way
// and will most likely record "unchanged" (its page was stored with a body
// key), so that the writer commits several such records together instead
// of one transaction each. It returns the func that takes that back, or
// nil when no such record is likely or the store cannot wait.
func (h *Harvester) expectUnchanged(known *store.Article) func() {
	if known == nil || known.Snapshots == 0 || known.BodyKey == "" || known.State == store.StateGone {
		return nil
	}
	if ew, ok := h.Store.(writeExpecter); ok {
		return ew.ExpectWrite()
	}
	return nil
}

// gather fetches the page and finds out what decide needs: the response,
// the extracted article, and which archived article it is. An error is
// one that says nothing about the page (the archive failed).
func (h *Harvester) gather(ctx context.Context, src *config.Source, pageURL string, item *feed.Item, known *store.Article) (*gathered, error) {
	g := &gathered{item: item, facts: Facts{Known: known, AskedURL: pageURL, FinalURL: pageURL}}
	f := &g.facts
	if expected := h.expectUnchanged(known); expected != nil {
		defer func() {
			if f.SameBody || f.NotModified {
				g.expected = expected // taken back when its record is sent
			} else {
				expected() // a page to examine, or none: no quick record
			}
		}()
	}
	req := fetch.Request{URL: pageURL, RespectRobots: &src.RespectRobots,
		Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5", Stop: stopOf(ctx)}
	if known != nil {
		req.ETag, req.LastModified = known.ETag, known.LastModified
	}
	resp, err := h.Fetch.Get(ctx, req)
	if err != nil {
		f.FetchErr, f.Status = err, statusOf(err)
		return g, nil
	}
	g.resp, f.Status, f.FinalURL, f.NotModified = resp, resp.StatusCode, resp.URL, resp.NotModified
	if resp.NotModified {
		return g, nil
	}
	if g.hold, err = h.holdBody(ctx, len(resp.Body)); err != nil {
		return g, err
	}
	if !resp.IsHTML() {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if ct == "" {
			ct = "unknown type"
		}
		f.NotHTML = ct
		return g, nil
	}

	g.key = bodyKey(src, rulesFor(src, pageURL, resp.URL), pageURL, resp)
	if sameBody(known, g.key, item) && known.State != store.StateGone {
		f.SameBody = true
		return g, nil
	}
	return g, h.examine(ctx, src, g)
}

// examine extracts the fetched page and finds which archived article it
// names and that article's latest snapshot.
func (h *Harvester) examine(ctx context.Context, src *config.Source, g *gathered) error {
	f, resp, item, known := &g.facts, g.resp, g.item, g.facts.Known
	rules := rulesFor(src, f.AskedURL, resp.URL)
	if !src.NoFollowPages {
		// The next page is found in the parse extraction makes (morePages).
		rules.Next = &extract.NextRules{Selector: src.Selectors.NextPage}
	}
	tmplFor := known
	if g.priorOf != nil {
		tmplFor = g.priorOf
	}
	tmpl, tmplLatest, err := h.template(ctx, src, tmplFor)
	if err != nil {
		return err
	}
	rules.Template = tmpl
	release, err := h.extractSlot(ctx)
	if err != nil {
		return err
	}
	body, _ := resp.UTF8()
	h.extractions.Add(1)
	ectx, cancel := h.extractContext(ctx) // after the wait for a slot: the deadline is the extraction's own
	defer cancel()
	art, err := extract.ArticleContext(ectx, body, resp.URL, rules)
	release()
	if err != nil {
		f.ExtractErr = fmt.Errorf("extract %s: %w", resp.URL, err)
		f.NotFoundPage = notFoundPage(body, nil)
		return nil
	}
	// A paginated article's later pages complete it before the fingerprint
	// (pages.go); a later page that fails fails the whole capture.
	if g.more, err = h.morePages(ctx, src, rules, resp, body, art, g.hold); err != nil {
		f.ExtractErr = err
		return nil
	}
	g.art = art
	if art.Fallback || art.Title == "" {
		// Never skipped when fetched again: a re-check of this same page
		// must still be told that the selectors miss it (ErrSelectorsBroke),
		// and a title taken from the feed item is not in the key.
		g.key = ""
	}
	g.title = art.Title
	if g.title == "" && item != nil {
		g.title = item.Title
	}
	f.NotFoundPage = notFoundPage(body, art)
	revised := art.Revised
	if revised == nil && item != nil {
		revised = item.Updated
	}
	if len(g.more) > 0 {
		// Fetching the later pages (paced per host) took part of page 1's
		// deadline: the joined text gets a deadline of its own.
		var fcancel context.CancelFunc
		ectx, fcancel = h.extractContext(ctx)
		defer fcancel()
	}
	fingerprint, err := extract.FingerprintContext(ectx, resp.URL, g.title, art.Text, art.HTML, src.IgnoreRE)
	if err != nil {
		f.ExtractErr = fmt.Errorf("fingerprint %s: %w", resp.URL, err)
		return nil
	}
	f.Page = &PageFacts{
		Canonical:    h.canonicalURL(art.CanonicalURL, resp.URL),
		Words:        store.WordCount(art.Text), // counted as the store counts a snapshot's words
		Fingerprint:  fingerprint,
		RevisionDate: revised,
		Fallback:     art.Fallback,
		Warnings:     art.Warnings,
	}
	g.declared = offSiteCanonical(art.CanonicalURL, resp.URL)

	redo, err := h.compareLatest(ctx, ectx, src, g, tmplFor, tmplLatest)
	if err != nil || !redo {
		return err
	}
	return h.examine(ctx, src, g)
}

// compareLatest finds which archived article the examined page names (if
// another than the one it was fetched for) and sets g's Latest from that
// article's latest snapshot, comparing fingerprints of one normaliser
// version. redo says the page must be examined again with that article's
// template (g.priorOf set): the template was applied as to another one.
// ectx carries the extraction deadline, for fingerprinting.
func (h *Harvester) compareLatest(ctx, ectx context.Context, src *config.Source, g *gathered, tmplFor *store.Article, tmplLatest *store.Snapshot) (redo bool, err error) {
	f, known, art := &g.facts, g.facts.Known, g.art
	// Which archived article the page names, if another than known.
	if known == nil || f.Page.Canonical != known.URL {
		if a, err := h.Store.ArticleByURL(ctx, f.Page.Canonical); err == nil {
			if known == nil || a.ID != known.ID {
				f.Named = a
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return false, fmt.Errorf("look up %s: %w", f.Page.Canonical, err)
		}
	}
	judged := known
	if f.Named != nil {
		judged = f.Named
	}
	if judged != nil {
		latest := tmplLatest // read for the template already (nil if not)
		if latest == nil || latest.ArticleID != judged.ID {
			latest, err = h.Store.LatestSnapshot(ctx, judged.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return false, fmt.Errorf("latest snapshot of %s: %w", judged.ID, err)
			}
		}
		if latest != nil {
			fp := latest.Fingerprint
			if fp != f.Page.Fingerprint {
				// Another normaliser version, or rules added within this
				// one (more stamp layouts, counters): compare like with
				// like, the snapshot's stored title, text and HTML
				// normalised as the page was, so that an upgrade is never
				// taken for a revision. Only when they differ: most
				// re-checks match the stored fingerprint.
				if fp, err = extract.FingerprintContext(ectx, latest.URL, latest.Title, latest.Text, latest.HTML, src.IgnoreRE); err != nil {
					f.ExtractErr = fmt.Errorf("fingerprint the latest snapshot %s again: %w", latest.ID, err)
					return false, nil
				}
			}
			f.Latest = &Latest{ID: latest.ID, Fingerprint: fp, Words: latest.Words, RevisionDate: latest.RevisionDate}
			if g.priorOf == nil && (tmplFor == nil || tmplFor.ID != judged.ID) {
				// The template was applied as to a new article (or another
				// one), yet the page names an archived article: only blocks
				// that article already had may be dropped, so a block new to
				// it (a correction common on the site) stays a revision.
				if redo, err = h.dropsNewTo(ctx, art.Template, latest); err != nil || redo {
					if redo {
						g.priorOf = judged
					}
					return redo, err
				}
			}
			if fp != f.Page.Fingerprint && len(art.Template) > 0 && templateOnlyChange(ectx, art.Template, latest, f.Page.Fingerprint, src) {
				// Blocks that became furniture since the snapshot was
				// stored are no revision: the page is what was stored.
				f.Page.Fingerprint = fp
			}
		}
	}
	return false, nil
}

// record stores what decide said.
func (h *Harvester) record(ctx context.Context, src *config.Source, g *gathered, v Verdict) (PageResult, error) {
	f := &g.facts
	pr := PageResult{URL: f.AskedURL, Outcome: v.Outcome}
	now := h.now()
	firstSeen := now
	if v.Article != nil {
		firstSeen = v.Article.FirstSeen
		pr.ArticleID = v.Article.ID
	}
	next := NextCheck(firstSeen, now, h.watch(src))
	var duration time.Duration
	if g.resp != nil {
		duration = g.resp.Duration
	}
	// A page already fetched is stored even when a shutdown began meanwhile.
	ctx = context.WithoutCancel(ctx)
	switch v.Outcome {
	case store.OutcomeGone:
		h.logger().Info("article gone", "source", src.Name, "article", v.Article.ID, "url", f.AskedURL, "reason", v.Reason)
		return pr, h.Store.RecordGone(ctx, store.Gone{ArticleID: v.Article.ID, Source: src.Name, URL: f.FinalURL,
			CapturedAt: now, HTTPStatus: f.Status, Reason: v.Reason, FetchDuration: duration, NextCheckAt: &next})
	case store.OutcomeNotModified:
		return h.unchangedAnswered(ctx, src, g, v, h.sendUnchanged(ctx, src, g, v)())
	}
	if f.SameBody {
		return h.unchangedAnswered(ctx, src, g, v, h.sendUnchanged(ctx, src, g, v)())
	}

	art, resp := g.art, g.resp
	published := art.Published
	if published == nil && g.item != nil {
		published = g.item.Published
	}
	page := &store.Page{
		Source:            src.Name,
		FetchURL:          f.AskedURL,
		FinalURL:          resp.URL,
		Canonical:         f.Page.Canonical,
		OtherURLs:         otherURLs(f.AskedURL, resp.URL, g.item),
		CapturedAt:        now,
		FetchDuration:     resp.Duration,
		StatusCode:        resp.StatusCode,
		Proto:             resp.Proto,
		Header:            resp.Header,
		Body:              resp.Body,
		RawRequest:        resp.RawRequest,
		Title:             g.title,
		Byline:            art.Byline,
		HTML:              art.HTML,
		Text:              art.Text,
		Markdown:          art.Markdown,
		RevisionDate:      f.Page.RevisionDate,
		PublishedDate:     published,
		Fingerprint:       f.Page.Fingerprint,
		Extractor:         art.Extractor + "/" + extract.Version,
		ETag:              resp.Header.Get("ETag"),
		LastModified:      resp.Header.Get("Last-Modified"),
		NextCheckAt:       &next,
		BodyKey:           g.key,
		MovedFrom:         v.MovedFrom,
		Back:              v.Back,
		DeclaredCanonical: g.declared,
	}
	if v.Article != nil {
		page.ArticleID = v.Article.ID
	}
	if f.Latest != nil {
		page.Judged, page.Same = f.Latest.ID, !v.Snapshot
	}
	withMorePages(page, g.more)
	handOff(ctx) // the worker may take its next page meanwhile (handoff.go)
	saved, err := h.Store.SaveCapture(ctx, page)
	if err != nil {
		return pr, err
	}
	pr.ArticleID, pr.Outcome, pr.SnapshotID = saved.ArticleID, saved.Outcome, saved.SnapshotID
	if saved.SnapshotID != "" {
		h.learn(ctx, src, page.Canonical, saved.ArticleID, saved.SnapshotID, art)
	}
	pr.Moved, pr.Back = v.MovedFrom != "", v.Back
	for _, w := range art.Warnings {
		h.logger().Warn("extraction warning", "source", src.Name, "article", saved.ArticleID, "warning", w)
	}
	if v.MovedFrom != "" {
		h.logger().Info("article moved", "source", src.Name, "article", saved.ArticleID, "from", v.MovedFrom, "to", page.Canonical)
	}
	return pr, nil
}

// sendUnchanged hands the store the row of a page found the same as the
// one last stored (f.SameBody: "unchanged", with its body key and
// validators) or answered 304 Not Modified ("not-modified"), with this
// check's own time and the next check, in one write of the group commit,
// and returns the wait for its commit (store.Store.SendUnchanged).
func (h *Harvester) sendUnchanged(ctx context.Context, src *config.Source, g *gathered, v Verdict) (wait func() error) {
	now := h.now()
	next := NextCheck(v.Article.FirstSeen, now, h.watch(src))
	if g.expected != nil {
		g.expected() // before the send: the writer must not wait for this record itself
	}
	u := store.Unchanged{ArticleID: v.Article.ID, Source: src.Name, CapturedAt: now, NextCheckAt: &next,
		FetchDuration: g.resp.Duration, HTTPStatus: g.facts.Status}
	if v.Outcome == store.OutcomeNotModified {
		u.NotModified, u.URL = true, g.facts.AskedURL
	} else {
		u.URL, u.BodyKey = g.resp.URL, g.key
		u.ETag, u.LastModified = g.resp.Header.Get("ETag"), g.resp.Header.Get("Last-Modified")
	}
	// A page already fetched is stored even when a shutdown began meanwhile.
	return h.Store.SendUnchanged(context.WithoutCancel(ctx), u)
}

// unchangedAnswered is the result of the "unchanged" or "not-modified"
// row sendUnchanged sent, given the store's answer
// err. A stale key (another capture stored a different page meanwhile)
// sends the page in hand through the full decision against the article as
// it is now.
func (h *Harvester) unchangedAnswered(ctx context.Context, src *config.Source, g *gathered, v Verdict, err error) (PageResult, error) {
	pr := PageResult{URL: g.facts.AskedURL, Outcome: v.Outcome, ArticleID: v.Article.ID}
	if !errors.Is(err, store.ErrBodyKeyStale) {
		if g.facts.SameBody && g.art == nil && g.resp != nil {
			// Only hashed, never extracted, and its row is answered: the
			// body's buffer serves a later page's (fetch.Response.Release).
			g.resp.Release()
		}
		return pr, err
	}
	ctx = context.WithoutCancel(ctx)
	fresh, err := h.Store.Article(ctx, v.Article.ID)
	if err != nil {
		return pr, err
	}
	f := &g.facts
	f.Known, f.SameBody = fresh, false
	if g.hold != nil {
		// The pages queued behind this one hold their bodies until this
		// returns: its later pages, if it has become paginated, must not
		// wait for their room.
		g.hold.noWait = true
	}
	if err := h.examine(ctx, src, g); err != nil {
		return pr, err
	}
	v2 := decide(*f)
	if v2.Err != nil {
		return pr, v2.Err
	}
	return h.record(ctx, src, g, v2)
}

// pageFailed records a failed page: an error capture, and for an archived
// article a retry within the hour.
func (h *Harvester) pageFailed(ctx context.Context, src *config.Source, pageURL string, known *store.Article, err error, status int) PageResult {
	pr := PageResult{URL: pageURL, Outcome: store.OutcomeError, Err: err, Error: err.Error()}
	if known != nil {
		pr.ArticleID = known.ID
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// A shutdown or a cancelled command, not the page's fault: no
		// error capture, and the article stays due. The poll counts it
		// as not done, not as failed.
		pr.Stopped = true
		return pr
	}
	c := store.Capture{ArticleID: pr.ArticleID, Source: src.Name, URL: pageURL, CapturedAt: h.now(),
		Outcome: store.OutcomeError, Error: err.Error(), HTTPStatus: status}
	if rerr := h.Store.RecordCapture(context.WithoutCancel(ctx), c); rerr != nil {
		h.logger().Error("record capture", "source", src.Name, "url", pageURL, "error", rerr)
	}
	if known != nil {
		// Retry a failed check within the hour rather than waiting
		// for the next watch age (which may be a month away).
		now := h.now()
		next := NextCheck(known.FirstSeen, now, h.watch(src))
		if retry := now.Add(RetryFailedCheck); retry.Before(next) {
			next = retry
		}
		if err := h.Store.SetNextCheck(context.WithoutCancel(ctx), known.ID, &next); err != nil {
			h.logger().Error("set next check", "source", src.Name, "error", err)
		}
	}
	h.logger().Log(ctx, h.failureLevel(), "page failed", "source", src.Name, "url", pageURL, "error", err)
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
// canonical (or og:url) when it stays on the site, else the URL the page
// was found at after redirects (a moved article's new address).
func (h *Harvester) canonicalURL(declared, finalURL string) string {
	if declared != "" && sameSite(declared, finalURL) {
		if c, err := canonical.URL(declared, nil); err == nil {
			return c
		}
	}
	if c, err := canonical.URL(finalURL, nil); err == nil {
		return c
	}
	return finalURL
}

// offSiteCanonical is the page's declared canonical URL when it names
// another site (a syndicated copy's original), canonicalised; else "".
func offSiteCanonical(declared, finalURL string) string {
	if declared == "" || sameSite(declared, finalURL) {
		return ""
	}
	c, err := canonical.URL(declared, nil)
	if err != nil {
		return ""
	}
	return c
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
