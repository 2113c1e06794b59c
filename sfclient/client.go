// Package sfclient sends people's actions to sfconnect's workflows and reads
// their state back: the one client code that the CLI (starter) and the web
// console both use, so that a step taken in a page and the same step taken
// at a terminal are the same Temporal call.
package sfclient

import (
	"context"
	"errors"
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

// Client reaches the workflows through Temporal and the CSV jobs' rows
// through the store.
type Client struct {
	Temporal client.Client
	Config   config.Config
	// Store holds the CSV jobs' rows and the mappings exported; nil when
	// the caller never imports nor exports.
	Store store.Store
}

// ErrConnectionNotFound is returned when a connection has ended or never
// existed.
var ErrConnectionNotFound = errors.New("the connection does not exist or has ended (disconnected, rejected or expired)")

// Request sends Step 1 to the workspace's registry, starting it when the
// workspace has none running (it ends itself when idle).
func (c *Client) Request(ctx context.Context, team string, req workflows.ConnectionRequest) (workflows.Connection, error) {
	var result workflows.Connection
	for attempt := 0; ; attempt++ {
		if err := c.StartWorkspace(ctx, team); err != nil {
			return result, err
		}
		err := c.Update(ctx, workflows.WorkspaceWorkflowID(team), workflows.UpdateRequest, req, &result)
		// The registry may have ended (idle) between our start and our
		// update: start it again, once.
		var notFound *serviceerror.NotFound
		if err != nil && errors.As(err, &notFound) && attempt == 0 {
			continue
		}
		if HasErrorType(err, activities.ErrUnknownWorkspace) {
			c.endUnknownRegistry(ctx, team)
		}
		return result, err
	}
}

// endUnknownRegistry ends the registry that a request for a workspace the
// Slack app does not know has just started, so that a typo in a team id
// leaves no workflow running for an hour. Only an empty registry is ended:
// one with connections belongs to a workspace that was known, whose token
// may be refused for a while. A failure here changes nothing of the
// refusal the caller gets, so it is not reported.
func (c *Client) endUnknownRegistry(ctx context.Context, team string) {
	ws, err := c.Workspace(ctx, team)
	if err != nil || len(ws.Connections) > 0 {
		return
	}
	_ = c.Temporal.TerminateWorkflow(ctx, workflows.WorkspaceWorkflowID(team), "",
		"workspace "+team+" is not known to the Slack app: a refused request started this registry")
}

// HasErrorType reports whether any application error in err's chain has
// the type: an update's refusal arrives wrapped (the handler's error, the
// activity's, the refusal itself), each layer an ApplicationError.
func HasErrorType(err error, typ string) bool {
	for err != nil {
		var app *temporal.ApplicationError
		if !errors.As(err, &app) {
			return false
		}
		if app.Type() == typ {
			return true
		}
		err = app.Unwrap()
	}
	return false
}

// StartWorkspace starts the registry of a workspace unless it runs.
func (c *Client) StartWorkspace(ctx context.Context, team string) error {
	_, err := c.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.WorkspaceWorkflowID(team),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		StaticSummary:            "Slack workspace " + team + ": its Salesforce connections",
	}, workflows.WorkspaceWorkflowName, workflows.WorkspaceInput{Team: team, Timing: c.Config.Timing, IdleTimeout: c.Config.WorkspaceIdle, ReconcileEvery: c.Config.WorkspaceReconcile})
	if err != nil {
		return fmt.Errorf("start the registry of workspace %s: %w", team, err)
	}
	return nil
}

// Update sends an update to a workflow, waits for its outcome and decodes
// its result (nil: none wanted).
func (c *Client) Update(ctx context.Context, workflowID, name string, payload, result any) error {
	h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   name,
		Args:         []any{payload},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	if result == nil {
		return h.Get(ctx, nil)
	}
	return h.Get(ctx, result)
}

// ConnectionUpdate sends an update to the connection of team and orgID;
// an ended connection is ErrConnectionNotFound.
func (c *Client) ConnectionUpdate(ctx context.Context, team, orgID, name string, payload, result any) error {
	err := c.Update(ctx, workflows.ConnectionWorkflowID(team, orgID), name, payload, result)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return ErrConnectionNotFound
	}
	return err
}

// Status queries a connection, running or ended.
func (c *Client) Status(ctx context.Context, team, orgID string) (workflows.Connection, error) {
	var result workflows.Connection
	v, err := c.Temporal.QueryWorkflow(ctx, workflows.ConnectionWorkflowID(team, orgID), "", workflows.QueryStatus)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return result, ErrConnectionNotFound
	}
	if err != nil {
		return result, fmt.Errorf("status of the connection of %s to %s: %w", team, orgID, err)
	}
	return result, v.Get(&result)
}

// Workspace reads a workspace's registry of live connections; a workspace
// whose registry does not run (never used, or idle) has none.
func (c *Client) Workspace(ctx context.Context, team string) (workflows.Workspace, error) {
	ws := workflows.Workspace{Team: team}
	v, err := c.Temporal.QueryWorkflow(ctx, workflows.WorkspaceWorkflowID(team), "", workflows.QueryConnections)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return ws, nil
	}
	if err != nil {
		return ws, fmt.Errorf("connections of workspace %s: %w", team, err)
	}
	return ws, v.Get(&ws)
}

// Job queries a CSV job's status.
func (c *Client) Job(ctx context.Context, id string) (workflows.JobStatus, error) {
	var s workflows.JobStatus
	v, err := c.Temporal.QueryWorkflow(ctx, workflows.JobWorkflowID(id), "", workflows.QueryJob)
	if err != nil {
		return s, fmt.Errorf("job %s: %w", id, err)
	}
	return s, v.Get(&s)
}

// Describe turns what Temporal returns into the reason a person can act on:
// the refusal's own message, without the SDK's wrapping, its long values
// cut (Bound).
func Describe(err error) string { return Bound(describe(err)) }

func describe(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return "not found: " + notFound.Message
	}
	var unavailable *serviceerror.Unavailable
	if errors.As(err, &unavailable) {
		return "Temporal is unavailable (" + unavailable.Message + "): is `make run` running?"
	}
	msg := err.Error()
	if strings.Contains(msg, "connection refused") {
		return "cannot reach Temporal (" + msg + "): is `make run` running?"
	}
	return msg
}
