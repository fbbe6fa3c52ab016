package cli_test

import (
	"strings"
	"testing"
)

// Flag values that would silently do something else must be refused as
// usage errors (issue 12, point 4).
func TestBadFlagValuesAreUsageErrors(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "--limit", "-3"}, "--limit -3"},
		{[]string{"search", "tea", "--limit", "-1"}, "--limit -1"},
		{[]string{"search", "tea", "--limit", "0"}, "--limit 0"},
		{[]string{"diff", "x", "--color", "blue"}, "auto, always or never"},
	} {
		out, stderr, code := f.run(tc.args...)
		if code != 2 {
			t.Errorf("annalist %v: exit %d, want 2\nstdout: %s\nstderr: %s", tc.args, code, out, stderr)
			continue
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("annalist %v: stderr %q does not name %q", tc.args, stderr, tc.want)
		}
	}
}
