package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"

	"github.com/sfconnect/sfconnect/model"
)

// awaitStep waits for the pending step to be taken, reminding its approvers
// every Timing.ReminderEvery, and expires the connection at ExpiresAt.
func (w *connectionRun) awaitStep(ctx workflow.Context) error {
	state := w.c.State
	// Those who may take the step are told when it begins (Step 2: at
	// request time), once per step even across continue-as-new.
	if noticesVersion(ctx) == 1 && w.c.AskedFor != state && workflow.Now(ctx).Before(w.c.ExpiresAt) {
		w.c.AskedFor = state
		w.askStep(ctx, 0)
	}
	for w.c.State == state {
		now := workflow.Now(ctx)
		if !now.Before(w.c.ExpiresAt) {
			return w.expire(ctx, state)
		}
		wake := w.nextReminder()
		if wake.After(w.c.ExpiresAt) {
			wake = w.c.ExpiresAt
		}
		moved, err := workflow.AwaitWithTimeout(ctx, wake.Sub(now), func() bool { return w.c.State != state })
		if err != nil || moved {
			return err
		}
		if workflow.Now(ctx).Before(w.c.ExpiresAt) {
			w.remind(ctx)
		}
	}
	return nil
}

func (w *connectionRun) nextReminder() time.Time {
	last := w.c.WaitingSince
	if w.c.LastReminderAt.After(last) {
		last = w.c.LastReminderAt
	}
	return last.Add(w.timing.ReminderEvery)
}

// expire ends a step nobody took in time. It takes the steps' lock, so that
// an approval already past its role check wins over the clock.
func (w *connectionRun) expire(ctx workflow.Context, state model.State) error {
	if err := w.mu.Lock(ctx); err != nil {
		return err
	}
	defer w.mu.Unlock()
	if w.c.State != state {
		return nil
	}
	w.record(ctx, model.ActionExpire, fmt.Sprintf("nobody took %s within %s", describeStep(state), w.timing.RequestTTL))
	w.setState(ctx, model.StateExpired)
	w.tellRequester(ctx, fmt.Sprintf("Your request to connect Salesforce org %s expired: %s was not done within %s. Request it again to start over.",
		w.c.OrgName, describeStep(state), w.timing.RequestTTL))
	return nil
}

// remind nudges whoever must act next: the requester, and the people the
// directories say may take the step.
func (w *connectionRun) remind(ctx workflow.Context) {
	w.c.RemindersSent++
	w.c.LastReminderAt = workflow.Now(ctx)
	w.describe(ctx)
	if noticesVersion(ctx) == 1 {
		w.askStep(ctx, w.c.RemindersSent)
		return
	}
	text := fmt.Sprintf("Reminder: the connection to Salesforce org %s (%s) is waiting: %s. It expires on %s.",
		w.c.OrgName, w.c.OrgURL, waitingFor(w.c), w.c.ExpiresAt.UTC().Format(time.RFC1123))
	var approvers []string
	err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.Approvers, activities.ApproversInput{
		Team: w.c.Workspace, OrgURL: w.c.OrgURL, State: w.c.State,
	}).Get(ctx, &approvers)
	if err != nil {
		// The requester is still reminded; they know whom to chase.
		workflow.GetLogger(ctx).Warn("approvers not found", "error", err)
	}
	sent := map[string]bool{}
	for _, member := range append([]string{w.c.RequestedBy}, approvers...) {
		if !sent[member] {
			sent[member] = true
			w.notify(ctx, member, text)
		}
	}
}

func describeStep(s model.State) string {
	switch s {
	case model.StatePendingApproval:
		return "the approval in Salesforce (Step 2)"
	case model.StatePendingActivation:
		return "the activation in Slack (Step 3)"
	}
	return string(s)
}

// waitingFor says what a connection waits for and from whom ("" when no
// one needs to act).
func waitingFor(c Connection) string {
	switch c.State {
	case model.StatePendingApproval:
		return fmt.Sprintf("a Salesforce system administrator of %s must approve or reject it (Step 2)", c.OrgName)
	case model.StatePendingActivation:
		return fmt.Sprintf("a workspace owner of %s or a holder of the Salesforce system administrator role must activate it (Step 3)", c.Workspace)
	}
	return ""
}

// describe sets the Web UI's "current details" and the status's WaitingFor.
func (w *connectionRun) describe(ctx workflow.Context) {
	w.c.WaitingFor = waitingFor(w.c)
	var details string
	switch {
	case w.c.WaitingFor != "":
		details = fmt.Sprintf("**%s** — waiting: %s, by %s.\n\nRequested by %s on %s. Reminders sent: %d.",
			w.c.State, w.c.WaitingFor, w.c.ExpiresAt.UTC().Format(time.RFC1123), w.c.RequestedBy,
			w.c.RequestedAt.UTC().Format(time.RFC1123), w.c.RemindersSent)
	case w.c.State == model.StateActive:
		details = fmt.Sprintf("**active** — %s ↔ %s (%s), matching Slack %s to Salesforce %s. Waiting for management actions or a disconnect.",
			w.c.Workspace, w.c.OrgName, w.c.OrgID, w.c.MappingField, w.c.MatchingField)
	default:
		details = fmt.Sprintf("**%s** — %s", w.c.State, w.lastEvent())
	}
	workflow.SetCurrentDetails(ctx, details)
}

func (w *connectionRun) lastEvent() string {
	if len(w.c.History) == 0 {
		return ""
	}
	e := w.c.History[len(w.c.History)-1]
	s := fmt.Sprintf("%s on %s", e.Action, e.At.UTC().Format(time.RFC1123))
	if e.By != "" {
		s += " by " + e.By
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// notify posts a Slack notice to a member of the connection's workspace.
func (w *connectionRun) notify(ctx workflow.Context, channel, text string) {
	postNotice(ctx, w.background, w.c.Workspace, channel, text)
}
