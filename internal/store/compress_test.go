package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"annalist/internal/evidence"
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

// TestSnapshotTextNeedsNoWARC: the database alone gives back every body of
// a snapshot; the WARC file gone costs only the raw record.
func TestSnapshotTextNeedsNoWARC(t *testing.T) {
	ctx := context.Background()
	p := page("lost", "Lost", "text that lives in the page too", t0)
	s, res := openWithLostWARC(t, p)
	sn, err := s.Snapshot(ctx, res.SnapshotID)
	if err != nil {
		t.Fatalf("snapshot without its WARC file: %v", err)
	}
	if sn.Damaged != "" || sn.Text != p.Text || sn.Markdown != p.Markdown || sn.HTML != p.HTML {
		t.Errorf("snapshot without its WARC file: damaged %q, text %q, markdown %q, html %q", sn.Damaged, sn.Text, sn.Markdown, sn.HTML)
	}
	hits, err := s.Search(ctx, "lives", SearchOptions{})
	if err != nil || len(hits) != 1 || !strings.Contains(hits[0].Snippet, "lives") {
		t.Errorf("search hit without WARC file: %+v, %v", hits, err)
	}
	if _, err := s.ReadWARCRecord(ctx, sn.WARCFile, sn.WARCOffset); !errors.Is(err, ErrNotFound) {
		t.Errorf("raw record of a lost WARC file: %v", err)
	}
}

// TestLegacySnapshotWithoutItsWARCIsDamaged: a snapshot of an old archive
// (text stored against the WARC payload) whose record is gone reads back
// marked damaged, with its metadata, instead of failing.
func TestLegacySnapshotWithoutItsWARCIsDamaged(t *testing.T) {
	ctx := context.Background()
	s, res := openWithLostWARC(t, page("lost", "Lost", "text that lives in the page too", t0), true)
	sn, err := s.Snapshot(ctx, res.SnapshotID)
	if err != nil {
		t.Fatalf("legacy snapshot without its WARC file: %v", err)
	}
	if sn.Damaged == "" || sn.Title != "Lost" || sn.Text != "" {
		t.Errorf("legacy snapshot without its WARC: damaged %q, title %q, text %q", sn.Damaged, sn.Title, sn.Text)
	}
	if _, err := s.SnapshotText(ctx, res.SnapshotID); !errors.Is(err, ErrDamaged) {
		t.Errorf("SnapshotText of a damaged legacy snapshot: %v, want ErrDamaged", err)
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
		if strings.HasSuffix(n, evidence.OpenSuffix) {
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

// TestBodiesStoredOnTheirOwn: text, Markdown and HTML are compressed
// without the page (the database is a copy independent of WARC), Markdown
// and HTML against the text, and read back whole; the legacy format stores
// the text against the page and still reads back.
func TestBodiesStoredOnTheirOwn(t *testing.T) {
	ctx := context.Background()
	head, foot := boilerplate()
	p := realisticPage(newTextGen(6), head, foot, 0, t0)
	for _, legacy := range []bool{false, true} {
		s := MustOpenDir(t, t.TempDir(), Options{NoSync: true, LegacyTextFormat: legacy})
		res := mustSave(t, s, p)
		var textZ, mdZ, htmlZ []byte
		if err := s.rdb.QueryRow(`SELECT text, markdown, html FROM snapshots WHERE id = ?`, res.SnapshotID).Scan(&textZ, &mdZ, &htmlZ); err != nil {
			t.Fatal(err)
		}
		if needsBody(textZ) != legacy || (!legacy && (needsBody(mdZ) || needsBody(htmlZ))) {
			t.Errorf("legacy=%v: text/markdown/html against the page: %v %v %v", legacy, needsBody(textZ), needsBody(mdZ), needsBody(htmlZ))
		}
		if !legacy && len(mdZ)*10 > len(textZ) {
			t.Errorf("markdown stored in %d bytes, text %d: want it against the text", len(mdZ), len(textZ))
		}
		sn, err := s.Snapshot(ctx, res.SnapshotID)
		if err != nil {
			t.Fatal(err)
		}
		if sn.HTML != p.HTML || sn.Text != p.Text || sn.Markdown != p.Markdown || sn.Damaged != "" {
			t.Errorf("legacy=%v: snapshot bodies do not read back as saved", legacy)
		}
	}
}
