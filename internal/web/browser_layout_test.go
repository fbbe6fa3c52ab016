package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"annalist/internal/store"
)

// layoutProbe measures, in the page, what a reader would see go wrong:
// the page scrolling sideways, a table wider than its wrapper (cut off or
// scrolled inside it), and a date or cron spec broken over two lines (a
// <time>, or a diff's link to each of its two snapshots).
// W is the window's width as set: on a phone, chromium widens innerWidth
// to fit content that overflows, so innerWidth alone would hide it.
const layoutProbe = `((W) => {
	const out = [];
	const se = document.scrollingElement;
	if (innerWidth > W) out.push("the window widened to " + innerWidth + "px to fit the page in " + W + "px");
	if (se.scrollWidth > W) out.push("the page is " + se.scrollWidth + "px wide in a " + W + "px window");
	document.querySelectorAll(".table-wrap").forEach((w, i) => {
		if (w.scrollWidth > w.clientWidth) out.push("table wrapper " + i + " (" + (w.firstElementChild && w.firstElementChild.className) + ") holds " + w.scrollWidth + "px in " + w.clientWidth + "px");
	});
	document.querySelectorAll("table").forEach((t, i) => {
		const r = t.getBoundingClientRect();
		if (r.right > W + 0.5) out.push("table " + i + " (" + t.className + ") ends at " + r.right + "px, past the window's " + W + "px");
	});
	document.querySelectorAll("main time, main code.cron, .diff-head a").forEach(e => {
		if (e.offsetParent === null) return; // not shown (inside a closed <details>)
		const lines = new Set(Array.from(e.getClientRects()).map(r => Math.round(r.top)));
		if (lines.size > 1) out.push(e.tagName.toLowerCase() + " '" + e.textContent + "' wraps over " + lines.size + " lines");
	});
	return out;
})`

// TestBrowserLayout opens every kind of page at a desktop width (1280 px)
// and a phone width (390 px), saves a screenshot of each (to
// $ANNALIST_SCREENSHOTS, else a temporary directory), and fails if a page
// scrolls sideways, a table does not fit its wrapper, or a date or cron
// spec wraps mid-token. It also checks the diff's text markers: absent on
// screen, where colour shows the change, present in print.
func TestBrowserLayout(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("chromium is not installed (apt-get install -y chromium): skipping the real-browser suite")
	}
	if testing.Short() {
		t.Skip("-short: skipping the real-browser suite")
	}
	shots := os.Getenv("ANNALIST_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	// What a home page of failing sources shows: a long Go error chain.
	chain := "feed: fetch: GET https://www.broken-history-site.example/feeds/all-articles/rss.xml: GET https://www.broken-history-site.example/robots.txt: dial tcp: lookup www.broken-history-site.example on 127.0.0.53:53: no such host"
	if err := f.st.RecordPoll(context.Background(), "broken", t0.Add(day(23)), store.PollError, chain, "", ""); err != nil {
		t.Fatal(err)
	}
	// What real sites give: a German compound noun longer than a phone's
	// line, and an article URL with no break opportunity in 300 characters.
	long := "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft"
	longURL := "https://www.geschichte-museum.example/index.php?option=com_content&view=article&id=12345&Itemid=678&catid=" +
		strings.Repeat("9", 40) + "&lang=de&" + strings.Repeat("Archivbestand", 12)
	if err := f.st.SyncSources(context.Background(), []store.Source{
		{Name: "mondo-history", Title: "Mondo History", Feed: "https://mondo.example/rss.xml"},
		{Name: "broken", Title: "Broken Feed", Feed: "https://broken.example/feed"},
		{Name: "lang", Title: long, Feed: longURL + "&format=feed"},
	}); err != nil {
		t.Fatal(err)
	}
	l1 := save(t, f.st, pageOf("lang", longURL, long+" 1873", []string{"Erste Fassung " + long + ".", "Unverändert."}, t0, nil, ""))
	save(t, f.st, pageOf("lang", longURL, long+" 1873", []string{"Zweite Fassung " + long + ".", "Unverändert."}, t0.Add(day(1)), nil, ""))
	// A feed's link with a long slug and a long tracking value: one
	// token of 50 characters with no place to break.
	longArtURL := "https://mondo.example/history/the-extraordinarily-long-and-descriptive-slug-of-an-article-about-byzantine-administrative-reforms.html?ref=aVeryLongTrackingValue1234567890abcdefghijklmnop"
	longArt := save(t, f.st, pageOf("mondo-history", longArtURL, "Genoa, Venice and the Emperors",
		[]string{"Merchants from Genoa and Venice competed for the privileges granted by the emperors in Constantinople."}, t0.Add(day(4)), nil, ""))
	srv := httptest.NewServer(f.srv.Handler())
	defer srv.Close()

	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	defer cancelA()
	ctx, cancelT := chromedp.NewContext(actx)
	defer cancelT()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("start browser", chromedp.Do(ctx))

	pages := []struct{ name, path, wait string }{
		{"home", "/", "table.sources"},
		{"source", "/s/mondo-history", "table.articles"},
		{"source-broken", "/s/broken", "main"},
		{"article", "/a/" + f.grain, "ol.timeline"},
		{"snapshot", "/a/" + f.grainS[1], ".asof"},
		{"diff", "/a/" + f.grain + "/diff", ".inline-diff"},
		{"diff-side", "/a/" + f.grain + "/diff?view=side", "table.side-diff"},
		{"search", "/search?q=grain", "ol.hits"},
		{"source-long-words", "/s/lang", "table.articles"},
		{"article-long-words", "/a/" + l1.ArticleID, "ol.timeline"},
		{"diff-long-words", "/a/" + l1.ArticleID + "/diff?view=side", "table.side-diff"},
		{"search-long-words", "/search?q=Fassung", "ol.hits"},
		{"article-long-url", "/a/" + longArt.ArticleID, "ol.timeline"},
		{"snapshot-long-url", "/a/" + longArt.SnapshotID, "main"},
		{"search-long-url", "/search?q=Genoa", "ol.hits"},
	}
	for _, w := range []struct {
		width, height int64
		mobile        bool
	}{{1280, 900, false}, {390, 844, true}} {
		vp := chromedp.EmulateViewport(w.width, w.height)
		if w.mobile {
			vp = chromedp.EmulateViewport(w.width, w.height, chromedp.EmulateMobile)
		}
		must("viewport", chromedp.Do(ctx, vp))
		for _, p := range pages {
			must(p.name, chromedp.Do(ctx, chromedp.Navigate(srv.URL+p.path), chromedp.WaitReady(p.wait)))
			problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf("%s(%d)", layoutProbe, w.width)))
			must("measure "+p.name, err)
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			must("screenshot "+p.name, err)
			name := fmt.Sprintf("%d-%s.png", w.width, p.name)
			must("write "+name, os.WriteFile(filepath.Join(shots, name), shot, 0o644))
			for _, pr := range problems {
				t.Errorf("%s at %d px: %s", p.path, w.width, pr)
			}
			// What the <details> hold (a whole error chain, folded text)
			// must fit as well once opened.
			opened, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => { const ds = document.querySelectorAll("main details"); ds.forEach(d => d.open = true); return ds.length; })()`))
			must("open details", err)
			if opened == 0 {
				continue
			}
			problems, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf("%s(%d)", layoutProbe, w.width)))
			must("measure "+p.name+" opened", err)
			for _, pr := range problems {
				t.Errorf("%s at %d px, its details opened: %s", p.path, w.width, pr)
			}
			shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
			must("screenshot "+p.name, err)
			must("write "+name, os.WriteFile(filepath.Join(shots, fmt.Sprintf("%d-%s-opened.png", w.width, p.name)), shot, 0o644))
		}
	}

	// Side by side at desktop width: the sentence with "tribute" added is
	// one row, its two versions next to each other.
	must("desktop", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	type sideLayout struct {
		Rows        int     `json:"rows"`
		LeftRight   float64 `json:"leftRight"`
		RightLeft   float64 `json:"rightLeft"`
		SameRow     bool    `json:"sameRow"`
		ScreenMark  string  `json:"screenMark"`
		ScreenAfter string  `json:"screenAfter"`
		MarkWidth   string  `json:"markWidth"`
		MarkClip    string  `json:"markClip"`
	}
	must("side by side", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/a/"+f.grain+"/diff?view=side"), chromedp.WaitReady("table.side-diff")))
	side, err := chromedp.Run(ctx, chromedp.Evaluate[sideLayout](`(() => {
			const ins = document.querySelector("table.side-diff ins");
			const tr = ins.closest("tr");
			const [l, r] = tr.querySelectorAll("td");
			return {rows: document.querySelectorAll("table.side-diff tbody tr").length,
				leftRight: l.getBoundingClientRect().right, rightLeft: r.getBoundingClientRect().left,
				sameRow: l.textContent.includes("grain of the south") && r.textContent.includes("grain of the south"),
				screenMark: getComputedStyle(ins, "::before").content, screenAfter: getComputedStyle(ins, "::after").content,
				markWidth: getComputedStyle(ins, "::before").width, markClip: getComputedStyle(ins, "::before").clipPath};
		})()`))
	must("measure side by side", err)
	if side.Rows != 3 || !side.SameRow || side.RightLeft < side.LeftRight {
		t.Errorf("side by side: %+v (want 3 rows, each paragraph beside its revision)", side)
	}
	// On screen no marker is drawn over the colour: the ::before is only
	// a screen reader's cue, clipped to nothing.
	if side.ScreenMark != `"added: "` || side.MarkWidth != "1px" || side.MarkClip != "inset(50%)" || side.ScreenAfter != "none" {
		t.Errorf("on screen <ins> shows %s (width %s, clip %s) … %s: want only a hidden cue, no {+ +} on top of its colour",
			side.ScreenMark, side.MarkWidth, side.MarkClip, side.ScreenAfter)
	}
	_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	must("print media", err)
	printed, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`["del", "ins"].map(t => { const e = document.querySelector("table.side-diff " + t) || document.querySelector(".title-change " + t); return getComputedStyle(e, "::before").content + getComputedStyle(e, "::after").content; })`))
	must("read print markers", err)
	_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
	must("screen media", err)
	if strings.Join(printed, " ") != `"[−""−]" "{+""+}"` {
		t.Errorf("in print (no colour) the changes carry the markers %q, want [− −] and {+ +}", printed)
	}
	t.Logf("screenshots in %s", shots)
}
