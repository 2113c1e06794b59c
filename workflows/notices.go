package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
)

// Notice kinds: the part of a notice's idempotency key that says what it
// tells.
const (
	// NoticeApprove asks the org's system administrators for Step 2.
	NoticeApprove = "approve"
	// NoticeActivate asks the workspace's owners and holders of the
	// Salesforce system administrator role for Step 3, with a button.
	NoticeActivate = "activate"
	// NoticeReminder reminds the requester of a pending step.
	NoticeReminder = "reminder"
	// NoticeOutcome tells the requester what became of the request.
	NoticeOutcome = "outcome"
	// NoticeRequested tells the requester that the request was sent.
	NoticeRequested = "requested"
)

// Buttons' action ids, answered by the console's /slack/interactivity.
const (
	// ButtonActivate takes Step 3 for the member who clicks.
	ButtonActivate = "sfconnect_activate"
	// ButtonApproveJob approves a CSV job's preview for the member who
	// clicks; its value is the job id.
	ButtonApproveJob = "sfconnect_approve_job"
)

// NoticeJobApproval asks a job's creator to approve its preview.
const NoticeJobApproval = "job-approval"

// JobPagePrefix + job id is the console's page of a CSV job.
const JobPagePrefix = "/slack/jobs/"

// ButtonValue is the value of a connection's button: its workspace and org.
func ButtonValue(team, orgID string) string { return team + "/" + orgID }

// ParseButtonValue splits a ButtonValue.
func ParseButtonValue(v string) (team, orgID string, ok bool) {
	team, orgID, ok = strings.Cut(v, "/")
	return team, orgID, ok && team != "" && orgID != ""
}

// The console's pages that notices link to.
const (
	// ApprovalPagePrefix + org id is the Salesforce side's approval page.
	ApprovalPagePrefix = "/salesforce/"
	// OrgPagePrefix + org id is the Slack side's page of a connection.
	OrgPagePrefix = "/slack/orgs/"
)

// noticeKey is a notice's idempotency key: the connection's lifetime (its
// workflow id and request time, since a reconnection reuses the workflow
// id), the kind, the recipient and the sequence (0 at a step's start, then
// the reminder's number, or the history's length for an outcome).
func (w *connectionRun) noticeKey(ctx workflow.Context, kind, recipient string, seq int) string {
	return noticeKey(workflow.GetInfo(ctx).WorkflowExecution.ID, w.c.RequestedAt, kind, recipient, seq)
}

func noticeKey(workflowID string, requestedAt time.Time, kind, recipient string, seq int) string {
	return fmt.Sprintf("%s@%d/%s/%s/%d", workflowID, requestedAt.UnixMilli(), kind, recipient, seq)
}

// noticesVersion gates the notices with links, buttons and keys: histories
// recorded before them replay without their commands.
func noticesVersion(ctx workflow.Context) workflow.Version {
	return workflow.GetVersion(ctx, versionStepNotices, workflow.DefaultVersion, 1)
}

// askStep tells whoever may take the pending step what is asked, with a
// link to the console's page for it (Step 3's also with an Activate
// button), and the requester too when it is a reminder (seq > 0). Step 2's
// approvers that Slack does not know are kept in NotReachable.
func (w *connectionRun) askStep(ctx workflow.Context, seq int) {
	var reach activities.Reach
	err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.ReachApprovers, activities.ApproversInput{
		Team: w.c.Workspace, OrgURL: w.c.OrgURL, State: w.c.State,
	}).Get(ctx, &reach)
	if err != nil {
		// The requester is still reminded; they know whom to chase.
		workflow.GetLogger(ctx).Warn("approvers not found", "error", err)
	}
	by := w.c.ExpiresAt.UTC().Format(time.RFC1123)
	prefix := ""
	if seq > 0 {
		prefix = "Reminder: "
	}
	in := activities.NotifyInput{Team: w.c.Workspace}
	kind := NoticeApprove
	switch w.c.State {
	case model.StatePendingApproval:
		if err == nil {
			w.c.NotReachable = reach.NotReachable
		}
		in.Text = fmt.Sprintf("%s<@%s> asks to connect Slack workspace %s to Salesforce org %s (%s). As a system administrator of that org, review and approve or reject it (Step 2) by %s.",
			prefix, w.c.RequestedBy, w.c.Workspace, w.c.OrgName, w.c.OrgURL, by)
		in.Link, in.LinkText = ApprovalPagePrefix+w.c.OrgID, "Review in console"
	case model.StatePendingActivation:
		kind = NoticeActivate
		in.Text = fmt.Sprintf("%sSalesforce org %s (%s) approved its connection to this workspace. As a workspace owner or a holder of the Salesforce system administrator role, activate it (Step 3) by %s.",
			prefix, w.c.OrgName, w.c.OrgURL, by)
		in.Link = OrgPagePrefix + w.c.OrgID
		in.Buttons = []activities.NoticeButton{{ActionID: ButtonActivate, Text: "Activate", Value: ButtonValue(w.c.Workspace, w.c.OrgID), Primary: true}}
	default:
		return
	}
	sent := map[string]bool{}
	for _, member := range reach.Members {
		if sent[member] {
			continue
		}
		sent[member] = true
		n := in
		n.Channel, n.Key = member, w.noticeKey(ctx, kind, member, seq)
		w.post(ctx, n)
	}
	if seq > 0 && !sent[w.c.RequestedBy] {
		w.post(ctx, activities.NotifyInput{
			Team: w.c.Workspace, Channel: w.c.RequestedBy, Key: w.noticeKey(ctx, NoticeReminder, w.c.RequestedBy, seq),
			Text: fmt.Sprintf("Reminder: the connection to Salesforce org %s (%s) is waiting: %s. It expires on %s.", w.c.OrgName, w.c.OrgURL, waitingFor(w.c), by),
			Link: OrgPagePrefix + w.c.OrgID,
		})
	}
}

// tellRequester tells the requester what became of the request, once: the
// key's sequence is the number of events so far, one event per outcome.
func (w *connectionRun) tellRequester(ctx workflow.Context, text string) {
	w.post(ctx, activities.NotifyInput{
		Team: w.c.Workspace, Channel: w.c.RequestedBy, Text: text, Link: OrgPagePrefix + w.c.OrgID,
		Key: w.noticeKey(ctx, NoticeOutcome, w.c.RequestedBy, w.c.Events()),
	})
}

// post sends a notice in the background.
func (w *connectionRun) post(ctx workflow.Context, in activities.NotifyInput) {
	postNoticeInput(ctx, w.background, in)
}
