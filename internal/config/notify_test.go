package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

const notifySources = `sources:
  - name: rome
    feed: https://rome.example/rss
`

func TestNotifyParse(t *testing.T) {
	cfg, err := Parse(strings.NewReader(notifySources+`notify:
  - url: https://hooks.example.org/annalist?token=abc
    events: [new, gone, moved]
    secret_env: ANNALIST_HOOK_SECRET
    sources: [rome]
  - url: http://hooks.example.org/all
    secret: plain
`), "config.yaml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Notify) != 2 {
		t.Fatalf("notify = %+v", cfg.Notify)
	}
	a, b := cfg.Notify[0], cfg.Notify[1]
	if a.URL != "https://hooks.example.org/annalist?token=abc" || !slices.Equal(a.Events, []string{"new", "gone", "moved"}) ||
		a.SecretEnv != "ANNALIST_HOOK_SECRET" || !slices.Equal(a.Sources, []string{"rome"}) || a.Line != 5 || a.File != "config.yaml" {
		t.Errorf("first webhook = %+v", a)
	}
	if !slices.Equal(b.Events, DefaultNotifyEvents) || b.Secret != "plain" || len(b.Sources) != 0 {
		t.Errorf("second webhook = %+v, want the default events", b)
	}
	env := map[string]string{"ANNALIST_HOOK_SECRET": "from-env"}
	if s, err := a.SecretValue(func(k string) string { return env[k] }); err != nil || s != "from-env" {
		t.Errorf("SecretValue = %q, %v", s, err)
	}
	_, err = a.SecretValue(func(string) string { return "" })
	var ce *Error
	if !errors.As(err, &ce) || ce.Line != 5 || !strings.Contains(err.Error(), "ANNALIST_HOOK_SECRET") || !strings.Contains(err.Error(), "config.yaml:5") {
		t.Errorf("unset secret_env: %v, want an error naming config.yaml:5 and the variable", err)
	}
	if s, err := b.SecretValue(nil); err != nil || s != "plain" {
		t.Errorf("SecretValue = %q, %v", s, err)
	}
}

func TestNotifyErrors(t *testing.T) {
	_, err := Parse(strings.NewReader(notifySources+`notify:
  - url: ftp://hooks.example.org/x
    events: [new, edited, new]
    secret: a
    secret_env: B
    sources: [rome, carthage]
    retries: 3
  - events: [gone]
  - url: https://dup.example/
  - url: https://dup.example/
    events: []
`), "config.yaml", t.TempDir())
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`config.yaml:5: notify[0].url: invalid URL "ftp://hooks.example.org/x"`,
		`config.yaml:6: notify[0].events[1]: unknown event "edited"`,
		`config.yaml:6: notify[0].events[2]: event "new" listed twice`,
		`config.yaml:7: notify[0].secret_env: set secret or secret_env, not both`,
		`config.yaml:9: notify[0].sources[1]: no source named "carthage"`,
		`config.yaml:10: notify[0].retries: unknown field "retries"`,
		`config.yaml:11: notify[1].url: required`,
		`config.yaml:13: notify[3].url: webhook https://dup.example/ is listed twice (also at line 12)`,
		`config.yaml:14: notify[3].events: empty`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("not ErrInvalid: %v", err)
	}
}
