//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// lockSupported says whether tryLock can tell a live writer's file.
const lockSupported = true

// tryLock takes an exclusive advisory lock on f without waiting. It reports
// false when another open file holds it (a live writer).
func tryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}
