package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

const (
	defaultDataDir   = "archive"
	defaultFeedsDir  = "feeds"
	defaultUserAgent = "annalist/0.1 (+https://github.com/annalist-archive/annalist)"
)

// Default returns the built-in configuration with no sources. DataDir and
// FeedsDir are resolved against the working directory, where the default
// ./config.yaml would live.
func Default() *Config {
	return &Config{
		DataDir:   absOrSelf(defaultDataDir),
		FeedsDir:  absOrSelf(defaultFeedsDir),
		UserAgent: defaultUserAgent,
		HTTP: HTTP{
			Timeout:            20 * time.Second,
			MaxBody:            15 << 20,
			PerHostInterval:    time.Second,
			PerHostConcurrency: 2,
			RespectRobots:      true,
			MaxItems:           500,
		},
		Defaults: Defaults{
			Schedule: "@every 1h",
			Watch:    defaultWatch(),
		},
		Web: Web{Listen: "127.0.0.1:8080"},
	}
}

func defaultWatch() []time.Duration {
	return []time.Duration{time.Hour, 6 * time.Hour, 24 * time.Hour, 72 * time.Hour, 168 * time.Hour, 720 * time.Hour}
}

func absOrSelf(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// Load reads the config file at path, then every *.yaml and *.yml file in
// feeds_dir (in name order; dot-files ignored; a missing default ./feeds
// means no file sources, a missing feeds_dir set in the file is an error),
// adds the inline `sources:`, fills what sources leave out
// from config.yaml's defaults, and validates everything.
//
// A file that cannot be read yields an error wrapping the os error (test
// with errors.Is(err, fs.ErrNotExist)). Invalid content yields every
// problem found, joined; each is an *Error naming file, line and field, and
// matches ErrInvalid.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	d := &decoder{file: path}
	rc := d.parseConfig(data, filepath.Dir(abs))
	rc.Path = abs

	// Show feeds files the way the user reaches them from where they typed
	// the config path: "feeds/x.yaml", not "/home/…/feeds/x.yaml".
	shownDir := rc.feedsDir
	if !filepath.IsAbs(shownDir) {
		shownDir = filepath.Join(filepath.Dir(path), shownDir)
	}
	// A feeds_dir written in config.yaml must exist: a typo there would
	// otherwise poll nothing and show an empty archive. The default
	// ./feeds may be absent (inline sources only).
	if _, err := os.Stat(rc.FeedsDir); rc.feedsDirLine > 0 && errors.Is(err, fs.ErrNotExist) {
		d.errorf(rc.feedsDirLine, "feeds_dir", "directory %s does not exist (create it, or remove feeds_dir to use only the inline sources)", shownDir)
	}
	fileSources, errs := loadFeedsDir(rc.FeedsDir, shownDir)
	errs = append(d.sortedErrs(), errs...)
	all := append(fileSources, rc.sources...)
	return finish(rc, all, errs)
}

// Parse reads config.yaml from r. file names it in errors; dir is the base
// for relative data_dir and feeds_dir (the working directory if ""). Inline
// sources are decoded and validated; feeds_dir is not read. Config.Path is
// left empty.
func Parse(r io.Reader, file string, dir string) (*Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", file, err)
	}
	if dir == "" {
		dir = "."
	}
	d := &decoder{file: file}
	rc := d.parseConfig(data, absOrSelf(dir))
	return finish(rc, rc.sources, d.sortedErrs())
}

// ParseSource reads one source file (a feeds/*.yaml) from r. file names it
// in errors and in Source.File; defaultName is the name used when the file
// has no `name:` (Load passes the file name without its extension). Fields
// left out take the built-in defaults (see Default); Load applies the
// config file's defaults instead.
func ParseSource(r io.Reader, file string, defaultName string) (Source, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Source{}, fmt.Errorf("config: read %s: %w", file, err)
	}
	d := &decoder{file: file}
	ps := d.parseSourceFile(data, defaultName)
	if len(d.errs) > 0 {
		return Source{}, errors.Join(d.sortedErrs()...)
	}
	df := Default()
	return ps.withDefaults(df.Defaults, df.HTTP), nil
}

// Source returns a pointer to the source called name in c.Sources. It
// scans rather than bisects so it also works on a Config built by hand.
func (c *Config) Source(name string) (*Source, bool) {
	for i := range c.Sources {
		if c.Sources[i].Name == name {
			return &c.Sources[i], true
		}
	}
	return nil, false
}

func (d *decoder) parseConfig(data []byte, dir string) rawConfig {
	body, ok := d.parseDocument(data)
	if !ok {
		body = nil
	}
	rc := d.decodeConfig(body)
	rc.DataDir = resolve(dir, rc.dataDir)
	rc.FeedsDir = resolve(dir, rc.feedsDir)
	return rc
}

func resolve(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

func (d *decoder) parseSourceFile(data []byte, defaultName string) parsedSource {
	body, ok := d.parseDocument(data)
	if !ok {
		return parsedSource{Source: Source{Name: defaultName, File: d.file, Line: 1}}
	}
	ps, _ := d.decodeSource(body, "", 1, defaultName)
	return ps
}

// loadFeedsDir parses every source file in dir; shownDir is dir as the user
// would write it, for errors and Source.File.
func loadFeedsDir(dir, shownDir string) ([]parsedSource, []error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, []error{fmt.Errorf("config: read feeds_dir: %w", err)}
	}
	var out []parsedSource
	var errs []error
	for _, ent := range ents { // ReadDir sorts by name
		name := ent.Name()
		ext := filepath.Ext(name)
		if strings.HasPrefix(name, ".") || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		full := filepath.Join(dir, name)
		if fi, err := os.Stat(full); err != nil || fi.IsDir() {
			if err != nil {
				errs = append(errs, fmt.Errorf("config: %w", err))
			}
			continue
		}
		data, err := os.ReadFile(full)
		if err != nil {
			errs = append(errs, fmt.Errorf("config: %w", err))
			continue
		}
		d := &decoder{file: filepath.Join(shownDir, name)}
		ps := d.parseSourceFile(data, strings.TrimSuffix(name, ext))
		errs = append(errs, d.sortedErrs()...)
		out = append(out, ps)
	}
	return out, errs
}

// finish applies defaults to the sources, checks that names are unique,
// sorts them, and returns the config or every error found.
func finish(rc rawConfig, sources []parsedSource, errs []error) (*Config, error) {
	byName := map[string]parsedSource{}
	for _, ps := range sources {
		if first, dup := byName[ps.Name]; dup && ps.Name != "" {
			errs = append(errs, &Error{File: ps.File, Line: ps.nameLine, Field: ps.namePath,
				Msg: fmt.Sprintf("duplicate source name %q: also defined at %s:%d", ps.Name, first.File, first.nameLine)})
			continue
		}
		byName[ps.Name] = ps
		rc.Sources = append(rc.Sources, ps.withDefaults(rc.Defaults, rc.HTTP))
	}
	errs = append(errs, checkNotify(rc.Notify, rc.Sources)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(rc.Sources, func(a, b Source) int { return strings.Compare(a.Name, b.Name) })
	c := rc.Config
	return &c, nil
}

func (ps parsedSource) withDefaults(df Defaults, h HTTP) Source {
	s := ps.Source
	if !ps.hasSchedule {
		s.Schedule = df.Schedule
	}
	if !ps.hasWatch {
		s.Watch = slices.Clone(df.Watch)
	}
	if !ps.hasRobots {
		s.RespectRobots = h.RespectRobots
	}
	return s
}
