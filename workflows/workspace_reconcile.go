package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
)

// DefaultReconcileEvery is how often a workspace compares its registry
// with the connections' workflows.
const DefaultReconcileEvery = 15 * time.Minute

// FreedPlace is a place the reconciliation freed: a connection that ended
// without its report reaching the registry (terminated or reset by hand,
// failed, timed out).
type FreedPlace struct {
	OrgID   string    `json:"org_id"`
	OrgName string    `json:"org_name"`
	At      time.Time `json:"at"`
	Why     string    `json:"why"`
}

// maxFreed is how many freed places a workspace keeps.
const maxFreed = MaxOrgsPerWorkspace

// reconcileLoop compares the registry with Temporal at the start of the
// run and every reconcileEvery: a connection can end without telling (a
// termination or a reset by hand, a failure), and its place must not stay
// taken among the 20; a registry started afresh (its last run terminated
// by hand) looks for the live connections it does not hold.
func (w *workspaceRun) reconcileLoop(ctx workflow.Context) {
	// Registries started before it replay without it.
	if workflow.GetVersion(ctx, versionWorkspaceReconcile, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	for {
		w.reconcile(ctx)
		if err := workflow.Sleep(ctx, w.reconcileEvery); err != nil {
			return
		}
	}
}

// reconcile frees the places of the registered connections that have ended.
func (w *workspaceRun) reconcile(ctx workflow.Context) {
	in := activities.ReconcileInput{Team: w.ws.Team, Running: runningConnectionsQuery(w.ws.Team)}
	for _, id := range workflow.DeterministicKeys(w.ws.Connections) {
		ref := w.ws.Connections[id]
		in.Connections = append(in.Connections, activities.RegisteredConnection{OrgID: ref.OrgID, WorkflowID: ref.WorkflowID, RequestedAt: ref.RequestedAt})
	}
	// An empty registry that lost nothing (it ended idle, or never had
	// any) need not ask.
	if len(in.Connections) == 0 && !w.fresh {
		return
	}
	w.fresh = false
	w.background.Add(1)
	defer w.background.Done()
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3, NonRetryableErrorTypes: activities.NonRetryable},
	})
	var res activities.ReconcileResult
	if err := workflow.ExecuteActivity(actx, acts.ReconcileConnections, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Warn("registry not reconciled; tried again at the next period", "error", err)
		return
	}
	for _, e := range res.Ended {
		ref, ok := w.ws.Connections[e.OrgID]
		// A later lifetime of the same org, registered meanwhile, stays.
		if !ok || !ref.RequestedAt.Equal(e.RequestedAt) {
			continue
		}
		delete(w.ws.Connections, e.OrgID)
		w.ws.Freed = keepNewest(w.ws.Freed, &w.ws.FreedDropped, maxFreed, FreedPlace{
			OrgID: e.OrgID, OrgName: ref.OrgName, At: workflow.Now(ctx), Why: e.Why,
		})
		workflow.GetLogger(ctx).Warn("a connection ended without telling the registry: its place is free", "org", e.OrgID, "why", e.Why)
	}
	for _, c := range res.Unregistered {
		if _, ok := w.ws.Connections[c.OrgID]; ok || c.State.Terminal() {
			continue
		}
		if at, ok := w.ended[c.OrgID]; ok && at.Equal(c.RequestedAt) {
			continue // it told its end since it was seen live
		}
		w.ws.Connections[c.OrgID] = ConnectionRef{OrgID: c.OrgID, OrgName: c.OrgName, OrgURL: c.OrgURL, State: c.State,
			WorkflowID: c.WorkflowID, RequestedBy: c.RequestedBy, RequestedAt: c.RequestedAt, Seq: c.Seq}
		workflow.GetLogger(ctx).Warn("a live connection the registry did not hold is registered again", "org", c.OrgID, "state", c.State)
	}
	if len(res.Ended) > 0 || len(res.Unregistered) > 0 {
		w.describe(ctx)
	}
}

// runningConnectionsQuery is the visibility query of a workspace's running
// connections (a team id holds no quote).
func runningConnectionsQuery(team string) string {
	return fmt.Sprintf("WorkflowType = '%s' AND %s = '%s' AND ExecutionStatus = 'Running'", ConnectionWorkflowName, WorkspaceKey.GetName(), team)
}
