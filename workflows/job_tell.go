package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
)

// tellBatch is how many of a job's rows one TellJobInvitees goes through:
// at a message a second, well within its StartToCloseTimeout.
const tellBatch = 50

// withInvitationNotices is for a batch of invitation DMs: heartbeated, so
// that a crashed worker's batch is retried soon (its members told before
// the crash are skipped by their keys); worth retrying for a day.
func withInvitationNotices(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    10 * time.Minute,
		HeartbeatTimeout:       20 * time.Second,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        5 * time.Minute,
			NonRetryableErrorTypes: activities.NonRetryable,
		},
	})
}

// tellInvitees sends the job's invited members their invitation DM, a
// batch of rows at a time, from TellNext (kept across continue-as-new). A
// batch that cannot be sent is logged and the job goes on: the members
// still see the login banner, and the creator sees how many were told.
func (j *jobRun) tellInvitees(ctx workflow.Context) error {
	for j.s.TellNext < j.s.Rows && !j.cancelled {
		to := min(j.s.TellNext+tellBatch, j.s.Rows)
		var told int
		err := workflow.ExecuteActivity(withInvitationNotices(ctx), acts.TellJobInvitees, activities.TellJobInviteesInput{
			Job: j.in.Job, From: j.s.TellNext, To: to, ExpiresAt: j.s.InviteExpiresAt,
		}).Get(ctx, &told)
		if err != nil {
			workflow.GetLogger(ctx).Warn("invitations not delivered", "from", j.s.TellNext, "to", to, "error", err)
		}
		j.s.Told += told
		j.s.TellNext = to
		j.publish(ctx)
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return j.continueAsNew(ctx)
		}
	}
	return nil
}
