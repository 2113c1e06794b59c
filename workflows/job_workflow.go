package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/store"
)

// JobWorkflow runs one CSV mapping job in phases: validate every row
// (changing nothing) and show the preview; wait for an admin's approval
// (risky jobs need an explicit one); apply in batches, several at once;
// then follow the invitations it made until each member has signed in or
// the invitation expired. The rows live in the store: no payload carries
// them. Its ID is JobWorkflowID.
func JobWorkflow(ctx workflow.Context, in JobInput) (JobStatus, error) {
	j := &jobRun{in: in, settings: in.Settings.WithDefaults(), proofs: newProofs(in.UsedProofs), owned: in.Owned}
	first := in.Status == nil
	switch {
	case !first:
		j.s = *in.Status
	case workflow.GetVersion(ctx, versionJobOwnedByConnection, workflow.DefaultVersion, 1) == 1:
		// Started by its connection (job_owned.go): it waits for its file,
		// then reads it from the store, and its settings from the worker.
		j.owned = true
		j.s = JobStatus{ID: in.Job.ID, Workspace: in.Job.Workspace, OrgID: in.Job.OrgID, FileName: in.FileName,
			Phase: PhaseUploading, StartedAt: workflow.Now(ctx)}
	default:
		// Jobs started before by the CLI, with their settings and file in
		// their input, replay as they ran.
		j.s = JobStatus{ID: in.Job.ID, Workspace: in.Job.Workspace, OrgID: in.Job.OrgID, Rows: in.Job.Rows, Encoding: in.Job.Encoding,
			Phase: PhaseValidating, StartedAt: workflow.Now(ctx)}
	}
	if err := j.setup(ctx); err != nil {
		return j.s, err
	}
	if j.owned && first {
		if err := j.readSettings(ctx); err != nil {
			return j.fail(ctx, err)
		}
	}
	return j.run(ctx)
}

type jobRun struct {
	in       JobInput
	settings JobSettings
	s        JobStatus
	// owned: the job's connection started it, and is told when it ends.
	owned bool
	// cancelled is set by the cancel step, or by the connection's
	// disconnect; the apply loop stops between batches. cancelReason is
	// what the rows not done end with (ReasonCancelled when empty).
	cancelled    bool
	cancelReason string
	// uploadFailed is why the upload of the job's file failed, as its
	// uploader said.
	uploadFailed string
	mu           workflow.Mutex
	// proofs are the step assertions used, and those being verified.
	proofs *proofs
}

func (j *jobRun) setup(ctx workflow.Context) error {
	j.mu = workflow.NewMutex(ctx)
	if err := workflow.SetQueryHandler(ctx, QueryJob, func() (JobStatus, error) { return j.s, nil }); err != nil {
		return err
	}
	for _, m := range []struct {
		name     string
		validate func(workflow.Context, JobDecision) error
		apply    func(workflow.Context, JobDecision) (JobStatus, error)
		action   model.Action
	}{
		{UpdateJobApprove, j.validateApprove, j.approve, model.ActionMap},
		{UpdateJobCancel, j.validateCancel, j.cancel, model.ActionMap},
	} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, m.name, m.apply, workflow.UpdateHandlerOptions{Validator: m.validate}); err != nil {
			return err
		}
		// The same step as a signal: its refusal, or a payload that cannot
		// be read, is kept in the status's attempts, as the connection's are
		// (a signal's sender learns nothing otherwise).
		ch := workflow.GetSignalChannel(ctx, m.name)
		m := m
		workflow.Go(ctx, func(ctx workflow.Context) {
			for {
				d, err := receiveSignal[JobDecision](ctx, ch)
				if err == nil {
					err = m.validate(ctx, d)
				}
				if err == nil {
					_, err = m.apply(ctx, d)
				}
				if err != nil {
					j.keepAttempt(ctx, model.Action(m.name), d.As, err)
				}
			}
		})
	}
	return j.setupOwned(ctx)
}

func (j *jobRun) run(ctx workflow.Context) (JobStatus, error) {
	for !j.s.Ended() {
		j.publish(ctx)
		var err error
		switch j.s.Phase {
		case PhaseUploading:
			err = j.awaitUpload(ctx)
		case PhaseValidating:
			err = j.validate(ctx)
		case PhaseAwaitingApproval:
			err = j.awaitApproval(ctx)
		case PhaseApplying:
			err = j.apply(ctx)
		case PhaseFollowing:
			err = j.follow(ctx)
		}
		var can *workflow.ContinueAsNewError
		if err != nil && !errors.As(err, &can) {
			return j.fail(ctx, err)
		}
		if can != nil {
			return j.s, err
		}
	}
	j.publish(ctx)
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return j.s, err
	}
	j.tellConnection(ctx)
	return j.s, nil
}

// fail ends the job on err.
func (j *jobRun) fail(ctx workflow.Context, err error) (JobStatus, error) {
	j.s.Phase, j.s.Error, j.s.FinishedAt = PhaseFailed, reason(err), workflow.Now(ctx)
	j.publish(ctx)
	j.tellConnection(ctx)
	return j.s, err
}

// publish shows the job's state: the SfJobPhase search attribute (its
// phase) and the Web UI's details. Jobs started before
// "job-phase-attribute" keep showing their phase in SfState, as they did.
func (j *jobRun) publish(ctx workflow.Context) {
	key := JobPhaseKey
	if workflow.GetVersion(ctx, versionJobPhaseAttribute, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		key = StateKey
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx, key.ValueSet(j.s.Phase))
	workflow.SetCurrentDetails(ctx, j.details())
}

func (j *jobRun) details() string {
	s := j.s
	switch s.Phase {
	case PhaseUploading:
		return fmt.Sprintf("**uploading** — waiting for the rows of %s (until %s)", s.FileName, s.StartedAt.Add(j.settings.UploadTTL).UTC().Format(time.RFC1123))
	case PhaseValidating:
		return fmt.Sprintf("**validating** — %d of %d rows checked", s.Validated, s.Rows)
	case PhaseAwaitingApproval:
		who := "an admin of " + s.Workspace + " must approve it (`starter jobs approve " + s.ID + "`)"
		if len(s.Risks) > 0 {
			who += "; explicit approval needed: " + joinList(s.Risks)
		}
		return fmt.Sprintf("**awaiting approval** — preview: %d to invite, %d unchanged, %d refused. Waiting: %s.", s.WouldInvite, s.WouldUnchange, s.WouldRefuse, who)
	case PhaseApplying:
		return fmt.Sprintf("**applying** — %d of %d rows: %d invited, %d unchanged, %d refused", s.Applied, s.Rows, s.Invited, s.Unchanged, s.Refused)
	case PhaseFollowing:
		return fmt.Sprintf("**following invitations** — %d linked, %d waiting for their members (until %s), %d unchanged, %d refused",
			s.Linked, s.Waiting, s.InviteExpiresAt.UTC().Format(time.RFC1123), s.Unchanged, s.Refused)
	}
	return fmt.Sprintf("**%s** — %d linked, %d invited, %d unchanged, %d refused %s", s.Phase, s.Linked, s.Invited, s.Unchanged, s.Refused, s.Error)
}

func joinList(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += "; "
		}
		out += s
	}
	return out
}

func (j *jobRun) batchOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		// A batch heartbeats after each of its steps (a second or two for
		// 10,000 rows): a worker that died is noticed in seconds, not minutes.
		HeartbeatTimeout: 15 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: activities.NonRetryable,
		},
	})
}

// batches runs fn's activity over every batch from j.s.NextBatch on, at
// most parallelism at once, calling done with each result in order. It
// stops between batches when stop says so, and continues as new when the
// history grows large.
func (j *jobRun) batches(ctx workflow.Context, name string, parallelism int, activity any, extra func(in *activities.JobBatchInput),
	done func(activities.JobBatchResult), stop func() bool) error {
	if workflow.GetVersion(ctx, versionJobBatchesWindow, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return j.waves(ctx, name, activity, extra, done, stop)
	}
	total := j.batchCount()
	actx := j.batchOptions(ctx)
	// A window rather than waves: a new batch starts as soon as the oldest
	// ends, so that one batch reads and resolves its rows while another
	// holds the store's writer (on SQLite, one at a time). Waiting for a
	// whole wave left a core idle during every write.
	var inflight []workflow.Future
	next := j.s.NextBatch
	draining := false
	for j.s.NextBatch < total {
		draining = draining || stop() || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
		for !draining && next < total && len(inflight) < parallelism {
			inflight = append(inflight, workflow.ExecuteActivity(actx, activity, j.batchInput(name, next, extra)))
			next++
		}
		if len(inflight) == 0 {
			break
		}
		var res activities.JobBatchResult
		if err := inflight[0].Get(ctx, &res); err != nil {
			return err
		}
		inflight = inflight[1:]
		done(res)
		j.s.NextBatch++
		// Progress for the Web UI; SfJobPhase changes only with the phase.
		workflow.SetCurrentDetails(ctx, j.details())
	}
	if j.s.NextBatch < total && !stop() {
		return j.continueAsNew(ctx)
	}
	return nil
}

func (j *jobRun) batchCount() int {
	return (j.s.Rows + j.settings.BatchSize - 1) / j.settings.BatchSize
}

// batchInput is batch b of the phase name: its rows and its key, which
// names the job, the phase and the batch, so that a batch done twice (a
// retry, a replay after continue-as-new) changes nothing the second time.
func (j *jobRun) batchInput(name string, b int, extra func(in *activities.JobBatchInput)) activities.JobBatchInput {
	size := j.settings.BatchSize
	in := activities.JobBatchInput{Job: j.in.Job, From: b * size, To: min((b+1)*size, j.s.Rows),
		Key: fmt.Sprintf("job/%s/%s/%d", j.in.Job.ID, name, b)}
	if extra != nil {
		extra(&in)
	}
	return in
}

// waves is how jobs started before "job-batches-window" run their batches:
// Parallelism at a time, each wave waiting for its slowest batch. Kept so
// that their histories replay.
func (j *jobRun) waves(ctx workflow.Context, name string, activity any, extra func(in *activities.JobBatchInput),
	done func(activities.JobBatchResult), stop func() bool) error {
	total := j.batchCount()
	actx := j.batchOptions(ctx)
	for j.s.NextBatch < total {
		if stop() {
			return nil
		}
		wave := min(j.settings.Parallelism, total-j.s.NextBatch)
		futures := make([]workflow.Future, wave)
		for i := range wave {
			futures[i] = workflow.ExecuteActivity(actx, activity, j.batchInput(name, j.s.NextBatch+i, extra))
		}
		for _, f := range futures {
			var res activities.JobBatchResult
			if err := f.Get(ctx, &res); err != nil {
				return err
			}
			done(res)
			j.s.NextBatch++
		}
		j.publish(ctx)
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return j.continueAsNew(ctx)
		}
	}
	return nil
}

// continueAsNew carries the job's status to a new run, between waves: no
// batch is in flight, and each batch's key names the job, the phase and the
// batch, so a batch is never applied twice.
func (j *jobRun) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	st := j.s
	next := j.in
	next.Status = &st
	next.Owned = j.owned
	next.UsedProofs = j.proofs.live(workflow.Now(ctx))
	return workflow.NewContinueAsNewError(ctx, JobWorkflowName, next)
}

// validate is phase (a): every row checked, nothing changed.
func (j *jobRun) validate(ctx workflow.Context) error {
	// Jobs started before "job-validate-parallelism" validate as many
	// batches at once as they apply, as they did.
	parallelism := j.settings.Parallelism
	if workflow.GetVersion(ctx, versionJobValidateParallelism, workflow.DefaultVersion, 1) == 1 {
		parallelism = j.settings.ValidateParallelism
	}
	err := j.batches(ctx, "validate", parallelism, acts.ValidateJobBatch, nil, func(r activities.JobBatchResult) {
		j.s.Validated += r.Rows
		j.s.WouldInvite += r.Invited
		j.s.WouldUnchange += r.Unchanged
		j.s.Moves += r.Moves
	}, func() bool { return j.cancelled })
	if err != nil || j.cancelled {
		return j.endCancelled(ctx, err)
	}
	if err := j.preview(ctx); err != nil {
		return err
	}
	j.s.ValidatedAt = workflow.Now(ctx)
	j.s.NextBatch = 0
	j.s.Phase = PhaseAwaitingApproval
	if j.in.AutoApprove && len(j.s.Risks) == 0 {
		j.s.ApprovedBy, j.s.ApprovedAt = j.in.Job.CreatedBy+" (--yes)", workflow.Now(ctx)
		j.s.Phase = PhaseApplying
	}
	return nil
}

// preview reads the counts and decides whether the job is risky.
func (j *jobRun) preview(ctx workflow.Context) error {
	var counts store.JobCounts
	if err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.JobPreview, activities.JobInput{Job: j.in.Job}).Get(ctx, &counts); err != nil {
		return err
	}
	// The plans to invite or keep are counted from the batches' results
	// (validation stores only refusals); a refusal is final at validation,
	// or at upload for malformed and repeated rows.
	j.s.Refused = counts.ByOutcome[store.OutcomeRefused]
	j.s.WouldRefuse = j.s.Refused
	j.s.RefusalReasons = counts.Reasons
	j.s.Risks = nil
	if j.s.Rows > 0 && float64(j.s.WouldRefuse) > j.settings.MaxRefusedShare*float64(j.s.Rows) {
		j.s.Risks = append(j.s.Risks, fmt.Sprintf("%d of %d rows (%.0f%%) would be refused, more than %.0f%%",
			j.s.WouldRefuse, j.s.Rows, 100*float64(j.s.WouldRefuse)/float64(j.s.Rows), 100*j.settings.MaxRefusedShare))
	}
	if j.s.Moves > 0 {
		j.s.Risks = append(j.s.Risks, fmt.Sprintf("%d members already linked would move to another Salesforce user", j.s.Moves))
	}
	return nil
}

// awaitApproval is phase (b).
func (j *jobRun) awaitApproval(ctx workflow.Context) error {
	deadline := j.s.StartedAt.Add(j.settings.ApprovalTTL)
	if workflow.GetVersion(ctx, versionJobApprovalNotice, workflow.DefaultVersion, 1) == 1 {
		j.askApproval(ctx, deadline)
	}
	ok, err := workflow.AwaitWithTimeout(ctx, deadline.Sub(workflow.Now(ctx)), func() bool {
		return j.s.Phase != PhaseAwaitingApproval || j.cancelled
	})
	if err != nil {
		return err
	}
	if j.cancelled {
		return j.endCancelled(ctx, nil)
	}
	if !ok {
		if err := j.endRows(ctx, activities.ReasonApprovalExpired); err != nil {
			return err
		}
		j.s.Phase, j.s.FinishedAt = PhaseExpired, workflow.Now(ctx)
	}
	return nil
}

func (j *jobRun) validateApprove(_ workflow.Context, d JobDecision) error {
	if j.s.Phase != PhaseAwaitingApproval {
		return refusal(ErrInvalidState, "job %s is %s: only a job awaiting approval can be approved", j.s.ID, j.s.Phase)
	}
	return j.proofs.requireCaller(d.Caller)
}

// approve is the admin's approval of the preview; it is the explicit
// approval that risky jobs need.
func (j *jobRun) approve(ctx workflow.Context, d JobDecision) (JobStatus, error) {
	if err := j.mu.Lock(ctx); err != nil {
		return j.s, err
	}
	defer j.mu.Unlock()
	if err := j.validateApprove(ctx, d); err != nil {
		return j.s, err
	}
	_, who, err := authorizeSlack(ctx, j.proofs, j.in.Job.Workspace, UpdateJobApprove, model.ActionMap, d.Caller)
	if err != nil {
		return j.s, err
	}
	j.s.ApprovedBy, j.s.ApprovedAt, j.s.ApprovedUnverified = d.As, workflow.Now(ctx), !who.Verified
	j.s.Phase = PhaseApplying
	return j.s, nil
}

func (j *jobRun) validateCancel(_ workflow.Context, d JobDecision) error {
	if j.s.Ended() || j.s.Phase == PhaseFollowing {
		return refusal(ErrInvalidState, "job %s is %s: there is nothing left to cancel", j.s.ID, j.s.Phase)
	}
	if j.cancelled {
		return refusal(ErrInvalidState, "job %s is already being cancelled", j.s.ID)
	}
	return j.proofs.requireCaller(d.Caller)
}

// cancel stops the job between batches; the rows done are kept.
func (j *jobRun) cancel(ctx workflow.Context, d JobDecision) (JobStatus, error) {
	if err := j.mu.Lock(ctx); err != nil {
		return j.s, err
	}
	defer j.mu.Unlock()
	if err := j.validateCancel(ctx, d); err != nil {
		return j.s, err
	}
	_, who, err := authorizeSlack(ctx, j.proofs, j.in.Job.Workspace, UpdateJobCancel, model.ActionMap, d.Caller)
	if err != nil {
		return j.s, err
	}
	j.s.CancelledBy, j.s.CancelledUnverified = d.As, !who.Verified
	j.cancelled = true
	return j.s, nil
}

// endCancelled ends every row not yet done and the job.
func (j *jobRun) endCancelled(ctx workflow.Context, err error) error {
	if err != nil {
		return err
	}
	why := activities.ReasonCancelled
	if j.cancelReason != "" {
		why = j.cancelReason
	}
	if err := j.endRows(ctx, why); err != nil {
		return err
	}
	j.s.Phase, j.s.FinishedAt = PhaseCancelled, workflow.Now(ctx)
	return j.refreshOutcomes(ctx)
}

func (j *jobRun) endRows(ctx workflow.Context, why string) error {
	var n int
	return workflow.ExecuteActivity(withNotices(ctx), acts.EndJobRows, activities.JobInput{Job: j.in.Job, Reason: why}).Get(ctx, &n)
}

func (j *jobRun) refreshOutcomes(ctx workflow.Context) error {
	var counts store.JobCounts
	if err := workflow.ExecuteActivity(withNotices(ctx), acts.JobPreview, activities.JobInput{Job: j.in.Job}).Get(ctx, &counts); err != nil {
		return err
	}
	j.s.Linked = counts.ByOutcome[store.OutcomeLinked]
	j.s.Invited = counts.ByOutcome[store.OutcomeInvited]
	j.s.Unchanged = counts.ByOutcome[store.OutcomeUnchanged]
	j.s.Refused = counts.ByOutcome[store.OutcomeRefused]
	return nil
}

// apply is phase (c).
func (j *jobRun) apply(ctx workflow.Context) error {
	if j.s.InviteExpiresAt.IsZero() {
		j.s.InviteExpiresAt = workflow.Now(ctx).Add(j.settings.InviteTTL)
	}
	err := j.batches(ctx, "apply", j.settings.Parallelism, acts.ApplyJobBatch, func(in *activities.JobBatchInput) {
		in.InviteExpiresAt = j.s.InviteExpiresAt
		in.TrustValidation = workflow.Now(ctx).Sub(j.s.ValidatedAt) <= j.settings.RevalidateAfter
	}, func(r activities.JobBatchResult) {
		j.s.Applied += r.Rows
		j.s.Invited += r.Invited
		j.s.Unchanged += r.Unchanged
		j.s.Refused += r.Refused
	}, func() bool { return j.cancelled })
	if err != nil || j.cancelled {
		return j.endCancelled(ctx, err)
	}
	if err := j.refreshOutcomes(ctx); err != nil {
		return err
	}
	j.s.AppliedAt = workflow.Now(ctx)
	j.s.Waiting = j.s.Invited
	j.s.Phase = PhaseFollowing
	postNotice(ctx, workflow.NewWaitGroup(ctx), j.in.Job.Workspace, j.in.Job.CreatedBy, fmt.Sprintf(
		"CSV job %s applied: %d invited, %d unchanged, %d refused. Invited members link their accounts by signing in to Salesforce before %s.",
		j.s.ID, j.s.Invited, j.s.Unchanged, j.s.Refused, j.s.InviteExpiresAt.UTC().Format(time.RFC1123)))
	return nil
}

// follow is phase (d): it looks at the job's invitations every FollowEvery,
// one activity for all of them (no signal per member), until none waits.
func (j *jobRun) follow(ctx workflow.Context) error {
	// The invited members are told first, in the background of the job's
	// creator (jobs started before this follow without it).
	if workflow.GetVersion(ctx, versionJobInvitationNotices, workflow.DefaultVersion, 1) == 1 {
		if err := j.tellInvitees(ctx); err != nil {
			return err
		}
	}
	for j.s.Phase == PhaseFollowing {
		if j.cancelled { // only the connection's disconnect stops a job that follows
			return j.endCancelled(ctx, nil)
		}
		var res activities.SettleResult
		err := workflow.ExecuteActivity(withNotices(ctx), acts.SettleJobInvitations, activities.JobInput{Job: j.in.Job, Now: workflow.Now(ctx)}).Get(ctx, &res)
		if err != nil {
			return err
		}
		if err := j.refreshOutcomes(ctx); err != nil {
			return err
		}
		j.s.Waiting = res.Waiting
		j.publish(ctx)
		if res.Waiting == 0 {
			j.s.Phase, j.s.FinishedAt = PhaseDone, workflow.Now(ctx)
			return nil
		}
		wake := j.settings.FollowEvery
		if until := j.s.InviteExpiresAt.Sub(workflow.Now(ctx)); until > 0 && until < wake {
			wake = until
		}
		if err := j.sleep(ctx, max(wake, time.Second)); err != nil {
			return err
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return j.continueAsNew(ctx)
		}
	}
	return nil
}
