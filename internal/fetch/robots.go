package fetch

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

const (
	robotsTTL      = time.Hour
	robotsErrorTTL = 10 * time.Minute
	robotsMaxBody  = 500 << 10 // what Google reads of a robots.txt
)

// robotsCache holds one robots.txt per scheme://host:port. Each entry is
// fetched by one caller at a time; the others wait for its result.
type robotsCache struct {
	c       *Client
	mu      sync.Mutex
	entries map[string]*robotsEntry
}

type robotsEntry struct {
	lock         chan struct{} // a mutex that waiting callers can abandon
	data         *robotstxt.RobotsData
	expires      time.Time
	etag         string
	lastModified string
}

func newRobotsCache(c *Client) *robotsCache {
	return &robotsCache{c: c, entries: map[string]*robotsEntry{}}
}

// check returns an error wrapping ErrRobots when robots.txt of u's host
// disallows u for our agent. An unreachable robots.txt allows everything.
func (rc *robotsCache) check(ctx context.Context, u *url.URL) error {
	origin := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
	rc.mu.Lock()
	e := rc.entries[origin]
	if e == nil {
		e = &robotsEntry{lock: make(chan struct{}, 1)}
		rc.entries[origin] = e
	}
	rc.mu.Unlock()

	select {
	case e.lock <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-e.lock }()

	if !rc.c.opts.Now().Before(e.expires) {
		if err := rc.refresh(ctx, origin, e); err != nil {
			return err
		}
	}
	if e.data != nil && !e.data.TestAgent(u.RequestURI(), rc.c.opts.RobotsAgent) {
		return ErrRobots
	}
	return nil
}

// refresh fetches robots.txt, conditionally when we hold a copy. It fails
// only when ctx is done or the guard refuses the host.
func (rc *robotsCache) refresh(ctx context.Context, origin string, e *robotsEntry) error {
	c := rc.c
	robotsURL := origin + "/robots.txt"
	res, err := c.get(ctx, Request{
		URL:          robotsURL,
		ETag:         e.etag,
		LastModified: e.lastModified,
		Accept:       "text/plain, */*;q=0.5",
	}, false, robotsMaxBody)
	now := c.opts.Now()
	var se *StatusError
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, ErrPrivateNetwork), errors.Is(err, ErrDeferred):
		// Deferred: the page request would be too; caching "unavailable,
		// allow all" would outlive the Retry-After. Both are about the
		// host, which the page shares: the cause alone is returned, so
		// the page's error does not lead with the robots.txt request.
		var pne *privateNetworkError
		if errors.As(err, &pne) {
			return pne
		}
		var de *DeferredError
		if errors.As(err, &de) {
			return de
		}
		return err
	case err == nil && res.NotModified:
		e.expires = now.Add(robotsTTL)
	case err == nil:
		data, perr := robotstxt.FromBytes(res.Body)
		if perr != nil {
			c.log.Warn("fetch: robots.txt unparseable, allowing all", "url", robotsURL, "err", perr)
			data = nil
		}
		e.data = data
		e.etag = res.Header.Get("ETag")
		e.lastModified = res.Header.Get("Last-Modified")
		e.expires = now.Add(robotsTTL)
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500 && se.Code != http.StatusTooManyRequests:
		// No robots.txt: everything is allowed.
		e.data, e.etag, e.lastModified = nil, "", ""
		e.expires = now.Add(robotsTTL)
	default:
		// Server trouble: keep the rules we had (if any), try again soon.
		// A host that cannot be reached at all fails the page request
		// too, with the same cause: a warning here would say it twice.
		level := slog.LevelWarn
		var netErr *net.OpError
		var dnsErr *net.DNSError
		if errors.As(err, &netErr) || errors.As(err, &dnsErr) {
			level = slog.LevelDebug
		}
		c.log.Log(ctx, level, "fetch: robots.txt unavailable, allowing", "url", robotsURL, "err", err)
		e.expires = now.Add(robotsErrorTTL)
	}
	return nil
}
