package store

import (
	"context"
	"time"
)

// Index is the archive's index as its callers (harvest, view, web, cli)
// use it: sources, articles, snapshots, captures, events and search, with
// the WARC evidence each snapshot points at. *Store implements it on
// SQLite (the embedded default) and on PostgreSQL (Options.Database);
// storetest.Run holds every implementation to the same behaviour.
type Index interface {
	SyncSources(ctx context.Context, srcs []Source) error
	Sources(ctx context.Context) ([]Source, error)
	SourceNames(ctx context.Context) ([]Source, error)
	Source(ctx context.Context, name string) (*Source, error)
	RecordPoll(ctx context.Context, name string, at time.Time, outcome, errText, etag, lastModified string) error

	SaveCapture(ctx context.Context, p *Page) (*SaveResult, error)
	RecordUnchanged(ctx context.Context, u Unchanged) error
	RecordCapture(ctx context.Context, c Capture) error
	RecordGone(ctx context.Context, g Gone) error
	SaveFeedItems(ctx context.Context, items []FeedItem) error
	FeedItems(ctx context.Context, source string) (map[string]FeedItem, error)
	SetNextCheck(ctx context.Context, articleID string, t *time.Time) error
	DueArticles(ctx context.Context, source string, now time.Time, limit int) ([]Article, error)

	Article(ctx context.Context, id string) (*Article, error)
	ArticleByURL(ctx context.Context, u string) (*Article, error)
	ResolveArticle(ctx context.Context, ref string) (*Article, error)
	Articles(ctx context.Context, f ArticleFilter) ([]Article, error)
	ArticlePage(ctx context.Context, q ArticleQuery) ([]Article, int, error)
	SyndicatedCopies(ctx context.Context, a *Article) ([]Article, error)

	Snapshot(ctx context.Context, id string) (*Snapshot, error)
	LatestSnapshot(ctx context.Context, articleID string) (*Snapshot, error)
	SnapshotAt(ctx context.Context, articleID string, t time.Time) (*Snapshot, error)
	Snapshots(ctx context.Context, articleID string) ([]Snapshot, error)
	SnapshotInfos(ctx context.Context, articleID string) ([]SnapshotInfo, error)
	SnapshotText(ctx context.Context, snapshotID string) (string, error)
	FillWordChanges(ctx context.Context, infos []SnapshotInfo) error

	Captures(ctx context.Context, f CaptureFilter) ([]Capture, error)
	Events(ctx context.Context, articleID string) ([]Event, error)
	RecentEvents(ctx context.Context, source string, limit int) ([]Event, error)
	Changes(ctx context.Context, f ChangeFilter) ([]Change, error)
	Stats(ctx context.Context) (*ArchiveStats, error)
	Search(ctx context.Context, query string, o SearchOptions) ([]Hit, error)

	ReadWARCRecord(ctx context.Context, file string, offset int64) (*WARCRecord, error)
	Verify(ctx context.Context, progress VerifyProgress) (*VerifyReport, error)
	WARCDir() string
	Ping(ctx context.Context) error
	Close() error
}

var _ Index = (*Store)(nil)
