package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"annalist/internal/config"
	"annalist/internal/demosite"
	"annalist/internal/harvest"
	"annalist/internal/store"
	"annalist/internal/web"
	"annalist/internal/worddiff"
)

var demoCommand = command{
	name:    "demo",
	summary: "archive a built-in history site on loopback, revise it, archive again, and show what was kept (offline)",
	usage:   "demo [--data DIR] [--keep] [--serve] [--listen ADDR]",
	run:     runDemo,
}

// demoSlug is the sample "Mondo History" article the demo revises.
const demoSlug = "chiang-ching-kuo-outer-mongolia"

func runDemo(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	dataDir := fs.String("data", "", "write the demo archive here (default: a new temporary directory); never the configured archive")
	keep := fs.Bool("keep", false, "keep the temporary directory after the demo (always kept with --data)")
	serve := fs.Bool("serve", false, "after the demo, serve the demo archive in the web UI until interrupted (on 127.0.0.1:8080, or a free port when that is taken)")
	listen := fs.String("listen", "", "serve the web UI on this address (host:port; port 0 = any free port); implies --serve")
	if pos, err := m.parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageErr("demo takes no arguments")
	}
	if err := checkListenFlag(*listen); err != nil {
		return err
	}
	// The web UI's address is taken before the demo runs, so that a port
	// in use is known at once, not after the demo.
	var uiListener net.Listener
	if *serve || *listen != "" {
		ln, err := demoListen(*listen)
		if err != nil {
			return err
		}
		uiListener = ln
		defer ln.Close()
	}
	dir := *dataDir
	if dir == "" {
		d, err := os.MkdirTemp("", "annalist-demo-")
		if err != nil {
			return fmt.Errorf("temporary directory: %w", err)
		}
		dir = d
		if !*keep {
			defer os.RemoveAll(dir)
		}
	} else if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		// A second demo over the first one's archive would tell a false
		// story (the site's new port makes every article "moved").
		return usageErr("demo --data %s: the directory is not empty (an earlier demo?): the demo needs a new archive; remove it or name another directory", dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--data %s: %w", dir, err)
	}
	dir, _ = filepath.Abs(dir)

	site := demosite.New()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen on loopback: %w", err)
	}
	srv := &http.Server{Handler: site.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	cfgPath, err := writeDemoConfig(dir, base)
	if err != nil {
		return err
	}
	dm := *m
	dm.configPath = cfgPath
	cfg, st, err := dm.openArchive(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := syncSources(ctx, cfg, st); err != nil {
		return err
	}
	h := dm.newHarvester(cfg, st)
	h.ReportsFailures = true // printFetch shows them
	src := cfg.Sources[0]
	out := m.Stdout

	fmt.Fprintf(out, "annalist demo: a \"Mondo History\"-style site is serving on %s\narchive: %s\n\n", base, dir)
	demoRevise(ctx, out, site, h, src)
	a, err := demoHistory(ctx, out, st, base)
	if err != nil {
		return err
	}
	if err := demoMoveAndRemove(ctx, out, site, st, h, src, base); err != nil {
		return err
	}
	arts, err := st.Articles(ctx, store.ArticleFilter{})
	if err != nil {
		return fmt.Errorf("list the archived articles: %w", err)
	}
	total := 0
	for _, x := range arts {
		total += x.Snapshots
	}
	fmt.Fprintf(out, "\nThe archive holds %d articles and %d snapshots: the date-only and boilerplate-only changes, the move and the removal stored nothing.\n", len(arts), total)
	if uiListener != nil {
		return m.serveDemo(ctx, cfg, st, uiListener, a.ID)
	}
	prog := m.program()
	if *dataDir != "" || *keep {
		// Each line runs as printed, from the directory the demo ran in.
		run := prog + " --config " + shellQuote(shortPath(cfgPath))
		fmt.Fprintf(out, "\nTry next:\n  %s list\n  %s history %s\n  %s diff %s\n  %s search Yalta\n",
			run, run, a.ID, run, a.ID, run)
	} else {
		fmt.Fprintf(out, "\nRun '%s demo --data DIR' to keep this archive and browse it with list, history, show, diff and search.\n", prog)
	}
	return nil
}

// writeDemoConfig writes the demo's own configuration and source file into
// dir and returns the configuration's path. The loopback site is a private
// address, which only the demo allows.
func writeDemoConfig(dir, base string) (string, error) {
	cfgPath := filepath.Join(dir, "config.yaml")
	cfgText := "data_dir: archive\nfeeds_dir: feeds\nhttp:\n  per_host_interval: 0s\n  per_host_concurrency: 4\n  allow_private_networks: true\n"
	if err := os.MkdirAll(filepath.Join(dir, "feeds"), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "feeds", "mondo-history.yaml"), demosite.SourceYAML(base+"/rss.xml"), 0o644); err != nil {
		return "", err
	}
	return cfgPath, nil
}

// demoRevise polls once with the sample article at its earlier version,
// has the site change (a real revision, a date-only change, a
// boilerplate-only change) and polls again.
func demoRevise(ctx context.Context, out io.Writer, site *demosite.Site, h *harvest.Harvester, src config.Source) {
	// Before the first poll the sample article is at its earlier version.
	final := site.Body(demoSlug)
	earlier := slices.Clone(final)
	earlier = earlier[:len(earlier)-1]
	earlier[0] = strings.Replace(earlier[0], "In 1945, both China and Japan were exhausted", "By 1945 China and Japan were both exhausted", 1)
	site.Revise(demoSlug, time.Date(2023, 11, 14, 6, 30, 0, 0, time.UTC), func([]string) []string { return earlier })

	fmt.Fprintln(out, "1. First poll: every article is new.")
	r := h.PollSource(ctx, src, harvest.PollOptions{Recheck: harvest.RecheckNone})
	printFetch(out, []fetchSourceJSON{fetchRow(r)})

	fmt.Fprintln(out, "\n2. The site changes:")
	site.Revise(demoSlug, time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC), func([]string) []string { return final })
	fmt.Fprintf(out, "   - %q is rewritten and stamped \"Updated on 2024-01-31\" (a real revision)\n", demoSlug)
	site.SetStamp("silk-road-caravan-cities", time.Date(2024, 2, 9, 0, 0, 0, 0, time.UTC))
	fmt.Fprintln(out, "   - \"silk-road-caravan-cities\" only gets a new \"Updated on\" date")
	site.SetViews("printing-press-pamphlet-wars", 48213)
	site.SetRelated("printing-press-pamphlet-wars", []string{"grand-canal-grain-fleets"})
	site.SetAd("printing-press-pamphlet-wars", "Advertisement: history cruises, 20% off this week")
	fmt.Fprintln(out, "   - \"printing-press-pamphlet-wars\" only changes its view counter, ad and Related Pages box")

	fmt.Fprintln(out, "\n3. Second poll, re-checking every known article:")
	r = h.PollSource(ctx, src, harvest.PollOptions{Recheck: harvest.RecheckAll})
	printFetch(out, []fetchSourceJSON{fetchRow(r)})
}

// demoHistory prints the sample article's snapshots and the diff of its
// last two, and returns the article.
func demoHistory(ctx context.Context, out io.Writer, st *store.Store, base string) (*store.Article, error) {
	a, err := resolve(ctx, st, base+demosite.Path(demoSlug))
	if err != nil {
		return nil, err
	}
	snaps, err := st.Snapshots(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "\n4. History of %s (%s):\n", a.ID, a.Title)
	for _, s := range snaps {
		fmt.Fprintf(out, "   %s  captured %s  revision date %s  %d words\n", s.ID, s.CapturedAt.UTC().Format(time.RFC3339), dateOf(&s), s.Words)
	}
	if len(snaps) >= 2 {
		fmt.Fprintln(out, "\n5. What changed (annalist diff):")
		from, to := &snaps[len(snaps)-2], &snaps[len(snaps)-1]
		chunks, err := worddiff.Diff(ctx, from.Text, to.Text)
		if err != nil {
			return nil, fmt.Errorf("diff %s %s: %w", from.ID, to.ID, err)
		}
		printDiff(out, from, to, chunks, false, false)
	}
	return a, nil
}

// The article the demo moves to a new slug, and the one it removes.
const (
	demoMoved   = "grand-canal-grain-fleets"
	demoMovedTo = "grand-canal-grain-fleets-of-the-ming"
	demoRemoved = "hanseatic-league-kontors"
)

// demoMoveAndRemove has the site move one article (301 to a new slug, the
// feed relinked under the same guid) and remove another (410), polls, and
// prints what the archive recorded of both.
func demoMoveAndRemove(ctx context.Context, out io.Writer, site *demosite.Site, st *store.Store, h *harvest.Harvester, src config.Source, base string) error {
	fmt.Fprintln(out, "\n6. The site moves and removes articles:")
	site.Move(demoMoved, demoMovedTo)
	fmt.Fprintf(out, "   - %q moves to %s (301 from the old address; the feed links the new one)\n", demoMoved, demosite.Path(demoMovedTo))
	site.Remove(demoRemoved, true)
	fmt.Fprintf(out, "   - %q is taken down (410 Gone)\n", demoRemoved)

	fmt.Fprintln(out, "\n7. Third poll, re-checking every known article:")
	r := h.PollSource(ctx, src, harvest.PollOptions{Recheck: harvest.RecheckAll})
	printFetch(out, []fetchSourceJSON{fetchRow(r)})

	fmt.Fprintln(out, "\n8. What the archive says of them (annalist history):")
	for _, slug := range []string{demoMoved, demoRemoved} {
		a, err := resolve(ctx, st, base+demosite.Path(slug))
		if err != nil {
			return err
		}
		evs, err := st.Events(ctx, a.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "   %s  %s\n     %s · state: %s · %d %s\n", a.ID, a.Title, a.URL, stateText(*a), a.Snapshots, plural(a.Snapshots, "snapshot", "snapshots"))
		for _, e := range evs {
			fmt.Fprintf(out, "     %s  %s\n", e.At.UTC().Format(time.RFC3339), eventText(e))
		}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// serveDemo serves the demo archive in the web UI until SIGINT/SIGTERM.
func (m *Main) serveDemo(ctx context.Context, cfg *config.Config, st *store.Store, ln net.Listener, articleID string) error {
	var cur atomic.Pointer[config.Config]
	cur.Store(cfg)
	srv, err := m.webHandler(st, &cur)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(m.Stdout, "\nBrowse the demo archive: http://%s/  (the revised article: http://%s/a/%s) — Ctrl-C to stop.\n",
		ln.Addr(), ln.Addr(), articleID)
	return web.Serve(ctx, ln, srv.Handler(), 5*time.Second, m.logger)
}

// demoDefaultListen is where `demo --serve` serves when it can.
const demoDefaultListen = "127.0.0.1:8080"

// demoListen opens the demo's web UI address: addr when given (an error
// if it cannot be had), else 127.0.0.1:8080, else any free loopback port.
func demoListen(addr string) (net.Listener, error) {
	if addr != "" {
		ln, err := web.Listen(addr)
		if err != nil {
			return nil, fmt.Errorf("--listen %s: %w", addr, errors.Unwrap(err))
		}
		return ln, nil
	}
	if ln, err := web.Listen(demoDefaultListen); err == nil {
		return ln, nil
	}
	return web.Listen("127.0.0.1:0")
}
