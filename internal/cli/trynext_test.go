package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoTryNextRunsAsPrinted (issue 12, point 2): the commands the demo
// prints under "Try next" run as printed, in a shell, from the directory
// the demo ran in, whether annalist was found on PATH or typed as a path,
// and with a data directory whose name needs quoting.
func TestDemoTryNextRunsAsPrinted(t *testing.T) {
	bin := annalistBinary(t)
	for _, tc := range []struct {
		name string
		arg0 string // how annalist is typed
		path string // PATH for the shell
	}{
		{"on PATH", "annalist", filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH")},
		{"as a path", bin, os.Getenv("PATH")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			data := "my demo's archive"
			cmd := exec.Command(bin, "demo", "--data", data)
			cmd.Args[0] = tc.arg0 // as a shell passes it: "annalist" when found on PATH
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "PATH="+tc.path, "ANNALIST_CONFIG=")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("demo: %v\n%s", err, out)
			}
			_, after, ok := strings.Cut(string(out), "\nTry next:\n")
			if !ok {
				t.Fatalf("demo printed no Try next:\n%s", out)
			}
			var lines []string
			for _, l := range strings.Split(after, "\n") {
				if !strings.HasPrefix(l, "  ") {
					break
				}
				lines = append(lines, strings.TrimSpace(l))
			}
			if len(lines) < 4 {
				t.Fatalf("Try next has %d lines:\n%s", len(lines), after)
			}
			for _, l := range lines {
				if !strings.HasPrefix(l, tc.arg0) && !strings.HasPrefix(l, "'"+tc.arg0) {
					t.Errorf("%q does not start annalist as it was started (%s)", l, tc.arg0)
				}
				sh := exec.Command("sh", "-c", l)
				sh.Dir = work
				sh.Env = append(os.Environ(), "PATH="+tc.path, "ANNALIST_CONFIG=")
				res, err := sh.CombinedOutput()
				if err != nil || len(strings.TrimSpace(string(res))) == 0 {
					t.Errorf("%q as printed: %v\n%s", l, err, res)
				}
			}
		})
	}
}
