package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExtractJSONEmptyListsAreArrays: every list in `extract --json` is an
// array, [] when empty, never null (the contract of every --json output).
func TestExtractJSONEmptyListsAreArrays(t *testing.T) {
	f := newFixture(t)
	page := filepath.Join(t.TempDir(), "page.html")
	html := `<html><head><title>Essay</title></head><body><article><h1>Essay</h1><p>` +
		strings.Repeat("Words of the essay on the grain fleets of the Grand Canal. ", 20) + `</p></article></body></html>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := f.run("extract", "--format", "json", "--url", "https://history.example/essay", page)
	if code != 0 {
		t.Fatalf("extract: exit %d\n%s", code, stderr)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"warnings", "template"} {
		if got := string(raw[k]); got != "[]" {
			t.Errorf("%q = %s, want []", k, got)
		}
	}
	for _, k := range []string{"matched", "removed_by", "dropped"} {
		if got := string(raw[k]); !strings.HasPrefix(got, "{") {
			t.Errorf("%q = %s, want an object", k, got)
		}
	}
}
