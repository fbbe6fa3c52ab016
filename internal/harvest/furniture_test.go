package harvest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"annalist/internal/config"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// furnitureSite is the life tests' historySite serving pages (path -> HTML)
// that its feed lists, each under its path as guid.
func newFurnitureSite(t *testing.T, pages map[string]string) *historySite {
	t.Helper()
	s := newHistorySite(t)
	var items []siteItem
	for path, page := range pages {
		s.set(path, sitePage{body: page})
		items = append(items, siteItem{guid: path, path: path, title: path})
	}
	s.feed(items...)
	return s
}

// furnitureRig archives such a site with a generic-extractor source.
type furnitureRig struct {
	t     *testing.T
	site  *historySite
	src   config.Source
	dir   string
	store *store.Store
	h     *harvest.Harvester
}

func newFurnitureRig(t *testing.T, site *historySite, ignore []*regexp.Regexp) *furnitureRig {
	t.Helper()
	c := &clock{t: time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC)}
	dir := t.TempDir()
	st := openStore(t, dir, c.Now)
	fc := fetch.New(fetch.Options{UserAgent: "annalist-test", Timeout: 20 * time.Second, MaxBody: 32 << 20,
		PerHostConcurrency: 2, AllowPrivateNetworks: true, Now: c.Now})
	src := config.Source{Name: "history", Feed: site.srv.URL + "/rss.xml", Watch: []time.Duration{time.Hour}, IgnoreRE: ignore}
	return &furnitureRig{t: t, site: site, src: src, dir: dir, store: st,
		h: &harvest.Harvester{Fetch: fc, Store: st, Now: c.Now, Watch: src.Watch, Workers: 2}}
}

func (r *furnitureRig) poll() harvest.PollResult {
	r.t.Helper()
	res := r.h.PollSource(context.Background(), r.src, harvest.PollOptions{Recheck: harvest.RecheckAll})
	if res.Err != nil {
		r.t.Fatalf("poll: %v", res.Err)
	}
	return res
}

func (r *furnitureRig) snapshots(path string) []store.Snapshot {
	r.t.Helper()
	a, err := r.store.ResolveArticle(context.Background(), r.site.srv.URL+path)
	if err != nil {
		r.t.Fatalf("article %s: %v", path, err)
	}
	snaps, err := r.store.Snapshots(context.Background(), a.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	return snaps
}

// yaltaPage is the article; the arguments are what changes between checks.
type yaltaPage struct {
	relative string // the byline's relative time
	stamp    string // the revision stamp
	cards    []int  // which related articles the card row shows
	image    string // the figure's <img> attributes besides alt
	caption  string
}

var related = []struct{ slug, title, teaser string }{
	{"potsdam", "The Potsdam Conference", "Three leaders, one table, and a map of Europe to redraw."},
	{"tehran", "Tehran 1943", "The first meeting of the Big Three, in a city under occupation."},
	{"malta", "Malta, 1945", "Churchill and Roosevelt met before Yalta to agree a line."},
	{"berlin-airlift", "The Berlin Airlift", "Eleven months of flights that fed a city."},
	{"marshall-plan", "The Marshall Plan", "How thirteen billion dollars rebuilt Western Europe."},
}

func (p yaltaPage) html() string {
	var cards strings.Builder
	for _, i := range p.cards {
		o := related[i]
		fmt.Fprintf(&cards, `<div class="tile"><a href="/%s"><img src="/img/%s.jpg" alt=""></a><a href="/%s">%s</a><div>%s</div></div>`,
			o.slug, o.slug, o.slug, o.title, o.teaser)
	}
	return `<!doctype html><html lang="de"><head><title>Yalta, February 1945 | Zeitgeschichte</title>
<meta property="og:site_name" content="Zeitgeschichte"></head><body>
<nav><a href="/">Home</a> <a href="/topics">Topics</a></nav>
<article><h1>Yalta, February 1945</h1>
<div class="meta">By Anna Schmidt · ` + p.relative + `</div>
<div class="meta">` + p.stamp + `</div>
<p>In February 1945 Roosevelt, Churchill and Stalin met at the Livadia Palace near Yalta to settle the order of post-war Europe. The conference lasted eight days.</p>
<figure><img ` + p.image + ` alt="The three leaders seated in the palace courtyard"><figcaption>` + p.caption + `</figcaption></figure>
<p>Roosevelt arrived tired from the crossing; Stalin had refused to travel further than the Crimea, and the delegations were housed in three palaces along the coast.</p>
<p>The communiqué spoke of free elections in Poland, and each side read it differently for decades afterwards, which is why historians still argue about what was agreed.</p>
<h2>Related Pages</h2><div class="row">` + cards.String() + `</div>
</article><footer>© Zeitgeschichte</footer></body></html>`
}

var yaltaV1 = yaltaPage{
	relative: "vor 3 Stunden",
	stamp:    "Aktualisiert am 31.01.2024",
	cards:    []int{0, 1, 2},
	image:    `src="/img/yalta.jpg" width="800" height="520"`,
	caption:  "Stalin at Yalta",
}

// A re-check that finds only the furniture changed — the relative time, the
// stamp's date, the rotated teaser cards, the image's address and loading
// attributes — stores no new snapshot; a corrected caption is a revision.
// testFurnitureAndCaptions is TestReliability/revisions/furniture_and_captions:
// relative times, revision stamps in the site's language, teaser cards and
// image attributes are furniture; a corrected caption is a revision.
func testFurnitureAndCaptions(t *testing.T) {
	site := newFurnitureSite(t, map[string]string{"/yalta": yaltaV1.html()})
	r := newFurnitureRig(t, site, nil)
	wantCounts(t, r.poll(), harvest.Counts{Items: 1, New: 1})
	snaps := r.snapshots("/yalta")
	if len(snaps) != 1 || snaps[0].RevisionDate == nil || !snaps[0].RevisionDate.Equal(time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("snapshots %+v: want one, revised 2024-01-31 (from \"Aktualisiert am\")", snaps)
	}

	for i, v := range []yaltaPage{
		{relative: "vor 4 Stunden", stamp: yaltaV1.stamp, cards: yaltaV1.cards, image: yaltaV1.image, caption: yaltaV1.caption},
		{relative: "gestern, 14:30", stamp: "Aktualisiert am 02.02.2024", cards: []int{3, 4, 0}, image: yaltaV1.image, caption: yaltaV1.caption},
		{relative: "vor 2 Tagen", stamp: "Zuletzt aktualisiert: 3. Februar 2024", cards: []int{2, 4, 1},
			image:   `src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="https://cdn.example.org/yalta-1024.webp" srcset="/img/yalta-480.webp 480w, /img/yalta-1024.webp 1024w" sizes="100vw" loading="lazy"`,
			caption: yaltaV1.caption},
	} {
		site.set("/yalta", sitePage{body: v.html()})
		wantCounts(t, r.poll(), harvest.Counts{Items: 1, Unchanged: 1})
		if n := len(r.snapshots("/yalta")); n != 1 {
			t.Fatalf("furniture change %d stored a snapshot (%d in all)", i+1, n)
		}
	}

	fixed := yaltaV1
	fixed.caption = "Roosevelt at Yalta"
	site.set("/yalta", sitePage{body: fixed.html()})
	wantCounts(t, r.poll(), harvest.Counts{Items: 1, Revised: 1})
	if snaps := r.snapshots("/yalta"); len(snaps) != 2 || !strings.Contains(snaps[1].HTML, "Roosevelt at Yalta") {
		t.Fatalf("corrected caption: %d snapshots", len(snaps))
	}
}

// An archive made under normaliser n1 (title and text only) and re-checked
// by this code (n2, which also counts captions) stores nothing: the latest
// snapshot is refingerprinted from its stored title, text and HTML.
func TestNormaliserUpgradeStoresNothing(t *testing.T) {
	plain := yaltaV1
	plain.relative, plain.stamp = "Anna Schmidt", "Zeitgeschichte" // nothing n1 and n2 treat differently but the caption
	site := newFurnitureSite(t, map[string]string{"/yalta": plain.html()})
	r := newFurnitureRig(t, site, nil)
	wantCounts(t, r.poll(), harvest.Counts{Items: 1, New: 1})
	sn := r.snapshots("/yalta")[0]
	if !strings.HasPrefix(sn.Fingerprint, "n3:") {
		t.Fatalf("fingerprint %s, want n3:", sn.Fingerprint)
	}

	// Make it the archive n1 would have made: n1 hashed the NFC title and
	// the text with white space folded, and its page keys differed.
	sum := sha256.Sum256([]byte(sn.Title + "\n" + strings.Join(strings.Fields(sn.Text), " ")))
	n1 := "n1:" + hex.EncodeToString(sum[:])
	db := openDB(t, r.dir)
	if _, err := db.Exec(`UPDATE snapshots SET fingerprint = ?, fp_version = 'n1'`, n1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE articles SET body_key = ''`); err != nil {
		t.Fatal(err)
	}

	wantCounts(t, r.poll(), harvest.Counts{Items: 1, Unchanged: 1})
	if snaps := r.snapshots("/yalta"); len(snaps) != 1 {
		t.Fatalf("normaliser upgrade stored %d snapshots, want 1", len(snaps))
	}
	// And the upgrade does not hide a real change.
	plain.caption = "Roosevelt at Yalta"
	site.set("/yalta", sitePage{body: plain.html()})
	wantCounts(t, r.poll(), harvest.Counts{Items: 1, Revised: 1})
}

// Rules added within one normaliser version (a counter or a stamp layout
// left out of the fingerprint since the snapshot was stored) are no
// revision either: when the page's fingerprint differs from the stored
// one, the snapshot is fingerprinted again under the rules the page was,
// and only a difference then is a revision.
func TestRulesAddedWithinAVersionStoreNothing(t *testing.T) {
	page := yaltaV1
	page.relative = "Anna Schmidt · 1.204 Aufrufe"
	site := newFurnitureSite(t, map[string]string{"/yalta": page.html()})
	r := newFurnitureRig(t, site, nil)
	wantCounts(t, r.poll(), harvest.Counts{Items: 1, New: 1})
	sn := r.snapshots("/yalta")[0]

	// The fingerprint the same version's older rules gave (the counter
	// counted), as an archive made before them holds.
	sum := sha256.Sum256([]byte(sn.Title + "\n" + sn.Text))
	older := "n3:" + hex.EncodeToString(sum[:])
	db := openDB(t, r.dir)
	if _, err := db.Exec(`UPDATE snapshots SET fingerprint = ?`, older); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE articles SET body_key = ''`); err != nil {
		t.Fatal(err)
	}
	page.relative = "Anna Schmidt · 1.377 Aufrufe"
	site.set("/yalta", sitePage{body: page.html()})
	wantCounts(t, r.poll(), harvest.Counts{Items: 1, Unchanged: 1})
	if n := len(r.snapshots("/yalta")); n != 1 {
		t.Fatalf("rules added within the version stored %d snapshots, want 1", n)
	}
	// A real change is still one.
	page.caption = "Roosevelt at Yalta"
	site.set("/yalta", sitePage{body: page.html()})
	wantCounts(t, r.poll(), harvest.Counts{Items: 1, Revised: 1})
}

// RELIABILITY.md: "A user ignore: pattern that is slow on a huge page →
// extraction runs under a deadline; the page is an error, the poll goes on."
// The pattern would run for minutes over this multi-MB page (its
// paragraphs hold the pattern's literal Z, so the regexp is not skipped);
// the page becomes an error naming its URL and the deadline, and the poll
// archives the other article.
func TestReliabilitySlowIgnorePatternOnHugePage(t *testing.T) {
	var huge strings.Builder
	huge.WriteString(`<html><head><title>The Yalta papers</title></head><body><article><h1>The Yalta papers</h1>`)
	// Paragraphs longer than the 1001 bytes a match needs: Go's regexp
	// does not scan a shorter text at all.
	para := `<p>` + strings.Repeat(`Minutes of the plenary session: the delegations discussed the Polish frontier, the occupation Zones, reparations and the voting procedure of the future United Nations at considerable length. `, 6) + `</p>`
	for huge.Len() < 4<<20 {
		huge.WriteString(para)
	}
	huge.WriteString(`</article></body></html>`)
	site := newFurnitureSite(t, map[string]string{"/papers": huge.String(), "/yalta": yaltaV1.html()})
	r := newFurnitureRig(t, site, []*regexp.Regexp{regexp.MustCompile(`[\s\S]{1000}Z`)})
	r.h.ExtractTimeout = 500 * time.Millisecond

	res := r.poll()
	if res.Counts.New != 1 || res.Counts.Errors != 1 || len(res.PageErrors) != 1 {
		t.Fatalf("counts %+v, errors %q: want the small article new and the huge one an error", res.Counts, res.PageErrors)
	}
	msg := res.PageErrors[0]
	if !strings.Contains(msg, site.srv.URL+"/papers") || !strings.Contains(msg, "exceeded its deadline") {
		t.Errorf("page error %q does not name the URL and the deadline", msg)
	}
	if n := len(r.snapshots("/yalta")); n != 1 {
		t.Errorf("the other article: %d snapshots, want 1", n)
	}
	if _, err := r.store.ResolveArticle(context.Background(), site.srv.URL+"/papers"); err == nil {
		if snaps := r.snapshots("/papers"); len(snaps) != 0 {
			t.Errorf("the page past its deadline stored %d snapshots", len(snaps))
		}
	}
}
