package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// rawConfig is config.yaml as decoded, before paths are resolved and the
// defaults are copied into sources.
type rawConfig struct {
	Config
	dataDir, feedsDir string // as written, relative to the config file
	feedsDirLine      int    // line of an explicit feeds_dir; 0 when left to the default
	sources           []parsedSource
}

// parsedSource is a decoded source plus which optional fields were left
// out, so Load can fill them from config.yaml's defaults.
type parsedSource struct {
	Source
	hasSchedule, hasWatch, hasRobots bool
	nameLine                         int
	namePath                         string // field path of `name`, for duplicate errors
}

// decodeConfig decodes the body of config.yaml over Default()'s values.
func (d *decoder) decodeConfig(body ast.Node) rawConfig {
	rc := rawConfig{Config: *Default(), dataDir: defaultDataDir, feedsDir: defaultFeedsDir}
	es, _ := d.fields(body, "", lineOf(body),
		"data_dir", "database", "feeds_dir", "user_agent", "http", "defaults", "web", "sources", "notify")
	for _, e := range es {
		switch e.key {
		case "data_dir":
			d.nonEmptyString(e, &rc.dataDir)
		case "database":
			if s, set, ok := d.str(e); set && ok && s != "" {
				if err := CheckDatabase(s); err != nil {
					d.errorf(e.line, e.path, "%v", err)
				}
				rc.Database = s
				rc.DatabaseFrom = fmt.Sprintf("%s:%d", d.file, e.line)
			}
		case "feeds_dir":
			d.nonEmptyString(e, &rc.feedsDir)
			rc.feedsDirLine = e.line
		case "user_agent":
			d.nonEmptyString(e, &rc.UserAgent)
		case "http":
			d.decodeHTTP(e, &rc.HTTP)
		case "defaults":
			d.decodeDefaults(e, &rc.Defaults)
		case "web":
			d.decodeWeb(e, &rc.Web)
		case "notify":
			items, _, _ := d.list(e)
			for _, it := range items {
				if n, ok := d.decodeNotify(it); ok {
					rc.Notify = append(rc.Notify, n)
				}
			}
		case "sources":
			items, _, _ := d.list(e)
			for _, it := range items {
				if ps, ok := d.decodeSource(it.value, it.path, it.line, ""); ok {
					rc.sources = append(rc.sources, ps)
				}
			}
		}
	}
	return rc
}

func (d *decoder) nonEmptyString(e entry, dst *string) {
	s, set, ok := d.str(e)
	if !set || !ok {
		return
	}
	if s == "" {
		d.errorf(e.line, e.path, "must not be empty")
		return
	}
	*dst = s
}

func (d *decoder) decodeHTTP(parent entry, h *HTTP) {
	es, _ := d.fields(parent.value, parent.path, parent.line,
		"timeout", "max_body", "per_host_interval", "per_host_concurrency",
		"respect_robots", "allow_private_networks", "max_items")
	for _, e := range es {
		switch e.key {
		case "timeout":
			if v, set, _ := d.duration(e); set {
				if v <= 0 {
					d.errorf(e.line, e.path, "must be positive, got %s", v)
				}
				h.Timeout = v
			}
		case "max_body":
			if v, set, _ := d.size(e); set {
				if v <= 0 {
					d.errorf(e.line, e.path, "must be positive, got %d", v)
				}
				h.MaxBody = v
			}
		case "per_host_interval":
			if v, set, _ := d.duration(e); set {
				if v < 0 {
					d.errorf(e.line, e.path, "must not be negative, got %s (0s means no pause)", v)
				}
				h.PerHostInterval = v
			}
		case "per_host_concurrency":
			if v, set, _ := d.integer(e); set {
				if v < 1 {
					d.errorf(e.line, e.path, "must be at least 1, got %d", v)
				}
				h.PerHostConcurrency = v
			}
		case "respect_robots":
			if v, set, _ := d.boolean(e); set {
				h.RespectRobots = v
			}
		case "allow_private_networks":
			if v, set, _ := d.boolean(e); set {
				h.AllowPrivateNetworks = v
			}
		case "max_items":
			if v, set, _ := d.integer(e); set {
				if v < 1 {
					d.errorf(e.line, e.path, "must be at least 1, got %d", v)
				}
				h.MaxItems = v
			}
		}
	}
}

func (d *decoder) decodeDefaults(parent entry, df *Defaults) {
	es, _ := d.fields(parent.value, parent.path, parent.line, "schedule", "watch")
	for _, e := range es {
		switch e.key {
		case "schedule":
			d.schedule(e, &df.Schedule)
		case "watch":
			if v, set, ok := d.durations(e); set && ok {
				df.Watch = v
			}
		}
	}
}

func (d *decoder) decodeWeb(parent entry, w *Web) {
	es, _ := d.fields(parent.value, parent.path, parent.line, "listen", "base_url")
	for _, e := range es {
		s, set, ok := d.str(e)
		if !set || !ok {
			continue
		}
		switch e.key {
		case "listen":
			if err := checkListen(s); err != nil {
				d.errorf(e.line, e.path, "%v", err)
			}
			w.Listen = s
		case "base_url":
			if s == "" {
				continue // the default: derived from listen
			}
			if err := checkBaseURL(s); err != nil {
				d.errorf(e.line, e.path, "%v", err)
			}
			w.BaseURL = s
		}
	}
}

// schedule decodes and checks a cron spec; it reports whether one was set.
func (d *decoder) schedule(e entry, dst *string) bool {
	s, set, ok := d.str(e)
	if !set || !ok {
		return false
	}
	if _, err := parseSchedule(s); err != nil {
		d.errorf(e.line, e.path, "invalid schedule %q: %v", s, err)
	}
	*dst = s
	return true
}

// decodeSource decodes one source mapping. prefix is the field path of the
// mapping ("" in a feeds file, "sources[3]" inline); defaultName is used
// when `name` is absent, and "" makes `name` required. ok is false when the
// node is not a mapping at all.
func (d *decoder) decodeSource(n ast.Node, prefix string, line int, defaultName string) (parsedSource, bool) {
	if l := lineOf(d.resolve(n)); l > 0 {
		line = l
	}
	ps := parsedSource{Source: Source{Name: defaultName, File: d.file, Line: line}, nameLine: line, namePath: join(prefix, "name")}
	es, isMap := d.fields(n, prefix, line,
		"name", "title", "feed", "site", "category", "schedule", "watch", "respect_robots", "follow_pages", "selectors", "ignore")
	if !isMap {
		return ps, false
	}
	nameSet := false
	for _, e := range es {
		switch e.key {
		case "name":
			if s, set, ok := d.str(e); set && ok {
				ps.Name, ps.nameLine, nameSet = s, e.line, true
				if err := checkName(s); err != nil {
					d.errorf(e.line, e.path, "%v", err)
				}
			}
		case "title":
			ps.Title, _, _ = d.str(e)
		case "feed":
			if s, set, ok := d.str(e); set && ok {
				ps.Feed = s
				if err := checkFeedURL(s); err != nil {
					d.errorf(e.line, e.path, "%v", err)
				}
			}
		case "site":
			if s, set, ok := d.str(e); set && ok && s != "" {
				ps.Site = s
				if err := checkSiteURL(s); err != nil {
					d.errorf(e.line, e.path, "%v", err)
				}
			}
		case "category":
			if s, set, ok := d.str(e); set && ok {
				ps.Category = s
				if err := checkCategory(s); err != nil {
					d.errorf(e.line, e.path, "%v", err)
				}
			}
		case "schedule":
			ps.hasSchedule = d.schedule(e, &ps.Schedule)
		case "watch":
			if v, set, ok := d.durations(e); set && ok {
				ps.Watch, ps.hasWatch = v, true
			}
		case "respect_robots":
			ps.RespectRobots, ps.hasRobots, _ = d.boolean(e)
		case "follow_pages":
			if v, set, _ := d.boolean(e); set {
				ps.NoFollowPages = !v
			}
		case "selectors":
			d.decodeSelectors(e, &ps.Selectors)
		case "ignore":
			d.decodeIgnore(e, &ps.Source)
		}
	}
	if !nameSet {
		f := join(prefix, "name")
		switch {
		case defaultName == "":
			d.errorf(line, f, "required for an inline source")
		default:
			if err := checkName(defaultName); err != nil {
				d.errorf(line, f, "%v (taken from the file name; add a `name:` field or rename the file)", err)
			}
		}
	}
	if ps.Feed == "" {
		d.errorf(line, join(prefix, "feed"), "%v", checkFeedURL(""))
	}
	return ps, true
}

func (d *decoder) decodeSelectors(parent entry, s *Selectors) {
	es, _ := d.fields(parent.value, parent.path, parent.line,
		"title", "body", "updated", "published", "byline", "remove", "next_page")
	one := func(e entry, dst *string) {
		v, set, ok := d.str(e)
		if !set || !ok || v == "" {
			return // an empty selector means "not set"
		}
		if err := checkSelector(v); err != nil {
			d.errorf(e.line, e.path, "%v", err)
		}
		*dst = v
	}
	for _, e := range es {
		switch e.key {
		case "title":
			one(e, &s.Title)
		case "body":
			one(e, &s.Body)
		case "updated":
			one(e, &s.Updated)
		case "published":
			one(e, &s.Published)
		case "byline":
			one(e, &s.Byline)
		case "next_page":
			one(e, &s.NextPage)
		case "remove":
			items, _, _ := d.list(e)
			for _, it := range items {
				v, set, ok := d.str(it)
				if !ok {
					continue
				}
				if err := checkSelector(v); !set || err != nil {
					if !set {
						err = fmt.Errorf("empty selector")
					}
					d.errorf(it.line, it.path, "%v", err)
					continue
				}
				s.Remove = append(s.Remove, v)
			}
		}
	}
}

func (d *decoder) decodeIgnore(e entry, src *Source) {
	items, _, _ := d.list(e)
	for _, it := range items {
		v, set, ok := d.str(it)
		if !ok {
			continue
		}
		if !set || v == "" {
			d.errorf(it.line, it.path, "empty pattern would match everything")
			continue
		}
		re, err := regexp.Compile(v)
		if err != nil {
			d.errorf(it.line, it.path, "invalid regexp %q: %v", v, err)
			continue
		}
		src.Ignore = append(src.Ignore, v)
		src.IgnoreRE = append(src.IgnoreRE, re)
	}
}

// CheckDatabase checks the value of `database` (or $ANNALIST_DATABASE): a
// postgres:// or postgresql:// URL with a host and a database name.
func CheckDatabase(s string) error {
	u, err := url.Parse(s)
	var ue *url.Error
	if errors.As(err, &ue) && (strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")) {
		// ue.Error() would quote the whole value, password and all.
		return fmt.Errorf("%q is not a valid URL: %v (a password with %%, @, : or / in it must be %%-escaped)", redactDB(s), ue.Err)
	}
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("%q is not a postgres:// URL (leave database out to keep SQLite in data_dir)", redactDB(s))
	}
	if u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return fmt.Errorf("%q needs a host and a database name (postgres://user@host:5432/annalist)", redactDB(s))
	}
	return nil
}

// redactDB hides a password in a database value shown in an error, also
// in a value that does not parse as a URL (a typo, a bad % escape, a
// key=value string): whatever stands between the user name's ':' and the
// '@', and a password= field.
func redactDB(s string) string {
	if u, err := url.Parse(s); err == nil {
		if u.User != nil {
			if _, has := u.User.Password(); has {
				u.User = url.UserPassword(u.User.Username(), "xxxxx")
				return u.String()
			}
		}
	}
	if at := strings.LastIndex(s, "@"); at >= 0 {
		start := strings.LastIndex(s[:at], "/") + 1
		if c := strings.Index(s[start:at], ":"); c >= 0 {
			s = s[:start+c+1] + "xxxxx" + s[at:]
		}
	}
	return passwordField.ReplaceAllString(s, "${1}xxxxx")
}

var passwordField = regexp.MustCompile(`(?i)(password\s*=\s*)(?:'[^']*'|\S+)`)
