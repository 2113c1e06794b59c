package activities

import (
	"context"
	"errors"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/model"
)

// Temporal is what the activities read of Temporal itself: a workflow's
// execution (visibility) and a connection's own state (its status query).
// A client.Client is one.
type Temporal interface {
	DescribeWorkflowExecution(ctx context.Context, workflowID, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
	QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error)
	ListWorkflow(ctx context.Context, request *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error)
	UpdateWorkflow(ctx context.Context, options client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error)
}

// FreePlaceInput is a connection's report of its end, for its workspace's
// registry.
type FreePlaceInput struct {
	WorkflowID string `json:"workflow_id"` // the workspace's
	Update     string `json:"update"`
	// Report is the connection's report (workflows.ConnectionStateSignal).
	Report any `json:"report"`
}

// FreePlace gives an ended connection's report to its workspace's registry
// as an update, and returns once the registry has applied it: the place
// is free when the step that ended the connection returns. No registry
// running holds no place.
func (a *Activities) FreePlace(ctx context.Context, in FreePlaceInput) error {
	if a.Temporal == nil {
		return errors.New("the activities have no Temporal client")
	}
	h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: in.WorkflowID, UpdateName: in.Update, Args: []any{in.Report}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil
	}
	return err
}

// ConnectionQueryStatus is the connections' status query
// (workflows.QueryStatus, which this package cannot import).
const ConnectionQueryStatus = "status"

// RegisteredConnection is one connection a workspace's registry holds.
type RegisteredConnection struct {
	OrgID      string `json:"org_id"`
	WorkflowID string `json:"workflow_id"`
	// RequestedAt tells this lifetime of the connection from a later one
	// of the same org (same workflow id).
	RequestedAt time.Time `json:"requested_at"`
}

// ReconcileInput is a workspace's registry, to compare with Temporal's.
type ReconcileInput struct {
	Team        string                 `json:"team"`
	Connections []RegisteredConnection `json:"connections"`
	// Running is the visibility query of the workspace's running
	// connections ("": none looked for): those the registry does not hold
	// are found (Unregistered).
	Running string `json:"running,omitempty"`
}

// EndedConnection is a registered connection that has ended, and how.
type EndedConnection struct {
	RegisteredConnection
	Why string `json:"why"`
}

// ReconcileResult is what the registry holds that has ended, and the live
// connections it does not hold.
type ReconcileResult struct {
	Ended        []EndedConnection `json:"ended"`
	Unregistered []LiveConnection  `json:"unregistered,omitempty"`
}

// LiveConnection is a running connection that has not ended, as its own
// status says.
type LiveConnection struct {
	OrgID       string      `json:"org_id"`
	OrgName     string      `json:"org_name"`
	OrgURL      string      `json:"org_url"`
	State       model.State `json:"state"`
	WorkflowID  string      `json:"workflow_id"`
	RequestedBy string      `json:"requested_by"`
	RequestedAt time.Time   `json:"requested_at"`
	// Seq is the connection's number of events (workflows.Connection.Events).
	Seq int `json:"seq"`
}

// connectionState is the part of a connection's status this package reads.
type connectionState struct {
	OrgID          string      `json:"org_id"`
	OrgName        string      `json:"org_name"`
	OrgURL         string      `json:"org_url"`
	State          model.State `json:"state"`
	RequestedBy    string      `json:"requested_by"`
	RequestedAt    time.Time   `json:"requested_at"`
	History        []struct{}  `json:"history"`
	HistoryDropped int         `json:"history_dropped"`
}

// ReconcileConnections finds the registered connections that have ended
// without the registry hearing of it: their workflow is closed however it
// closed (completed, failed, terminated, cancelled, timed out), gone, or
// still running with an ended state of its own. A connection it cannot
// read now (a query that times out) is left as it is, for the next time.
func (a *Activities) ReconcileConnections(ctx context.Context, in ReconcileInput) (ReconcileResult, error) {
	res := ReconcileResult{Ended: []EndedConnection{}}
	if a.Temporal == nil {
		return res, errors.New("the activities have no Temporal client to reconcile with")
	}
	for _, c := range in.Connections {
		activity.RecordHeartbeat(ctx, c.OrgID)
		why, err := a.connectionEnded(ctx, c)
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			a.Log.Warn("connection not reconciled", zap.String("team", in.Team), zap.String("org", c.OrgID), zap.Error(err))
			continue
		}
		if why != "" {
			res.Ended = append(res.Ended, EndedConnection{RegisteredConnection: c, Why: why})
		}
	}
	if in.Running != "" {
		live, err := a.unregistered(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			a.Log.Warn("running connections not listed", zap.String("team", in.Team), zap.Error(err))
		}
		res.Unregistered = live
	}
	return res, nil
}

// unregistered lists the workspace's running connections that the
// registry does not hold and whose own state is live: a registry that
// lost them (terminated or reset by hand) finds them again.
func (a *Activities) unregistered(ctx context.Context, in ReconcileInput) ([]LiveConnection, error) {
	held := map[string]bool{}
	for _, c := range in.Connections {
		held[c.WorkflowID] = true
	}
	var live []LiveConnection
	var token []byte
	for {
		resp, err := a.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: in.Running, PageSize: 100, NextPageToken: token})
		if err != nil {
			return live, err
		}
		for _, e := range resp.GetExecutions() {
			id := e.GetExecution().GetWorkflowId()
			if held[id] {
				continue
			}
			held[id] = true
			activity.RecordHeartbeat(ctx, id)
			qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			v, err := a.Temporal.QueryWorkflow(qctx, id, "", ConnectionQueryStatus)
			var s connectionState
			if err == nil {
				err = v.Get(&s)
			}
			cancel()
			if err != nil || s.State.Terminal() || s.OrgID == "" {
				continue
			}
			live = append(live, LiveConnection{OrgID: s.OrgID, OrgName: s.OrgName, OrgURL: s.OrgURL, State: s.State, WorkflowID: id,
				RequestedBy: s.RequestedBy, RequestedAt: s.RequestedAt, Seq: s.HistoryDropped + len(s.History)})
		}
		token = resp.GetNextPageToken()
		if len(token) == 0 {
			return live, nil
		}
	}
}

// connectionEnded says how a registered connection ended ("" if it has not).
func (a *Activities) connectionEnded(ctx context.Context, c RegisteredConnection) (string, error) {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	desc, err := a.Temporal.DescribeWorkflowExecution(dctx, c.WorkflowID, "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return "its workflow does not exist", nil
	}
	if err != nil {
		return "", err
	}
	status := desc.GetWorkflowExecutionInfo().GetStatus()
	if status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return "its workflow " + strings.ToLower(strings.TrimPrefix(status.String(), "WORKFLOW_EXECUTION_STATUS_")), nil
	}
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := a.Temporal.QueryWorkflow(qctx, c.WorkflowID, "", ConnectionQueryStatus)
	if err != nil {
		return "", err
	}
	var s connectionState
	if err := v.Get(&s); err != nil {
		return "", err
	}
	if s.State.Terminal() && s.RequestedAt.Equal(c.RequestedAt) {
		return "it is " + string(s.State), nil
	}
	return "", nil
}

// AwaitEndInput names a connection's workflow that a request for its org
// found still running, though the registry had freed its place.
type AwaitEndInput struct {
	WorkflowID string `json:"workflow_id"`
	// Within is how long to wait for it to close.
	Within time.Duration `json:"within"`
}

// AwaitEndResult says whether the workflow closed, or is a live connection.
type AwaitEndResult struct {
	Closed bool `json:"closed"`
	// Live: the workflow runs a connection that has not ended (State).
	Live  bool        `json:"live,omitempty"`
	State model.State `json:"state,omitempty"`
}

// AwaitConnectionEnd waits for an ended connection's workflow to close:
// after a disconnect the workflow posts its last notices, a moment, and a
// request for the same org waits for that rather than being refused.
func (a *Activities) AwaitConnectionEnd(ctx context.Context, in AwaitEndInput) (AwaitEndResult, error) {
	if a.Temporal == nil {
		return AwaitEndResult{}, errors.New("the activities have no Temporal client")
	}
	deadline := time.Now().Add(in.Within)
	for {
		activity.RecordHeartbeat(ctx)
		desc, err := a.Temporal.DescribeWorkflowExecution(ctx, in.WorkflowID, "")
		var notFound *serviceerror.NotFound
		switch {
		case errors.As(err, &notFound):
			return AwaitEndResult{Closed: true}, nil
		case err != nil:
			return AwaitEndResult{}, err
		case desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
			return AwaitEndResult{Closed: true}, nil
		}
		qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		v, err := a.Temporal.QueryWorkflow(qctx, in.WorkflowID, "", ConnectionQueryStatus)
		var s connectionState
		if err == nil {
			err = v.Get(&s)
		}
		cancel()
		if err == nil && !s.State.Terminal() {
			return AwaitEndResult{Live: true, State: s.State}, nil
		}
		if time.Now().After(deadline) {
			return AwaitEndResult{}, nil
		}
		select {
		case <-ctx.Done():
			return AwaitEndResult{}, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
