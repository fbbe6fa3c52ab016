//go:build race

package fetch_test

// raceEnabled: the race detector's shadow memory inflates RSS several times.
const raceEnabled = true
