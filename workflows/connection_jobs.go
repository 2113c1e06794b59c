package workflows

import (
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
)

// A connection's CSV jobs are its own: its import step starts each as a
// child workflow and keeps it in Connection.Jobs until the job says it
// has ended; a disconnect ends the jobs still running before the
// connection ends.

// ConnectionJob is a CSV job of the connection that has not ended.
type ConnectionJob struct {
	ID        string    `json:"id"`
	FileName  string    `json:"file_name,omitempty"`
	StartedBy string    `json:"started_by"`
	StartedAt time.Time `json:"started_at"`
}

// jobsStopWait is how long a disconnect waits for its jobs to end: each
// stops between two batches (seconds); one that takes longer ends on its
// own, after the connection.
const jobsStopWait = 2 * time.Minute

// setupJobs listens for the connection's jobs' ends.
func (w *connectionRun) setupJobs(ctx workflow.Context) {
	ch := workflow.GetSignalChannel(ctx, SignalJobEnded)
	w.signals = append(w.signals, ch)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			e, err := receiveSignal[JobEnded](ctx, ch)
			if err != nil || e.ConnectionID != w.c.ID {
				continue // not one of this connection's jobs
			}
			w.jobEnded(ctx, e)
		}
	})
}

func (w *connectionRun) jobEnded(ctx workflow.Context, e JobEnded) {
	for i, j := range w.c.Jobs {
		if j.ID == e.JobID {
			w.c.Jobs = append(w.c.Jobs[:i:i], w.c.Jobs[i+1:]...)
			w.record(ctx, model.ActionMap, "CSV job "+e.JobID+" ended: "+e.Phase)
			return
		}
	}
}

// importJob is the import step of connections since
// "job-owned-by-connection": the caller's role is checked, and the job is
// started, waiting for its file, before the caller uploads a row of it.
func (w *connectionRun) importJob(ctx workflow.Context, req ImportRequest) (ImportGrant, error) {
	var grant ImportGrant
	_, err := w.step(ctx, func() error { return w.validateImport(ctx, req) }, func() error {
		_, who, err := w.authorizeSlack(ctx, UpdateImport, model.ActionMap, req.Caller)
		if err != nil {
			return err
		}
		var suffix string
		if err := workflow.SideEffect(ctx, func(workflow.Context) any { return newState()[:8] }).Get(&suffix); err != nil {
			return err
		}
		id := workflow.Now(ctx).UTC().Format("20060102-150405") + "-" + suffix
		if err := w.startJob(ctx, id, req); err != nil {
			return err
		}
		w.recordBy(ctx, model.ActionMap, req.As, who, "CSV job "+id+" for "+req.FileName)
		grant = ImportGrant{JobID: id, ConnectionID: w.c.ID, OrgURL: w.c.OrgURL, OrgID: w.c.OrgID}
		return nil
	})
	return grant, err
}

// startJob starts job id as a child and keeps it in Jobs.
func (w *connectionRun) startJob(ctx workflow.Context, id string, req ImportRequest) error {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID: JobWorkflowID(id),
		// ABANDON, deliberately: a job waits days for its approval and its
		// invitations, while the connection continues as new, which closes
		// its run and would cancel (REQUEST_CANCEL) or kill (TERMINATE) its
		// children. The connection ends its jobs itself, on disconnect
		// (stopJobs), between two batches, which a cancel would not wait
		// for.
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			WorkspaceKey.ValueSet(w.c.Workspace), OrgKey.ValueSet(w.c.OrgID), OrgNameKey.ValueSet(w.c.OrgName),
			JobPhaseKey.ValueSet(PhaseUploading)),
		StaticSummary: fmt.Sprintf("CSV job %s: %s into %s ↔ %s", id, req.FileName, w.c.Workspace, w.c.OrgName),
	})
	fut := workflow.ExecuteChildWorkflow(cctx, JobWorkflowName, JobInput{
		Job: activities.JobRef{ID: id, Workspace: w.c.Workspace, OrgID: w.c.OrgID, OrgURL: w.c.OrgURL,
			ConnectionID: w.c.ID, CreatedBy: req.As},
		AutoApprove: req.AutoApprove,
		FileName:    req.FileName,
	})
	if err := fut.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return fmt.Errorf("start CSV job %s: %w", id, err)
	}
	w.c.Jobs = append(w.c.Jobs, ConnectionJob{ID: id, FileName: req.FileName, StartedBy: req.As, StartedAt: workflow.Now(ctx)})
	return nil
}

// stopJobs ends the connection's running jobs, for its disconnect: each
// is told, ends the rows it has not done (refused: connection
// disconnected) and says it has ended; the disconnect waits for them, at
// most jobsStopWait.
func (w *connectionRun) stopJobs(ctx workflow.Context) {
	if len(w.c.Jobs) == 0 {
		return
	}
	futures := make([]workflow.Future, len(w.c.Jobs))
	for i, j := range w.c.Jobs {
		futures[i] = workflow.SignalExternalWorkflow(ctx, JobWorkflowID(j.ID), "", SignalJobConnectionEnded,
			JobConnectionEnded{ConnectionID: w.c.ID, State: model.StateDisconnected})
	}
	jobs := append([]ConnectionJob(nil), w.c.Jobs...)
	for i, f := range futures {
		if err := f.Get(ctx, nil); err != nil {
			// Its workflow has closed without saying so.
			w.jobEnded(ctx, JobEnded{JobID: jobs[i].ID, ConnectionID: w.c.ID, Phase: "gone (" + reason(err) + ")"})
		}
	}
	ok, err := workflow.AwaitWithTimeout(ctx, jobsStopWait, func() bool { return len(w.c.Jobs) == 0 })
	if err == nil && !ok {
		ids := make([]string, len(w.c.Jobs))
		for i, j := range w.c.Jobs {
			ids[i] = j.ID
		}
		w.record(ctx, model.ActionDisconnect, "CSV jobs told to end, still running: "+strings.Join(ids, ", "))
	}
}
