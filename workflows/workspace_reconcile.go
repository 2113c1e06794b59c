package workflows

import (
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
// taken among the 20.
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
	in := activities.ReconcileInput{Team: w.ws.Team}
	for _, id := range workflow.DeterministicKeys(w.ws.Connections) {
		ref := w.ws.Connections[id]
		in.Connections = append(in.Connections, activities.RegisteredConnection{OrgID: ref.OrgID, WorkflowID: ref.WorkflowID, RequestedAt: ref.RequestedAt})
	}
	if len(in.Connections) == 0 {
		return
	}
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
	if len(res.Ended) > 0 {
		w.describe(ctx)
	}
}
