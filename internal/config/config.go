// Package config loads and validates annalist's config.yaml and feeds/*.yaml.
package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Config is the whole validated configuration: config.yaml plus every
// source from feeds_dir and the inline sources list.
type Config struct {
	Path    string // absolute path of the config file loaded ("" for Default())
	DataDir string // absolute; holds annalist.db and warc/
	// Database is the index's database: "" = SQLite (annalist.db in
	// DataDir); a postgres:// URL = that PostgreSQL database, shared by
	// every worker (key `database`, overridden by $ANNALIST_DATABASE).
	Database string
	// DatabaseFrom says where Database was set, for errors: "FILE:LINE"
	// of the database key, or "$ANNALIST_DATABASE".
	DatabaseFrom string
	FeedsDir     string // absolute
	UserAgent    string
	HTTP         HTTP
	Defaults     Defaults
	Web          Web
	Sources      []Source // sorted by Name; names unique
	// Notify lists the webhooks told of archive events (config key `notify`).
	Notify []Notify
}

// Notify events: what a webhook can ask to be told of.
var NotifyEvents = []string{"new", "revised", "gone", "back", "moved"}

// DefaultNotifyEvents are a webhook's events when it lists none.
var DefaultNotifyEvents = []string{"new", "revised", "gone"}

// Notify is one webhook (an element of `notify:`).
type Notify struct {
	URL    string   // absolute http(s) URL the events are POSTed to
	Events []string // subset of NotifyEvents; default DefaultNotifyEvents
	// Secret signs each body (HMAC-SHA256); SecretEnv names the environment
	// variable holding it instead, read by SecretValue. At most one is set.
	Secret    string
	SecretEnv string
	Sources   []string // names of configured sources; empty = all
	File      string   // file that defined it
	Line      int      // line of its definition in File

	sourceLines []int // of each Sources entry, for "no such source"
}

// SecretValue is the webhook's secret: Secret, or the value of SecretEnv
// (an error naming file and line when that variable is unset or empty).
func (n Notify) SecretValue(getenv func(string) string) (string, error) {
	if n.SecretEnv == "" {
		return n.Secret, nil
	}
	v := getenv(n.SecretEnv)
	if v == "" {
		return "", &Error{File: n.File, Line: n.Line, Field: "notify.secret_env",
			Msg: fmt.Sprintf("environment variable %s (the secret of webhook %s) is not set", n.SecretEnv, n.URL)}
	}
	return v, nil
}

// HTTP holds the fetcher's settings (config key `http`).
type HTTP struct {
	Timeout              time.Duration // whole request, body included; default 20s
	MaxBody              int64         // bytes after decompression; default 15 MiB ("15MiB", "500KB", plain integers accepted)
	PerHostInterval      time.Duration // default 1s; 0 = none
	PerHostConcurrency   int           // default 2
	RespectRobots        bool          // default true
	AllowPrivateNetworks bool          // default false
	MaxItems             int           // per-poll item cap, default 500 (key `max_items`)
}

// Defaults are applied to sources that leave a field out (config key `defaults`).
type Defaults struct {
	Schedule string          // default "@every 1h"
	Watch    []time.Duration // default [1h 6h 24h 72h 168h 720h]
}

// Web is the web UI listener (config key `web`).
type Web struct {
	Listen string // default "127.0.0.1:8080"
	// BaseURL is the archive's public address ("https://archive.example.org"),
	// put before snapshot paths in citations; "" = derived from Listen.
	BaseURL string
}

// ArchiveBase is the URL before snapshot paths in citations made outside a
// request (the CLI): BaseURL, else http:// and Listen.
func (w Web) ArchiveBase() string {
	if w.BaseURL != "" {
		return strings.TrimRight(w.BaseURL, "/")
	}
	return "http://" + w.Listen
}

// Source is one configured site.
type Source struct {
	Name  string // from `name`, else the file name without .yaml
	Title string
	Feed  string // absolute http(s) URL
	// Site is the site's home page (`site`, optional): OPML's htmlUrl.
	Site string
	// Category groups sources (`category`, optional): an OPML folder.
	Category      string
	Schedule      string // cron spec, default from Defaults.Schedule
	Watch         []time.Duration
	Selectors     Selectors
	Ignore        []string         // regexps as written
	IgnoreRE      []*regexp.Regexp // compiled Ignore
	RespectRobots bool             // from the source's `respect_robots`, else HTTP.RespectRobots
	// NoFollowPages is `follow_pages: false`: archive page 1 of a
	// paginated article only. The zero value follows, as the default does.
	NoFollowPages bool
	File          string // file that defined it
	Line          int    // line of its definition in File
}

// Selectors are goquery CSS selectors; every one is optional.
type Selectors struct {
	Title     string
	Body      string
	Updated   string
	Published string
	Byline    string
	Remove    []string
	// NextPage names a paginated article's link to its next page
	// (`selectors.next_page`); "" = found by extract.NextPage's rules.
	NextPage string
}

// Empty reports whether no extraction selector is set. NextPage is not
// one: it chooses pages to fetch, not what is extracted from them.
func (s Selectors) Empty() bool {
	return s.Title == "" && s.Body == "" && s.Updated == "" && s.Published == "" && s.Byline == "" && len(s.Remove) == 0
}
