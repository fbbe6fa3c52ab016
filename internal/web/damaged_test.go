package web

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"annalist/internal/store"
)

// TestDamagedRecordCostsOnlyThatRecord: one WARC record damaged under a
// served archive (read-only, as `annalist serve`): every page that lists
// its snapshot answers, shows the rest, and says "damaged" where the
// damaged record is needed; never a 500. legacy: the snapshot's text was
// stored against that record (archives before migration 0003); otherwise
// only the raw record is lost.
func TestDamagedRecordCostsOnlyThatRecord(t *testing.T) {
	for _, legacy := range []bool{true, false} {
		t.Run(map[bool]string{true: "legacy_text", false: "independent_text"}[legacy], func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			w, err := store.Open(ctx, dir, store.Options{NoSync: true, LegacyTextFormat: legacy})
			if err != nil {
				t.Fatal(err)
			}
			const grainURL = "https://mondo.example/history/grain-fleets.html"
			save(t, w, pageOf("mondo-history", grainURL, "Grain Fleets", grainV1, t0, nil, ""))
			hit := save(t, w, pageOf("mondo-history", grainURL, "Grain Fleets", grainV3, t0.Add(day(1)), nil, ""))
			other := save(t, w, pageOf("mondo-history", "https://mondo.example/history/kontors.html", "Kontors",
				[]string{"Merchant colonies of the north traded furs, wax and herring."}, t0.Add(day(2)), nil, ""))
			sn, err := w.Snapshot(ctx, hit.SnapshotID)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "warc", sn.WARCFile)
			b, _ := os.ReadFile(path)
			b[sn.WARCOffset+40] ^= 0xff
			b[sn.WARCOffset+41] ^= 0xff
			os.WriteFile(path, b, 0o644)

			st, err := store.OpenReadOnly(ctx, dir, store.Options{ReadOnlyLive: true})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			srv, err := New(Options{Store: st})
			if err != nil {
				t.Fatal(err)
			}
			f := &fixture{t: t, st: st, srv: srv}
			ts := strings.TrimPrefix(hit.SnapshotID, hit.ArticleID+"/")
			damagedPages := map[string]bool{} // path → must say "damaged"
			for _, p := range []string{"/", "/a/" + hit.ArticleID, "/a/" + hit.ArticleID + "/" + ts, "/feed.atom", "/feed.json",
				"/s/mondo-history/feed.atom", "/api/a/" + hit.ArticleID + "/" + ts, "/a/" + hit.ArticleID + "/diff",
				"/api/a/" + hit.ArticleID + "/diff", "/search?q=grain", "/api/search?q=grain", "/a/" + other.ArticleID,
				"/a/" + hit.ArticleID + "/" + ts + "/warc", "/api/a/" + hit.ArticleID + "/history"} {
				resp := f.get(p)
				text := body(t, resp)
				if resp.StatusCode >= 500 {
					t.Errorf("GET %s: %d\n%.300s", p, resp.StatusCode, text)
				}
				if strings.HasSuffix(p, "/warc") {
					if resp.StatusCode != http.StatusGone || !strings.Contains(text, "Damaged") {
						t.Errorf("GET %s: %d, want 410 saying damaged\n%.300s", p, resp.StatusCode, text)
					}
					continue
				}
				if legacy && (strings.HasPrefix(p, "/a/"+hit.ArticleID) || strings.Contains(p, "feed") || strings.HasPrefix(p, "/api/a/"+hit.ArticleID+"/"+ts)) {
					damagedPages[p] = true
					if !strings.Contains(strings.ToLower(text), "damaged") {
						t.Errorf("GET %s does not say the snapshot is damaged\n%.500s", p, text)
					}
				}
				if strings.Contains(p, "feed") && !strings.Contains(text, "Merchant colonies") {
					t.Errorf("GET %s lost the intact snapshot's text", p)
				}
				if !legacy && p == "/a/"+hit.ArticleID+"/"+ts && !strings.Contains(text, "Yellow River") {
					t.Errorf("GET %s: text of a snapshot whose record is damaged not shown from the database", p)
				}
			}
		})
	}
}
