package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults for zero Options fields.
const (
	DefaultUserAgent          = "annalist/0.1"
	DefaultTimeout            = 20 * time.Second
	DefaultMaxBody            = 15 << 20
	DefaultPerHostConcurrency = 2
	DefaultRobotsAgent        = "annalist"

	maxRedirects       = 10
	dialTimeout        = 10 * time.Second
	maxHeaderBytes     = 1 << 20
	maxRetryAfter      = 24 * time.Hour
	drainOnErrorStatus = 64 << 10
	defaultAccept      = "*/*"
)

// Client is annalist's one HTTP client: size caps, a total deadline, manual
// redirects, a private-network guard, robots.txt and per-host pacing.
// It is safe for concurrent use; pacing is shared by all its callers.
type Client struct {
	opts   Options
	log    *slog.Logger
	http   *http.Client
	pacer  *pacer
	robots *robotsCache
}

// New returns a Client; zero Options fields get the Default* values.
func New(opts Options) *Client { return newClient(opts, opts.GuardExempt) }

// newClient is New with guard exemptions, so tests can reach one loopback
// server while the guard refuses the others.
func newClient(opts Options, exempt func(netip.AddrPort) bool) *Client {
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.PerHostConcurrency <= 0 {
		opts.PerHostConcurrency = DefaultPerHostConcurrency
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RobotsAgent == "" {
		opts.RobotsAgent = DefaultRobotsAgent
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	if !opts.AllowPrivateNetworks {
		dialer.Control = guardControl(exempt, newHostAddrs(opts.InterfaceAddrs, opts.Now, log))
	}
	transport := &http.Transport{
		// No proxy: the guard must see the address actually reached.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  opts.Timeout,
		MaxResponseHeaderBytes: maxHeaderBytes,
		// We send Accept-Encoding ourselves and decode under the body cap.
		DisableCompression:  true,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: opts.PerHostConcurrency,
		IdleConnTimeout:     90 * time.Second,
	}
	c := &Client{
		opts: opts,
		log:  log,
		http: &http.Client{
			Transport: transport,
			// Redirects are followed by Get, hop by hop, so each hop is
			// scheme-checked, robots-checked and paced.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		pacer: newPacer(opts.PerHostInterval, opts.PerHostConcurrency, opts.Now, opts.SharedPacing, opts.Deferrals, opts.Logger),
	}
	c.robots = newRobotsCache(c)
	return c
}

// Get fetches req.URL, following up to 10 redirects. It returns a
// *StatusError for statuses other than 2xx and 304, a Response with
// NotModified set for 304, and errors wrapping ErrTooLarge,
// ErrTooManyRedirects, ErrScheme, ErrPrivateNetwork or ErrRobots; every
// error names the URL. Timeout bounds the exchange from the first dial to the
// end of the last body, redirects included; waiting for a host's pacing slot
// before the first request is bounded by ctx alone.
func (c *Client) Get(ctx context.Context, req Request) (*Response, error) {
	respect := c.opts.RespectRobots
	if req.RespectRobots != nil {
		respect = *req.RespectRobots
	}
	return c.get(ctx, req, respect, c.opts.MaxBody)
}

func (c *Client) get(ctx context.Context, req Request, respect bool, maxBody int64) (*Response, error) {
	started := c.opts.Now()
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, wrapURL(req.URL, fmt.Errorf("parse URL: %w", err))
	}
	where := req.URL
	// The first request may wait for its pacing slot as long as ctx allows;
	// the Timeout clock starts when it is sent.
	release, err := c.admitUnlessStopped(ctx, u, respect, req.Stop)
	if err != nil {
		return nil, wrapURL(where, err)
	}
	tctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	for hop := 0; ; hop++ {
		if hop > 0 {
			where = req.URL + " (redirected to " + u.String() + ")"
			if release, err = c.admit(tctx, u, respect); err != nil {
				return nil, wrapURL(where, c.timeoutCause(ctx, tctx, err))
			}
		}
		res, next, err := c.exchange(tctx, u, req, maxBody)
		release()
		if err != nil {
			return nil, wrapURL(where, c.timeoutCause(ctx, tctx, err))
		}
		if next == nil {
			res.RequestURL = req.URL
			res.Duration = c.opts.Now().Sub(started)
			return res, nil
		}
		if hop == maxRedirects {
			return nil, wrapURL(where, fmt.Errorf("%w (more than %d)", ErrTooManyRedirects, maxRedirects))
		}
		c.log.Debug("fetch: redirect", "url", u.String(), "location", next.String())
		u = next
	}
}

// admit checks u's scheme and robots.txt, then waits for the host's pacing
// slot; the returned function frees the slot.
func (c *Client) admit(ctx context.Context, u *url.URL, respect bool) (release func(), err error) {
	if err := checkURL(u); err != nil {
		return nil, err
	}
	if respect {
		if err := c.robots.check(ctx, u); err != nil {
			return nil, err
		}
	}
	// A Retry-After longer than the whole request may take is not waited
	// out in silence: the request is deferred at once.
	return c.pacer.acquire(ctx, hostKey(u), strings.ToLower(u.Host), c.opts.Timeout)
}

// admitUnlessStopped is admit that gives up with ErrStopped when stop
// closes before the slot is had.
func (c *Client) admitUnlessStopped(ctx context.Context, u *url.URL, respect bool, stop <-chan struct{}) (func(), error) {
	if stop == nil {
		return c.admit(ctx, u, respect)
	}
	select {
	case <-stop:
		return nil, ErrStopped
	default:
	}
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-stop:
			cancel(ErrStopped)
		case <-actx.Done():
		}
	}()
	release, err := c.admit(actx, u, respect)
	if err != nil && errors.Is(context.Cause(actx), ErrStopped) && ctx.Err() == nil {
		return nil, ErrStopped
	}
	return release, err
}

// exchange sends one GET and reads its body. It returns the Response, or the
// next URL when the response is a redirect.
func (c *Client) exchange(ctx context.Context, u *url.URL, req Request, maxBody int64) (*Response, *url.URL, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("build request: %w", err)
	}
	hreq.Header.Set("User-Agent", c.opts.UserAgent)
	hreq.Header.Set("Accept-Encoding", "gzip, br")
	accept := req.Accept
	if accept == "" {
		accept = defaultAccept
	}
	hreq.Header.Set("Accept", accept)
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}
	raw, err := rawRequest(hreq)
	if err != nil {
		return nil, nil, err
	}

	sentAt := c.opts.Now()
	resp, err := c.http.Do(hreq)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is added by Get, once
		}
		var pne *privateNetworkError
		if errors.As(err, &pne) {
			err = pne // "dial tcp ..." would only repeat the address
		}
		return nil, nil, err
	}
	defer resp.Body.Close()

	key := hostKey(u)
	switch code := resp.StatusCode; {
	case code >= 300 && code < 400 && code != http.StatusNotModified:
		loc := resp.Header.Get("Location")
		if loc == "" {
			return nil, nil, &StatusError{URL: u.String(), Code: code}
		}
		next, err := u.Parse(loc)
		if err != nil {
			return nil, nil, fmt.Errorf("redirect to %q: %w", loc, err)
		}
		_, _ = io.CopyN(io.Discard, resp.Body, drainOnErrorStatus) // lets the connection be reused
		return nil, next, nil
	case code == http.StatusNotModified, code >= 200 && code < 300:
	default:
		se := &StatusError{URL: u.String(), Code: code}
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), c.opts.Now()); ok {
				se.RetryAfter = d
				c.pacer.pushBack(key, d)
				c.log.Debug("fetch: host pushed back", "host", key, "status", code, "retry_after", d)
			}
		}
		_, _ = io.CopyN(io.Discard, resp.Body, drainOnErrorStatus)
		return nil, nil, se
	}

	var body []byte
	if resp.StatusCode != http.StatusNotModified {
		body, err = readBody(resp, maxBody, req.truncate)
		if err != nil {
			return nil, nil, err
		}
	}
	return &Response{
		URL:         u.String(),
		StatusCode:  resp.StatusCode,
		Proto:       resp.Proto,
		Header:      describeBody(resp, len(body)),
		Body:        body,
		RawRequest:  raw,
		NotModified: resp.StatusCode == http.StatusNotModified,
		FetchedAt:   sentAt,
	}, nil, nil
}

// timeoutCause turns the deadline Get set into an error that says so; a
// cancelled or expired caller context is reported as it is.
func (c *Client) timeoutCause(parent, hopCtx context.Context, err error) error {
	if parent.Err() == nil && hopCtx != parent && errors.Is(hopCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("total timeout %s exceeded: %w", c.opts.Timeout, context.DeadlineExceeded)
	}
	return err
}

func checkURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return fmt.Errorf("%w %q (only http and https)", ErrScheme, u.Scheme)
	}
	if u.Host == "" {
		return errors.New("URL has no host")
	}
	return nil
}

// hostKey identifies a host for pacing: lower-cased host:port, the port
// defaulted from the scheme.
func hostKey(u *url.URL) string {
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "80"
		if strings.EqualFold(u.Scheme, "https") {
			port = "443"
		}
	}
	return strings.ToLower(net.JoinHostPort(host, port))
}

// rawRequest renders req as the transport writes it on an HTTP/1.1 wire.
func rawRequest(req *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		return nil, fmt.Errorf("render request: %w", err)
	}
	return buf.Bytes(), nil
}

// parseRetryAfter reads delay-seconds or an HTTP-date, capped at a day.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(maxRetryAfter/time.Second) {
			secs = int64(maxRetryAfter / time.Second)
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
		if d < 0 {
			d = 0
		}
	} else {
		return 0, false
	}
	return min(d, maxRetryAfter), true
}
