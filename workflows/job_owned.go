package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
)

// A job belongs to its connection (issue 16): the connection's import step
// starts it (connection_jobs.go), before any of its rows is stored, so
// that no upload is ever without a job to own it — an upload that does
// not complete ends its job, whose rows end refused. The job waits for
// its file (uploading), reads it from the store and its settings from the
// worker, never from what a client put in its input; it ends when its
// connection is disconnected, and tells its connection when it ends.

// readSettings takes the worker's job settings.
func (j *jobRun) readSettings(ctx workflow.Context) error {
	var s JobSettings
	if err := workflow.ExecuteActivity(withNotices(ctx), acts.JobSettings).Get(ctx, &s); err != nil {
		return err
	}
	j.settings = s.WithDefaults()
	j.in.Settings = j.settings
	return nil
}

// setupOwned registers what a job started by its connection is told: its
// file is uploaded (an update), its connection has ended (a signal).
func (j *jobRun) setupOwned(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateJobUploaded, j.uploaded,
		workflow.UpdateHandlerOptions{Validator: j.validateUploaded}); err != nil {
		return err
	}
	ch := workflow.GetSignalChannel(ctx, SignalJobConnectionEnded)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			e, err := receiveSignal[JobConnectionEnded](ctx, ch)
			if err == nil && e.ConnectionID != j.in.Job.ConnectionID {
				err = invalidInput("connection %q is not the connection of job %s", e.ConnectionID, j.s.ID)
			}
			if err != nil {
				j.keepAttempt(ctx, model.ActionDisconnect, "", err)
				continue
			}
			if !j.s.Ended() && !j.cancelled {
				j.cancelled, j.cancelReason = true, activities.ReasonDisconnected
				j.s.CancelReason = activities.ReasonDisconnected
			}
		}
	})
	return nil
}

func (j *jobRun) validateUploaded(_ workflow.Context, u JobUpload) error {
	if j.s.Phase != PhaseUploading || j.cancelled || j.uploadFailed != "" {
		return refusal(ErrInvalidState, "job %s is %s: it waits for no upload", j.s.ID, j.s.Phase)
	}
	if len(u.Encoding) > 64 {
		return invalidInput("encoding %q is not an encoding's name", u.Encoding[:64])
	}
	return nil
}

// uploaded is the uploader's word that the file's rows are stored (or
// that the upload failed). The store is read to check it: the job takes
// its columns and its number of rows from there, and refuses an upload
// with rows missing.
func (j *jobRun) uploaded(ctx workflow.Context, u JobUpload) (JobStatus, error) {
	if err := j.mu.Lock(ctx); err != nil {
		return j.s, err
	}
	defer j.mu.Unlock()
	if err := j.validateUploaded(ctx, u); err != nil {
		return j.s, err
	}
	if u.Failed != "" {
		j.uploadFailed = boundReason(u.Failed)
		return j.s, nil
	}
	var ref activities.JobRef
	if err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.LoadJob, activities.JobInput{Job: j.in.Job}).Get(ctx, &ref); err != nil {
		return j.s, passOn(err)
	}
	if j.s.Phase != PhaseUploading || j.cancelled {
		return j.s, refusal(ErrInvalidState, "job %s is %s: it waits for no upload", j.s.ID, j.s.Phase)
	}
	ref.Encoding = u.Encoding
	j.in.Job = ref
	j.s.Rows, j.s.Encoding = ref.Rows, ref.Encoding
	j.s.Phase = PhaseValidating
	return j.s, nil
}

// awaitUpload is the phase before validation: the file's rows arrive in
// the store. A job whose upload failed, or did not complete in UploadTTL,
// ends failed, and so do the rows that arrived (refused).
func (j *jobRun) awaitUpload(ctx workflow.Context) error {
	deadline := j.s.StartedAt.Add(j.settings.UploadTTL)
	if _, err := workflow.AwaitWithTimeout(ctx, deadline.Sub(workflow.Now(ctx)), func() bool {
		return j.s.Phase != PhaseUploading || j.cancelled || j.uploadFailed != ""
	}); err != nil {
		return err
	}
	// An uploaded step reading the store finishes first.
	if err := j.mu.Lock(ctx); err != nil {
		return err
	}
	defer j.mu.Unlock()
	switch {
	case j.s.Phase != PhaseUploading:
		return nil
	case j.cancelled:
		return j.endCancelled(ctx, nil)
	}
	why := j.uploadFailed
	if why == "" {
		why = fmt.Sprintf("the file's rows did not all arrive within %s", j.settings.UploadTTL)
	}
	if err := j.endRows(ctx, activities.ReasonUploadIncomplete); err != nil {
		return err
	}
	if err := j.refreshOutcomes(ctx); err != nil {
		return err
	}
	j.s.Phase, j.s.Error, j.s.FinishedAt = PhaseFailed, "upload: "+why, workflow.Now(ctx)
	return nil
}

// sleep waits d, or less when the connection's disconnect stops the job
// (jobs started before their connections knew them just sleep).
func (j *jobRun) sleep(ctx workflow.Context, d time.Duration) error {
	if !j.owned {
		return workflow.Sleep(ctx, d)
	}
	_, err := workflow.AwaitWithTimeout(ctx, d, func() bool { return j.cancelled })
	return err
}

// tellConnection tells the job's connection that the job has ended, so
// that it stops counting it as running. A connection that has ended
// itself is not told.
func (j *jobRun) tellConnection(ctx workflow.Context) {
	if !j.owned {
		return
	}
	ctx, _ = workflow.NewDisconnectedContext(ctx)
	err := workflow.SignalExternalWorkflow(ctx, ConnectionWorkflowID(j.in.Job.Workspace, j.in.Job.OrgID), "", SignalJobEnded,
		JobEnded{JobID: j.s.ID, ConnectionID: j.in.Job.ConnectionID, Phase: j.s.Phase}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Info("the job's connection was not told of its end", "error", err)
	}
}
