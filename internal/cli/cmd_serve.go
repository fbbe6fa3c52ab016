package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"annalist/internal/config"
	"annalist/internal/store"
	"annalist/internal/web"
)

var serveCommand = command{
	name:    "serve",
	summary: "serve the web UI on the archive, read-only, without polling anything",
	usage:   "serve [--listen ADDR]",
	run:     runServe,
}

func runServe(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	listen := fs.String("listen", "", "address to listen on (default: web.listen from the config, 127.0.0.1:8080)")
	if pos, err := m.parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageErr("serve takes no arguments")
	}
	if err := checkListenFlag(*listen); err != nil {
		return err
	}
	cfg, st, err := m.openArchiveReadOnly(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()
	addr := cfg.Web.Listen
	if *listen != "" {
		addr = *listen
	}
	var cur atomic.Pointer[config.Config]
	cur.Store(cfg)
	srv, err := m.webHandler(st, &cur)
	if err != nil {
		return err
	}
	ln, err := web.Listen(addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	m.logger.Info("annalist serving the archive read-only", "url", "http://"+ln.Addr().String(), "archive", cfg.DataDir)
	fmt.Fprintf(m.Stderr, "annalist: serving %s on http://%s/ (Ctrl-C to stop)\n", cfg.DataDir, ln.Addr())
	return web.Serve(ctx, ln, srv.Handler(), 10*time.Second, m.logger)
}

// checkListenFlag refuses a --listen value that is no host:port as bad
// usage (exit 2), before anything is opened; "" is no value.
func checkListenFlag(addr string) error {
	if addr == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return usageErr("--listen %q: want host:port, e.g. 127.0.0.1:8080 (port 0: any free port)", addr)
	}
	return nil
}

// webHandler builds the UI on st; the schedule shown is cfg's at the time
// of each request, so a daemon's reload shows at once.
func (m *Main) webHandler(st *store.Store, cfg *atomic.Pointer[config.Config]) (*web.Server, error) {
	base := ""
	if c := cfg.Load(); c != nil {
		base = c.Web.BaseURL // "" = the request's host
	}
	return web.New(web.Options{
		Store:   st,
		Logger:  m.logger,
		Now:     m.Now,
		BaseURL: base,
		Schedule: func(source string) (string, time.Time, bool) {
			c := cfg.Load()
			if c == nil {
				return "", time.Time{}, false
			}
			for _, s := range c.Sources {
				if s.Name != source {
					continue
				}
				sched, err := config.ParseSchedule(s.Schedule)
				if err != nil {
					return s.Schedule, time.Time{}, true
				}
				return s.Schedule, sched.Next(m.Now().UTC()), true
			}
			return "", time.Time{}, false
		},
	})
}
