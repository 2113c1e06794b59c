package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// A bulk lookup of more keys than a chunk finds every one, the full chunks
// through one prepared statement, the last one as a one-off.
func TestSQLiteBulkLookupsKeepTheirStatement(t *testing.T) {
	ctx := context.Background()
	s, err := openSQLite(ctx, filepath.Join(t.TempDir(), "store.db"), true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 2*sqlcore.GetManyChunk + 17
	var ms []store.Member
	var ids []string
	for i := range n {
		id := fmt.Sprintf("U%08d", i)
		ms = append(ms, store.Member{UserID: id, Name: "m" + id, Email: id + "@example.com"})
		ids = append(ids, id)
	}
	if err := s.UpsertMembers(ctx, "T1", ms); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := s.GetMembers(ctx, "T1", append(ids, "U_NOBODY"))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n || got[ids[n-1]].Email != ids[n-1]+"@example.com" {
			t.Fatalf("GetMembers found %d of %d", len(got), n)
		}
	}
	prepared := 0
	s.stmts.stmts.Range(func(k, v any) bool { prepared++; return true })
	if prepared != 1 {
		t.Fatalf("%d statements prepared for the readers, want 1 (the full chunk's)", prepared)
	}
}
