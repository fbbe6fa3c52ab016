package harvest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"annalist/internal/canonical"
	"annalist/internal/config"
	"annalist/internal/feed"
	"annalist/internal/fetch"
	"annalist/internal/store"
)

// Recheck says which known articles a poll re-fetches besides new items.
type Recheck string

const (
	RecheckNone Recheck = "none" // only new or updated feed items
	RecheckDue  Recheck = "due"  // also the articles the revision watch says are due
	RecheckAll  Recheck = "all"  // also every known article of the source
)

// ParseRecheck checks a --recheck value.
func ParseRecheck(s string) (Recheck, error) {
	switch r := Recheck(s); r {
	case RecheckNone, RecheckDue, RecheckAll:
		return r, nil
	}
	return "", fmt.Errorf("recheck must be none, due or all, not %q", s)
}

// Counts tallies the captures of one poll.
type Counts struct {
	Items       int `json:"items"`
	New         int `json:"new"`
	Revised     int `json:"revised"`
	Unchanged   int `json:"unchanged"`
	NotModified int `json:"not_modified"`
	Errors      int `json:"errors"`
	Moved       int `json:"moved"` // at a new URL (with new text too, also counted in Revised)
	Gone        int `json:"gone"`  // found gone (404/410, redirect to home or section, soft 404)
	Back        int `json:"back"`  // a gone article back (with new text too, also counted in Revised)
	// The feed's items that were not fetched, so that every item is in
	// one category: NotDue, known and not re-checked this time (the feed
	// did not change them and the watch did not call them); Later, over
	// http.max_items, left for the next poll; NoLink, without a link.
	NotDue int `json:"not_due"`
	Later  int `json:"later"`
	NoLink int `json:"no_link"`
	// Rechecked counts the known articles no longer in the feed that were
	// re-checked: their outcomes are in the categories above too, which
	// therefore add up to Items + Rechecked.
	Rechecked int `json:"rechecked"`
}

// addPage counts one page's capture, and a move or return that came with
// new text (outcome revised) as a move or return too.
func (c *Counts) addPage(pr PageResult) {
	c.add(pr.Outcome)
	if pr.Moved && pr.Outcome != store.OutcomeMoved {
		c.Moved++
	}
	if pr.Back && pr.Outcome != store.OutcomeBack {
		c.Back++
	}
}

func (c *Counts) add(outcome string) {
	switch outcome {
	case store.OutcomeNew:
		c.New++
	case store.OutcomeRevised:
		c.Revised++
	case store.OutcomeUnchanged:
		c.Unchanged++
	case store.OutcomeNotModified:
		c.NotModified++
	case store.OutcomeError:
		c.Errors++
	case store.OutcomeMoved:
		c.Moved++
	case store.OutcomeGone:
		c.Gone++
	case store.OutcomeBack:
		c.Back++
	}
}

// PollResult is what one poll of one source did.
type PollResult struct {
	Source string
	Counts
	FeedNotModified bool
	// Err is the feed-level failure (fetch or parse of the feed); page
	// failures are counted in Errors and recorded as captures.
	Err error
	// PageErrors holds the text of each page failure, "URL: error".
	PageErrors []string
	// Pages is how many pages the poll planned to fetch; Interrupted says
	// PollOptions.Stop, or the end of the poll's context (a daemon shutting
	// down), left some of them for the next poll.
	Pages       int
	Interrupted bool
	// NextDue is when the revision watch next re-checks one of the NotDue
	// items (nil: none of them is watched any more).
	NextDue *time.Time

	idle []string // article IDs of the known feed items the feed did not make due

	feedETag, feedLastModified string        // validators of the feed response, kept for the next poll
	pending                    bool          // items left for the next poll: it must not be a cheap 304
	fresh                      time.Duration // how long the feed said it stays fresh
	sameText                   int           // pages moved or back with the same text (in Moved or Back only)
	dupArchived, dupFailed     int           // items counted for a page fetched for another item (countDuplicate)
}

// Failed reports whether anything in the poll went wrong.
func (r *PollResult) Failed() bool { return r.Err != nil || r.Errors > 0 || r.Interrupted }

// count counts one page's capture.
func (r *PollResult) count(pr PageResult) {
	r.addPage(pr)
	if pr.Outcome == store.OutcomeMoved || pr.Outcome == store.OutcomeBack {
		r.sameText++
	}
}

// countDuplicate counts a feed item whose page was fetched for an earlier
// item of the feed (job.also): unchanged when that capture archived it
// (the page is as that capture found it), else that capture's outcome
// (not modified, an error, gone). It is no page of its own: Archived and
// Checked leave it out.
func (r *PollResult) countDuplicate(pr PageResult) {
	switch pr.Outcome {
	case store.OutcomeNotModified:
		r.NotModified++
	case store.OutcomeError:
		r.Errors++
		r.dupFailed++
		return
	case store.OutcomeGone:
		r.Gone++
		r.dupFailed++
		return
	default:
		r.Unchanged++
	}
	r.dupArchived++
}

// Archived is how many pages of the poll are in the archive now (new,
// revised, unchanged or not modified, or moved or back with the same text).
func (r *PollResult) Archived() int {
	return r.New + r.Revised + r.Unchanged + r.NotModified + r.sameText - r.dupArchived
}

// Checked is how many pages the poll checked, whatever their outcome.
func (r *PollResult) Checked() int { return r.Archived() + r.Errors + r.Gone - r.dupFailed }

// PollOptions tune one poll.
type PollOptions struct {
	Recheck Recheck
	// Progress, if set, is called after each page with the pages done and
	// the pages planned so far.
	Progress func(source string, done, total int)
	// Stop, when closed, stops the poll taking new pages (Ctrl-C): pages
	// in flight still finish and are stored, and the poll is recorded as
	// interrupted, its remaining items due again at the next poll. Unlike
	// cancelling ctx, it abandons no fetched page.
	Stop <-chan struct{}
}

func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// job is one page to fetch in a poll.
type job struct {
	url      string // the URL to fetch (the feed's link, or the article's fetch URL)
	item     *feed.Item
	feedItem *store.FeedItem // what the store remembers of item; its ArticleID is set once the page is stored
	article  *store.Article  // known article, for conditional GET
	// also are the feed's other due items that link the same page (the
	// same canonical URL): fetched once, for the first, and remembered
	// with its article (countDuplicate).
	also []*store.FeedItem
}

// PollSource polls one source now: the feed (conditional GET), the pages of
// new or updated items, and the known articles opts.Recheck asks for. One
// failing page never stops the others; every outcome is recorded.
func (h *Harvester) PollSource(ctx context.Context, src config.Source, opts PollOptions) PollResult {
	res := PollResult{Source: src.Name}
	log := h.logger().With("source", src.Name)
	started := h.now()

	// The articles to re-check do not depend on the feed: they are listed
	// while it is parsed (on the other core, on the reader the feed's
	// look-ups leave idle then), or after it when it was not parsed.
	var listed func() ([]store.Article, error)
	listing := func() {
		if listed == nil && (opts.Recheck == RecheckDue || opts.Recheck == RecheckAll) {
			listed = h.recheckListAsync(ctx, src.Name, opts.Recheck)
		}
	}
	jobs, saved, feedErr := h.pollFeed(ctx, src, &res, listing)
	savedErr := func() {
		if err := saved(); err != nil {
			res.Err = err
			log.Log(ctx, h.failureLevel(), "feed failed", "feed_url", src.Feed, "error", err)
		}
	}
	if feedErr != nil {
		res.Err = feedErr
		log.Log(ctx, h.failureLevel(), "feed failed", "feed_url", src.Feed, "error", feedErr)
	}
	if ctx.Err() != nil {
		if listed != nil {
			listed() // not left running on the store
		}
		savedErr() // a failure is the poll's error, as when it preceded this return
		return res
	}
	listing()
	jobs = h.addRechecks(ctx, &res, jobs, listed, opts.Recheck)

	res.Pages = len(jobs)
	stored, begun := h.runJobs(ctx, src, jobs, &res, opts.Progress, opts.Stop)
	res.Interrupted = begun < len(jobs) && (stopped(opts.Stop) || ctx.Err() != nil)
	savedErr()
	// Only now is an item done: one whose page failed, or was never reached
	// because of a crash or a full disk, is due again at the next poll.
	if err := h.Store.SaveFeedItems(context.WithoutCancel(ctx), stored); err != nil {
		log.Error("save feed items", "error", err)
		res.pending = true
	}
	if res.pending || res.Errors > 0 || ctx.Err() != nil || res.Interrupted {
		// Items are left for the next poll (over the cap, or their page
		// failed): forget the feed's validators, or the next poll would be
		// answered 304 and never reach them.
		res.feedETag, res.feedLastModified = "", ""
	}
	h.noteFeedPoll(ctx, src.Name, started, res.Err, res.fresh)

	outcome, errText := "ok", ""
	switch {
	case res.Err != nil:
		outcome, errText = "error", res.Err.Error()
	case res.Interrupted:
		// `annalist sources` shows it, with what was kept; not a failure.
		outcome, errText = store.PollInterrupted, fmt.Sprintf("interrupted: %d of %d pages archived; the rest are due at the next poll", res.Archived(), res.Pages)
	case res.FeedNotModified:
		outcome = "not-modified"
	}
	if err := h.Store.RecordPoll(context.WithoutCancel(ctx), src.Name, started, outcome, errText, res.feedETag, res.feedLastModified); err != nil {
		log.Error("record poll", "error", err)
	}
	log.Info("poll done", "items", res.Items, "new", res.New, "revised", res.Revised,
		"unchanged", res.Unchanged, "not_modified", res.NotModified, "errors", res.Errors, "not_due", res.NotDue,
		"duration", h.now().Sub(started).Round(time.Millisecond))
	return res
}

// addRechecks appends to the feed's jobs the known articles listed (nil:
// none asked for) that the feed did not plan, and with RecheckAll the
// feed's known items of articles another source archived first; it counts
// the feed's known items left out (countNotDue).
func (h *Harvester) addRechecks(ctx context.Context, res *PollResult, jobs []job, listed func() ([]store.Article, error), mode Recheck) []job {
	log := h.logger().With("source", res.Source)
	planned := make(map[string]bool, len(jobs))
	inFeed := make(map[string]bool, len(jobs)+len(res.idle))
	for _, j := range jobs {
		if j.article != nil {
			planned[j.article.ID] = true
			inFeed[j.article.ID] = true
		}
	}
	for _, id := range res.idle {
		inFeed[id] = true
	}
	if listed != nil {
		known, err := listed()
		if err != nil {
			log.Error("list articles to re-check", "error", err)
		}
		for i := range known {
			a := &known[i]
			if planned[a.ID] {
				continue
			}
			planned[a.ID] = true
			jobs = append(jobs, job{url: a.FetchURL, article: a})
			if !inFeed[a.ID] {
				res.Rechecked++
			}
		}
	}
	if mode == RecheckAll {
		// The feed's known items whose article another source archived
		// first (a source renamed, or its feed added again under a new
		// name): not in recheckList, yet "all" means them too.
		for _, id := range res.idle {
			if planned[id] {
				continue
			}
			a, err := h.Store.Article(ctx, id)
			if err != nil {
				log.Warn("look up a known article to re-check", "article", id, "error", err)
				continue
			}
			planned[id] = true
			jobs = append(jobs, job{url: a.FetchURL, article: a})
		}
	}
	h.countNotDue(ctx, res, planned)

	return jobs
}

// pollFeed fetches and parses the feed and returns the pages to fetch.
// parsing is called as the parse of a fetched feed begins. The feed's
// items that need no page are saved meanwhile the pages are fetched:
// saved waits for that and says how it went (never nil).
func (h *Harvester) pollFeed(ctx context.Context, src config.Source, res *PollResult, parsing func()) (jobs []job, saved func() error, err error) {
	saved = func() error { return nil }
	jobs, update, err := h.readFeed(ctx, src, res, parsing)
	if err != nil || len(update) == 0 {
		return jobs, saved, err
	}
	done := make(chan struct{})
	var serr error
	go func() {
		defer close(done)
		// Not given up when ctx ends: the items were read, and before
		// they were saved beside the pages a shutdown meanwhile found
		// them saved (the poll then interrupted, not failed).
		if err := h.Store.SaveFeedItems(context.WithoutCancel(ctx), update); err != nil {
			serr = fmt.Errorf("source %s: %w", src.Name, err) // the store's own words begin "save feed items"
		}
	}()
	return jobs, func() error { <-done; return serr }, nil
}

// readFeed is pollFeed but for the saving: it returns the pages to fetch
// and the feed's items to save now (those that need no page).
func (h *Harvester) readFeed(ctx context.Context, src config.Source, res *PollResult, parsing func()) ([]job, []store.FeedItem, error) {
	prev, err := h.Store.Source(ctx, src.Name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, fmt.Errorf("source %s: %w", src.Name, err)
	}
	req := fetch.Request{URL: src.Feed, RespectRobots: &src.RespectRobots,
		Accept: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"}
	if prev != nil {
		req.ETag, req.LastModified = prev.ETag, prev.LastModified
	}
	resp, err := h.Fetch.Get(ctx, req)
	if err != nil {
		err = &feedError{url: src.Feed, what: "fetched", reason: fetch.Reason(src.Feed, err), err: err}
		h.recordError(ctx, src.Name, "", src.Feed, err)
		return nil, nil, err
	}
	res.fresh = freshness(resp.Header, 0, h.now())
	if resp.NotModified {
		res.FeedNotModified = true
		// The items are those of the last feed read: counted, so that the
		// summary says what became of each (not due, or re-checked).
		return nil, nil, h.lastFeedItems(ctx, src.Name, res)
	}
	parsing()
	parsed, err := feed.Parse(resp.Body, resp.URL, h.Now)
	if err != nil {
		err = &feedError{url: src.Feed, what: "read", reason: strings.TrimPrefix(err.Error(), "feed: "), err: err}
		h.recordError(ctx, src.Name, "", src.Feed, err)
		return nil, nil, err
	}
	res.feedETag, res.feedLastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	res.Items = len(parsed.Items)
	res.fresh = max(res.fresh, parsed.TTL)

	seen, err := h.Store.FeedItems(ctx, src.Name)
	if err != nil {
		return nil, nil, fmt.Errorf("source %s: feed items: %w", src.Name, err)
	}
	lastPoll := lastParsed(seen)

	now := h.now()
	var jobs []job
	var update []store.FeedItem
	planned := map[string]int{} // a planned page's canonical URL → its job
	for i := range parsed.Items {
		it := &parsed.Items[i]
		old, known := seen[it.Key]
		rec := store.FeedItem{Source: src.Name, Key: it.Key, Link: it.Link, Updated: it.Updated, LastSeen: now}
		if known {
			rec.ArticleID = old.ArticleID
		}
		if it.Link == "" {
			// An item without a link cannot be fetched; it is remembered
			// so the next poll does not count it as new.
			res.NoLink++
			update = append(update, rec)
			continue
		}
		due := !known ||
			old.ArticleID == "" || // its page was never stored: a failure, a crash, a full disk
			!sameTime(old.Updated, it.Updated) ||
			old.Link != it.Link || // the article moved (same guid, new link)
			old.LastSeen.Before(lastPoll)
		var key string
		if due {
			key = linkKey(it.Link)
			if first, ok := planned[key]; ok {
				// Another item links the same page: one request for both,
				// not several at once (each then finding the page its
				// neighbour was storing).
				fi := rec
				jobs[first].also = append(jobs[first].also, &fi)
				continue
			}
		}
		if due && len(jobs) < h.maxItems() {
			// Recorded only once its page is stored (runJobs): until then
			// the store keeps the item as it was, so a poll cut short by
			// a failure, a crash or a full disk is picked up by the next.
			fi := rec
			j := job{url: it.Link, item: it, feedItem: &fi, article: h.itemArticle(ctx, it, old.ArticleID)}
			planned[key] = len(jobs)
			jobs = append(jobs, j)
			continue
		} else if due {
			// Over the per-poll cap: leave it unrecorded so the next poll
			// still sees it as new.
			res.pending = true
			res.Later++
			continue
		}
		res.idle = append(res.idle, old.ArticleID)
		update = append(update, rec)
	}
	return jobs, update, nil
}

// lastParsed is when the last poll that parsed the feed ran: the newest
// LastSeen of its items. An item seen before that, and not in it, has
// reappeared.
func lastParsed(seen map[string]store.FeedItem) time.Time {
	var last time.Time
	for _, it := range seen {
		if it.LastSeen.After(last) {
			last = it.LastSeen
		}
	}
	return last
}

// linkKey is what tells two feed links of one page apart from two pages:
// the canonical URL (tracking parameters and fragment removed), else the
// link as it is.
func linkKey(link string) string {
	if u, err := canonical.URL(link, nil); err == nil {
		return u
	}
	return link
}

// lastFeedItems counts the items of the last feed read (those seen at the
// newest LastSeen) for a poll answered 304 Not Modified.
func (h *Harvester) lastFeedItems(ctx context.Context, source string, res *PollResult) error {
	seen, err := h.Store.FeedItems(ctx, source)
	if err != nil {
		return fmt.Errorf("source %s: feed items: %w", source, err)
	}
	var lastPoll time.Time
	for _, it := range seen {
		if it.LastSeen.After(lastPoll) {
			lastPoll = it.LastSeen
		}
	}
	for _, it := range seen {
		if !it.LastSeen.Equal(lastPoll) {
			continue
		}
		res.Items++
		switch {
		case it.ArticleID != "":
			res.idle = append(res.idle, it.ArticleID)
		case it.Link == "":
			res.NoLink++
		default:
			res.Later++ // not stored yet (then the feed's validators were dropped; kept for safety)
		}
	}
	return nil
}

// itemArticle is the archived article a feed item is about: the one its
// URLs were reached by, else the one its guid was stored as (the item's
// link changed: a move), else nil.
func (h *Harvester) itemArticle(ctx context.Context, it *feed.Item, articleID string) *store.Article {
	for i, u := range []string{it.Canonical, it.Link} {
		if u == "" || i == 1 && u == it.Canonical {
			continue // a link already canonical is looked up once
		}
		if a, err := h.Store.ArticleByURL(ctx, u); err == nil {
			return a
		}
	}
	if articleID != "" {
		if a, err := h.Store.Article(ctx, articleID); err == nil {
			return a
		}
	}
	return nil
}

// feedError is a source's feed that could not be fetched or read. It
// leads with what failed for the user, the feed and its URL, then why
// (without repeating the URL), and keeps the cause for errors.Is.
type feedError struct {
	url, what, reason string
	err               error
}

func (e *feedError) Error() string {
	return "feed " + e.url + " could not be " + e.what + ": " + e.reason
}

func (e *feedError) Unwrap() error { return e.err }

// countNotDue counts the known feed items whose article this poll does not
// re-check, and when the watch next calls one of them.
func (h *Harvester) countNotDue(ctx context.Context, res *PollResult, planned map[string]bool) {
	counted := make(map[string]bool, len(res.idle))
	for _, id := range res.idle {
		if planned[id] {
			continue
		}
		res.NotDue++
		if counted[id] {
			continue
		}
		counted[id] = true
		a, err := h.Store.Article(ctx, id)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				h.logger().Warn("look up a known article", "article", id, "error", err)
			}
			continue
		}
		if a.NextCheckAt != nil && (res.NextDue == nil || a.NextCheckAt.Before(*res.NextDue)) {
			t := a.NextCheckAt.UTC()
			res.NextDue = &t
		}
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// recheckListAsync is recheckList in a goroutine of its own; the func it
// returns waits for the list.
func (h *Harvester) recheckListAsync(ctx context.Context, source string, mode Recheck) func() ([]store.Article, error) {
	var known []store.Article
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		known, err = h.recheckList(ctx, source, mode)
	}()
	return func() ([]store.Article, error) {
		<-done
		return known, err
	}
}

func (h *Harvester) recheckList(ctx context.Context, source string, mode Recheck) ([]store.Article, error) {
	if mode == RecheckAll {
		return h.Store.Articles(ctx, store.ArticleFilter{Source: source})
	}
	return h.Store.DueArticles(ctx, source, h.now(), h.maxItems())
}

// maxAnswers is how many rows of pages found unchanged may wait for their
// commit in one poll besides one a worker (runJobs' answers): a batch of
// the group committer (up to 64 rows, held open up to its group wait while
// re-checks are under way). At 4 a worker a re-check of a fast site (a page
// every 0.3 ms on loopback) filled it before each commit, and every worker
// then stood waiting. The pages' bodies are held until answered, within
// the InHand bound (holdBody).
const maxAnswers = 64

// runJobs fetches the pages with a small worker pool and tallies outcomes.
// It returns the feed items whose page is now in the archive, with their
// ArticleID set, and how many jobs it started: it starts none after stop
// is closed or ctx is done, and waits for those started.
func (h *Harvester) runJobs(ctx context.Context, src config.Source, jobs []job, res *PollResult, progress func(string, int, int), stop <-chan struct{}) (stored []store.FeedItem, started int) {
	if len(jobs) == 0 {
		return nil, 0
	}
	defer h.flushLearning(ctx) // what the pages taught their source's template (template.go)
	var (
		mu      sync.Mutex
		done    int
		notSent int
		wg      sync.WaitGroup
		next    = make(chan job)
		// Pages found unchanged whose row is on its way to the store, in
		// the order they were sent: answered by one waiter, so that the
		// workers fetch on meanwhile.
		answers = make(chan func(), maxAnswers+h.workers())
		waiter  = make(chan struct{})
	)
	tally := func(j job, pr PageResult) {
		mu.Lock()
		defer mu.Unlock()
		if pr.Stopped {
			// A page still waiting for its host's slot at a Ctrl-C
			// is not sent: it was not begun.
			notSent++
			return
		}
		res.count(pr)
		for range j.also {
			res.countDuplicate(pr)
		}
		if pr.Err != nil {
			res.PageErrors = append(res.PageErrors, j.url+": "+fetch.Reason(j.url, pr.Err))
		} else if pr.ArticleID != "" {
			for _, item := range append([]*store.FeedItem{j.feedItem}, j.also...) {
				if item != nil {
					fi := *item
					fi.ArticleID = pr.ArticleID
					stored = append(stored, fi)
				}
			}
		}
		done++
		if progress != nil {
			progress(src.Name, done, len(jobs))
		}
	}
	go func() {
		defer close(waiter)
		for answer := range answers {
			answer()
		}
	}()
	workers := min(h.workers(), len(jobs))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.captureAhead(withStop(ctx, stop), &src, next, tally, answers) // handoff.go
		}()
	}
dispatch:
	for _, j := range jobs {
		if ctx.Err() != nil || stopped(stop) {
			break
		}
		select {
		case next <- j:
			started++
		case <-stop:
			break dispatch
		case <-ctx.Done():
			break dispatch
		}
	}
	close(next)
	wg.Wait()
	// Before the tally is read: every row sent is committed (or failed).
	close(answers)
	<-waiter
	return stored, started - notSent
}

// recordError records a capture with outcome error. Recording uses a
// context that outlives cancellation so a shutdown still leaves a trace.
func (h *Harvester) recordError(ctx context.Context, source, articleID, url string, err error) {
	h.recordErrorStatus(ctx, source, articleID, url, err, 0)
}

// recordErrorStatus is recordError for a check that got a response with
// that HTTP status (0 = none, or the status err carries, if any).
func (h *Harvester) recordErrorStatus(ctx context.Context, source, articleID, url string, err error, status int) {
	var se *fetch.StatusError
	if status == 0 && errors.As(err, &se) {
		status = se.Code
	}
	c := store.Capture{ArticleID: articleID, Source: source, URL: url, CapturedAt: h.now(),
		Outcome: store.OutcomeError, Error: err.Error(), HTTPStatus: status}
	if rerr := h.Store.RecordCapture(context.WithoutCancel(ctx), c); rerr != nil {
		h.logger().Error("record capture", "source", source, "url", url, "error", rerr)
	}
}

// WatchSource is the revision watch for one source: it re-fetches the
// known articles that mode asks for (conditional GET) without polling the
// feed. It records no poll.
func (h *Harvester) WatchSource(ctx context.Context, src config.Source, mode Recheck, progress func(string, int, int)) PollResult {
	res := PollResult{Source: src.Name}
	known, err := h.recheckList(ctx, src.Name, mode)
	if err != nil {
		res.Err = fmt.Errorf("source %s: articles to re-check: %w", src.Name, err)
		return res
	}
	jobs := make([]job, 0, len(known))
	for i := range known {
		jobs = append(jobs, job{url: known[i].FetchURL, article: &known[i]})
	}
	h.runJobs(ctx, src, jobs, &res, progress, nil)
	return res
}
