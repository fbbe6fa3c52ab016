package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"annalist/internal/store"
)

// requestMetrics counts the UI's own responses by status code.
type requestMetrics struct {
	mu     sync.Mutex
	byCode map[int]uint64
}

func newRequestMetrics() *requestMetrics { return &requestMetrics{byCode: map[int]uint64{}} }

func (m *requestMetrics) observe(code int) {
	m.mu.Lock()
	m.byCode[code]++
	m.mu.Unlock()
}

func (m *requestMetrics) snapshot() map[int]uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[int]uint64, len(m.byCode))
	for k, v := range m.byCode {
		out[k] = v
	}
	return out
}

// labelValue escapes a Prometheus label value.
func labelValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// handleMetrics writes the Prometheus text format (0.0.4), computed from
// the store at scrape time: the counts are the archive's, so they survive
// restarts and include what other processes (a one-off fetch) stored.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	stats, err := s.st.Stats(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	srcs, err := s.st.Sources(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var b strings.Builder
	metric := func(name, typ, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	metric("annalist_articles", "gauge", "Articles in the archive.")
	fmt.Fprintf(&b, "annalist_articles %d\n", stats.Articles)
	metric("annalist_snapshots", "gauge", "Snapshots (stored revisions) in the archive.")
	fmt.Fprintf(&b, "annalist_snapshots %d\n", stats.Snapshots)
	metric("annalist_captures_total", "counter", "Fetches of article pages, by source and outcome (new, revised, unchanged, not-modified, error).")
	for _, c := range stats.Captures {
		fmt.Fprintf(&b, "annalist_captures_total{source=\"%s\",outcome=\"%s\"} %d\n", labelValue(c.Source), labelValue(c.Outcome), c.N)
	}
	metric("annalist_fetch_duration_seconds", "histogram", "How long fetching an article page took, by source (captures that got a response).")
	for _, f := range stats.Fetches {
		src := labelValue(f.Source)
		for i, le := range store.FetchBuckets {
			fmt.Fprintf(&b, "annalist_fetch_duration_seconds_bucket{source=\"%s\",le=\"%s\"} %d\n", src, strconv.FormatFloat(le, 'g', -1, 64), f.Buckets[i])
		}
		fmt.Fprintf(&b, "annalist_fetch_duration_seconds_bucket{source=\"%s\",le=\"+Inf\"} %d\n", src, f.Count)
		fmt.Fprintf(&b, "annalist_fetch_duration_seconds_sum{source=\"%s\"} %s\n", src, strconv.FormatFloat(f.Sum, 'f', 3, 64))
		fmt.Fprintf(&b, "annalist_fetch_duration_seconds_count{source=\"%s\"} %d\n", src, f.Count)
	}
	metric("annalist_source_last_poll_timestamp_seconds", "gauge", "When the source's feed was last polled (Unix time).")
	for _, src := range srcs {
		if src.LastPollAt != nil {
			fmt.Fprintf(&b, "annalist_source_last_poll_timestamp_seconds{source=\"%s\"} %d\n", labelValue(src.Name), src.LastPollAt.Unix())
		}
	}
	metric("annalist_source_last_poll_ok", "gauge", "1 if the source's last feed poll succeeded (ok, not-modified, or interrupted by Ctrl-C), 0 if it failed.")
	for _, src := range srcs {
		if src.LastOutcome != "" {
			ok := 0
			if src.LastOutcome != "error" {
				ok = 1
			}
			fmt.Fprintf(&b, "annalist_source_last_poll_ok{source=\"%s\"} %d\n", labelValue(src.Name), ok)
		}
	}
	metric("annalist_source_consecutive_failures", "gauge", "Feed polls of the source that failed in a row (0 after a success).")
	for _, src := range srcs {
		fmt.Fprintf(&b, "annalist_source_consecutive_failures{source=\"%s\"} %d\n", labelValue(src.Name), src.Failures)
	}
	metric("annalist_source_articles", "gauge", "Articles per source.")
	for _, src := range srcs {
		fmt.Fprintf(&b, "annalist_source_articles{source=\"%s\"} %d\n", labelValue(src.Name), src.Articles)
	}
	metric("annalist_source_snapshots", "gauge", "Snapshots per source.")
	for _, src := range srcs {
		fmt.Fprintf(&b, "annalist_source_snapshots{source=\"%s\"} %d\n", labelValue(src.Name), src.Snapshots)
	}
	notes, err := s.st.NotifyCounts(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	metric("annalist_notifications", "gauge", "Webhook notifications by source and state: delivered, pending (waiting for an attempt), retrying (pending after a failure), failed (given up).")
	noteSrcs := make([]string, 0, len(notes))
	for name := range notes {
		noteSrcs = append(noteSrcs, name)
	}
	sort.Strings(noteSrcs)
	for _, name := range noteSrcs {
		c := notes[name]
		for _, v := range []struct {
			state string
			n     int
		}{{"delivered", c.Delivered}, {"pending", c.Pending}, {"retrying", c.Retrying}, {"failed", c.Failed}} {
			fmt.Fprintf(&b, "annalist_notifications{source=\"%s\",state=\"%s\"} %d\n", labelValue(name), v.state, v.n)
		}
	}
	metric("annalist_web_responses_total", "counter", "Responses of this web UI since it started, by HTTP status code.")
	codes := s.metrics.snapshot()
	keys := make([]int, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "annalist_web_responses_total{code=\"%d\"} %d\n", k, codes[k])
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Write([]byte(b.String()))
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.st.Ping(r.Context()); err != nil {
		s.log.Error("web: health check failed", "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "unhealthy: the archive database does not answer")
		return
	}
	fmt.Fprintln(w, "ok")
}
