package fetch

import (
	"bytes"
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
	known        bool  // robots.txt answered (rules, or none) at least once
	unavailable  error // set while robots.txt fails and nothing is known
	expires      time.Time
	etag         string
	lastModified string
}

func newRobotsCache(c *Client) *robotsCache {
	return &robotsCache{c: c, entries: map[string]*robotsEntry{}}
}

// check returns an error wrapping ErrRobots when robots.txt of u's host
// disallows u for our agent, and a *RobotsUnavailableError while it
// answers a server error or times out and no earlier answer is held
// (RFC 9309 §2.3.1.4: assume complete disallow). A host that cannot be
// reached at all is let through: the page request fails with the same
// cause, and says it about the page.
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
	if e.unavailable != nil {
		return e.unavailable
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
		truncate:     true,
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
		e.known, e.unavailable = true, nil
	case err == nil:
		body := res.Body
		if len(body) == robotsMaxBody {
			// Cut at the cap: the last line may be partial, and a cut
			// "Disallow: /private" must not read as "Disallow: /p".
			if i := bytes.LastIndexByte(body, '\n'); i >= 0 {
				body = body[:i+1]
			}
		}
		data, perr := robotstxt.FromBytes(body)
		if perr != nil {
			c.log.Warn("fetch: robots.txt unparseable, allowing all", "url", robotsURL, "err", perr)
			data = nil
		}
		e.data = data
		e.etag = res.Header.Get("ETag")
		e.lastModified = res.Header.Get("Last-Modified")
		e.expires = now.Add(robotsTTL)
		e.known, e.unavailable = true, nil
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500 && se.Code != http.StatusTooManyRequests:
		// No robots.txt: everything is allowed.
		e.data, e.etag, e.lastModified = nil, "", ""
		e.expires = now.Add(robotsTTL)
		e.known, e.unavailable = true, nil
	case !e.known && unavailable(err):
		// RFC 9309 §2.3.1.4: a server error or a timeout leaves the rules
		// undefined, and the crawler must assume complete disallow until
		// robots.txt answers; asked again after robotsErrorTTL.
		ru := &RobotsUnavailableError{URL: robotsURL}
		if errors.As(err, &se) {
			ru.Code, ru.Answered = se.Code, se.URL
		}
		e.unavailable = ru
		c.log.Warn("fetch: robots.txt unavailable, nothing fetched from the host until it answers", "url", robotsURL, "err", err)
		e.expires = now.Add(robotsErrorTTL)
	default:
		// Server trouble with an earlier answer held (RFC 9309 lets a
		// cached copy stand), or a host that cannot be reached: keep the
		// rules we had, try again soon.
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
		if !e.known && e.unavailable == nil && (netErr != nil || dnsErr != nil) {
			// Nothing known and the host not reached: ask again with the
			// next request, which fails the same way while the host is
			// down, rather than let its pages through unchecked for
			// robotsErrorTTL once it is back.
			e.expires = now
		}
	}
	return nil
}

// unavailable reports whether a robots.txt failure is one RFC 9309 counts
// as "unreachable" for the host's rules: a 5xx or 429 answer, or a request
// that timed out. Connection-level failures (DNS, refused) are left to the
// page request, which fails with the same cause.
func unavailable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code >= 500 || se.Code == http.StatusTooManyRequests
	}
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
