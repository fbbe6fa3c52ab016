package harvest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"annalist/internal/demosite"
	"annalist/internal/faultsite"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// TestReliability has one subtest per line of RELIABILITY.md that a poll
// can exercise: the fault is served by internal/faultsite, the outcome is
// read back from the store, and a good source polled in the same run must
// be archived whole. Storage lines that need processes or a small file
// system are TestReliabilityStorage*.
func TestReliability(t *testing.T) {
	t.Run("feeds", testFeeds)
	t.Run("http", testHTTP)
	t.Run("encodings", testEncodings)
	t.Run("revisions", testRevisions)
	t.Run("storage", testStorage)
}

// testStorage has the storage lines a poll can show without a second
// process (the others are TestReliabilityStorage*).
func testStorage(t *testing.T) {
	// The CLI side (signals, summary, second Ctrl-C) is
	// TestReliabilityStorageCtrlCDuringFetch in internal/cli.
	t.Run("ctrl_c_sends_nothing_new", testCtrlCSendsNothingNew)
	t.Run("ctrl_c_during_fetch", func(t *testing.T) {
		const pages = 20
		r := newRig(t, rigOptions{})
		var paths []string
		for i := range pages {
			paths = append(paths, fmt.Sprintf("%s%d", faultsite.ItemPrefix, i+1))
		}
		src := r.source("fault", faultsite.Wrap(paths...))
		stop := make(chan struct{})
		var once sync.Once
		opts := harvest.PollOptions{Stop: stop, Progress: func(_ string, done, _ int) {
			if done == 3 {
				once.Do(func() { close(stop) }) // Ctrl-C after the third page
			}
		}}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			if good := r.h.PollSource(context.Background(), r.good, harvest.PollOptions{}); good.Failed() {
				t.Errorf("the good source failed in the same run: %v %v", good.Err, good.PageErrors)
			}
		}()
		res := r.h.PollSource(context.Background(), src, opts)
		wg.Wait()
		r.checkGoodArchived()

		requested := r.fault.HitsWithPrefix(faultsite.ItemPrefix)
		if !res.Interrupted || res.Pages != pages || res.Archived() < 3 || res.Archived() >= pages {
			t.Fatalf("poll = %+v interrupted=%v pages=%d, want interrupted after 3 of %d", res.Counts, res.Interrupted, res.Pages, pages)
		}
		// Every page fetched (in flight at the stop included) was stored.
		if res.Archived() != requested || res.Errors != 0 {
			t.Fatalf("%d pages requested, %d archived, %d errors: a page in flight was dropped", requested, res.Archived(), res.Errors)
		}
		if n := r.snapshotCount(); n != requested+len(r.demo.Slugs()) {
			t.Fatalf("%d snapshots, want %d", n, requested+len(r.demo.Slugs()))
		}
		st, err := r.st.Source(context.Background(), "fault")
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("interrupted: %d of %d pages archived", requested, pages)
		if st.LastOutcome != store.PollInterrupted || st.Failures != 0 || !strings.Contains(st.LastError, want) {
			t.Fatalf("source state = %q %q, want the poll recorded with %q", st.LastOutcome, st.LastError, want)
		}
		// The next poll takes the rest, and only the rest.
		again := r.h.PollSource(context.Background(), src, harvest.PollOptions{})
		if again.Failed() || again.New != pages-requested {
			t.Fatalf("next poll = %+v %v, want the %d pages left", again.Counts, again.Err, pages-requested)
		}
		if n := r.fault.HitsWithPrefix(faultsite.ItemPrefix); n != pages {
			t.Fatalf("%d page requests in all, want %d (none twice)", n, pages)
		}
	})
}

// testCtrlCSendsNothingNew: pages whose workers still wait for the
// host's slot (one at a time, paced) when Ctrl-C comes are not requested
// at all: only the page in flight is fetched and stored, the rest are left
// for the next poll, and nothing is recorded as an error.
func testCtrlCSendsNothingNew(t *testing.T) {
	const pages = 8
	r := newRig(t, rigOptions{perHost: 1, interval: 300 * time.Millisecond})
	var paths []string
	for i := range pages {
		paths = append(paths, fmt.Sprintf("%s%d", faultsite.ItemPrefix, i+1))
	}
	src := r.source("fault", faultsite.Wrap(paths...))
	stop := make(chan struct{})
	var once sync.Once
	res := r.h.PollSource(context.Background(), src, harvest.PollOptions{Stop: stop, Progress: func(_ string, done, _ int) {
		once.Do(func() { close(stop) }) // Ctrl-C once the first page is in
	}})
	requested := r.fault.HitsWithPrefix(faultsite.ItemPrefix)
	if !res.Interrupted || res.Errors != 0 || res.Archived() != requested {
		t.Fatalf("poll = %+v interrupted=%v, %d requested: want interrupted, every page requested archived, no error", res.Counts, res.Interrupted, requested)
	}
	// The first page, and at most one that took the slot as it was freed.
	if requested > 2 {
		t.Fatalf("%d pages requested after a Ctrl-C during the first: pages waiting for the host's slot were sent", requested)
	}
	again := r.h.PollSource(context.Background(), src, harvest.PollOptions{})
	if again.Failed() || again.New != pages-requested {
		t.Fatalf("next poll = %+v %v, want the %d pages left", again.Counts, again.Err, pages-requested)
	}
}

func testFeeds(t *testing.T) {
	t.Run("html_instead_of_feed", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		src := r.source("fault", faultsite.FeedGood)
		if res := r.pollWithGood(src); res.Failed() {
			t.Fatalf("good feed: %v %v", res.Err, res.PageErrors)
		}
		before := r.snapshotCount()
		items, _ := r.st.FeedItems(context.Background(), "fault")
		src.Feed = r.faultURL + faultsite.FeedHTML
		res := r.pollWithGood(src)
		r.wantPollError(res, "fault", "no feed format detected")
		if got := r.snapshotCount(); got != before {
			t.Fatalf("snapshots %d → %d after a poll of an HTML page", before, got)
		}
		after, _ := r.st.FeedItems(context.Background(), "fault")
		if len(after) != len(items) || len(items) != len(faultsite.GoodSlugs) {
			t.Fatalf("feed items %d → %d, want %d untouched", len(items), len(after), len(faultsite.GoodSlugs))
		}
		for _, slug := range faultsite.GoodSlugs {
			if r.article(faultsite.ArticlePrefix+slug).Snapshots != 1 {
				t.Fatalf("stored entry %s changed", slug)
			}
		}
	})

	t.Run("truncated_xml", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		res := r.pollWithGood(r.source("fault", faultsite.FeedTruncated))
		r.wantPollError(res, "fault", "parse")
		if items, _ := r.st.FeedItems(context.Background(), "fault"); len(items) != 0 {
			t.Fatalf("half a feed kept: %d items", len(items))
		}
		if n := r.fault.HitsWithPrefix(faultsite.ArticlePrefix); n != 0 {
			t.Fatalf("%d pages of a truncated feed fetched", n)
		}
	})

	t.Run("control_characters", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		res := r.pollWithGood(r.source("fault", faultsite.FeedControl))
		if res.Failed() || res.New != 1 {
			t.Fatalf("poll = %+v %v %v, want the feed parsed and its article archived", res.Counts, res.Err, res.PageErrors)
		}
		r.latest(faultsite.ArticlePrefix + "control-1")
	})

	t.Run("doctype_entity_bomb", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		res := r.pollWithGood(r.source("fault", faultsite.FeedDoctypeBomb))
		// Refusing it and parsing it without expansion are both harmless;
		// either way the outcome is recorded and nothing expanded is kept.
		if res.Err != nil {
			r.wantPollError(res, "fault", "feed")
			return
		}
		s := r.latest(faultsite.ArticlePrefix + "bomb-1")
		if strings.Contains(s.Title+s.Text, "lollol") {
			t.Fatalf("entity expanded into the archive: %.80q", s.Title)
		}
	})

	t.Run("duplicate_guids_no_links_odd_dates", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		src := r.source("fault", faultsite.FeedOddItems)
		res := r.pollWithGood(src)
		if res.Err != nil || res.Errors != 0 {
			t.Fatalf("poll: %v %v", res.Err, res.PageErrors)
		}
		if res.Items != len(faultsite.OddLinkedSlugs)+faultsite.OddLinkless+1 || res.New != len(faultsite.OddLinkedSlugs) {
			t.Fatalf("counts = %+v", res.Counts)
		}
		items, err := r.st.FeedItems(context.Background(), "fault")
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"same-guid", "same-guid#2", "nolink-1"} {
			if _, ok := items[k]; !ok {
				t.Fatalf("no item keyed %q; keys: %v", k, keysOf(items))
			}
		}
		// Items without a (fetchable) link are remembered, never fetched.
		if n := r.fault.HitsWithPrefix(faultsite.ArticlePrefix); n != len(faultsite.OddLinkedSlugs) {
			t.Fatalf("%d article fetches, want %d", n, len(faultsite.OddLinkedSlugs))
		}
		caps, _ := r.st.Captures(context.Background(), store.CaptureFilter{Source: "fault"})
		for _, c := range caps {
			if strings.HasPrefix(c.URL, "ftp:") {
				t.Fatalf("ftp link fetched: %+v", c)
			}
		}
		// Missing and unreadable dates stay missing.
		for _, slug := range []string{"no-date", "odd-date", "zero-date"} {
			s := r.latest(faultsite.ArticlePrefix + slug)
			if s.PublishedDate != nil || s.RevisionDate != nil {
				t.Fatalf("%s: dates invented: published %v revised %v", slug, s.PublishedDate, s.RevisionDate)
			}
		}
		// The same document gives the same keys: nothing is new next time.
		again := r.pollWithGood(src)
		if again.New != 0 || again.Errors != 0 || len(keysOf(items)) != len(mustFeedItems(t, r.st, "fault")) {
			t.Fatalf("second poll = %+v, want nothing new", again.Counts)
		}
	})

	t.Run("feed_with_100000_items", func(t *testing.T) {
		if testing.Short() {
			t.Skip("parses a 9 MB feed twice")
		}
		const cap = 40
		r := newRig(t, rigOptions{maxItems: cap, maxBody: 15 << 20})
		src := r.source("fault", faultsite.FeedHuge)
		first := r.pollWithGood(src)
		if first.Failed() || first.Items != faultsite.HugeItems || first.New != cap {
			t.Fatalf("first poll = %+v %v, want %d items and %d new", first.Counts, first.Err, faultsite.HugeItems, cap)
		}
		second := r.pollWithGood(src)
		if second.Failed() || second.New != cap {
			t.Fatalf("second poll = %+v %v, want the next %d", second.Counts, second.Err, cap)
		}
		if n := r.fault.HitsWithPrefix(faultsite.ItemPrefix); n != 2*cap {
			t.Fatalf("%d item pages fetched, want %d (no page twice)", n, 2*cap)
		}
	})
}

func keysOf(m map[string]store.FeedItem) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func mustFeedItems(t *testing.T, st *store.Store, source string) map[string]store.FeedItem {
	t.Helper()
	items, err := st.FeedItems(context.Background(), source)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func testHTTP(t *testing.T) {
	for _, path := range []string{faultsite.HTTP2GB, faultsite.HTTPGzipBomb, faultsite.HTTPBrotliBomb, faultsite.HTTPLyingLength} {
		name := "too_large" + strings.ReplaceAll(strings.TrimPrefix(path, "/http"), "/", "_")
		t.Run(name+"_feed", func(t *testing.T) {
			r := newRig(t, rigOptions{})
			res := r.pollWithGood(r.source("fault", path))
			r.wantPollError(res, "fault", "too large")
			if sent := r.fault.BodyBytesSent(); sent >= faultsite.EndlessSize/4 {
				t.Fatalf("server sent %d bytes; the client should hang up at the cap", sent)
			}
		})
		t.Run(name+"_page", func(t *testing.T) {
			r := newRig(t, rigOptions{})
			res := r.pollWithGood(r.source("fault", faultsite.Wrap(path)))
			if res.Err != nil || res.Errors != 1 {
				t.Fatalf("poll = %+v %v, want one page error", res.Counts, res.Err)
			}
			r.wantCaptureError("fault", r.faultURL+path, "too large")
		})
	}

	t.Run("drip_one_byte_a_second", func(t *testing.T) {
		r := newRig(t, rigOptions{timeout: 3 * time.Second})
		res := r.pollWithGood(r.source("fault", faultsite.HTTPDrip))
		r.wantPollError(res, "fault", "total timeout 3s exceeded")
	})

	t.Run("redirect_loop", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		res := r.pollWithGood(r.source("fault", faultsite.HTTPRedirectLoop))
		r.wantPollError(res, "fault", "too many redirects")
		if n := r.fault.Hits(faultsite.HTTPRedirectLoop); n != 11 {
			t.Fatalf("%d hops, want 11 (the request and 10 redirects)", n)
		}
	})

	t.Run("redirect_to_private_address", func(t *testing.T) {
		var secretHits atomic.Int32
		secret := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { secretHits.Add(1) }))
		defer secret.Close()
		sp := port(t, secret.URL)
		targets := map[string]string{
			"10.0.0.1":        "http://10.0.0.1/",
			"127.0.0.1":       fmt.Sprintf("http://127.0.0.1:%d/admin", sp),
			"::1":             fmt.Sprintf("http://[::1]:%d/admin", sp),
			"localhost":       fmt.Sprintf("http://localhost:%d/admin", sp),
			"169.254.169.254": "http://169.254.169.254/latest/meta-data/",
			"172.16.0.1":      "http://172.16.0.1/",
			"192.168.1.1":     "http://192.168.1.1/",
			"100.64.0.1":      "http://100.64.0.1/",
		}
		for name, target := range targets {
			t.Run(strings.ReplaceAll(name, ":", "_"), func(t *testing.T) {
				r := newRig(t, rigOptions{})
				res := r.pollWithGood(r.source("fault", faultsite.Redirect(target)))
				r.wantPollError(res, "fault", "refused")
				if !errors.Is(res.Err, fetch.ErrPrivateNetwork) {
					t.Fatalf("err = %v, want ErrPrivateNetwork", res.Err)
				}
				if !strings.Contains(res.Err.Error(), "address); to allow, set http.allow_private_networks: true in config.yaml") {
					t.Fatalf("error does not name the rule: %v", res.Err)
				}
			})
		}
		if n := secretHits.Load(); n != 0 {
			t.Fatalf("the private server was reached %d times", n)
		}
	})

	t.Run("special_purpose_and_own_addresses", func(t *testing.T) {
		var secretHits atomic.Int32
		ln, err := net.Listen("tcp", ":0") // all interfaces, like a careless admin panel
		if err != nil {
			t.Fatal(err)
		}
		secret := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { secretHits.Add(1) }))
		secret.Listener.Close()
		secret.Listener = ln
		secret.Start()
		defer secret.Close()
		sp := uint16(ln.Addr().(*net.TCPAddr).Port)
		targets := map[string]string{
			"192.0.0.1":      "http://192.0.0.1/",
			"198.18.0.1":     "http://198.18.0.1/",
			"203.0.113.5":    "http://203.0.113.5/",
			"240.0.0.1":      "http://240.0.0.1/",
			"6to4_loopback":  fmt.Sprintf("http://[2002:7f00:1::1]:%d/admin", sp),
			"nat64_local":    "http://[64:ff9b:1::a00:1]/",
			"teredo":         "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
			"documentation6": "http://[3fff::1]/",
		}
		if own, ok := ownInterfaceAddr(); ok {
			targets["own_interface_address"] = "http://" + netip.AddrPortFrom(own, sp).String() + "/admin"
		} else {
			t.Log("this machine has no non-loopback interface address: the own-address case is not run")
		}
		for name, target := range targets {
			t.Run(name, func(t *testing.T) {
				r := newRig(t, rigOptions{})
				res := r.pollWithGood(r.source("fault", faultsite.Redirect(target)))
				r.wantPollError(res, "fault", "refused")
				if !errors.Is(res.Err, fetch.ErrPrivateNetwork) || !strings.Contains(res.Err.Error(), "address); to allow, set http.allow_private_networks: true in config.yaml") {
					t.Fatalf("err = %v, want ErrPrivateNetwork naming the rule", res.Err)
				}
				if name == "own_interface_address" && !strings.Contains(res.Err.Error(), "this host's own address") {
					t.Fatalf("err = %v, want the host's own address named", res.Err)
				}
			})
		}
		if n := secretHits.Load(); n != 0 {
			t.Fatalf("the 0.0.0.0 server was reached %d times", n)
		}
	})

	t.Run("schemes_other_than_http", func(t *testing.T) {
		for _, target := range []string{"file:///etc/passwd", "ftp://example.org/feed.xml", "gopher://example.org/"} {
			r := newRig(t, rigOptions{})
			res := r.pollWithGood(r.source("fault", faultsite.Redirect(target)))
			r.wantPollError(res, "fault", "unsupported URL scheme")
		}
		// A feed item linking elsewhere than http(s) is not fetched: see
		// feeds/duplicate_guids_no_links_odd_dates (its ftp: item).
	})

	t.Run("429_retry_after_seconds", func(t *testing.T) {
		testRetryAfter(t, faultsite.HTTP429, "429", faultsite.RetryAfter429)
	})
	t.Run("503_retry_after_http_date", func(t *testing.T) {
		testRetryAfter(t, faultsite.HTTP503Date, "503", faultsite.RetryAfter503-2*time.Second)
	})

	t.Run("stacked_content_encoding", func(t *testing.T) {
		// The memory figure is TestPeakRSSStackedCodings (internal/fetch).
		r := newRig(t, rigOptions{timeout: 10 * time.Second})
		res := r.pollWithGood(r.source("fault", faultsite.HTTPCodingStack))
		r.wantPollError(res, "fault", "too many content codings")
		if !errors.Is(res.Err, fetch.ErrTooManyCodings) || !strings.Contains(res.Err.Error(), r.faultURL+faultsite.HTTPCodingStack) {
			t.Fatalf("err = %v, want ErrTooManyCodings naming the URL", res.Err)
		}
		page := newRig(t, rigOptions{timeout: 10 * time.Second})
		res = page.pollWithGood(page.source("fault", faultsite.Wrap(faultsite.HTTPCodingStack)))
		if res.Err != nil || res.Errors != 1 {
			t.Fatalf("poll = %+v %v, want one page error", res.Counts, res.Err)
		}
		page.wantCaptureError("fault", page.faultURL+faultsite.HTTPCodingStack, `Content-Encoding "br,br,br`)
	})

	t.Run("retry_after_3600_defers_not_waits", func(t *testing.T) {
		// One source on the fault host answers 429 with Retry-After: 3600;
		// the other sources on that host are deferred at once with the
		// time, not held for an hour; the good source on another host is
		// archived in the same run (pollWithGood checks it).
		r := newRig(t, rigOptions{})
		start := time.Now()
		res := r.pollWithGood(r.source("fault", faultsite.HTTP429Hour))
		r.wantPollError(res, "fault", "429")
		done := make(chan harvest.PollResult, 1)
		go func() { done <- r.pollWithGood(r.source("neighbour", faultsite.FeedGood)) }()
		var next harvest.PollResult
		select {
		case next = <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("a poll of another source on the pushed-back host waited silently (30 s and counting)")
		}
		var de *fetch.DeferredError
		if !errors.Is(next.Err, fetch.ErrDeferred) || !errors.As(next.Err, &de) {
			t.Fatalf("neighbour poll err = %v, want ErrDeferred", next.Err)
		}
		if de.Until.Before(start.Add(faultsite.RetryAfterHour)) {
			t.Fatalf("deferred until %v, want an hour after %v", de.Until, start)
		}
		// The time, after the date when the wait ends on another day (a
		// run between 23:00 and midnight UTC).
		r.wantPollError(next, "neighbour", "asked to wait until ")
		r.wantPollError(next, "neighbour", de.Until.UTC().Format("15:04"))
		if n := r.fault.Hits(faultsite.FeedGood); n != 0 {
			t.Fatalf("the pushed-back host was sent %d more requests", n)
		}
	})

	t.Run("pdf_or_image_instead_of_article", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		res := r.pollWithGood(r.source("fault", faultsite.Wrap(faultsite.PagePDF, faultsite.PageImage)))
		if res.Err != nil || res.Errors != 2 {
			t.Fatalf("poll = %+v %v, want two page errors", res.Counts, res.Err)
		}
		r.wantCaptureError("fault", r.faultURL+faultsite.PagePDF, "not an HTML page")
		r.wantCaptureError("fault", r.faultURL+faultsite.PagePDF, "application/pdf")
		r.wantCaptureError("fault", r.faultURL+faultsite.PageImage, "image/png")
	})

	t.Run("article_redirects_to_another_site", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		res := r.pollWithGood(r.source("fault", faultsite.Wrap(faultsite.PageOffsite, faultsite.ArticlePrefix+"good-1")))
		if res.Failed() || res.New != 2 {
			t.Fatalf("poll = %+v %v %v", res.Counts, res.Err, res.PageErrors)
		}
		off := r.latest(faultsite.PageOffsite)
		if !strings.HasPrefix(off.Extractor, "generic") || !strings.Contains(off.Text, faultsite.LandingText) {
			t.Fatalf("page on another site extracted by %q, want generic (the source's selectors are not its layout)", off.Extractor)
		}
		if on := r.latest(faultsite.ArticlePrefix + "good-1"); !strings.HasPrefix(on.Extractor, "selectors") {
			t.Fatalf("page on the source's own site extracted by %q, want selectors", on.Extractor)
		}
	})
}

func testRetryAfter(t *testing.T, path, code string, atLeast time.Duration) {
	r := newRig(t, rigOptions{})
	src := r.source("fault", path)
	start := time.Now()
	res := r.pollWithGood(src)
	r.wantPollError(res, "fault", code)
	h := r.h.Health("fault")
	if h.ConsecutiveFailures != 1 || h.BackoffUntil.Before(start.Add(atLeast)) {
		t.Fatalf("health = %+v, want backoff until at least %v", h, start.Add(atLeast))
	}
	if r.h.NextPollAllowed("fault").Before(start.Add(atLeast)) {
		t.Fatal("scheduler would poll again before Retry-After")
	}
	// Even a poll forced now does not reach the host before then: it is
	// deferred at once.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	again := r.h.PollSource(ctx, src, harvest.PollOptions{})
	if !errors.Is(again.Err, fetch.ErrDeferred) || !strings.Contains(again.Err.Error(), "asked to wait until") {
		t.Fatalf("forced poll err = %v, want the host's request deferred", again.Err)
	}
	if n := r.fault.Hits(path); n != 1 {
		t.Fatalf("host hit %d times, want 1", n)
	}
}

func testEncodings(t *testing.T) {
	r := newRig(t, rigOptions{})
	res := r.pollWithGood(r.source("fault", faultsite.FeedCharsets))
	if res.Err != nil || res.Errors != 0 {
		t.Fatalf("poll: %v %v", res.Err, res.PageErrors)
	}
	t.Run("invalid_utf8_replaced", func(t *testing.T) {
		s := r.latest(faultsite.PageInvalidUTF8)
		if !strings.Contains(s.Text, faultsite.InvalidUTF8Text) || !strings.ContainsRune(s.Text, '\uFFFD') {
			t.Fatalf("text = %.200q, want the readable part and U+FFFD", s.Text)
		}
	})
	for _, p := range faultsite.CharsetPages() {
		t.Run("legacy_charsets/"+p.Charset+"_"+p.Declare, func(t *testing.T) {
			s := r.latest(p.Path)
			if !strings.Contains(s.Text, p.Text) || s.Title != p.Text {
				t.Fatalf("title %q text %.120q, want %q", s.Title, s.Text, p.Text)
			}
			// The raw bytes are kept, so the page can be decoded again later.
			rec, err := r.st.ReadWARCRecord(context.Background(), s.WARCFile, s.WARCOffset)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rec.Payload, p.Raw) {
				t.Fatalf("WARC payload (%d bytes) is not the raw page (%d bytes)", len(rec.Payload), len(p.Raw))
			}
		})
	}
	t.Run("latin1_header_over_utf8", func(t *testing.T) {
		s := r.latest(faultsite.PageLatin1UTF8)
		if !strings.Contains(s.Text, faultsite.Latin1UTF8Text) {
			t.Fatalf("text = %.200q, want %q", s.Text, faultsite.Latin1UTF8Text)
		}
	})
}

// testRevisions: the demo site is the subject; the fault site's good feed
// is the other source of the run.
func testRevisions(t *testing.T) {
	const slug = "chiang-ching-kuo-outer-mongolia"
	setup := func(t *testing.T) (*rig, func() harvest.PollResult) {
		r := newRig(t, rigOptions{})
		r.demo.SetConditional(false) // every re-check compares content; a 304 would skip that
		other := r.source("other", faultsite.FeedGood)
		poll := func() harvest.PollResult {
			t.Helper()
			done := make(chan harvest.PollResult, 1)
			go func() {
				done <- r.h.PollSource(context.Background(), other, harvest.PollOptions{Recheck: harvest.RecheckDue})
			}()
			res := r.h.PollSource(context.Background(), r.good, harvest.PollOptions{Recheck: harvest.RecheckAll})
			if o := <-done; o.Failed() {
				t.Fatalf("other source failed: %v %v", o.Err, o.PageErrors)
			}
			for _, s := range faultsite.GoodSlugs {
				r.latest(faultsite.ArticlePrefix + s)
			}
			return res
		}
		if first := poll(); first.Failed() {
			t.Fatalf("first poll: %v %v", first.Err, first.PageErrors)
		}
		return r, poll
	}
	demoArticle := func(r *rig) *store.Article {
		a, err := r.st.ResolveArticle(context.Background(), r.demoURL+demosite.Path(slug))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	t.Run("boilerplate_only_change_no_snapshot", func(t *testing.T) {
		r, poll := setup(t)
		r.demo.SetViews(slug, 98765)
		r.demo.SetAd(slug, "Buy the new atlas today")
		r.demo.SetRelated(slug, []string{"Something else entirely"})
		r.demo.SetStamp(slug, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
		res := poll()
		if res.Failed() || res.Revised != 0 || res.Unchanged != len(r.demo.Slugs()) {
			t.Fatalf("poll = %+v %v, want every page compared and unchanged", res.Counts, res.PageErrors)
		}
		if n := demoArticle(r).Snapshots; n != 1 {
			t.Fatalf("snapshots = %d, want 1", n)
		}
	})

	t.Run("selector_matches_nothing_or_body_shrinks", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			breakIt func(d *demosite.Site)
			// A broken selector falls back to the generic extractor; when
			// its cut of the page has the same fingerprint the page is
			// honestly unchanged (the fallback is logged as a warning).
			unchangedOK bool
		}{
			{"selector_matches_nothing", func(d *demosite.Site) { d.SetSelectorBreak(slug, true) }, true},
			{"selector_matches_nothing_and_text_changed", func(d *demosite.Site) {
				d.SetSelectorBreak(slug, true)
				d.Revise(slug, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), func(p []string) []string { return append(p, "A new closing paragraph.") })
			}, false},
			{"body_much_shorter", func(d *demosite.Site) { d.SetBody(slug, []string{"Loading…"}) }, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r, poll := setup(t)
				tc.breakIt(r.demo)
				res := poll()
				if res.Revised != 0 || !(res.Errors == 1 || tc.unchangedOK && res.Unchanged == len(r.demo.Slugs())) {
					t.Fatalf("poll = %+v, want the page recorded as an error, not a revision", res.Counts)
				}
				a := demoArticle(r)
				if a.Snapshots != 1 {
					t.Fatalf("snapshots = %d, want 1", a.Snapshots)
				}
				if res.Errors == 1 {
					caps, _ := r.st.Captures(context.Background(), store.CaptureFilter{ArticleID: a.ID, Limit: 1})
					if len(caps) != 1 || caps[0].Outcome != store.OutcomeError || caps[0].Error == "" {
						t.Fatalf("latest capture = %+v, want an extraction error", caps)
					}
				}
			})
		}
	})

	// "An archived article answers 301 to a new URL → the same article, its
	// history continuous; 404/410 or a redirect to the home page → gone
	// since, its snapshots kept; a 5xx or timeout never marks it gone."
	// (Every shape of removal, 5xx, 429, refused connections and timeouts:
	// TestLifeGoneAndBack and TestLifeTransientNeverGone in life_test.go.)
	t.Run("moved_or_gone_article", func(t *testing.T) {
		r, _ := setup(t)
		const moved, removed, notFound = "grand-canal-grain-fleets", "hanseatic-league-kontors", "silk-road-caravan-cities"
		ids := map[string]string{}
		for _, s := range []string{moved, removed, notFound} {
			a, err := r.st.ResolveArticle(context.Background(), r.demoURL+demosite.Path(s))
			if err != nil {
				t.Fatal(err)
			}
			ids[s] = a.ID
		}
		r.demo.Move(moved, "grand-canal-grain-fleets-of-the-ming")
		r.demo.Remove(removed, true)
		r.demo.SetGone(notFound, true)
		res := r.h.PollSource(context.Background(), r.good, harvest.PollOptions{Recheck: harvest.RecheckAll})
		if res.Moved != 1 || res.Gone != 2 || res.New+res.Revised+res.Errors != 0 {
			t.Fatalf("poll = %+v %v, want one moved and two gone", res.Counts, res.PageErrors)
		}
		a, err := r.st.ResolveArticle(context.Background(), r.demoURL+demosite.Path("grand-canal-grain-fleets-of-the-ming"))
		if err != nil || a.ID != ids[moved] || a.Snapshots != 1 || a.URL != r.demoURL+demosite.Path("grand-canal-grain-fleets-of-the-ming") {
			t.Fatalf("moved article = %+v, %v; want %s at its new URL with one snapshot", a, err, ids[moved])
		}
		for _, s := range []string{removed, notFound} {
			a, err := r.st.Article(context.Background(), ids[s])
			if err != nil || a.State != store.StateGone || a.StateSince == nil || a.Snapshots != 1 {
				t.Fatalf("%s = %+v, %v; want gone with its snapshot", s, a, err)
			}
		}
		arts, _ := r.st.Articles(context.Background(), store.ArticleFilter{Source: r.good.Name})
		if len(arts) != len(r.demo.Slugs()) {
			t.Fatalf("%d articles, want %d: a move or removal filed a new article", len(arts), len(r.demo.Slugs()))
		}
	})

	t.Run("furniture_and_captions", testFurnitureAndCaptions)
	t.Run("normaliser_version_change_not_a_revision", func(t *testing.T) {
		r, poll := setup(t)
		// Stand in for an archive made by an older normaliser.
		db := openDB(t, r.dir)
		if _, err := db.Exec(`UPDATE snapshots SET fingerprint = 'n0:' || substr(fingerprint, 4), fp_version = 'n0'`); err != nil {
			t.Fatal(err)
		}
		res := poll()
		if res.Failed() || res.Revised != 0 || res.Unchanged == 0 {
			t.Fatalf("poll = %+v %v, want every article unchanged", res.Counts, res.PageErrors)
		}
	})
}

// ownInterfaceAddr returns an IPv4 address of one of this machine's
// interfaces that is not loopback or link-local.
func ownInterfaceAddr() (netip.Addr, bool) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return netip.Addr{}, false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok {
				if ip = ip.Unmap(); ip.Is4() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() {
					return ip, true
				}
			}
		}
	}
	return netip.Addr{}, false
}
