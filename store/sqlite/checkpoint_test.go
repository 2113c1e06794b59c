package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/store"
)

// The checkpointer copies committed pages into the database file soon
// after the writes, long before the writer's own checkpoint would (40,000
// pages), and Close stops it.
func TestSQLiteCheckpointsBesideTheWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := openSQLite(ctx, path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	// Let the checkpointer copy what opening wrote (the migrations).
	time.Sleep(3 * sqliteCheckpointEvery)
	before := size()

	const n = 20000 // about 8 MB of mappings and indexes: 2,000 pages
	ms := make([]store.Mapping, n)
	for i := range ms {
		ms[i] = store.Mapping{ConnectionID: "C1", Workspace: "T1", OrgID: "00D000000000001AAA",
			SlackUserID: fmt.Sprintf("U%08d", i), SlackEmail: fmt.Sprintf("member%d@example.com", i), SlackName: fmt.Sprintf("Member %d", i),
			SalesforceUserID: fmt.Sprintf("005%015d", i), SalesforceUsername: fmt.Sprintf("member%d@example.com", i),
			SalesforceEmail: fmt.Sprintf("member%d@example.com", i), State: store.StateLinked, Source: store.SourceManual, UpdatedBy: "test"}
	}
	if _, err := s.ApplyMappings(ctx, "", ms); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for size() < before+4<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("the database file grew from %d to %d bytes in 5 s: the pages stayed in the WAL", before, size())
		}
		time.Sleep(sqliteCheckpointEvery / 2)
	}
	c := s.checkpoints
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
	default:
		t.Fatal("the checkpointer still runs after Close")
	}
}
