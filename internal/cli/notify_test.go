package cli_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"annalist/internal/cli"
)

// hookReceiver is a loopback webhook receiver: it answers fail with 500
// while fail > 0, else 200, and checks each body's signature.
type hookReceiver struct {
	*httptest.Server
	mu   sync.Mutex
	fail bool
	got  []map[string]any
	bad  []string
}

func newHookReceiver(t *testing.T, secret string) *hookReceiver {
	r := &hookReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if got := req.Header.Get("X-Annalist-Signature"); got != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			r.bad = append(r.bad, "bad signature "+got)
		}
		if r.fail {
			http.Error(w, "receiver down", http.StatusInternalServerError)
			return
		}
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil {
			r.bad = append(r.bad, "not JSON: "+string(body))
		}
		r.got = append(r.got, p)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *hookReceiver) accepted() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.got...)
}

func (r *hookReceiver) setFail(v bool) { r.mu.Lock(); r.fail = v; r.mu.Unlock() }

// runEnv is f.run with more environment variables.
func (f *fixture) runEnv(env map[string]string, args ...string) (string, string, int) {
	f.t.Helper()
	var out, errb bytes.Buffer
	m := &cli.Main{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""),
		Getenv: func(k string) string {
			if k == "ANNALIST_CONFIG" {
				return f.cfg
			}
			return env[k]
		}}
	code := m.Run(context.Background(), args)
	return out.String(), errb.String(), code
}

// `fetch` delivers the events it archived to the configured webhook,
// signed with the secret from the environment; an unchanged re-fetch sends
// nothing; a revision sends its diff; a failing receiver shows in
// `sources` and `sources --json`.
func TestFetchNotifiesWebhook(t *testing.T) {
	f := newFixture(t)
	rcv := newHookReceiver(t, "topsecret")
	cfg := fmt.Sprintf("data_dir: archive\nhttp:\n  per_host_interval: 0s\n  allow_private_networks: true\nweb:\n  base_url: https://archive.example.org\nnotify:\n  - url: %s/hook\n    events: [new, revised]\n    secret_env: HOOK_SECRET\n", rcv.URL)
	if err := os.WriteFile(f.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOOK_SECRET": "topsecret"}

	// The secret's variable unset: a configuration error naming the line.
	if _, stderr, code := f.run("fetch"); code != 2 || !strings.Contains(stderr, "config.yaml:8") || !strings.Contains(stderr, "HOOK_SECRET") {
		t.Fatalf("fetch without HOOK_SECRET: exit %d, stderr %s; want 2 naming config.yaml:8 and the variable", code, stderr)
	}

	if _, stderr, code := f.runEnv(env, "fetch"); code != 0 {
		t.Fatalf("fetch: exit %d: %s", code, stderr)
	}
	n := len(f.site.Slugs())
	got := rcv.accepted()
	if len(got) != n {
		t.Fatalf("receiver got %d notifications, want %d (one per new article)", len(got), n)
	}
	for _, p := range got {
		if p["event"] != "new" || p["source"] != "mondo-history" || !strings.HasPrefix(p["snapshot_url"].(string), "https://archive.example.org/a/") {
			t.Fatalf("payload = %v", p)
		}
	}

	// Unchanged (only the view counter moved): nothing sent.
	f.site.SetViews(sample, 12345)
	if _, stderr, code := f.runEnv(env, "fetch", "--recheck", "all"); code != 0 {
		t.Fatalf("re-fetch: exit %d: %s", code, stderr)
	}
	if len(rcv.accepted()) != n {
		t.Fatalf("an unchanged re-fetch sent %d notifications", len(rcv.accepted())-n)
	}

	// A revision: one notification with its diff.
	f.site.Revise(sample, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), func(ps []string) []string {
		return append(ps, "A paragraph added in the revision about the Kuomintang archives.")
	})
	if _, stderr, code := f.runEnv(env, "fetch", "--recheck", "all"); code != 0 {
		t.Fatalf("fetch after revision: exit %d: %s", code, stderr)
	}
	got = rcv.accepted()
	if len(got) != n+1 {
		t.Fatalf("after a revision the receiver has %d notifications, want %d", len(got), n+1)
	}
	rev := got[n]
	if rev["event"] != "revised" || rev["words_added"].(float64) < 5 || !strings.Contains(fmt.Sprint(rev["diff"]), "Kuomintang") {
		t.Fatalf("revised payload = %v", rev)
	}

	// The receiver fails: the notification stays queued and shows.
	rcv.setFail(true)
	f.site.Revise(sample, time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC), func(ps []string) []string {
		return append(ps, "Another paragraph, added while the receiver is down.")
	})
	if _, stderr, code := f.runEnv(env, "fetch", "--recheck", "all"); code != 0 {
		t.Fatalf("fetch with a failing receiver: exit %d (a webhook failure is not the fetch's): %s", code, stderr)
	}
	out, _, _ := f.run("sources")
	if !strings.Contains(out, "mondo-history: notifications: 0 failed (given up), 1 retrying") || !strings.Contains(out, "500") {
		t.Fatalf("sources does not show the failing webhook:\n%s", out)
	}
	var rows []map[string]any
	f.runJSON(&rows, "sources", "--json")
	note, _ := rows[0]["notify"].(map[string]any)
	if note == nil || note["delivered"].(float64) != float64(n+1) || note["pending"].(float64) != 1 || note["retrying"].(float64) != 1 ||
		note["failed"].(float64) != 0 || !strings.Contains(note["last_error"].(string), "500 Internal Server Error") {
		t.Fatalf("sources --json notify = %v", rows[0]["notify"])
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bad) > 0 {
		t.Fatalf("receiver rejected: %v", rcv.bad)
	}
}
