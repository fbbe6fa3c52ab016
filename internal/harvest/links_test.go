package harvest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"annalist/internal/harvest"
)

// linksPage is an article whose notes link their sources: one on another
// site (target), one on its own (relative), one same-page footnote anchor.
func linksPage(target string) string {
	return `<html><head><title>The Yalta papers</title></head><body><article><h1>The Yalta papers</h1>
<p>Minutes of the plenary session: the delegations discussed the Polish frontier, the occupation zones, reparations and the voting procedure of the future United Nations at considerable length.<sup><a href="#fn1">1</a></sup></p>
<p>The British delegation kept its own record, which differs from the American one on the question of the Polish government, as the historian who compares them soon finds.<sup><a href="#fn2">2</a></sup></p>
<ol class="footnotes"><li id="fn1"><a href="` + target + `">Foreign Relations of the United States, 1945</a>, p. 611.</li>
<li id="fn2"><a href="/sources/cab-99-31">Cabinet papers, CAB 99/31</a>.</li></ol>
</article></body></html>`
}

// An archive made under normaliser n2 (no link targets) and re-checked by
// this code (n3, which counts them) stores nothing: the latest snapshot is
// fingerprinted again from its stored title, text, HTML and URL. Its
// stored fingerprint stays the one it was captured with. A link target
// changed afterwards, its anchor text the same, is a revision.
func TestLinksUpgradeStoresNothing(t *testing.T) {
	site := newFurnitureSite(t, map[string]string{"/yalta": linksPage("https://history.example/frus1945/d611")})
	r := newFurnitureRig(t, site, nil)
	wantCounts(t, r.poll(), harvest.Counts{Items: 1, New: 1})
	sn := r.snapshots("/yalta")[0]
	if !strings.HasPrefix(sn.Fingerprint, "n3:") {
		t.Fatalf("fingerprint %s, want n3:", sn.Fingerprint)
	}
	if !strings.Contains(sn.HTML, "history.example/frus1945/d611") {
		t.Fatalf("the stored HTML lacks the link: %s", sn.HTML)
	}

	// The archive n2 made: title and text, white space folded (the page
	// has no captions, stamps or counters).
	sum := sha256.Sum256([]byte(sn.Title + "\n" + strings.Join(strings.Fields(sn.Text), " ")))
	n2 := "n2:" + hex.EncodeToString(sum[:])
	db := openDB(t, r.dir)
	if _, err := db.Exec(`UPDATE snapshots SET fingerprint = ?, fp_version = 'n2'`, n2); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE articles SET body_key = ''`); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		wantCounts(t, r.poll(), harvest.Counts{Items: 1, Unchanged: 1})
	}
	snaps := r.snapshots("/yalta")
	if len(snaps) != 1 {
		t.Fatalf("normaliser upgrade stored %d snapshots, want 1", len(snaps))
	}
	if snaps[0].Fingerprint != n2 {
		t.Errorf("the stored fingerprint became %s; it is the capture's record", snaps[0].Fingerprint)
	}

	site.set("/yalta", sitePage{body: linksPage("https://history.example/frus1945/d612")})
	wantCounts(t, r.poll(), harvest.Counts{Items: 1, Revised: 1})
}
