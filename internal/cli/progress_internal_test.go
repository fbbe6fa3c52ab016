package cli

import (
	"bytes"
	"log/slog"
	"testing"
	"time"
)

// TestProgressLineAndLogsDoNotCollide (issue 12, point 6): a log record
// written while the progress line is on screen starts on a clean line, and
// the progress line is drawn again below it.
func TestProgressLineAndLogsDoNotCollide(t *testing.T) {
	var buf bytes.Buffer
	con := &console{w: &buf}
	log := slog.New(slog.NewTextHandler(con, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	con.show("jstor 3/9 pages")
	log.Warn("page failed")
	con.clear()
	want := "\r\033[Kjstor 3/9 pages" + "\r\033[K" + "level=WARN msg=\"page failed\"\n" + "jstor 3/9 pages" + "\r\033[K"
	if got := buf.String(); got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
}

// TestProgressLineShowsRateAndTimeLeft: count, rate and time left.
func TestProgressLineShowsRateAndTimeLeft(t *testing.T) {
	t0 := time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC)
	now := t0
	var buf bytes.Buffer
	p := &progressLine{con: &console{w: &buf}, on: true, now: func() time.Time { return now }, started: t0, shown: map[string][2]int{}}
	now = t0.Add(4 * time.Second)
	p.update("jstor-daily", 8, 20)
	if got, want := p.text(), "jstor-daily 8/20 pages, 2.0/s, about 6s left"; got != want {
		t.Errorf("one source: %q, want %q", got, want)
	}
	p.update("smithsonian", 2, 100)
	if got, want := p.text(), "jstor-daily 8/20  smithsonian 2/100 · 10/120 pages, 2.5/s, about 44s left"; got != want {
		t.Errorf("two sources: %q, want %q", got, want)
	}
	now = t0.Add(40 * time.Second)
	if got, want := p.text(), "jstor-daily 8/20  smithsonian 2/100 · 10/120 pages, 0.2/s, about 7m20s left"; got != want {
		t.Errorf("slow: %q, want %q", got, want)
	}
}
