package feed

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"
)

// ErrNoFeed is returned (itself, or wrapped) when the bytes are not RSS, RDF, Atom or
// JSON Feed: an HTML page, an error message, an empty body.
var ErrNoFeed = errors.New("feed: no feed format detected")

// The translators are stateless; the image scan is off because it parses
// every item's HTML for a field we never read.
var (
	rssTranslator  = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	atomTranslator = &gofeed.DefaultAtomTranslator{}
	jsonTranslator = &gofeed.DefaultJSONTranslator{}
)

// Parse parses an RSS 0.9x/1.0/2.0, Atom or JSON Feed document fetched from
// feedURL (the base for relative links; "" for none) into normalised items
// in document order.
//
// It fails as a whole or not at all: a truncated or malformed document is an
// error, never a partial list. A document in no feed format gives an error
// wrapping ErrNoFeed. data may be the raw body (its declared charset is
// honoured) or already UTF-8. Dates are only ever taken from the feed; now is
// accepted for the callers' contract but no date is derived from it, and it
// may be nil. Parse is safe for concurrent use.
func Parse(data []byte, feedURL string, now func() time.Time) (f *Feed, err error) {
	var base *url.URL
	if feedURL != "" {
		if base, err = url.Parse(feedURL); err != nil {
			return nil, fmt.Errorf("parse feed: base URL: %w", err)
		}
	}
	// A panic in the third-party parser on hostile input must cost one poll,
	// not the daemon.
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("parse feed: parser panic: %v", r)
		}
	}()

	data = prepare(data)
	// Detection over the whole document rather than gofeed.Parser's 4 KB
	// window: a long comment or DOCTYPE before the root is still a feed.
	switch gofeed.DetectFeedType(bytes.NewReader(data)) {
	case gofeed.FeedTypeRSS:
		return parseRSS(data, base)
	case gofeed.FeedTypeAtom:
		return parseAtom(data, base)
	case gofeed.FeedTypeJSON:
		return parseJSON(data, base)
	}
	return nil, ErrNoFeed // "feed: no feed format detected", said once
}

func parseRSS(data []byte, base *url.URL) (*Feed, error) {
	orig, err := (&rss.Parser{}).Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse rss: %w", err)
	}
	uf, err := rssTranslator.Translate(orig)
	if err != nil {
		return nil, fmt.Errorf("translate rss: %w", err)
	}
	raws := make([]rawItem, len(uf.Items))
	for i, it := range uf.Items {
		raws[i] = fromGofeed(it)
		raws[i].updated = rssUpdated(it)
	}
	f := build(uf, raws, base)
	f.TTL = ttl(orig.TTL)
	return f, nil
}

func parseAtom(data []byte, base *url.URL) (*Feed, error) {
	orig, err := (&atom.Parser{}).Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse atom: %w", err)
	}
	uf, err := atomTranslator.Translate(orig)
	if err != nil {
		return nil, fmt.Errorf("translate atom: %w", err)
	}
	raws := make([]rawItem, len(uf.Items))
	for i, it := range uf.Items {
		raws[i] = fromGofeed(it)
		// gofeed copies <updated> into a missing <published>; we record
		// the published date as missing instead.
		if i < len(orig.Entries) {
			raws[i].published = utc(orig.Entries[i].PublishedParsed)
		}
	}
	return build(uf, raws, base), nil
}

func parseJSON(data []byte, base *url.URL) (*Feed, error) {
	orig, err := (&jsonfeed.Parser{}).Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse json feed: %w", err)
	}
	// Any JSON object looks like a JSON Feed to gofeed; the required version
	// URL tells an API error body from a feed.
	if !strings.Contains(strings.ToLower(orig.Version), "jsonfeed.org") {
		return nil, fmt.Errorf("parse json feed: version %q: %w", orig.Version, ErrNoFeed)
	}
	dropNulls(orig)
	uf, err := jsonTranslator.Translate(orig)
	if err != nil {
		return nil, fmt.Errorf("translate json feed: %w", err)
	}
	raws := make([]rawItem, len(uf.Items))
	for i, it := range uf.Items {
		raws[i] = fromGofeed(it)
	}
	return build(uf, raws, base), nil
}

// dropNulls removes JSON nulls from the item and author arrays, which
// gofeed's translator dereferences: a null is no item and no author.
func dropNulls(f *jsonfeed.Feed) {
	f.Authors = slices.DeleteFunc(f.Authors, func(a *jsonfeed.Author) bool { return a == nil })
	f.Items = slices.DeleteFunc(f.Items, func(it *jsonfeed.Item) bool { return it == nil })
	for _, it := range f.Items {
		it.Authors = slices.DeleteFunc(it.Authors, func(a *jsonfeed.Author) bool { return a == nil })
	}
}

// build assembles the Feed from its items, resolving links and assigning
// unique keys.
func build(uf *gofeed.Feed, raws []rawItem, base *url.URL) *Feed {
	f := &Feed{
		Title: strings.TrimSpace(uf.Title),
		Items: make([]Item, len(raws)),
	}
	f.Link, _ = resolveLink(uf.Link, base)
	for i, r := range raws {
		f.Items[i] = r.normalise(base)
	}
	assignKeys(f.Items)
	return f
}

// ttl converts RSS <ttl> minutes; anything but a positive integer that fits
// a Duration is treated as absent.
func ttl(s string) time.Duration {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 || n > int64(1<<63-1)/int64(time.Minute) {
		return 0
	}
	return time.Duration(n) * time.Minute
}
