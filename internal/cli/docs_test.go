package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsNameWhatTheRepositoryHas (issue 12, point 9): the README names
// only files a clone has (outside the one paragraph that says where the
// benchmark data set lives), config.yaml says the web UI is served, and
// help does not send the daemon "to the background".
func TestDocsNameWhatTheRepositoryHas(t *testing.T) {
	root, _ := filepath.Abs("../..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	bench := strings.Index(text, "## Benchmarks")
	if bench < 0 {
		t.Fatal("README has no Benchmarks section")
	}
	if i := strings.Index(text[:bench], "../shared/"); i >= 0 {
		t.Errorf("README points at a file outside the repository: %q", text[max(0, i-60):i+40])
	}
	placeholderRE := regexp.MustCompile(`(^|/)[A-Z]{2,}(\.|/|$)`)
	pathRE := regexp.MustCompile("`((?:internal|cmd|feeds|archive)/[A-Za-z0-9_./*-]*)`")
	for _, m := range pathRE.FindAllStringSubmatch(text, -1) {
		p := strings.TrimSuffix(m[1], "/")
		switch {
		case p == "archive/raw": // a benchmark metric's name, not a path
			continue
		case p == "archive/data.warc.gz": // a member of an exported WACZ
			continue
		case placeholderRE.MatchString(p): // feeds/NAME.yaml: a name the user picks
			continue
		}
		matches, _ := filepath.Glob(filepath.Join(root, p))
		if len(matches) == 0 {
			t.Errorf("README names %s, which the repository does not have", m[1])
		}
	}
	cfg, err := os.ReadFile(filepath.Join(root, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cfg), "not served yet") {
		t.Error(`config.yaml still says the web UI is "not served yet"`)
	}
	f := newFixture(t)
	help, _, _ := f.run("help")
	daemonHelp, _, _ := f.run("help", "daemon")
	if strings.Contains(help+daemonHelp, "in the background") {
		t.Errorf("help says the daemon runs in the background:\n%s", help)
	}
}
