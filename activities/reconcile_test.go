package activities_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
)

// fakeTemporal answers for the workflows it knows: their status, and the
// state their status query gives.
type fakeTemporal struct {
	status map[string]enumspb.WorkflowExecutionStatus
	state  map[string]string // JSON of the status query
}

func (f fakeTemporal) DescribeWorkflowExecution(_ context.Context, id, _ string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	s, ok := f.status[id]
	if !ok {
		return nil, serviceerror.NewNotFound("workflow not found")
	}
	return &workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{Status: s}}, nil
}

// ListWorkflow lists every running workflow it knows, whatever the query.
func (f fakeTemporal) ListWorkflow(_ context.Context, _ *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	resp := &workflowservice.ListWorkflowExecutionsResponse{}
	for _, id := range slices.Sorted(maps.Keys(f.status)) {
		if f.status[id] == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			resp.Executions = append(resp.Executions, &workflowpb.WorkflowExecutionInfo{Execution: &commonpb.WorkflowExecution{WorkflowId: id}})
		}
	}
	return resp, nil
}

func (f fakeTemporal) UpdateWorkflow(context.Context, client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	return nil, serviceerror.NewNotFound("workflow not found")
}

func (f fakeTemporal) QueryWorkflow(_ context.Context, id, _, _ string, _ ...any) (converter.EncodedValue, error) {
	return jsonValue(f.state[id]), nil
}

type jsonValue string

func (v jsonValue) HasValue() bool     { return v != "" }
func (v jsonValue) Get(into any) error { return json.Unmarshal([]byte(v), into) }

func TestReconcileFindsEndedConnections(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	since := `"requested_at":"2026-12-01T09:00:00Z"`
	a := &activities.Activities{Log: zap.NewNop(), Temporal: fakeTemporal{
		status: map[string]enumspb.WorkflowExecutionStatus{
			"live":       enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
			"ending":     enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
			"terminated": enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED,
			"failed":     enumspb.WORKFLOW_EXECUTION_STATUS_FAILED,
			"later":      enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
			"lost":       enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
			"lost-ended": enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
		},
		state: map[string]string{
			"live":   `{"state":"active",` + since + `}`,
			"ending": `{"state":"disconnected",` + since + `}`,
			// Another lifetime of the org, ended: not the registered one.
			"later": `{"state":"disconnected","requested_at":"2026-12-02T09:00:00Z"}`,
			// Running, live, and not registered: found again.
			"lost":       `{"org_id":"00D0LOST","org_name":"lost","state":"active","history":[{},{}],"history_dropped":3,` + since + `}`,
			"lost-ended": `{"org_id":"00D0GONE","state":"expired"}`,
		},
	}}
	in := activities.ReconcileInput{Running: "WorkflowType = 'ConnectionWorkflow'"}
	for _, id := range []string{"live", "ending", "terminated", "failed", "gone", "later"} {
		in.Connections = append(in.Connections, activities.RegisteredConnection{OrgID: id, WorkflowID: id, RequestedAt: at})
	}
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(a.ReconcileConnections, in)
	if err != nil {
		t.Fatal(err)
	}
	var res activities.ReconcileResult
	if err := v.Get(&res); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range res.Ended {
		got[e.OrgID] = e.Why
	}
	want := map[string]string{
		"ending":     "it is " + string(model.StateDisconnected),
		"terminated": "its workflow terminated",
		"failed":     "its workflow failed",
		"gone":       "its workflow does not exist",
	}
	if len(got) != len(want) {
		t.Fatalf("ended: %+v", got)
	}
	for id, why := range want {
		if got[id] != why {
			t.Errorf("%s: %q, want %q", id, got[id], why)
		}
	}
	if len(res.Unregistered) != 1 || res.Unregistered[0] != (activities.LiveConnection{
		OrgID: "00D0LOST", OrgName: "lost", State: model.StateActive, WorkflowID: "lost", RequestedAt: at, Seq: 5,
	}) {
		t.Errorf("unregistered: %+v", res.Unregistered)
	}
}

func TestAwaitConnectionEnd(t *testing.T) {
	a := &activities.Activities{Log: zap.NewNop(), Temporal: fakeTemporal{
		status: map[string]enumspb.WorkflowExecutionStatus{
			"live":   enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
			"ending": enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
			"closed": enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED,
		},
		state: map[string]string{"live": `{"state":"active"}`, "ending": `{"state":"disconnected"}`},
	}}
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	for id, want := range map[string]activities.AwaitEndResult{
		"closed": {Closed: true},
		"gone":   {Closed: true},
		"live":   {Live: true, State: model.StateActive},
		"ending": {}, // still closing after Within
	} {
		v, err := env.ExecuteActivity(a.AwaitConnectionEnd, activities.AwaitEndInput{WorkflowID: id, Within: 300 * time.Millisecond})
		var got activities.AwaitEndResult
		if err == nil {
			err = v.Get(&got)
		}
		if err != nil || got != want {
			t.Errorf("%s: %+v, %v; want %+v", id, got, err, want)
		}
	}
}
