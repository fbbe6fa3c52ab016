package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// envNameRE is a portable environment variable name.
var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// decodeNotify decodes one webhook of `notify:`.
func (d *decoder) decodeNotify(it entry) (Notify, bool) {
	line := it.line
	if l := lineOf(d.resolve(it.value)); l > 0 {
		line = l
	}
	n := Notify{File: d.file, Line: line}
	es, isMap := d.fields(it.value, it.path, line, "url", "events", "secret", "secret_env", "sources")
	if !isMap {
		return n, false
	}
	secretLine := 0
	for _, e := range es {
		switch e.key {
		case "url":
			if s, set, ok := d.str(e); set && ok {
				n.URL = s
				if err := checkHTTPURL(s); err != nil {
					d.errorf(e.line, e.path, "%v", err)
				}
			}
		case "events":
			items, set, _ := d.list(e)
			if set && len(items) == 0 {
				d.errorf(e.line, e.path, "empty: list some of %s, or leave events out for %s", strings.Join(NotifyEvents, ", "), strings.Join(DefaultNotifyEvents, ", "))
			}
			for _, ev := range items {
				v, set, ok := d.str(ev)
				if !ok {
					continue
				}
				switch {
				case !set || !slices.Contains(NotifyEvents, v):
					d.errorf(ev.line, ev.path, "unknown event %q: want one of %s", v, strings.Join(NotifyEvents, ", "))
				case slices.Contains(n.Events, v):
					d.errorf(ev.line, ev.path, "event %q listed twice", v)
				default:
					n.Events = append(n.Events, v)
				}
			}
		case "secret":
			if s, set, ok := d.str(e); set && ok {
				if s == "" {
					d.errorf(e.line, e.path, "must not be empty (leave it out for unsigned deliveries)")
				}
				n.Secret, secretLine = s, e.line
			}
		case "secret_env":
			if s, set, ok := d.str(e); set && ok {
				if !envNameRE.MatchString(s) {
					d.errorf(e.line, e.path, "invalid environment variable name %q", s)
				}
				n.SecretEnv = s
				if secretLine == 0 {
					secretLine = e.line
				}
			}
		case "sources":
			items, _, _ := d.list(e)
			for _, src := range items {
				v, set, ok := d.str(src)
				if !ok {
					continue
				}
				if !set || v == "" {
					d.errorf(src.line, src.path, "empty source name")
					continue
				}
				n.Sources = append(n.Sources, v)
				n.sourceLines = append(n.sourceLines, src.line)
			}
		}
	}
	if n.Secret != "" && n.SecretEnv != "" {
		d.errorf(secretLine, join(it.path, "secret_env"), "set secret or secret_env, not both")
	}
	if n.URL == "" {
		d.errorf(line, join(it.path, "url"), "required: the URL events are POSTed to")
	}
	if len(n.Events) == 0 {
		n.Events = slices.Clone(DefaultNotifyEvents)
	}
	return n, true
}

// checkNotify reports webhooks listed twice and source names that name no
// configured source.
func checkNotify(hooks []Notify, sources []Source) []error {
	var errs []error
	seen := map[string]int{}
	for i, n := range hooks {
		if first, dup := seen[n.URL]; dup && n.URL != "" {
			errs = append(errs, &Error{File: n.File, Line: n.Line, Field: fmt.Sprintf("notify[%d].url", i),
				Msg: fmt.Sprintf("webhook %s is listed twice (also at line %d): give it one entry with every event", n.URL, first)})
		}
		seen[n.URL] = n.Line
		for j, name := range n.Sources {
			if !slices.ContainsFunc(sources, func(s Source) bool { return s.Name == name }) {
				errs = append(errs, &Error{File: n.File, Line: n.sourceLines[j], Field: fmt.Sprintf("notify[%d].sources[%d]", i, j),
					Msg: fmt.Sprintf("no source named %q", name)})
			}
		}
	}
	return errs
}
