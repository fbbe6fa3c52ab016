package extract

import (
	"os"
	"path/filepath"
	"testing"
)

// DevDataDir is the extraction-dev data set named by
// $ANNALIST_EXTRACTION_DATA, for tests and benchmarks on real pages. A
// relative path is taken from the working directory, else from the module
// root (go test runs in the package's directory, while the README's
// commands are typed at the root). It skips tb, saying why, when the
// variable is unset or names no data set.
func DevDataDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("ANNALIST_EXTRACTION_DATA")
	if dir == "" {
		tb.Skip("ANNALIST_EXTRACTION_DATA not set (e.g. ../shared/data/extraction-dev); skipping real pages")
	}
	if !hasDevData(dir) && !filepath.IsAbs(dir) {
		if root := moduleRoot(); root != "" && hasDevData(filepath.Join(root, dir)) {
			dir = filepath.Join(root, dir)
		}
	}
	if !hasDevData(dir) {
		tb.Skipf("ANNALIST_EXTRACTION_DATA=%s has no html/ folder; skipping", dir)
	}
	return dir
}

func hasDevData(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "html"))
	return err == nil
}

// moduleRoot is the nearest directory at or above the working directory
// that holds go.mod ("" if none).
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
