package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"annalist/internal/store"
	"annalist/internal/worddiff"
)

// Bounds of a payload's diff: the first changed passages only; the
// snapshot's page has the whole diff.
const (
	maxDiffLines   = 8
	maxDiffLineLen = 200
	diffBudget     = 200 * time.Millisecond
)

// Payload is the JSON body of a delivery. Its keys are a documented
// contract (README, "Notifications").
type Payload struct {
	Event        string `json:"event"`    // new, revised, gone, back, moved
	Delivery     string `json:"delivery"` // = X-Annalist-Delivery
	Source       string `json:"source"`
	ArticleID    string `json:"article_id"`
	ArticleURL   string `json:"article_url"` // the article's canonical URL on its site
	Title        string `json:"title"`
	SnapshotID   string `json:"snapshot_id,omitempty"`  // new, revised: the new snapshot; else the latest
	SnapshotURL  string `json:"snapshot_url,omitempty"` // in the archive's web UI
	CapturedAt   string `json:"captured_at,omitempty"`  // the snapshot's
	RevisionDate string `json:"revision_date,omitempty"`
	Published    string `json:"published_date,omitempty"`
	PreviousID   string `json:"previous_snapshot_id,omitempty"` // revised
	WordsAdded   int    `json:"words_added"`
	WordsRemoved int    `json:"words_removed"`
	// Diff is the first changed passages: "- removed" and "+ added" lines.
	Diff          []string `json:"diff,omitempty"`
	DiffTruncated bool     `json:"diff_truncated,omitempty"`
	// At is when the event was recorded (gone, back, moved: the check).
	At string `json:"at"`
	// URL is the URL the check fetched (gone, back) or the new canonical
	// URL (moved); Detail why it is gone, or the old URL of a move.
	URL    string `json:"url,omitempty"`
	Detail string `json:"detail,omitempty"`
}

func rfc3339(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// payload builds the body for n from the archive as it is now.
func (d *Deliverer) payload(ctx context.Context, n store.Notification) ([]byte, error) {
	p := Payload{Event: n.Event, Delivery: DeliveryID(n.Hook, n.EventKey), Source: n.Source, ArticleID: n.ArticleID,
		At: n.CreatedAt.UTC().Format(time.RFC3339)}
	a, err := d.Store.Article(ctx, n.ArticleID)
	if err != nil {
		return nil, fmt.Errorf("notification %d: article %s: %w", n.ID, n.ArticleID, err)
	}
	p.ArticleURL, p.Title = a.URL, a.Title
	var snap *store.Snapshot
	if n.SnapshotID != "" {
		if snap, err = d.Store.Snapshot(ctx, n.SnapshotID); err != nil {
			return nil, fmt.Errorf("notification %d: snapshot %s: %w", n.ID, n.SnapshotID, err)
		}
	} else {
		ev, err := d.Store.ArticleEvent(ctx, n.EventID)
		if err != nil {
			return nil, fmt.Errorf("notification %d: %w", n.ID, err)
		}
		p.At, p.URL, p.Detail = ev.At.UTC().Format(time.RFC3339), ev.URL, ev.Detail
		// The state the article was in at the event, for its title and link.
		if snap, err = d.Store.SnapshotAt(ctx, n.ArticleID, ev.At); errors.Is(err, store.ErrNotFound) {
			snap = nil
		} else if err != nil {
			return nil, fmt.Errorf("notification %d: %w", n.ID, err)
		}
	}
	if snap != nil {
		p.SnapshotID, p.Title = snap.ID, snap.Title
		p.SnapshotURL = strings.TrimRight(d.BaseURL, "/") + "/a/" + snap.ID
		p.CapturedAt = snap.CapturedAt.UTC().Format(time.RFC3339)
		p.RevisionDate, p.Published = rfc3339(snap.RevisionDate), rfc3339(snap.PublishedDate)
	}
	if snap != nil && n.SnapshotID != "" {
		if err := d.fillDiff(ctx, &p, snap); err != nil {
			return nil, fmt.Errorf("notification %d: %w", n.ID, err)
		}
	}
	return json.Marshal(p)
}

// fillDiff sets the word counts and the short diff of snap against the
// snapshot before it (a new article: every word added, no diff).
func (d *Deliverer) fillDiff(ctx context.Context, p *Payload, snap *store.Snapshot) error {
	prev, err := d.Store.SnapshotBefore(ctx, snap)
	if errors.Is(err, store.ErrNotFound) {
		p.WordsAdded = len(strings.Fields(snap.Text))
		return nil
	}
	if err != nil {
		return err
	}
	p.PreviousID = prev.ID
	chunks, err := worddiff.Options{Budget: diffBudget}.Diff(ctx, prev.Text, snap.Text)
	if err != nil {
		return fmt.Errorf("diff %s against %s: %w", snap.ID, prev.ID, err)
	}
	st := worddiff.Count(chunks)
	p.WordsAdded, p.WordsRemoved = st.Added, st.Removed
	p.Diff, p.DiffTruncated = shortDiff(chunks)
	return nil
}

// shortDiff is the first maxDiffLines changed chunks as "- " and "+ "
// lines, each folded to one line of at most maxDiffLineLen bytes.
func shortDiff(chunks []worddiff.Chunk) ([]string, bool) {
	var out []string
	for _, c := range chunks {
		if c.Op == worddiff.Equal {
			continue
		}
		text := strings.Join(strings.Fields(c.Text), " ")
		if text == "" {
			continue
		}
		if len(out) == maxDiffLines {
			return out, true
		}
		mark := "+ "
		if c.Op == worddiff.Delete {
			mark = "- "
		}
		out = append(out, mark+clip(text, maxDiffLineLen))
	}
	return out, false
}

// clip cuts s to at most n bytes at a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
