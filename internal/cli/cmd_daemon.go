package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"annalist/internal/config"
	"annalist/internal/harvest"
	"annalist/internal/notify"
	"annalist/internal/schedule"
	"annalist/internal/store"
	"annalist/internal/web"
)

var daemonCommand = command{
	name:    "daemon",
	summary: "run in the foreground until stopped (SIGTERM, Ctrl-C): poll every source on its schedule, watch known articles for revisions, serve the web UI",
	usage:   "daemon [--no-initial-poll] [--shutdown-grace DURATION] [--no-web] [--lease-ttl DURATION]",
	run:     runDaemon,
}

func runDaemon(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	noInitial := fs.Bool("no-initial-poll", false, "do not poll the sources that are overdue at start-up or after a reload (SIGHUP); wait for their schedule")
	grace := fs.Duration("shutdown-grace", 30*time.Second, "on SIGTERM/SIGINT, how long to wait for runs in flight")
	noWeb := fs.Bool("no-web", false, "do not serve the web UI on web.listen")
	leaseTTL := fs.Duration("lease-ttl", 60*time.Second, "with a PostgreSQL index: how long a worker's claim on a source, and on a slot of a host's per_host_concurrency, lasts unless renewed; a dead worker's sources and slots are taken over within it")
	if pos, err := m.parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageErr("daemon takes no arguments")
	}
	cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	// Each commit durable on its own: the daemon logs, notifies and serves
	// what it stored as it goes, with no end at which to sync.
	opts := m.storeOptions(cfg)
	opts.SyncCommits = true
	st, err := m.openStoreWith(ctx, cfg, opts)
	if err != nil {
		return err
	}
	defer st.Close()
	durable, err := st.Durability(ctx)
	if err != nil {
		return fmt.Errorf("archive %s: %w", cfg.DataDir, err)
	}
	if err := syncSources(ctx, cfg, st); err != nil {
		return err
	}
	log := m.logger
	d := &daemonRun{m: m, st: st, noInitial: *noInitial}
	if d.deliverer, err = m.newDeliverer(cfg, st); err != nil {
		return err
	}
	m.abandonRemovedHooks(ctx, cfg, st)
	d.stopNotify = m.startNotify(d.deliverer)
	defer func() { d.stopNotify() }() // the one a reload may have started
	// A dead worker's request slots are free when its jobs are taken over.
	h := m.newHarvesterLeased(cfg, st, *leaseTTL)
	sched := schedule.New(h, log, m.Now)
	d.sched = sched
	sched.OnPanic = func(source string, v any) {
		c := store.Capture{Source: source, CapturedAt: m.Now().UTC(), Outcome: store.OutcomeError, Error: fmt.Sprintf("panic: %v", v)}
		if err := st.RecordCapture(context.Background(), c); err != nil {
			log.Error("record panic", "source", source, "error", err)
		}
	}
	shared := cfg.Database != ""
	if shared {
		if err := m.shareIndex(ctx, st, sched, *leaseTTL, *noInitial); err != nil {
			return err
		}
	}
	// Signals are caught before the daemon says it started: a SIGHUP sent
	// on seeing that line must reload, not kill it (the default action).
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := sched.Start(cfg); err != nil {
		return err
	}
	log.Info("annalist daemon started", "version", Version, "config", cfg.Path, "archive", cfg.DataDir, "sources", len(cfg.Sources), "durable", durable)
	if len(cfg.Sources) == 0 {
		log.Info(noSources(cfg) + "; then send SIGHUP to reload")
	}
	if !*noInitial && !shared {
		go m.pollOverdue(ctx, cfg, st, sched)
	}
	d.cfg = cfg
	d.liveCfg.Store(cfg)
	stopWeb := func() {}
	if !*noWeb {
		stopWeb = m.startWeb(st, &d.liveCfg, cfg.Web.Listen)
	}
	defer stopWeb()

	for {
		select {
		case <-ctx.Done():
			stopWeb()
			d.stopNotify()
			return m.stopDaemon(sched, *grace)
		case sig := <-sigs:
			if sig != syscall.SIGHUP {
				log.Info("stopping", "signal", sig.String())
				stopWeb()
				d.stopNotify()
				return m.stopDaemon(sched, *grace)
			}
			d.reload(ctx)
		}
	}
}

// daemonRun is what a running daemon changes on a reload (SIGHUP).
type daemonRun struct {
	m          *Main
	st         *store.Store
	sched      *schedule.Scheduler
	noInitial  bool
	cfg        *config.Config
	liveCfg    atomic.Pointer[config.Config] // what the web UI reads
	deliverer  *notify.Deliverer
	stopNotify func()
}

// reload reads the configuration again and applies it: sources and
// schedules, webhooks; an invalid new configuration is refused and the old
// one kept.
func (d *daemonRun) reload(ctx context.Context) {
	log := d.m.logger
	newCfg, err := d.m.loadConfig()
	if err != nil {
		log.Error("reload refused: the new configuration is invalid; keeping the old one", "error", err)
		return
	}
	if err := syncSources(ctx, newCfg, d.st); err != nil {
		log.Error("reload: record sources", "error", err)
		return
	}
	newHooks, err := d.m.notifyHooks(newCfg)
	if err != nil {
		log.Error("reload refused: the new configuration is invalid; keeping the old one", "error", err)
		return
	}
	if newCfg.HTTP != d.cfg.HTTP || newCfg.UserAgent != d.cfg.UserAgent || newCfg.DataDir != d.cfg.DataDir {
		log.Warn("reload: http, user_agent and data_dir changes take effect at the next start")
	}
	if err := d.sched.Start(newCfg); err != nil {
		log.Error("reload refused; keeping the old schedule", "error", err)
		_ = d.sched.Start(d.cfg)
		return
	}
	d.st.SetNotifyHooks(storeHooks(newCfg))
	d.m.abandonRemovedHooks(ctx, newCfg, d.st)
	switch {
	case d.deliverer != nil:
		d.deliverer.SetHooks(newHooks)
	case len(newHooks) > 0:
		if d.deliverer, err = d.m.newDeliverer(newCfg, d.st); err == nil {
			d.stopNotify = d.m.startNotify(d.deliverer)
		}
	}
	d.cfg = newCfg
	d.liveCfg.Store(newCfg)
	log.Info("configuration reloaded", "sources", len(newCfg.Sources))
	// A source just added is polled now, as at start-up, not at its first
	// scheduled run (up to an interval later); a source whose run is going
	// is skipped by the scheduler.
	if !d.noInitial {
		go d.m.pollOverdue(ctx, newCfg, d.st, d.sched)
	}
}

// shareIndex makes sched take its polls and watches from the lease table
// of the PostgreSQL index that several daemons share: each due job goes to
// one of them.
func (m *Main) shareIndex(ctx context.Context, st *store.Store, sched *schedule.Scheduler, ttl time.Duration, noInitial bool) error {
	if ttl < 3*time.Second {
		return usageErr("--lease-ttl: %v is too short (3s at least)", ttl)
	}
	leases, err := st.Leases(fmt.Sprintf("%s-%d", workerID(), os.Getpid()))
	if err != nil {
		return err
	}
	sched.Shared, sched.LeaseTTL = leases, ttl
	sched.ClaimEvery = min(5*time.Second, max(time.Second, ttl/10))
	sched.FirstDue = func(src config.Source) time.Time { return m.firstDue(ctx, st, src, noInitial) }
	m.logger.Info("sharing the index with other workers", "worker", leases.Worker(), "lease_ttl", ttl.String())
	return nil
}

// startWeb serves the web UI on addr in the background and returns a
// function that shuts it down (idempotent). A UI that cannot listen is
// logged, not fatal: archiving matters more than browsing.
func (m *Main) startWeb(st *store.Store, cfg *atomic.Pointer[config.Config], addr string) func() {
	srv, err := m.webHandler(st, cfg)
	if err != nil {
		m.logger.Error("web UI not started", "error", err)
		return func() {}
	}
	ln, err := web.Listen(addr)
	if err != nil {
		m.logger.Error("web UI not started; the daemon runs without it", "listen", addr, "error", err)
		return func() {}
	}
	m.logger.Info("web UI serving", "url", "http://"+ln.Addr().String())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := web.Serve(ctx, ln, srv.Handler(), 5*time.Second, m.logger); err != nil {
			m.logger.Error("web UI stopped", "error", err)
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}

func (m *Main) stopDaemon(sched *schedule.Scheduler, grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := sched.Stop(ctx); err != nil {
		m.logger.Error("shutdown", "error", err)
		return &exitError{code: 1, msg: err.Error()}
	}
	m.logger.Info("stopped")
	return nil
}

// firstDue is when a source new to the lease table is first due: now when
// it was never polled or its scheduled run passed (as pollOverdue), else
// its next run; with noInitial always its next run.
func (m *Main) firstDue(ctx context.Context, st *store.Store, src config.Source, noInitial bool) time.Time {
	now := m.Now().UTC()
	spec, err := config.ParseSchedule(src.Schedule)
	if err != nil {
		return now
	}
	if noInitial {
		return spec.Next(now)
	}
	s, err := st.Source(ctx, src.Name)
	if err != nil || s.LastPollAt == nil || !spec.Next(*s.LastPollAt).After(now) {
		return now
	}
	return spec.Next(*s.LastPollAt)
}

// pollOverdue polls, at start-up and after a reload, each source never
// polled or whose scheduled run passed while the daemon was not running.
func (m *Main) pollOverdue(ctx context.Context, cfg *config.Config, st *store.Store, sched *schedule.Scheduler) {
	now := m.Now().UTC()
	for _, src := range cfg.Sources {
		s, err := st.Source(ctx, src.Name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			m.logger.Error("read source", "source", src.Name, "error", err)
			continue
		}
		if s != nil && s.LastPollAt != nil {
			spec, err := config.ParseSchedule(src.Schedule)
			if err != nil || spec.Next(*s.LastPollAt).After(now) {
				continue
			}
		}
		src := src
		go sched.Run(src, func(ctx context.Context) {
			sched.Poller().PollSource(ctx, src, harvest.PollOptions{Recheck: harvest.RecheckDue})
		})
	}
}

// startNotify runs d (if any) in the background and returns a function
// that stops it and waits (idempotent). A delivery cut short is taken up
// again after its lease by the next process.
func (m *Main) startNotify(d *notify.Deliverer) func() {
	if d == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx, notifyInterval)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}
