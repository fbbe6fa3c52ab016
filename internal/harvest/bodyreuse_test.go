package harvest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// changingSite serves n pages of different sizes and contents, each at a
// version the test bumps: a third with a Content-Length, a third chunked,
// a third gzip-encoded (the body stored is the decoded one).
type changingSite struct {
	srv      *httptest.Server
	mu       sync.Mutex
	versions []int
}

// body is page i at version v: its size grows with i, so that a body
// given back by one page is reused for a smaller or larger one.
func (s *changingSite) body(i, v int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html><html><head><title>Chronicle %d</title></head><body><article><h1>Chronicle %d</h1>", i, i)
	fmt.Fprintf(&b, "<p>Revision %d of chronicle %d: the envoy %d-%d reached the court.</p>", v, i, i, v)
	for p := range 20 + i*40 {
		fmt.Fprintf(&b, "<p>Chronicle %d, entry %d: in year %d the harvest at station %d was counted as %d sacks of grain.</p>", i, p, 1200+p, i*p, (i+1)*(p+7)%977)
	}
	b.WriteString("</article></body></html>")
	return b.Bytes()
}

func newChangingSite(t *testing.T, n int) *changingSite {
	s := &changingSite{versions: make([]int, n)}
	var base string
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed.xml" {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>`+base+`/</link><description>d</description>`)
			for i := range n {
				fmt.Fprintf(w, "<item><title>Chronicle %d</title><link>%s/chronicle-%d</link></item>", i, base, i)
			}
			fmt.Fprint(w, "</channel></rss>")
			return
		}
		i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/chronicle-"))
		if err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		page := s.body(i, s.versions[i])
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch i % 3 {
		case 0:
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			w.Write(page)
		case 1: // chunked
			half := len(page) / 2
			w.Write(page[:half])
			w.(http.Flusher).Flush()
			w.Write(page[half:])
		case 2:
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write(page)
			zw.Close()
		}
	}))
	t.Cleanup(s.srv.Close)
	base = s.srv.URL
	return s
}

// TestReusedBodiesArchiveWhatWasServed: bodies of pages found unchanged
// are given back and reused for later pages (fetch.Response.Release);
// through polls in which some pages change, between which pages are
// archived one by one (fetch --url), every snapshot's WARC response holds
// the bytes served for it and its text the version served, and verify
// finds nothing damaged. Run with -race, a body given back while a WARC
// record, an extraction or a later page still read it shows here.
func TestReusedBodiesArchiveWhatWasServed(t *testing.T) {
	const n, rounds = 15, 5
	site := newChangingSite(t, n)
	dir := t.TempDir()
	st, err := store.Open(context.Background(), dir, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	h := &harvest.Harvester{Store: st, Now: time.Now, Workers: 4,
		Fetch: loopbackFetcher()}
	src := config.Source{Name: "chronicles", Feed: site.srv.URL + "/feed.xml"}
	ctx := context.Background()
	stored := make([][]int, n) // the versions each page was archived at, in order
	for i := range n {
		stored[i] = []int{0}
	}
	if r := h.PollSource(ctx, src, harvest.PollOptions{Recheck: harvest.RecheckNone}); r.New != n || r.Failed() {
		t.Fatalf("first poll: %+v %v %v", r.Counts, r.Err, r.PageErrors)
	}
	for round := 1; round <= rounds; round++ {
		changed := 0
		site.mu.Lock()
		for i := range n {
			if (i*7+round)%4 == 0 {
				site.versions[i]++
				stored[i] = append(stored[i], site.versions[i])
				changed++
			}
		}
		site.mu.Unlock()
		r := h.PollSource(ctx, src, harvest.PollOptions{Recheck: harvest.RecheckAll})
		if r.Failed() || r.Revised != changed || r.Unchanged != n-changed {
			t.Fatalf("re-poll %d: %+v, want %d revised, %d unchanged (%v %v)", round, r.Counts, changed, n-changed, r.Err, r.PageErrors)
		}
		for _, i := range []int{round % n, (round + 5) % n} {
			pr := h.CaptureURL(ctx, &src, fmt.Sprintf("%s/chronicle-%d", site.srv.URL, i))
			if pr.Err != nil || pr.Outcome != store.OutcomeUnchanged {
				t.Fatalf("fetch --url of chronicle %d: %s %v", i, pr.Outcome, pr.Err)
			}
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	checkServedArchived(t, openReadOnly(t, dir), site, stored)
}

// checkServedArchived compares every snapshot of every page with the
// body served for its version: the WARC response's payload byte for byte,
// the snapshot's text by its revision line.
func checkServedArchived(t *testing.T, ro *store.Store, site *changingSite, stored [][]int) {
	t.Helper()
	ctx := context.Background()
	total := 0
	for i, versions := range stored {
		a, err := ro.ArticleByURL(ctx, fmt.Sprintf("%s/chronicle-%d", site.srv.URL, i))
		if err != nil {
			t.Fatalf("chronicle %d: %v", i, err)
		}
		snaps, err := ro.Snapshots(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(snaps) != len(versions) {
			t.Errorf("chronicle %d: %d snapshots, want %d (versions %v)", i, len(snaps), len(versions), versions)
			continue
		}
		for k, sn := range snaps {
			total++
			v := versions[k]
			if want := fmt.Sprintf("Revision %d of chronicle %d:", v, i); !strings.Contains(sn.Text, want) {
				t.Errorf("snapshot %s: text lacks %q", sn.ID, want)
			}
			recs, err := ro.SnapshotRecords(ctx, sn.ID)
			if err != nil {
				t.Fatalf("snapshot %s: %v", sn.ID, err)
			}
			_, payload, ok := bytes.Cut(recs.Records[0].Block, []byte("\r\n\r\n"))
			if !ok || !bytes.Equal(payload, site.body(i, v)) {
				t.Errorf("snapshot %s: the WARC response's payload (%d bytes) is not chronicle %d's version %d as served (%d bytes)",
					sn.ID, len(payload), i, v, len(site.body(i, v)))
			}
		}
	}
	rep, err := ro.Verify(ctx, nil)
	if err != nil || len(rep.Damaged) != 0 || rep.Snapshots != total {
		t.Errorf("verify: %+v, %v; want %d snapshots, none damaged", rep, err, total)
	}
}
