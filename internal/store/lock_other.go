//go:build !unix

package store

import "os"

// lockSupported is false where flock is unavailable: .open files are then
// left alone rather than repaired under a writer that may still be alive.
const lockSupported = false

func tryLock(f *os.File) (bool, error) { return false, nil }
