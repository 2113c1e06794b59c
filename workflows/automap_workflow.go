package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
)

// AutoMapWorkflowName is the registered type name of AutoMapWorkflow.
const AutoMapWorkflowName = "AutoMapWorkflow"

// QueryProgress returns an automatic mapping's AutoMapProgress.
const QueryProgress = "progress"

// DefaultAutoMapBatch is how many Slack members one batch activity maps:
// measured with `bench automap` on 100,000 members (BENCHMARKS.md), 1,000
// takes 10.5 s, 2,000 5.8 s, 5,000 4.8 s, 10,000 4.5 s and 20,000 4.4 s
// with more memory; 10,000 keeps a batch well inside its heartbeat.
const DefaultAutoMapBatch = 10000

// AutoMapWorkflowID is the ID of a connection's automatic mapping: one at a
// time per connection.
func AutoMapWorkflowID(team, orgID string) string { return "sfconnect-automap-" + team + "-" + orgID }

// AutoMapInput starts (or continues) an automatic mapping.
type AutoMapInput struct {
	Connection    activities.ConnectionRef `json:"connection"`
	MappingField  model.MappingField       `json:"mapping_field"`
	MatchingField string                   `json:"matching_field"`
	StartedBy     string                   `json:"started_by"`
	BatchSize     int                      `json:"batch_size,omitempty"`
	// Cursor and Progress are carried over by continue-as-new.
	Cursor   string          `json:"cursor,omitempty"`
	Progress AutoMapProgress `json:"progress"`
}

// AutoMapProgress is where an automatic mapping stands, and its report.
type AutoMapProgress struct {
	activities.MapCounts
	Batches    int       `json:"batches"`
	Running    bool      `json:"running"`
	Done       bool      `json:"done"`
	Error      string    `json:"error,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitempty"`
	StartedBy  string    `json:"started_by,omitempty"`
	WorkflowID string    `json:"workflow_id,omitempty"`
	// AmbiguousMembers names some members left unmapped for ambiguity.
	AmbiguousMembers []string `json:"ambiguous_members,omitempty"`
}

// Summary is the report in one line.
func (p AutoMapProgress) Summary() string {
	return fmt.Sprintf("%d members scanned: %d linked, %d already right, %d unmatched, %d ambiguous, %d skipped",
		p.Scanned, p.Linked, p.Unchanged, p.Unmatched, p.Ambiguous, p.Skipped)
}

// AutoMapWorkflow maps a connection's Slack members to Salesforce users in
// batches, one activity per batch, following Slack's users.list cursor. A
// rerun changes nothing that is already right. Its progress is the
// `progress` query, the Web UI's details and the SfState search attribute
// (running, done).
func AutoMapWorkflow(ctx workflow.Context, in AutoMapInput) (AutoMapProgress, error) {
	p := in.Progress
	if p.StartedAt.IsZero() {
		p.StartedAt = workflow.Now(ctx)
		p.StartedBy = in.StartedBy
		p.WorkflowID = workflow.GetInfo(ctx).WorkflowExecution.ID
	}
	p.Running = true
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (AutoMapProgress, error) { return p, nil }); err != nil {
		return p, err
	}
	batch := in.BatchSize
	if batch <= 0 {
		batch = DefaultAutoMapBatch
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: activities.NonRetryable,
		},
	})
	cursor := in.Cursor
	for {
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("**mapping** %s ↔ %s — batch %d: %s.", in.Connection.Workspace, in.Connection.OrgID, p.Batches+1, p.Summary()))
		var res activities.MapBatchResult
		err := workflow.ExecuteActivity(actx, acts.MapBatch, activities.MapBatchInput{
			ConnectionID: in.Connection.ConnectionID, Workspace: in.Connection.Workspace, OrgID: in.Connection.OrgID,
			OrgURL: in.Connection.OrgURL, MappingField: in.MappingField, MatchingField: in.MatchingField,
			Cursor: cursor, Members: batch,
			Key: fmt.Sprintf("automap/%s/%d", workflow.GetInfo(ctx).WorkflowExecution.RunID, p.Batches),
		}).Get(ctx, &res)
		if err != nil {
			p.Running, p.Error, p.FinishedAt = false, reason(err), workflow.Now(ctx)
			workflow.SetCurrentDetails(ctx, "**failed** — "+p.Error)
			_ = workflow.UpsertTypedSearchAttributes(ctx, StateKey.ValueSet("failed"))
			return p, err
		}
		p.Add(res.MapCounts)
		p.Batches++
		for _, m := range res.AmbiguousMembers {
			if len(p.AmbiguousMembers) < 100 {
				p.AmbiguousMembers = append(p.AmbiguousMembers, m)
			}
		}
		cursor = res.Next
		if cursor == "" {
			break
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			next := in
			next.Cursor, next.Progress = cursor, p
			return p, workflow.NewContinueAsNewError(ctx, AutoMapWorkflowName, next)
		}
	}
	p.Running, p.Done, p.FinishedAt = false, true, workflow.Now(ctx)
	workflow.SetCurrentDetails(ctx, "**done** — "+p.Summary()+".")
	if err := workflow.UpsertTypedSearchAttributes(ctx, StateKey.ValueSet("done")); err != nil {
		return p, err
	}
	return p, nil
}
