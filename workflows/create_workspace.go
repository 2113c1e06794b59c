package workflows

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
)

// CreateWorkspaceWorkflowName is the registered type name of
// CreateWorkspaceWorkflow.
const CreateWorkspaceWorkflowName = "CreateWorkspaceWorkflow"

// StepCreateWorkspace is the step a proof for CreateWorkspaceWorkflow is
// bound to: starting the workflow is the step.
const StepCreateWorkspace = "create-workspace"

// CreateWorkspaceWorkflowID names the creation of a workspace from an org:
// one at a time per org and name.
func CreateWorkspaceWorkflowID(orgURL, name string) string {
	return "sfconnect-create-" + strings.TrimPrefix(orgURL, "https://") + "-" + slug(name)
}

// CreateWorkspaceInput is the article's note for newcomers: a Slack
// workspace made from a Salesforce org.
type CreateWorkspaceInput struct {
	Name   string `json:"name"`
	OrgURL string `json:"org_url"`
	Caller        // a Salesforce user
	Timing Timing `json:"timing"`
	// ReconcileEvery is the new workspace's WorkspaceInput.ReconcileEvery.
	ReconcileEvery time.Duration `json:"reconcile_every,omitempty"`
}

// CreatedWorkspace is the new workspace and its connection.
type CreatedWorkspace struct {
	Team       string     `json:"team"`
	Owner      string     `json:"owner"`
	Connection Connection `json:"connection"`
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slug(name string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
}

// CreateWorkspaceWorkflow checks the org (Government Cloud refused) and the
// caller (a Salesforce system administrator of it), creates the Slack
// workspace with the caller as its primary owner, and starts its registry
// with the connection to the org born active.
func CreateWorkspaceWorkflow(ctx workflow.Context, in CreateWorkspaceInput) (CreatedWorkspace, error) {
	var out CreatedWorkspace
	if strings.TrimSpace(in.Name) == "" || slug(in.Name) == "" {
		return out, temporal.NewNonRetryableApplicationError("the workspace needs a name (--name)", activities.ErrInvalidInput, nil)
	}
	md, err := parseOrgURL(in.OrgURL)
	if err != nil {
		return out, temporal.NewNonRetryableApplicationError(reason(err), activities.ErrInvalidInput, nil)
	}
	var org activities.OrgInfo
	if err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.ResolveOrg, activities.ResolveOrgInput{URL: md.URL()}).Get(ctx, &org); err != nil {
		return out, err
	}
	// One step, one run: no record of used assertions to keep. A replayed
	// assertion (within its minutes) would ask Slack for the same workspace
	// again, which Slack refuses (the domain is taken).
	roles, who, err := authorizeSalesforce(ctx, nil, org.URL, org.ID, StepCreateWorkspace, model.ActionCreate, in.Caller)
	if err != nil {
		return out, err
	}
	once := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	var made activities.CreatedWorkspace
	if err := workflow.ExecuteActivity(once, acts.CreateSlackWorkspace, activities.CreateWorkspaceInput{
		Name: in.Name, Domain: slug(in.Name), OwnerEmail: roles.Email, OwnerName: roles.Name,
	}).Get(ctx, &made); err != nil {
		return out, err
	}
	now := workflow.Now(ctx)
	c := Connection{
		ID: fmt.Sprintf("%s-%s-%d", made.Team, org.ID, now.UnixMilli()), Workspace: made.Team,
		OrgID: org.ID, OrgName: org.Name, OrgURL: org.URL, SandboxOrg: org.Sandbox,
		MappingField: model.MappingEmail, MatchingField: string(model.MatchEmail), State: model.StateActive,
		Version: CurrentConnectionVersion, Warnings: org.Warnings, RequestedBy: made.Owner, RequestedAt: now,
		History: []Event{event(ctx, model.ActionCreate, roles.Username, who, "workspace "+made.Team+" made from Salesforce, born connected")},
	}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            WorkspaceWorkflowID(made.Team),
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		StaticSummary:         "Slack workspace " + made.Team + ": its Salesforce connections",
	})
	fut := workflow.ExecuteChildWorkflow(cctx, WorkspaceWorkflowName, WorkspaceInput{Team: made.Team, Timing: in.Timing, ReconcileEvery: in.ReconcileEvery, Born: &c})
	if err := fut.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return out, fmt.Errorf("start the new workspace's registry: %w", err)
	}
	return CreatedWorkspace{Team: made.Team, Owner: made.Owner, Connection: c}, nil
}
