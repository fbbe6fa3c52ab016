package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestCompressRoundTrip(t *testing.T) {
	g := newTextGen(5)
	long := strings.Join(g.paragraphs(80<<10), "\n\n") // longer than deflate's window
	body := []byte("<html><body><p>" + strings.ReplaceAll(long, "\n\n", "</p><p>") + "</p></body></html>")
	for name, c := range map[string]struct {
		text string
		body []byte
	}{
		"long text in body": {long, body},
		"text not in body":  {"Ünïcödé text, not in the page at all.", []byte("<html>other</html>")},
		"no body":           {"plain", nil},
		"empty":             {"", body},
	} {
		z, err := compressWithBody(c.text, c.body)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decompressText(z, nil, c.body)
		if err != nil || got != c.text {
			t.Errorf("%s: round trip failed: %v", name, err)
		}
		if len(c.body) > 0 && c.text != "" {
			if _, err := decompressText(z, nil, nil); !errors.Is(err, errNeedBody) {
				t.Errorf("%s: without body: %v", name, err)
			}
		}
	}
	dict := dictFor(long)
	z, _ := compressText("# Title\n\n"+long, dict)
	if got, err := decompressText(z, dict, nil); err != nil || got != "# Title\n\n"+long {
		t.Errorf("dict round trip: %v", err)
	}
	article := strings.Join(g.paragraphs(20<<10), "\n\n")
	page := []byte("<html><head>" + strings.Repeat("<meta>", 5000) + "</head><body><p>" +
		strings.ReplaceAll(article, "\n\n", "</p><p>") + "</p>" + strings.Repeat("<footer>", 5000) + "</body></html>")
	plainZ, _ := compressText(article, nil)
	bodyZ, _ := compressWithBody(article, page)
	if len(bodyZ)*4 > len(plainZ) {
		t.Errorf("text compressed against its page: %d bytes, plain %d: want far smaller", len(bodyZ), len(plainZ))
	}
}

// TestSnapshotNeedsItsWARC: the text is stored against the WARC payload, so
// a lost WARC file is a clear error, not wrong text.
func TestSnapshotNeedsItsWARC(t *testing.T) {
	ctx := context.Background()
	s, res := openWithLostWARC(t, page("lost", "Lost", "text that lives in the page too", t0))
	if _, err := s.Snapshot(ctx, res.SnapshotID); !errors.Is(err, ErrNotFound) {
		t.Errorf("snapshot without its WARC file: %v", err)
	}
	hits, err := s.Search(ctx, "lives", SearchOptions{})
	if err != nil || len(hits) != 1 || hits[0].Snippet != "" {
		t.Errorf("search hit without WARC file: %+v, %v", hits, err)
	}
}

// TestCloseDuringSaves: every save that returned success is in the archive
// after Close; the others fail with ErrClosed.
func TestCloseDuringSaves(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var saved []string
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				res, err := s.SaveCapture(ctx, page(fmt.Sprintf("cl%d-%d", w, i), "C", fmt.Sprintf("closing %d %d", w, i), t0))
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				saved = append(saved, res.SnapshotID)
				mu.Unlock()
			}
		}()
	}
	for {
		mu.Lock()
		n := len(saved)
		mu.Unlock()
		if n >= 10 {
			break
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for _, n := range warcFiles(t, filepath.Join(dir, "warc")) {
		if strings.HasSuffix(n, openSuffix) {
			t.Errorf("%s left open after Close", n)
		}
	}
	s2 := MustOpenDir(t, dir, Options{NoSync: true})
	for _, id := range saved {
		if _, err := s2.Snapshot(ctx, id); err != nil {
			t.Errorf("saved snapshot %s lost: %v", id, err)
		}
	}
}

// TestHTMLStoredAgainstPage: extracted HTML that is the page's own markup
// is compressed against the page, smaller than against the text, and reads
// back whole with the rest of the snapshot.
func TestHTMLStoredAgainstPage(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	head, foot := boilerplate()
	p := realisticPage(newTextGen(6), head, foot, 0, t0)
	res := mustSave(t, s, p)
	var htmlZ []byte
	if err := s.rdb.QueryRow(`SELECT html FROM snapshots WHERE id = ?`, res.SnapshotID).Scan(&htmlZ); err != nil {
		t.Fatal(err)
	}
	againstText, _ := compressText(p.HTML, dictFor(p.Text))
	if !needsBody(htmlZ) || len(htmlZ) >= len(againstText) {
		t.Errorf("html stored in %d bytes (against the page: %v), %d against the text", len(htmlZ), needsBody(htmlZ), len(againstText))
	}
	sn, err := s.Snapshot(ctx, res.SnapshotID)
	if err != nil {
		t.Fatal(err)
	}
	if sn.HTML != p.HTML || sn.Text != p.Text || sn.Markdown != p.Markdown {
		t.Error("snapshot bodies do not read back as saved")
	}
	// Not against the page when the text dictionary does better.
	z, err := compressBest(p.Markdown, dictFor(p.Text), p.Body)
	if err != nil || needsBody(z) {
		t.Errorf("markdown-like input stored against the page (%v)", err)
	}
}
