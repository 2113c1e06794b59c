package starter

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/sfconnect/sfconnect/workflows"
)

var teamID = regexp.MustCompile(`^T[A-Z0-9]{2,}$`)

func checkTeam(team string) error {
	if !teamID.MatchString(team) {
		return usagef("--workspace %q is not a Slack workspace id (T followed by capitals and digits, e.g. T0DEMO0001)", team)
	}
	return nil
}

// request sends Step 1 to the workspace's registry, starting it when the
// workspace has none running (it ends itself when idle).
func (a *app) request(ctx context.Context, team string, req workflows.ConnectionRequest) (workflows.Connection, error) {
	c, err := a.temporal()
	if err != nil {
		return workflows.Connection{}, err
	}
	var result workflows.Connection
	for attempt := 0; ; attempt++ {
		if err := a.startWorkspace(ctx, c, team); err != nil {
			return result, err
		}
		err = update(ctx, c, workflows.WorkspaceWorkflowID(team), workflows.UpdateRequest, req, &result)
		// The registry may have ended (idle) between our start and our
		// update: start it again, once.
		var notFound *serviceerror.NotFound
		if err != nil && errors.As(err, &notFound) && attempt == 0 {
			continue
		}
		return result, err
	}
}

func (a *app) startWorkspace(ctx context.Context, c client.Client, team string) error {
	cfg := a.env.Config
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.WorkspaceWorkflowID(team),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		StaticSummary:            "Slack workspace " + team + ": its Salesforce connections",
	}, workflows.WorkspaceWorkflowName, workflows.WorkspaceInput{Team: team, Timing: cfg.Timing, IdleTimeout: cfg.WorkspaceIdle})
	if err != nil {
		return fmt.Errorf("start the registry of workspace %s: %w", team, err)
	}
	return nil
}

// step sends one human step of a connection as an update and waits for its
// outcome.
func (a *app) step(ctx context.Context, ref orgRef, name string, payload any) (workflows.Connection, error) {
	var result workflows.Connection
	err := a.connectionUpdate(ctx, ref, name, payload, &result)
	return result, err
}

// connectionUpdate sends any update to a connection and decodes its result.
func (a *app) connectionUpdate(ctx context.Context, ref orgRef, name string, payload, result any) error {
	c, err := a.temporal()
	if err != nil {
		return err
	}
	orgID, err := a.resolveOrg(ctx, ref)
	if err != nil {
		return err
	}
	err = update(ctx, c, workflows.ConnectionWorkflowID(ref.team, orgID), name, payload, result)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("the connection of %s to %s does not exist or has ended (disconnected, rejected or expired): see `starter connect status --workspace %s --org %s`", ref.team, ref.org, ref.team, ref.org)
	}
	return err
}

// status queries a connection, running or ended.
func (a *app) status(ctx context.Context, ref orgRef) (workflows.Connection, error) {
	var result workflows.Connection
	c, err := a.temporal()
	if err != nil {
		return result, err
	}
	orgID, err := a.resolveOrg(ctx, ref)
	if err != nil {
		return result, err
	}
	v, err := c.QueryWorkflow(ctx, workflows.ConnectionWorkflowID(ref.team, orgID), "", workflows.QueryStatus)
	if err != nil {
		return result, fmt.Errorf("status of the connection of %s to %s: %w", ref.team, ref.org, err)
	}
	return result, v.Get(&result)
}

func update(ctx context.Context, c client.Client, workflowID, name string, payload, result any) error {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   name,
		Args:         []any{payload},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, result)
}
