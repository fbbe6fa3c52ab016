package cli

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// pollHeadroom is the Go memory a harvest with that many workers in all
// may add to what the process held when it began, before the collector
// works harder to stay under it: room for the pages being extracted or
// built into records (one a processor each: harvest.Harvester.Extracting,
// store.prepareSlot), each worker's page in hand and the collector's own
// slack. Measured on the 72 extraction-dev pages at 4 workers (held at
// the start: ~8.5 MB): peak Go memory ~31 MiB without a limit, of which
// ~10 MiB freed pages not yet returned to the system. With 16 MiB + 1 MiB
// a worker peak RSS fell by ~3 MiB for ~25 % more collections (28 against
// 23 a poll); with 12 MiB by ~6 MiB, for twice as many.
func pollHeadroom(workers int) int64 {
	return int64(16+workers) << 20
}

// largeBodyCost is what the soft limit grows by per byte of a large page
// in hand (harvest.LargeBodyBytes and up): extracting a 5 MB page peaked
// at ~67 MB of heap, ~45 MB live. Without it a few such pages kept the
// collector running without pause under the limit set for ordinary pages:
// half again the CPU, and a third of 5 MB pages at per_host_concurrency 8
// missed the extraction deadline and were not archived.
const largeBodyCost = 12

// limitMemory sets Go's soft memory limit for a poll to what the process
// holds now plus pollHeadroom(workers), and returns what restores the
// limit before it, and the harvest.Harvester.LargeBody that raises the
// limit while a large page is in hand. By default the heap may grow to
// twice what is live and freed pages go back to the system slowly, which
// on 2 cores made about a third of `annalist fetch`'s peak RSS; the limit
// makes the collector run sooner and return them. It is soft: a poll that
// needs more gets it, at the cost of more collections. A limit already
// set, or GOMEMLIMIT in the environment (even "off"), is left alone.
func (m *Main) limitMemory(workers int) (restore func(), large func(n int) (done func())) {
	if m.Getenv("GOMEMLIMIT") != "" || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		return func() {}, nil
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	held := int64(s[0].Value.Uint64() - s[1].Value.Uint64())
	base := held + pollHeadroom(workers)
	prev := debug.SetMemoryLimit(base)
	var mu sync.Mutex
	var extra int64
	done := false
	large = func(n int) func() {
		add := int64(n) * largeBodyCost
		mu.Lock()
		defer mu.Unlock()
		if done {
			return func() {}
		}
		extra += add
		debug.SetMemoryLimit(base + extra)
		return func() {
			mu.Lock()
			defer mu.Unlock()
			if !done {
				extra -= add
				debug.SetMemoryLimit(base + extra)
			}
		}
	}
	return func() {
		mu.Lock()
		defer mu.Unlock()
		done = true
		debug.SetMemoryLimit(prev)
	}, large
}
