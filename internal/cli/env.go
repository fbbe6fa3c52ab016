package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"annalist/internal/config"
	"annalist/internal/fetch"
	"annalist/internal/harvest"
	"annalist/internal/store"
)

// loadConfig loads the configuration named by the global flags.
func (m *Main) loadConfig() (*config.Config, error) {
	cfg, err := config.Load(m.configPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w (pass --config PATH or set ANNALIST_CONFIG)", err)
		}
		// A config that reads but says something wrong is a misconfiguration
		// the user must fix, like a bad flag: exit 2.
		if errors.Is(err, config.ErrInvalid) {
			return nil, &exitError{code: 2, msg: err.Error()}
		}
		return nil, err
	}
	if db := m.Getenv("ANNALIST_DATABASE"); db != "" {
		if err := config.CheckDatabase(db); err != nil {
			return nil, &exitError{code: 2, msg: "ANNALIST_DATABASE: " + err.Error()}
		}
		cfg.Database, cfg.DatabaseFrom = db, "$ANNALIST_DATABASE"
	}
	return cfg, nil
}

// dbErr adds to an error opening the archive where its database was set
// (config file and line, or $ANNALIST_DATABASE), so that a wrong password
// or an unreachable server points at the line to fix.
func dbErr(cfg *config.Config, err error) error {
	if cfg.Database == "" || cfg.DatabaseFrom == "" {
		return err
	}
	return fmt.Errorf("%w (database: set at %s)", err, cfg.DatabaseFrom)
}

// storeOptions are the store options of cfg's archive: its database, and
// on a shared PostgreSQL index a worker ID (the host name) in the names of
// the WARC files this process writes.
func (m *Main) storeOptions(cfg *config.Config) store.Options {
	o := store.Options{Logger: m.logger, Now: m.Now, Database: cfg.Database, Notify: storeHooks(cfg)}
	if cfg.Database != "" {
		o.Worker = workerID()
	}
	return o
}

// workerID is the host name, reduced to the characters a WARC file name
// may hold.
func workerID() string {
	h, _ := os.Hostname()
	id := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, h)
	if id == "" {
		id = "worker"
	}
	return id
}

// openStore opens the archive of cfg.
func (m *Main) openStore(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	return m.openStoreWith(ctx, cfg, m.storeOptions(cfg))
}

// openStoreWith opens the archive of cfg with opts.
func (m *Main) openStoreWith(ctx context.Context, cfg *config.Config, opts store.Options) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DataDir, opts)
	if err != nil {
		return nil, dbErr(cfg, fmt.Errorf("open archive %s: %w", cfg.DataDir, err))
	}
	return st, nil
}

// openArchive loads the config and opens its store; close the store.
func (m *Main) openArchive(ctx context.Context) (*config.Config, *store.Store, error) {
	cfg, err := m.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	st, err := m.openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, st, nil
}

// openArchiveReadOnly loads the config and opens its store read-only (no
// migration, no repair, nothing written); live is for a long-lived reader
// (serve) that must see what a daemon commits later. Close the store.
func (m *Main) openArchiveReadOnly(ctx context.Context, live bool) (*config.Config, *store.Store, error) {
	cfg, err := m.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	opts := m.storeOptions(cfg)
	opts.ReadOnlyLive = live
	st, err := store.OpenReadOnly(ctx, cfg.DataDir, opts)
	if errors.Is(err, store.ErrNoArchive) {
		return nil, nil, noArchive(cfg.DataDir, err)
	}
	if err != nil {
		return nil, nil, dbErr(cfg, fmt.Errorf("open archive %s read-only: %w", cfg.DataDir, err))
	}
	return cfg, st, nil
}

// newHarvester wires the fetcher and the store for polling.
func (m *Main) newHarvester(cfg *config.Config, st *store.Store) *harvest.Harvester {
	return m.newHarvesterLeased(cfg, st, 0)
}

// newHarvesterLeased is newHarvester whose requests' slots on a PostgreSQL
// index are leased for slotLease (0: store's default), a daemon's
// --lease-ttl.
func (m *Main) newHarvesterLeased(cfg *config.Config, st *store.Store, slotLease time.Duration) *harvest.Harvester {
	// On a PostgreSQL index the per-host pacing, the requests in flight
	// and Retry-After are kept in the database, for every worker sharing
	// it. On SQLite a host's Retry-After is kept in the archive, so that
	// the next run honours it too.
	var shared fetch.SharedPacing
	var kept fetch.Deferrals
	if p, err := st.Pacing(); err == nil {
		if slotLease > 0 {
			p.SetSlotLease(slotLease)
		}
		shared = p
	} else if d := st.Deferrals(); d != nil {
		kept = d
	}
	fc := fetch.New(fetch.Options{
		SharedPacing:         shared,
		Deferrals:            kept,
		UserAgent:            cfg.UserAgent,
		Timeout:              cfg.HTTP.Timeout,
		MaxBody:              cfg.HTTP.MaxBody,
		PerHostInterval:      cfg.HTTP.PerHostInterval,
		PerHostConcurrency:   cfg.HTTP.PerHostConcurrency,
		RespectRobots:        cfg.HTTP.RespectRobots,
		AllowPrivateNetworks: cfg.HTTP.AllowPrivateNetworks,
		Now:                  m.Now,
		Logger:               m.logger,
	})
	return &harvest.Harvester{
		Fetch:    fc,
		Store:    st,
		Logger:   m.logger,
		Now:      m.Now,
		MaxItems: cfg.HTTP.MaxItems,
		Workers:  harvestWorkers(cfg),
		Watch:    cfg.Defaults.Watch,
	}
}

// harvestWorkers is how many pages of a poll are in hand at once: twice
// the per-host concurrency, so that extraction and storing overlap the
// requests, and at least 4.
func harvestWorkers(cfg *config.Config) int {
	return max(4, 2*cfg.HTTP.PerHostConcurrency)
}

// syncSources tells the store which sources are configured.
func syncSources(ctx context.Context, cfg *config.Config, st *store.Store) error {
	srcs := make([]store.Source, 0, len(cfg.Sources))
	for _, s := range cfg.Sources {
		srcs = append(srcs, store.Source{Name: s.Name, Title: s.Title, Feed: s.Feed})
	}
	if err := st.SyncSources(ctx, srcs); err != nil {
		return fmt.Errorf("record sources: %w", err)
	}
	return nil
}

// writeJSON prints v as one indented JSON document on stdout.
func (m *Main) writeJSON(v any) error {
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// parseWhen parses a date given on the command line: RFC 3339, a date
// (YYYY-MM-DD, midnight UTC), or a 14-digit timestamp.
func parseWhen(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02", "20060102150405"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (use RFC 3339, YYYY-MM-DD or YYYYMMDDhhmmss)", s)
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	fi, err := file.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// checkSource makes a --source filter that names no source an error (exit
// 2) instead of an empty result: a source counts if it is configured or the
// archive holds it (a source removed from the config keeps its articles).
func checkSource(ctx context.Context, cfg *config.Config, st *store.Store, name string) error {
	if name == "" {
		return nil
	}
	for _, s := range cfg.Sources {
		if s.Name == name {
			return nil
		}
	}
	_, err := st.Source(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return usageErr("--source: no source named %q in %s or in the archive (run 'annalist sources')", name, cfg.Path)
	}
	if err != nil {
		return fmt.Errorf("look up source %q: %w", name, err)
	}
	return nil
}

// noSources says what to do when no source is configured: the shipped
// sources are examples in feeds/examples/, enabled by copying one into
// feeds_dir.
func noSources(cfg *config.Config) string {
	feeds := shortPath(cfg.FeedsDir)
	return fmt.Sprintf("no sources configured yet: copy one of %s into %s (or write your own; see README.md), or run 'annalist demo' to see annalist at work offline",
		filepath.Join(feeds, "examples", "*.yaml"), feeds+string(filepath.Separator))
}

// shortPath is path relative to the working directory when it lies below
// it, as a user would type it; else path.
func shortPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}

// noArchive says, for a reader, that dir holds no archive yet and how one
// is made.
func noArchive(dir string, err error) error {
	return &wrapped{text: fmt.Sprintf("no archive in %s yet (no annalist.db): 'annalist fetch' or 'annalist daemon' creates it; 'annalist demo' shows annalist at work without one", dir), err: err}
}

// wrapped is an error with a text of its own for people, keeping the
// cause for errors.Is and errors.As.
type wrapped struct {
	text string
	err  error
}

func (w *wrapped) Error() string { return w.text }
func (w *wrapped) Unwrap() error { return w.err }

// within puts what (a file, a URL) before err, without err's package
// prefix, which would only repeat the command's name ("extract x.html:
// extract: …").
func within(what string, err error) error {
	return &wrapped{text: what + ": " + withoutPackage(err.Error()), err: err}
}

// packagePrefixes start the texts of annalist's sentinel errors (STYLE:
// sentinels are prefixed with their package); a message for people that
// already says where drops them.
var packagePrefixes = []string{"store: ", "fetch: ", "extract: ", "config: ", "feed: ", "harvest: ", "web: ", "schedule: "}

// withoutPackage removes package prefixes from the start of msg and from
// the start of each clause (after ": ").
func withoutPackage(msg string) string {
	for _, p := range packagePrefixes {
		msg = strings.TrimPrefix(msg, p)
		msg = strings.ReplaceAll(msg, ": "+p, ": ")
	}
	return msg
}
