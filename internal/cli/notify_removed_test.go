package cli_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// A webhook removed from notify: leaves no notification pending forever:
// the next fetch gives its pending ones up, and `sources --json` says why.
func TestRemovedWebhookNotificationsGivenUp(t *testing.T) {
	f := newFixture(t)
	rcv := newHookReceiver(t, "s")
	rcv.setFail(true)
	withHook := fmt.Sprintf("data_dir: archive\nhttp:\n  per_host_interval: 0s\n  allow_private_networks: true\nnotify:\n  - url: %s/hook\n    secret: s\n", rcv.URL)
	if err := os.WriteFile(f.cfg, []byte(withHook), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := f.run("fetch"); code != 0 {
		t.Fatalf("fetch: exit %d: %s", code, stderr)
	}
	n := len(f.site.Slugs())
	var rows []map[string]any
	f.runJSON(&rows, "sources", "--json")
	if note, _ := rows[0]["notify"].(map[string]any); note == nil || note["pending"].(float64) != float64(n) {
		t.Fatalf("with a failing receiver, sources --json notify = %v; want %d pending", rows[0]["notify"], n)
	}

	without := "data_dir: archive\nhttp:\n  per_host_interval: 0s\n  allow_private_networks: true\n"
	if err := os.WriteFile(f.cfg, []byte(without), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := f.run("fetch"); code != 0 {
		t.Fatalf("fetch without the webhook: exit %d: %s", code, stderr)
	}
	f.runJSON(&rows, "sources", "--json")
	note, _ := rows[0]["notify"].(map[string]any)
	if note == nil || note["pending"].(float64) != 0 || note["failed"].(float64) != float64(n) ||
		!strings.Contains(note["last_error"].(string), "removed from the configuration") {
		t.Fatalf("after the webhook's removal, sources --json notify = %v; want %d failed, 0 pending, the reason", rows[0]["notify"], n)
	}
}
