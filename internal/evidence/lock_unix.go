//go:build unix

package evidence

import (
	"errors"
	"os"
	"syscall"
)

// LockSupported says whether TryLock can tell a live writer's file.
const LockSupported = true

// TryLock takes an exclusive advisory lock on f without waiting. It reports
// false when another open file holds it (a live writer).
func TryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}
