//go:build !unix

package evidence

import "os"

// LockSupported is false where flock is unavailable: .open files are then
// left alone rather than repaired under a writer that may still be alive.
const LockSupported = false

func TryLock(f *os.File) (bool, error) { return false, nil }
