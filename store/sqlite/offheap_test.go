package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/store"
)

// The store's budget outside Go's heap counts the page caches the
// connections are actually given: the writer's, in sqliteParams, and each
// reader's.
func TestSQLiteOffHeapBytes(t *testing.T) {
	if !strings.Contains(sqliteParams, fmt.Sprintf("cache_size(-%d)", sqliteWriterCacheKB)) {
		t.Fatalf("sqliteParams %q do not set the writer's cache of %d KB", sqliteParams, sqliteWriterCacheKB)
	}
	ctx := context.Background()
	s, err := openSQLite(ctx, filepath.Join(t.TempDir(), "store.db"), true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var kb int
	if err := s.r.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&kb); err != nil {
		t.Fatal(err)
	}
	if -kb != sqliteReaderCacheKB {
		t.Errorf("a reader's cache_size is %d, want -%d", kb, sqliteReaderCacheKB)
	}
	var o store.OffHeap = s
	want := int64(sqliteWriterCacheKB+s.readers*sqliteReaderCacheKB)<<10 + sqliteOffHeapOther
	if got := o.OffHeapBytes(); got != want || s.readers < 4 {
		t.Errorf("OffHeapBytes %d MB with %d readers, want %d MB", got>>20, s.readers, want>>20)
	}
}
