package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
)

// askApproval tells the job's creator that its preview awaits an explicit
// approval, why, and until when, with an Approve preview button and a link
// to the job's page; once per job (keyed).
func (j *jobRun) askApproval(ctx workflow.Context, deadline time.Time) {
	why := "it was started without --yes"
	if len(j.s.Risks) > 0 {
		why = strings.Join(j.s.Risks, "; ")
	}
	postNoticeInput(ctx, workflow.NewWaitGroup(ctx), activities.NotifyInput{
		Team: j.in.Job.Workspace, Channel: j.in.Job.CreatedBy,
		Key: fmt.Sprintf("%s/%s/%s/0", workflow.GetInfo(ctx).WorkflowExecution.ID, NoticeJobApproval, j.in.Job.CreatedBy),
		Text: fmt.Sprintf("CSV job %s awaits your approval: %d to invite, %d unchanged, %d refused (%s). Review and approve it by %s.",
			j.s.ID, j.s.WouldInvite, j.s.WouldUnchange, j.s.WouldRefuse, why, deadline.UTC().Format(time.RFC1123)),
		Link:    JobPagePrefix + j.s.ID,
		Buttons: []activities.NoticeButton{{ActionID: ButtonApproveJob, Text: "Approve preview", Value: j.s.ID, Primary: true}},
	})
}
