package activities_test

import (
	"context"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/testsuite"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/slackapi"
	"github.com/sfconnect/sfconnect/store"
)

// SyncMembers copies the whole directory, in batches of ten pages written
// while the next are read: every member is stored, those of the last
// partial batch too, and the count returned is the directory's.
func TestSyncMembersCopiesEveryBatch(t *testing.T) {
	ctx := context.Background()
	a, sb := newActivities(t)
	st, err := store.MigrateAndOpen(ctx, "sqlite:"+filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a.Store = st
	if _, err := sb.Generate(sandbox.GenerateRequest{Team: "T0DEMO0001", Members: 23500}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := a.Slack.ListMembers(ctx, "T0DEMO0001", 1000, func(page []slackapi.Member) error {
		for _, m := range page {
			if !m.IsBot {
				ids = append(ids, m.ID)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(a.SyncMembers, activities.SyncMembersInput{Workspace: "T0DEMO0001"})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := v.Get(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(ids) {
		t.Fatalf("SyncMembers stored %d members, the directory has %d", n, len(ids))
	}
	got, err := st.GetMembers(ctx, "T0DEMO0001", ids)
	if err != nil || len(got) != len(ids) {
		t.Fatalf("%d of %d members in the store, %v", len(got), len(ids), err)
	}
}
