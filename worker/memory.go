package worker

import "github.com/sfconnect/sfconnect/store"

// GoMemoryLimit is the soft memory limit to give Go's runtime
// (debug.SetMemoryLimit) in a worker whose memory budget is limitMB and
// whose store is st: the budget less what the store holds outside Go's
// heap (store.OffHeap), which the runtime cannot see. Without that, the
// SQLite worker's heap grew to its full budget beside some 70 MB of
// SQLite's own, and the process past it (BENCHMARKS.md). It leaves Go a
// quarter of the budget at least.
func GoMemoryLimit(limitMB int64, st store.Store) int64 {
	limit := limitMB << 20
	if o, ok := st.(store.OffHeap); ok {
		limit = max(limit-o.OffHeapBytes(), limit/4)
	}
	return limit
}
