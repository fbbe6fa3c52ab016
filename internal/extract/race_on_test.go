//go:build race

package extract

// raceEnabled: under the race detector sync.Pool drops a quarter of what
// is put back, on purpose, so allocation counts are not exact.
const raceEnabled = true
