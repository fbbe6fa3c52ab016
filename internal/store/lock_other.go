//go:build !unix

package store

import "os"

// tryLock reports false where flock is unavailable, so .open files are left
// alone rather than repaired under a writer that may still be alive.
func tryLock(f *os.File) (bool, error) { return false, nil }
