package cli_test

// Exports checked by other tools: warcio.js reads the exported WARC and
// checks its digests, and ReplayWeb.page replays the exported WACZ in
// chromium. .ci/run fetches both npm packages outside the repository and
// names them in ANNALIST_WARCIO_DIR and ANNALIST_REPLAYWEBPAGE_DIR.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"annalist/internal/demosite"
)

// npmPackage is the unpacked npm package named by env, which must hold
// file; the test skips without it, except in CI, which must run it.
func npmPackage(t *testing.T, env, file, install string) string {
	t.Helper()
	dir := os.Getenv(env)
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: .ci/run must fetch %s", env, install)
		}
		t.Skipf("%s is not set: skipping (npm pack %s, unpack it, and set %s to its package directory)", env, install, env)
	}
	if _, err := os.Stat(filepath.Join(dir, file)); err != nil {
		t.Fatalf("%s=%s holds no %s: %v", env, dir, file, err)
	}
	return dir
}

func lookNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not installed: .ci/run installs nodejs")
		}
		t.Skip("node is not installed: skipping the warcio.js check")
	}
	return node
}

// TestExportedWARCPassesWarcio: warcio.js frames every record of an
// exported WARC where we say it is and finds every block and payload
// digest right; its CDXJ indexer finds the responses where our WACZ index
// puts them, under the same keys.
func TestExportedWARCPassesWarcio(t *testing.T) {
	pkg := npmPackage(t, "ANNALIST_WARCIO_DIR", "dist/cli.js", "warcio (npm install warcio)")
	node := lookNode(t)
	f := exportFixture(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "mondo.warc.gz")
	if _, stderr, code := f.run("export", "--source", "mondo-history", "-o", out); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	ours := readMembers(t, data)

	cmd := exec.Command(node, filepath.Join("testdata", "warcio-check.mjs"), pkg, out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("warcio-check: %v\n%s", err, stderr.String())
	}
	type checked struct {
		Type          string `json:"type"`
		Target        string `json:"target"`
		ContentLength int    `json:"content_length"`
		BlockLength   int    `json:"block_length"`
		BlockOK       *bool  `json:"block_digest_ok"`
		PayloadOK     *bool  `json:"payload_digest_ok"`
	}
	var recs []checked
	sc := bufio.NewScanner(bytes.NewReader(got))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c checked
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("warcio-check printed %q: %v", sc.Text(), err)
		}
		recs = append(recs, c)
	}
	if len(recs) != len(ours) || len(recs) < 4 {
		t.Fatalf("warcio read %d records, we wrote %d\n%s", len(recs), len(ours), got)
	}
	for i, c := range recs {
		if c.Type != ours[i].headers["warc-type"] || c.Target != ours[i].headers["warc-target-uri"] || c.BlockLength != c.ContentLength {
			t.Errorf("record %d: warcio read %+v, we wrote %v", i, c, ours[i].headers)
		}
		if c.Type == "warcinfo" {
			continue
		}
		if c.BlockOK == nil || !*c.BlockOK {
			t.Errorf("record %d (%s %s): warcio finds the block digest missing or wrong", i, c.Type, c.Target)
		}
		if (c.Type == "response" || c.Type == "request") && (c.PayloadOK == nil || !*c.PayloadOK) {
			t.Errorf("record %d (%s %s): warcio finds the payload digest missing or wrong", i, c.Type, c.Target)
		}
	}

	// warcio's CDXJ indexer over the WACZ's WARC agrees with our index on
	// every response (it also indexes our metadata records, which replay
	// must not find in place of the page: those have no status).
	wacz := filepath.Join(dir, "mondo.wacz")
	if _, stderr, code := f.run("export", "--source", "mondo-history", "-o", wacz); code != 0 {
		t.Fatalf("export wacz: exit %d: %s", code, stderr)
	}
	files := unzip(t, wacz)
	warcPath := filepath.Join(dir, "data.warc.gz")
	if err := os.WriteFile(warcPath, files["archive/data.warc.gz"], 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(node, filepath.Join(pkg, "dist", "cli.js"), "cdx-index", "--format", "cdxj", warcPath)
	stderr.Reset()
	cmd.Stderr = &stderr
	idx, err := cmd.Output()
	if err != nil {
		t.Fatalf("warcio cdx-index: %v\n%s", err, stderr.String())
	}
	var theirs []string
	for _, line := range strings.Split(strings.TrimSpace(string(idx)), "\n") {
		if strings.Contains(line, `"status":`) {
			theirs = append(theirs, line)
		}
	}
	sort.Strings(theirs)
	ourLines := strings.Split(strings.TrimSpace(string(files["indexes/index.cdxj"])), "\n")
	sort.Strings(ourLines) // as warcio's, whose order within one second differs
	if len(theirs) != len(ourLines) {
		t.Fatalf("warcio indexes %d responses, our index has %d lines\nwarcio:\n%s\nours:\n%s", len(theirs), len(ourLines), idx, files["indexes/index.cdxj"])
	}
	for i := range theirs {
		if !sameCDXJ(t, theirs[i], ourLines[i]) {
			t.Errorf("CDXJ line %d differs:\nwarcio: %s\nours:   %s", i, theirs[i], ourLines[i])
		}
	}
}

// sameCDXJ compares two CDXJ lines: key, timestamp and the JSON fields
// replay uses.
func sameCDXJ(t *testing.T, a, b string) bool {
	t.Helper()
	pa, pb := strings.SplitN(a, " ", 3), strings.SplitN(b, " ", 3)
	if len(pa) != 3 || len(pb) != 3 || pa[0] != pb[0] || pa[1] != pb[1] {
		return false
	}
	var ja, jb map[string]any
	if json.Unmarshal([]byte(pa[2]), &ja) != nil || json.Unmarshal([]byte(pb[2]), &jb) != nil {
		return false
	}
	for _, k := range []string{"url", "mime", "status", "digest", "length", "offset"} {
		if fmt.Sprint(ja[k]) != fmt.Sprint(jb[k]) {
			return false
		}
	}
	return strings.HasSuffix(fmt.Sprint(ja["filename"]), fmt.Sprint(jb["filename"]))
}

func unzip(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[zf.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", zf.Name, err)
		}
	}
	return files
}

func chromiumPath() string {
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// replayFinder looks through the replay viewer's shadow roots and
// same-origin frames for a frame whose text holds the needle, and returns
// its address, a newline and its text ("" when there is none yet).
const replayFinder = `(needle) => {
	const stack = [document];
	while (stack.length) {
		const root = stack.pop();
		for (const el of root.querySelectorAll('*')) {
			if (el.shadowRoot) stack.push(el.shadowRoot);
			if (el.tagName === 'IFRAME') {
				try {
					const d = el.contentDocument;
					if (d && d.body && d.body.innerText.includes(needle)) return d.location.href + '\n' + d.body.innerText;
					if (d) stack.push(d);
				} catch (e) {}
			}
		}
	}
	return '';
}`

// TestExportReplaysInReplayWebPage serves ReplayWeb.page (ui.js and its
// service worker sw.js) and an exported WACZ on loopback, opens the
// article's URL in the viewer in chromium, and finds the archived
// revision's text in the replayed page, with the live page gone; at the
// first snapshot's timestamp it finds the version before the revision.
func TestExportReplaysInReplayWebPage(t *testing.T) {
	rwp := npmPackage(t, "ANNALIST_REPLAYWEBPAGE_DIR", "sw.js", "replaywebpage@2.5.3")
	if _, err := os.Stat(filepath.Join(rwp, "ui.js")); err != nil {
		t.Fatalf("ANNALIST_REPLAYWEBPAGE_DIR=%s holds no ui.js: %v", rwp, err)
	}
	bin := chromiumPath()
	if bin == "" {
		t.Skip("chromium is not installed (apt-get install -y chromium): skipping the replay test")
	}
	f := exportFixture(t)
	articleURL := f.base + demosite.Path(sample)
	wacz := filepath.Join(t.TempDir(), "article.wacz")
	if _, stderr, code := f.run("export", articleURL, "-o", wacz); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	// Only the archive can show the page now.
	f.site.SetGone(sample, true)
	added := "about the Kuomintang archives in Taipei"
	original := f.site.Body(sample)[0]
	if len(original) > 60 {
		original = original[:60]
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><script src="/ui.js"></script></head>
<body><replay-web-page style="display:block;height:800px" source="/article.wacz" url="%s" ts="%s" replaybase="/replay/" embed="replayonly"></replay-web-page></body></html>`,
			html.EscapeString(articleURL), html.EscapeString(r.URL.Query().Get("ts")))
	})
	mux.HandleFunc("/ui.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(rwp, "ui.js"))
	})
	mux.HandleFunc("/replay/sw.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(rwp, "sw.js"))
	})
	mux.HandleFunc("/article.wacz", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, wacz) // with Range requests, which the viewer uses
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	defer cancelA()
	ctx, cancelT := chromedp.NewContext(actx)
	defer cancelT()
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	// find waits for a replayed frame whose text holds needle and returns
	// its address and text ("" when none shows in time).
	find := func(needle string, wait time.Duration) (href, text string) {
		deadline := time.Now().Add(wait)
		for time.Now().Before(deadline) {
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string]("("+replayFinder+")("+jsonQuote(needle)+")"))
			if err != nil {
				t.Fatalf("look for the replayed text: %v", err)
			}
			if got != "" {
				href, text, _ = strings.Cut(got, "\n")
				return href, text
			}
			time.Sleep(250 * time.Millisecond)
		}
		return "", ""
	}
	// show opens the viewer at page and waits for needle. The viewer's
	// service worker sometimes misses its first page load on a loaded
	// machine (it never shows anything); a reload, as a reader would do,
	// gets it going, so one reload is allowed.
	show := func(page, needle string) (href, text string) {
		if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(page)); err != nil {
			t.Fatalf("open the viewer at %s: %v", page, err)
		}
		if href, text = find(needle, 45*time.Second); href != "" {
			return href, text
		}
		t.Logf("the viewer showed nothing in 45 s; reloading %s", page)
		if _, err := chromedp.RunResponse(ctx, chromedp.Reload()); err != nil {
			t.Fatalf("reload the viewer at %s: %v", page, err)
		}
		return find(needle, 60*time.Second)
	}

	// The article's URL alone: the latest snapshot, the revision.
	href, text := show(srv.URL+"/", added)
	if href == "" {
		t.Fatalf("the replayed page never showed the archived revision's text %q", added)
	}
	if !strings.Contains(href, "/replay/") || !strings.Contains(href, demosite.Path(sample)) {
		t.Errorf("the text was found in frame %s, not in the replay of %s", href, articleURL)
	}
	if !strings.Contains(text, original) {
		t.Errorf("the replayed revision lacks the article's first paragraph %q", original)
	}

	// With the first snapshot's timestamp: the version before the revision.
	var hist []struct {
		ID string `json:"id"`
	}
	f.runJSON(&hist, "history", articleURL, "--json")
	if len(hist) != 2 {
		t.Fatalf("history has %d snapshots, want 2", len(hist))
	}
	firstTS := hist[0].ID[strings.LastIndexByte(hist[0].ID, '/')+1:]
	href, text = show(srv.URL+"/?ts="+firstTS, original)
	if href == "" {
		t.Fatalf("the replay at %s never showed the article's first paragraph %q", firstTS, original)
	}
	if !strings.Contains(href, firstTS) || strings.Contains(text, added) {
		t.Errorf("the replay at %s (frame %s) is not the first snapshot: it holds the revision's text: %v", firstTS, href, strings.Contains(text, added))
	}
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
