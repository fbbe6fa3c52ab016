// Package harvest runs one poll of one source, and the revision watch:
// feed → fetch → extract → store.
package harvest

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"annalist/internal/extract"
	"annalist/internal/fetch"
	"annalist/internal/store"

	"golang.org/x/sync/semaphore"
)

// Fetcher is the HTTP client harvest needs (fetch.Client).
type Fetcher interface {
	Get(ctx context.Context, req fetch.Request) (*fetch.Response, error)
}

// Store is the part of the archive harvest writes to (store.Store).
type Store interface {
	Source(ctx context.Context, name string) (*store.Source, error)
	RecordPoll(ctx context.Context, name string, at time.Time, outcome, errText, etag, lastModified string) error
	ArticleByURL(ctx context.Context, u string) (*store.Article, error)
	Article(ctx context.Context, id string) (*store.Article, error)
	Articles(ctx context.Context, f store.ArticleFilter) ([]store.Article, error)
	LatestSnapshot(ctx context.Context, articleID string) (*store.Snapshot, error)
	SaveCapture(ctx context.Context, p *store.Page) (*store.SaveResult, error)
	RecordCapture(ctx context.Context, c store.Capture) error
	SendUnchanged(ctx context.Context, u store.Unchanged) (wait func() error)
	RecordGone(ctx context.Context, g store.Gone) error
	SetNextCheck(ctx context.Context, articleID string, t *time.Time) error
	DueArticles(ctx context.Context, source string, now time.Time, limit int) ([]store.Article, error)
	FeedItems(ctx context.Context, source string) (map[string]store.FeedItem, error)
	SaveFeedItems(ctx context.Context, items []store.FeedItem) error
}

var (
	_ Fetcher = (*fetch.Client)(nil)
	_ Store   = (*store.Store)(nil)
)

// Harvester polls sources. Its fields are set once; it is safe for
// concurrent use by several goroutines polling different sources.
type Harvester struct {
	Fetch  Fetcher
	Store  Store
	Logger *slog.Logger
	Now    func() time.Time
	// MaxItems caps the pages fetched for new feed items in one poll; the
	// rest are picked up by the next poll. Default 500.
	MaxItems int
	// Workers is how many pages of one poll are fetched at once (per-host
	// pacing in the fetcher still applies). Default 8.
	Workers int
	// Watch is the default revision-watch schedule (ages after first seen).
	Watch []time.Duration
	// BackoffBase and BackoffMax shape the pause after failed feed polls
	// (see SourceHealth); defaults DefaultBackoffBase, DefaultBackoffMax.
	BackoffBase, BackoffMax time.Duration
	// MaxFresh caps how long a feed's cache headers or <ttl> may hold off
	// the next scheduled poll; default DefaultMaxFresh.
	MaxFresh time.Duration
	// Jitter returns a uniform random duration in [0, d); default math/rand.
	Jitter func(d time.Duration) time.Duration
	// ExtractTimeout bounds the extraction and fingerprinting of one page;
	// a page that exceeds it is recorded as an error. Default
	// extract.DefaultDeadline.
	ExtractTimeout time.Duration
	// ReportsFailures says the caller shows every failed feed and page
	// itself (annalist fetch prints them): they are then logged at debug,
	// not as warnings that would say each one twice.
	ReportsFailures bool
	// NoTemplates turns per-source template learning off: nothing is
	// learned and no block is dropped as a source's furniture.
	NoTemplates bool
	// Extracting is how many pages are extracted at once, over all polls
	// of this Harvester (gate.go). Default GOMAXPROCS.
	Extracting int
	// InHand bounds the bytes of the bodies of pages fetched and not yet
	// stored, over all polls of this Harvester (gate.go). Default
	// DefaultInHand.
	InHand int64
	// Ahead is how many pages that only wait for the store may be in hand
	// besides one a worker, over all polls of this Harvester: a worker
	// takes its next page meanwhile (handoff.go). Default twice
	// GOMAXPROCS.
	Ahead int
	// LargeBody, when set, is told of each body of LargeBodyBytes or more
	// taken in hand, and calls the function it returns once the page is
	// stored: `annalist fetch` raises its soft memory limit meanwhile
	// (gate.go).
	LargeBody func(n int) (done func())

	healthMu sync.Mutex
	health   map[string]*SourceHealth

	learnMu   sync.Mutex
	learning  map[string][]store.TemplateLearning // by source, not yet written (template.go)
	templates map[string]*extract.Template        // by source, as read since the last flush

	// extractions counts pages run through the extractor (for tests: a
	// page whose body key matches must not be).
	extractions atomic.Int64

	gateOnce                      sync.Once
	gate                          chan struct{} // extractSlot's slots
	inExtraction, maxInExtraction atomic.Int64  // pages in extraction now, and at most so far (for tests)
	inHandOnce                    sync.Once
	inHandSem                     *semaphore.Weighted // holdBody's bytes
	inHandBytes, maxInHandBytes   atomic.Int64        // bytes of bodies in hand now, and at most so far (for tests)
	aheadOnce                     sync.Once
	aheadSlots                    chan struct{} // captureAhead's slots
}

func (h *Harvester) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

func (h *Harvester) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (h *Harvester) workers() int {
	if h.Workers > 0 {
		return h.Workers
	}
	return 8
}

func (h *Harvester) maxItems() int {
	if h.MaxItems > 0 {
		return h.MaxItems
	}
	return 500
}

// Never is the next check of an article whose source has no revision
// watch (`watch: []`): a date the watch never reaches.
var Never = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// NextCheck returns when an article first seen at firstSeen should next be
// re-checked, at now: the first watch age not yet reached, then every
// last age after that; Never when watch is empty.
func NextCheck(firstSeen, now time.Time, watch []time.Duration) time.Time {
	if len(watch) == 0 {
		return Never
	}
	for _, age := range watch {
		if t := firstSeen.Add(age); t.After(now) {
			return t
		}
	}
	return now.Add(watch[len(watch)-1])
}

// failureLevel is the level a failed feed or page is logged at.
func (h *Harvester) failureLevel() slog.Level {
	if h.ReportsFailures {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}
