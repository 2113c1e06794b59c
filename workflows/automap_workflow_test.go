package workflows_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/workflows"
)

func newAutoMapEnv(t *testing.T, batch func(activities.MapBatchInput) (activities.MapBatchResult, error)) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.AutoMapWorkflow, workflow.RegisterOptions{Name: workflows.AutoMapWorkflowName})
	env.RegisterActivity(acts)
	env.OnActivity(acts.MapBatch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.MapBatchInput) (activities.MapBatchResult, error) {
			return batch(in)
		})
	return env
}

func TestAutoMapFollowsTheCursorInBatches(t *testing.T) {
	var seen []activities.MapBatchInput
	env := newAutoMapEnv(t, func(in activities.MapBatchInput) (activities.MapBatchResult, error) {
		seen = append(seen, in)
		next := map[string]string{"": "c1", "c1": "c2", "c2": ""}[in.Cursor]
		return activities.MapBatchResult{Next: next, MapCounts: activities.MapCounts{Scanned: 100, Linked: 90, Unmatched: 5, Ambiguous: 3, Skipped: 2}}, nil
	})
	env.ExecuteWorkflow(workflows.AutoMapWorkflowName, workflows.AutoMapInput{
		Connection: activities.ConnectionRef{ConnectionID: "c", Workspace: "T0DEMO0001", OrgID: "00D000000000001AAA"}, BatchSize: 100,
	})
	var p workflows.AutoMapProgress
	if err := env.GetWorkflowResult(&p); err != nil {
		t.Fatal(err)
	}
	if !p.Done || p.Running || p.Batches != 3 || p.Scanned != 300 || p.Linked != 270 || p.Ambiguous != 9 {
		t.Fatalf("progress: %+v", p)
	}
	keys := map[string]bool{}
	for i, in := range seen {
		if in.Members != 100 || keys[in.Key] {
			t.Errorf("batch %d: %+v (keys must differ, so a batch's writes are idempotent and the next's are not)", i, in)
		}
		keys[in.Key] = true
	}
	if seen[1].Cursor != "c1" || seen[2].Cursor != "c2" {
		t.Errorf("cursors: %+v", seen)
	}
}

func TestAutoMapReportsAFailure(t *testing.T) {
	env := newAutoMapEnv(t, func(in activities.MapBatchInput) (activities.MapBatchResult, error) {
		return activities.MapBatchResult{}, temporal.NewNonRetryableApplicationError("org refused", activities.ErrIPRestricted, nil)
	})
	env.ExecuteWorkflow(workflows.AutoMapWorkflowName, workflows.AutoMapInput{})
	if err := env.GetWorkflowError(); err == nil {
		t.Fatal("a failed batch must fail the mapping")
	}
}

func TestAutoMapProgressQuery(t *testing.T) {
	calls := 0
	env := newAutoMapEnv(t, func(in activities.MapBatchInput) (activities.MapBatchResult, error) {
		calls++
		next := ""
		if calls < 5 {
			next = fmt.Sprint(calls)
		}
		return activities.MapBatchResult{Next: next, MapCounts: activities.MapCounts{Scanned: 10, Linked: 10}}, nil
	})
	env.ExecuteWorkflow(workflows.AutoMapWorkflowName, workflows.AutoMapInput{})
	v, err := env.QueryWorkflow(workflows.QueryProgress)
	if err != nil {
		t.Fatal(err)
	}
	var p workflows.AutoMapProgress
	if err := v.Get(&p); err != nil || p.Scanned != 50 || !p.Done {
		t.Fatalf("progress query: %+v %v", p, err)
	}
}
