package workflows_test

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/workflows"
)

// continuedInput is the input a workflow that continued as new gave its
// next run.
func continuedInput(t *testing.T, f *fixture, into any) {
	t.Helper()
	var can *workflow.ContinueAsNewError
	if err := f.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("the workflow did not continue as new: %v", err)
	}
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, into); err != nil {
		t.Fatal(err)
	}
}

// A connection that lives for years keeps the newest MaxHistory events and
// MaxAttempts refused signals, and counts the older ones: what it carries
// into its next run stays small.
func TestLongLivedConnectionKeepsASmallState(t *testing.T) {
	f := newFixture(t)
	const steps = 130
	for i := 1; i <= steps; i++ {
		at := time.Duration(i) * time.Minute
		f.update(at, workflows.UpdateClearMember, workflows.ClearMemberRequest{Member: "U0MEMBER1", Caller: workflows.Caller{As: sfAdmin}})
		f.signal(at+time.Second, workflows.UpdateBanner, banner(true, workflows.Caller{})) // refused: nobody
	}
	f.env.RegisterDelayedCallback(func() { f.env.SetContinueAsNewSuggested(true) }, (steps+1)*time.Minute)
	f.env.SetStartTime(requestedAt)
	f.env.ExecuteWorkflow(workflows.ConnectionWorkflowName, activeConnection())

	var next workflows.ConnectionInput
	continuedInput(t, f, &next)
	c := next.Connection
	// The request and 130 clears.
	if len(c.History) != workflows.MaxHistory || c.HistoryDropped != 1+steps-workflows.MaxHistory || c.Events() != 1+steps {
		t.Fatalf("history: %d kept, %d dropped", len(c.History), c.HistoryDropped)
	}
	if last := c.History[len(c.History)-1]; !last.At.Equal(requestedAt.Add(steps * time.Minute)) {
		t.Errorf("the newest event kept is not the last one: %+v", last)
	}
	if len(c.Attempts) != workflows.MaxAttempts || c.AttemptsDropped != steps-workflows.MaxAttempts {
		t.Fatalf("attempts: %d kept, %d dropped", len(c.Attempts), c.AttemptsDropped)
	}
}
