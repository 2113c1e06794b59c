package worker

import (
	"testing"

	"github.com/sfconnect/sfconnect/store"
)

type offHeapStore struct {
	store.Store
	n int64
}

func (s offHeapStore) OffHeapBytes() int64 { return s.n }

// The Go limit is the budget less the store's memory outside Go's heap,
// never under a quarter of the budget.
func TestGoMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		st   store.Store
		want int64
	}{
		{nil, 200 << 20},
		{offHeapStore{n: 96 << 20}, 104 << 20},
		{offHeapStore{n: 500 << 20}, 50 << 20},
	} {
		if got := GoMemoryLimit(200, c.st); got != c.want {
			t.Errorf("GoMemoryLimit(200, %v): %d MB, want %d MB", c.st, got>>20, c.want>>20)
		}
	}
}
