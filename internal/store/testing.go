package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// MustOpen opens a Store in a fresh temporary directory for a test and
// closes it when the test ends. It skips fsync: tests do not survive power
// loss anyway.
func MustOpen(tb testing.TB) *Store {
	tb.Helper()
	return MustOpenDir(tb, tb.TempDir(), Options{NoSync: true})
}

// MustOpenDir is MustOpen on a given directory with given options.
func MustOpenDir(tb testing.TB, dir string, opts Options) *Store {
	tb.Helper()
	s, err := Open(context.Background(), dir, opts)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return s
}

// TraceSyncs calls f with the base name of each file that Sync or Close
// fsyncs (annalist.db, its WAL, their directory) until restore is called:
// for tests of commands that must make what they report durable first.
// Not safe to use from parallel tests.
func TraceSyncs(f func(name string)) (restore func()) {
	prev := syncFile
	syncFile = func(fl *os.File) error {
		f(filepath.Base(fl.Name()))
		return prev(fl)
	}
	return func() { syncFile = prev }
}
