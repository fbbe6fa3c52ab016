package web

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium finds Debian's chromium (.ci/run installs it).
func chromium() string {
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserLog is what the browser did, as the DevTools protocol reports it.
type browserLog struct {
	mu         sync.Mutex
	requests   []string
	dialogs    []string
	console    []string
	exceptions []string
}

func (l *browserLog) listen(ev any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		l.requests = append(l.requests, e.Request.URL)
	case *page.EventJavascriptDialogOpening:
		l.dialogs = append(l.dialogs, e.Message)
	case *log.EventEntryAdded:
		l.console = append(l.console, e.Entry.Text)
	case *runtime.EventExceptionThrown:
		l.exceptions = append(l.exceptions, e.ExceptionDetails.Text)
	}
}

func (l *browserLog) snapshot() (requests, dialogs, console, exceptions []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.requests...), append([]string(nil), l.dialogs...),
		append([]string(nil), l.console...), append([]string(nil), l.exceptions...)
}

// TestBrowser drives a real chromium through the UI: it walks home →
// source → article → snapshot → next snapshots (by link and by keyboard) →
// diff → search → hit, saving a screenshot of each, then opens a hostile
// archived article and proves nothing in it ran or reached out.
func TestBrowser(t *testing.T) {
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
	srv := httptest.NewServer(f.srv.Handler())
	defer srv.Close()

	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	defer cancelA()
	bl := &browserLog{}
	ctx, cancelT := chromedp.NewContext(actx, chromedp.WithListener(bl.listen))
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
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	must("network.enable", err)
	_, err = chromedp.Call(ctx, log.Enable, cdp.Empty{})
	must("log.enable", err)

	shot := func(name string) {
		t.Helper()
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		must("screenshot "+name, err)
		must("write screenshot", os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644))
	}
	location := func() string {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		must("location", err)
		return strings.TrimPrefix(loc, srv.URL)
	}
	// click follows a link and waits for the page it leads to.
	click := func(sel, wait string) {
		t.Helper()
		_, err := chromedp.RunResponse(ctx, chromedp.Click(sel))
		must("click "+sel, err)
		must("wait for "+wait, chromedp.Do(ctx, chromedp.WaitVisible(wait)))
	}

	must("open home", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible("table.sources")))
	shot("01-home")
	click(`table.sources a[href="/s/mondo-history"]`, "table.articles")
	shot("02-source")
	click(`table.articles a[href="/a/`+f.grain+`"]`, "ol.timeline")
	shot("03-article")

	// Through the timeline: the oldest snapshot, then on by link and by key.
	click(`ol.timeline a.tl-link[href="/a/`+f.grainS[0]+`"]`, ".asof")
	if loc := location(); loc != "/a/"+f.grainS[0] {
		t.Fatalf("at %s, want the first snapshot", loc)
	}
	shot("04-snapshot")
	click(`.snapnav a[rel=next]`, ".asof")
	if loc := location(); loc != "/a/"+f.grainS[1] {
		t.Fatalf("after next: at %s", loc)
	}
	// The keyboard script (served from our origin, allowed by the CSP).
	_, err = chromedp.RunResponse(ctx, chromedp.KeyEvent("j"))
	must("press j", err)
	must("wait", chromedp.Do(ctx, chromedp.WaitVisible(".asof")))
	if loc := location(); loc != "/a/"+f.grainS[2] {
		t.Fatalf("after pressing j: at %s, want the third snapshot", loc)
	}
	_, err = chromedp.RunResponse(ctx, chromedp.KeyEvent("k"))
	must("press k", err)
	must("wait", chromedp.Do(ctx, chromedp.WaitVisible(".asof")))
	if loc := location(); loc != "/a/"+f.grainS[1] {
		t.Fatalf("after pressing k: at %s, want the second snapshot", loc)
	}
	_, err = chromedp.RunResponse(ctx, chromedp.Navigate(srv.URL+"/a/"+f.grainS[2]))
	must("open last snapshot", err)

	click(`.snapnav a[href*="/diff?"]`, ".inline-diff")
	ins, err := chromedp.Run(ctx, chromedp.Text(".inline-diff ins"))
	must("read ins", err)
	if !strings.Contains(ins, "tribute") {
		t.Errorf("first addition %q", ins)
	}
	shot("05-diff")
	click(`nav.views a[href*="view=side"]`, "table.side-diff")
	shot("06-diff-side")

	must("type a search", chromedp.Do(ctx, chromedp.SendKeys("#q", "canal\n")))
	must("wait for hits", chromedp.Do(ctx, chromedp.WaitVisible("ol.hits")))
	shot("07-search")
	click(`ol.hits a.hit-title`, ".asof")
	if loc := location(); !strings.HasPrefix(loc, "/a/"+f.grain+"/") {
		t.Errorf("search hit led to %s", loc)
	}

	// Phone width and dark mode.
	must("phone", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	_, err = chromedp.RunResponse(ctx, chromedp.Navigate(srv.URL+"/a/"+f.grainS[1]))
	must("open snapshot on a phone", err)
	shot("08-snapshot-phone")
	must("desktop", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	dark := `matchMedia('(prefers-color-scheme: dark)').matches`
	_, err = chromedp.Call(ctx, emulationSetEmulatedMedia, darkMedia)
	must("dark mode", err)
	_, err = chromedp.RunResponse(ctx, chromedp.Navigate(srv.URL+"/a/"+f.grain))
	must("open article in dark mode", err)
	if isDark, err := chromedp.Run(ctx, chromedp.Evaluate[bool](dark)); err != nil || !isDark {
		t.Errorf("dark mode not emulated: %v %v", isDark, err)
	}
	shot("09-article-dark")
	_, err = chromedp.Call(ctx, emulationSetEmulatedMedia, lightMedia)
	must("light mode", err)

	// The hostile article: nothing in it may run, change the page or reach out.
	before, _, _, _ := bl.snapshot()
	hostile := "/a/" + f.hostS
	_, err = chromedp.RunResponse(ctx, chromedp.Navigate(srv.URL+hostile))
	must("open hostile snapshot", err)
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	err = chromedp.Do(wctx, chromedp.WaitVisible("article.archived"))
	wcancel()
	if err != nil {
		t.Fatalf("the hostile snapshot did not stay on screen (now at %s): %v", location(), err)
	}
	// Give a meta refresh, onload or onerror their chance, then poke what a
	// reader would: hover, click the would-be javascript: link, focus.
	must("pause", chromedp.Do(ctx, chromedp.Sleep(1500*time.Millisecond)))
	must("hover", chromedp.Do(ctx, chromedp.Click(`//article//p[contains(., "Hover me.")]`)))
	must("click link", chromedp.Do(ctx, chromedp.Click(`//*[text()[contains(., "click me")]]`)))
	must("pause", chromedp.Do(ctx, chromedp.Sleep(500*time.Millisecond)))
	shot("10-hostile")
	title, err := chromedp.Run(ctx, chromedp.Title())
	must("title", err)
	if title != "Hostile <script>alert('title')</script> page · annalist" {
		t.Errorf("document.title = %q: archived code changed the page", title)
	}
	if loc := location(); loc != hostile {
		t.Errorf("the page navigated to %s (meta refresh or a javascript: link ran)", loc)
	}
	scripts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.scripts).map(s => s.src)`))
	must("scripts", err)
	if len(scripts) != 1 || scripts[0] != srv.URL+"/static/keys.js" {
		t.Errorf("scripts in the page: %v", scripts)
	}
	counts, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](`({
		img: document.images.length,
		svg: document.querySelectorAll('svg').length,
		"active elements in the article": document.querySelectorAll('article iframe, article object, article embed, article form, article input, article style, article link').length,
		"meta refresh or base": document.querySelectorAll('meta[http-equiv], base').length,
		"elements with handlers or style": Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes).some(a => a.name.startsWith('on') || a.name === 'style')).length,
		"links that are not http(s) or mailto": Array.from(document.links).filter(a => !/^(https?:|mailto:)/.test(a.href)).length
	})`))
	must("count elements", err)
	for k, n := range counts {
		if n != 0 {
			t.Errorf("%d %s in the hostile page", n, k)
		}
	}
	requests, dialogs, console, exceptions := bl.snapshot()
	if len(dialogs) > 0 {
		t.Errorf("dialogs opened: %q", dialogs)
	}
	for _, c := range console {
		if strings.Contains(c, "Content Security Policy") || strings.Contains(c, "Refused") {
			t.Errorf("something tried to load or run and the CSP had to stop it: %s", c)
		}
	}
	if len(exceptions) > 0 {
		t.Errorf("script exceptions: %q", exceptions)
	}
	if len(requests) <= len(before) {
		t.Fatal("no request seen for the hostile page: the network log is not working")
	}
	for _, u := range requests {
		// data: URLs are the browser's own (the date picker's icon): they
		// never leave it.
		if !strings.HasPrefix(u, srv.URL+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("a request left the UI's origin: %s", u)
		}
	}
	t.Logf("screenshots in %s; %d requests, all to %s", shots, len(requests), srv.URL)
}
