package cli_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/html"

	"annalist/internal/cli"
	"annalist/internal/config"
	"annalist/internal/extract"
	"annalist/internal/store"
)

// realSite serves the development pages (ANNALIST_EXTRACTION_DATA) at
// /p/<name>.html behind an RSS feed at /rss.xml.
type realSite struct {
	srv   *httptest.Server
	paths []string
	raw   int64 // bytes of HTML of all pages
}

func newRealSite(b *testing.B) *realSite {
	b.Helper()
	dir := extract.DevDataDir(b)
	files, err := filepath.Glob(filepath.Join(dir, "html", "*.html.gz"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no pages in %s/html: %v", dir, err)
	}
	pages := map[string][]byte{}
	site := &realSite{}
	var feed bytes.Buffer
	feed.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>Real pages</title><link>/</link><description>dev pages</description>\n")
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, f := range files {
		body := gunzipFile(b, f)
		p := "/p/" + strings.TrimSuffix(filepath.Base(f), ".html.gz") + ".html"
		pages[p] = body
		site.paths = append(site.paths, p)
		site.raw += int64(len(body))
		fmt.Fprintf(&feed, "<item><title>Page %d</title><link>{{BASE}}%s</link><guid>{{BASE}}%s</guid><pubDate>%s</pubDate></item>\n",
			i, p, p, t0.Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z))
	}
	feed.WriteString("</channel></rss>\n")
	var base string
	site.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Under /v/ the same site sends validators (ETag, Last-Modified)
		// and answers conditional GETs with 304, as most real sites do.
		path, validators := strings.CutPrefix(r.URL.Path, "/v/")
		if validators {
			path = "/" + path
		}
		if path == "/rss.xml" {
			w.Header().Set("Content-Type", "application/rss+xml")
			prefix := base
			if validators {
				prefix += "/v"
			}
			body := strings.ReplaceAll(feed.String(), "{{BASE}}", prefix)
			if validators {
				w.Header().Set("ETag", `"feed"`)
				http.ServeContent(w, r, "", t0, strings.NewReader(body))
				return
			}
			io.WriteString(w, body)
			return
		}
		body, ok := pages[path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		// No charset: the client finds it in the page, as on most sites.
		w.Header().Set("Content-Type", "text/html")
		if validators {
			w.Header().Set("ETag", fmt.Sprintf(`"%x"`, len(body)))
			http.ServeContent(w, r, "", t0, bytes.NewReader(body))
			return
		}
		w.Write(body)
	}))
	base = site.srv.URL
	b.Cleanup(site.srv.Close)
	return site
}

func gunzipFile(b *testing.B, name string) []byte {
	b.Helper()
	f, err := os.Open(name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return body
}

// realArchive writes a config with default settings except pacing off and
// private networks allowed (the site is on loopback), and one source.
func realArchive(b *testing.B, feedURL string) (cfgPath, dataDir string) {
	b.Helper()
	dir := b.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "feeds"), 0o755); err != nil {
		b.Fatal(err)
	}
	cfg := "data_dir: archive\nhttp:\n  per_host_interval: 0s\n  allow_private_networks: true\n"
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o644); err != nil {
		b.Fatal(err)
	}
	src := "title: Real pages\nfeed: " + feedURL + "\n"
	if err := os.WriteFile(filepath.Join(dir, "feeds", "real.yaml"), []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	return filepath.Join(dir, "config.yaml"), filepath.Join(dir, "archive")
}

// runFetch runs `annalist fetch --json ARGS` as the binary does and
// returns the source's counts.
func runFetch(b *testing.B, cfgPath string, args ...string) map[string]int {
	b.Helper()
	var out, errb bytes.Buffer
	m := &cli.Main{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Now: time.Now,
		Getenv: func(k string) string {
			if k == "ANNALIST_CONFIG" {
				return cfgPath
			}
			return ""
		}}
	args = append([]string{"fetch", "--json"}, args...)
	if code := m.Run(context.Background(), args); code != 0 {
		b.Fatalf("annalist %v: exit %d\n%s", args, code, errb.String())
	}
	var res struct {
		Sources []map[string]any `json:"sources"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res.Sources) != 1 {
		b.Fatalf("annalist %v: %v\n%s", args, err, out.String())
	}
	counts := map[string]int{}
	for k, v := range res.Sources[0] {
		if f, ok := v.(float64); ok {
			counts[k] = int(f)
		}
	}
	return counts
}

// floorFetch fetches every page with plain net/http and html.Parse on
// workers goroutines: the least any pipeline must do.
func floorFetch(b *testing.B, base string, paths []string, workers int) {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	defer client.CloseIdleConnections()
	next := make(chan string)
	errs := make(chan error, len(paths))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				resp, err := client.Get(base + p)
				if err != nil {
					errs <- err
					continue
				}
				_, err = html.Parse(resp.Body)
				resp.Body.Close()
				if err != nil {
					errs <- fmt.Errorf("%s: %w", p, err)
				}
			}
		}()
	}
	for _, p := range paths {
		next <- p
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// BenchmarkRealPagesPipeline archives the 72 real development pages
// served on loopback behind an RSS feed, as `annalist fetch` does (real
// client, default settings but no pacing, extraction, WARC, SQLite, fsync
// on), each iteration into a fresh archive, and in the same iteration
// fetches the same pages with as many GETs in flight
// (per_host_concurrency) with plain net/http GET and html.Parse (the
// floor), so that both see the same machine load. It reports both rates, pipeline/floor (pipeline articles/s over floor
// articles/s), the archive's size over the raw HTML's, and an unchanged
// `fetch --recheck all` re-poll's time over the first poll's, and the same
// for a re-poll of the site serving the same pages with validators
// (repoll-validators/first: 304s; the site without validators stays the
// headline). Every WARC record written is verified at the end.
func BenchmarkRealPagesPipeline(b *testing.B) {
	site := newRealSite(b)
	n := len(site.paths)
	probeCfg, _ := realArchive(b, site.srv.URL+"/rss.xml")
	cfg, err := config.Load(probeCfg)
	if err != nil {
		b.Fatal(err)
	}
	// Like with like: at most per_host_concurrency GETs are in flight on
	// the one host, however many workers hold pages, so the floor fetches
	// on that many workers. The floor on as many workers as the pipeline
	// has (unthrottled GETs) is reported beside it.
	inFlight := cfg.HTTP.PerHostConcurrency
	workers := cli.HarvestWorkers(cfg)

	var pipeline, floor, floorW, repoll, repollV, pipeCPU, repollCPU time.Duration
	var archived int64
	var dataDirs []string
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		floorFetch(b, site.srv.URL, site.paths, inFlight)
		floor += time.Since(start)
		start = time.Now()
		floorFetch(b, site.srv.URL, site.paths, workers)
		floorW += time.Since(start)

		cfgPath, dataDir := realArchive(b, site.srv.URL+"/rss.xml")
		cpu0 := processCPU(b)
		start = time.Now()
		c := runFetch(b, cfgPath)
		pipeline += time.Since(start)
		pipeCPU += processCPU(b) - cpu0
		if c["new"] != n || c["errors"] != 0 {
			b.Fatalf("first poll: %v, want %d new", c, n)
		}
		archived += dirBytes(b, dataDir)
		dataDirs = append(dataDirs, dataDir)

		warc := dirBytes(b, filepath.Join(dataDir, "warc"))
		cpu0 = processCPU(b)
		start = time.Now()
		c = runFetch(b, cfgPath, "--recheck", "all")
		repoll += time.Since(start)
		repollCPU += processCPU(b) - cpu0
		if c["unchanged"] != n || c["new"]+c["revised"]+c["errors"] != 0 {
			b.Fatalf("unchanged re-poll: %v, want %d unchanged", c, n)
		}
		if grown := dirBytes(b, filepath.Join(dataDir, "warc")) - warc; grown != 0 {
			b.Fatalf("unchanged re-poll added %d WARC bytes", grown)
		}

		// The same re-poll of a site that sends validators: 304s.
		cfgPath, _ = realArchive(b, site.srv.URL+"/v/rss.xml")
		if c := runFetch(b, cfgPath); c["new"] != n || c["errors"] != 0 {
			b.Fatalf("first poll with validators: %v, want %d new", c, n)
		}
		start = time.Now()
		c = runFetch(b, cfgPath, "--recheck", "all")
		repollV += time.Since(start)
		if c["not_modified"] != n || c["new"]+c["revised"]+c["errors"] != 0 {
			b.Fatalf("re-poll with validators: %v, want %d not modified", c, n)
		}
	}
	b.StopTimer()

	for _, dir := range dataDirs {
		verifyArchive(b, dir, n)
	}
	pipeRate := float64(n*b.N) / pipeline.Seconds()
	floorRate := float64(n*b.N) / floor.Seconds()
	b.ReportMetric(pipeRate, "articles/s")
	b.ReportMetric(floorRate, "floor-articles/s")
	b.ReportMetric(pipeRate/floorRate, "pipeline/floor")
	b.ReportMetric(float64(n*b.N)/floorW.Seconds(), "floor-workers-articles/s")
	b.ReportMetric(float64(archived)/float64(b.N)/float64(site.raw), "archive/raw")
	b.ReportMetric(repoll.Seconds()/pipeline.Seconds(), "repoll/first")
	b.ReportMetric(repoll.Seconds()*1000/float64(n*b.N), "repoll-ms/page")
	b.ReportMetric(repollCPU.Seconds()*1000/float64(n*b.N), "repoll-cpu-ms/page")
	// The same over a site that sends validators (answered 304).
	b.ReportMetric(repollV.Seconds()/pipeline.Seconds(), "repoll-validators/first")
	// CPU of the whole process (the test server's too) over the first
	// polls' wall time: 2 means both cores of this machine were busy.
	b.ReportMetric(pipeCPU.Seconds()/pipeline.Seconds(), "pipeline-cores")
	// Less sensitive than articles/s to other load on a shared machine.
	b.ReportMetric(pipeCPU.Seconds()*1000/float64(n*b.N), "pipeline-cpu-ms/article")
}

// processCPU is the user and system CPU time this process has used.
func processCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// verifyArchive checks every WARC record's block and payload digests and
// every snapshot's pointer, failing on any damage.
func verifyArchive(b *testing.B, dataDir string, n int) {
	b.Helper()
	st, err := store.OpenReadOnly(context.Background(), dataDir, store.Options{})
	if err != nil {
		b.Fatalf("open %s: %v", dataDir, err)
	}
	defer st.Close()
	rep, err := st.Verify(context.Background(), nil)
	if err != nil {
		b.Fatalf("verify %s: %v", dataDir, err)
	}
	if len(rep.Damaged) != 0 {
		b.Fatalf("verify %s: %d damaged: %+v", dataDir, len(rep.Damaged), rep.Damaged)
	}
	if rep.Snapshots < n || rep.Records < 2*n {
		b.Fatalf("verify %s: %d snapshots, %d records for %d pages", dataDir, rep.Snapshots, rep.Records, n)
	}
}

func dirBytes(b *testing.B, dir string) int64 {
	b.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkRealPagesRepoll times only the unchanged `fetch --recheck all`
// of the real pages (the first poll runs once, untimed), so that a CPU
// profile of it shows the re-poll alone. Each iteration adds one
// "unchanged" capture row per page, as the command does.
func BenchmarkRealPagesRepoll(b *testing.B) {
	benchRepoll(b, "/rss.xml", "unchanged")
}

// BenchmarkRealPagesRepollValidators is BenchmarkRealPagesRepoll of the
// site that sends validators: every page (and the feed) is answered 304.
func BenchmarkRealPagesRepollValidators(b *testing.B) {
	benchRepoll(b, "/v/rss.xml", "not_modified")
}

func benchRepoll(b *testing.B, feedPath, outcome string) {
	site := newRealSite(b)
	n := len(site.paths)
	cfgPath, dataDir := realArchive(b, site.srv.URL+feedPath)
	if c := runFetch(b, cfgPath); c["new"] != n || c["errors"] != 0 {
		b.Fatalf("first poll: %v, want %d new", c, n)
	}
	warc := dirBytes(b, filepath.Join(dataDir, "warc"))
	cpu0 := processCPU(b)
	b.ResetTimer()
	for range b.N {
		c := runFetch(b, cfgPath, "--recheck", "all")
		if c[outcome] != n || c["new"]+c["revised"]+c["errors"] != 0 {
			b.Fatalf("re-poll: %v, want %d %s", c, n, outcome)
		}
	}
	b.StopTimer()
	cpu := processCPU(b) - cpu0
	if grown := dirBytes(b, filepath.Join(dataDir, "warc")) - warc; grown != 0 {
		b.Fatalf("unchanged re-poll added %d WARC bytes", grown)
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(n*b.N), "ms/page")
	b.ReportMetric(cpu.Seconds()*1000/float64(n*b.N), "cpu-ms/page")
}
