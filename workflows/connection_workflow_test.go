package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

var requestedAt = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// pendingConnection is a connection as Step 1 starts it.
func pendingConnection() workflows.ConnectionInput {
	return workflows.ConnectionInput{
		Connection: workflows.Connection{
			Workspace: "T0DEMO0001", OrgID: "00D000000000001AAA", OrgName: "acme", OrgURL: "https://acme.my.salesforce.com",
			MappingField: model.MappingEmail, AutoMap: false, State: model.StatePendingApproval, Version: 1,
			RequestedBy: slackOwner, RequestedAt: requestedAt, WaitingSince: requestedAt,
			ExpiresAt: requestedAt.Add(workflows.DefaultTiming.RequestTTL),
			History:   []workflows.Event{{At: requestedAt, Action: model.ActionRequest, By: slackOwner}},
		},
	}
}

func (f *fixture) runConnection(in workflows.ConnectionInput) workflows.Connection {
	f.t.Helper()
	f.env.SetStartTime(requestedAt)
	f.env.ExecuteWorkflow(workflows.ConnectionWorkflowName, in)
	if !f.env.IsWorkflowCompleted() {
		f.t.Fatal("the connection workflow did not complete")
	}
	if err := f.env.GetWorkflowError(); err != nil {
		f.t.Fatalf("workflow error: %v", err)
	}
	var c workflows.Connection
	if err := f.env.GetWorkflowResult(&c); err != nil {
		f.t.Fatal(err)
	}
	return c
}

func approve(as string) workflows.ApproveRequest {
	return workflows.ApproveRequest{MatchingField: "Email", AcceptTerms: true, Caller: workflows.Caller{As: as}}
}

func TestConnectionFullLifecycle(t *testing.T) {
	f := newFixture(t)
	approved := f.update(time.Hour, workflows.UpdateApprove, approve(sfAdmin))
	activated := f.update(2*time.Hour, workflows.UpdateActivate, workflows.ActivateRequest{Caller: workflows.Caller{As: slackOwner}})
	var active workflows.Connection
	f.env.RegisterDelayedCallback(func() {
		v, err := f.env.QueryWorkflow(workflows.QueryStatus)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Get(&active); err != nil {
			t.Fatal(err)
		}
	}, 3*time.Hour)
	disconnected := f.update(30*24*time.Hour, workflows.UpdateDisconnect, workflows.DisconnectRequest{Caller: workflows.Caller{As: slackAdmin}})

	c := f.runConnection(pendingConnection())

	for name, o := range map[string]*outcome{"approve": approved, "activate": activated, "disconnect": disconnected} {
		if o.rejected != nil || o.err != nil || !o.completed {
			t.Fatalf("%s: rejected=%v err=%v completed=%v", name, o.rejected, o.err, o.completed)
		}
	}
	if approved.conn.State != model.StatePendingActivation || approved.conn.MatchingField != "Email" {
		t.Errorf("after approve: %s matching %q", approved.conn.State, approved.conn.MatchingField)
	}
	if active.State != model.StateActive || active.IntegrationUser != "integration@acme.example" || len(active.PermissionObjects) == 0 {
		t.Errorf("status while active: %+v", active)
	}
	if !active.ExpiresAt.IsZero() {
		t.Errorf("an active connection does not expire, got %v", active.ExpiresAt)
	}
	if c.State != model.StateDisconnected {
		t.Fatalf("final state %s, want disconnected", c.State)
	}
	wantActions := []model.Action{model.ActionRequest, model.ActionApprove, model.ActionActivate, model.ActionDisconnect}
	if len(c.History) != len(wantActions) {
		t.Fatalf("history %+v", c.History)
	}
	for i, a := range wantActions {
		if c.History[i].Action != a {
			t.Errorf("history[%d] = %s, want %s", i, c.History[i].Action, a)
		}
	}
	if c.History[1].By != sfAdmin || c.History[2].By != slackOwner || c.History[3].By != slackAdmin {
		t.Errorf("who did what: %+v", c.History)
	}
	if got := c.History[1].At; !got.Equal(requestedAt.Add(time.Hour)) {
		t.Errorf("approved at %v", got)
	}
	// The workspace heard of every state, ending with the one that frees the slot.
	if n := len(f.signals); n != 3 || f.signals[n-1].State != model.StateDisconnected {
		t.Errorf("workspace signals: %+v", f.signals)
	}
	if f.noticesTo(slackOwner, "approved the connection") != 1 || f.noticesTo(slackOwner, "is active") != 1 || f.noticesTo(slackOwner, "disconnected") != 1 {
		t.Errorf("notices: %+v", f.notices)
	}
}

func TestApproveRefusals(t *testing.T) {
	cases := []struct {
		name     string
		req      workflows.ApproveRequest
		rejected bool // by the validator, before anything is written
		kind     string
		want     string
	}{
		{"terms not accepted", workflows.ApproveRequest{MatchingField: "Email", Caller: workflows.Caller{As: sfAdmin}}, true, activities.ErrInvalidInput, "terms of use"},
		{"unknown matching field", workflows.ApproveRequest{MatchingField: "Phone", AcceptTerms: true, Caller: workflows.Caller{As: sfAdmin}}, true, activities.ErrInvalidInput, "Phone"},
		{"missing matching field", workflows.ApproveRequest{AcceptTerms: true, Caller: workflows.Caller{As: sfAdmin}}, true, activities.ErrInvalidInput, "matching field is required"},
		{"no caller", workflows.ApproveRequest{MatchingField: "Email", AcceptTerms: true}, true, activities.ErrInvalidInput, "--as"},
		{"not a system admin", approve(sfUser), false, activities.ErrForbidden, sfUser},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			o := f.update(time.Minute, workflows.UpdateApprove, tc.req)
			var during workflows.Connection
			f.env.RegisterDelayedCallback(func() {
				v, _ := f.env.QueryWorkflow(workflows.QueryStatus)
				_ = v.Get(&during)
			}, 2*time.Minute)
			c := f.runConnection(pendingConnection())
			if tc.rejected {
				requireType(t, o.rejected, tc.kind, tc.want)
			} else {
				if o.rejected != nil {
					t.Fatalf("validator refused: %v", o.rejected)
				}
				requireType(t, o.err, tc.kind, tc.want)
			}
			if during.State != model.StatePendingApproval || len(during.History) != 1 || during.MatchingField != "" {
				t.Errorf("a refused approval changed the connection: %+v", during)
			}
			if c.State != model.StateExpired {
				t.Errorf("final state %s, want expired", c.State)
			}
		})
	}
}

func TestStepsOutOfOrderAreRefused(t *testing.T) {
	f := newFixture(t)
	early := f.update(time.Minute, workflows.UpdateActivate, workflows.ActivateRequest{Caller: workflows.Caller{As: slackOwner}})
	f.update(time.Hour, workflows.UpdateApprove, approve(sfAdmin))
	twice := f.update(2*time.Hour, workflows.UpdateApprove, approve(sfAdmin))
	rejectLate := f.update(3*time.Hour, workflows.UpdateReject, workflows.RejectRequest{Caller: workflows.Caller{As: sfAdmin}})
	byAdmin := f.update(4*time.Hour, workflows.UpdateActivate, workflows.ActivateRequest{Caller: workflows.Caller{As: slackAdmin}})
	byMember := f.update(5*time.Hour, workflows.UpdateActivate, workflows.ActivateRequest{Caller: workflows.Caller{As: slackPlain}})
	byRole := f.update(6*time.Hour, workflows.UpdateActivate, workflows.ActivateRequest{Caller: workflows.Caller{As: slackRole}})
	f.update(7*time.Hour, workflows.UpdateDisconnect, workflows.DisconnectRequest{Caller: workflows.Caller{As: slackOwner}})

	c := f.runConnection(pendingConnection())

	requireType(t, early.rejected, workflows.ErrInvalidState, "it is pending_approval")
	requireType(t, twice.rejected, workflows.ErrInvalidState, "it is pending_activation")
	requireType(t, rejectLate.rejected, workflows.ErrInvalidState, "reject")
	requireType(t, byAdmin.err, activities.ErrForbidden, slackAdmin)
	requireType(t, byMember.err, activities.ErrForbidden, slackPlain)
	if byRole.err != nil || byRole.conn.State != model.StateActive {
		t.Fatalf("the Salesforce system administrator role holder could not activate: %v", byRole.err)
	}
	if c.State != model.StateDisconnected {
		t.Fatalf("final state %s", c.State)
	}
}

func TestReject(t *testing.T) {
	f := newFixture(t)
	byUser := f.update(time.Hour, workflows.UpdateReject, workflows.RejectRequest{Caller: workflows.Caller{As: sfUser}})
	o := f.update(2*time.Hour, workflows.UpdateReject, workflows.RejectRequest{Reason: "not this org", Caller: workflows.Caller{As: sfAdmin}})
	c := f.runConnection(pendingConnection())
	requireType(t, byUser.err, activities.ErrForbidden, sfUser)
	if o.err != nil || c.State != model.StateRejected || c.RejectReason != "not this org" {
		t.Fatalf("reject: err=%v state=%s reason=%q", o.err, c.State, c.RejectReason)
	}
	if f.noticesTo(slackOwner, "not this org") != 1 {
		t.Errorf("the requester was not told why: %+v", f.notices)
	}
	if last := f.signals[len(f.signals)-1]; last.State != model.StateRejected {
		t.Errorf("workspace last told %s", last.State)
	}
}

func TestExpiryWithReminders(t *testing.T) {
	f := newFixture(t)
	c := f.runConnection(pendingConnection())
	if c.State != model.StateExpired {
		t.Fatalf("state %s, want expired", c.State)
	}
	// Seven days, a reminder a day: six reminders (days 1 to 6), then the expiry notice.
	if c.RemindersSent != 6 || f.noticesTo(slackOwner, "Reminder") != 6 {
		t.Errorf("reminders: %d sent, %d notices", c.RemindersSent, f.noticesTo(slackOwner, "Reminder"))
	}
	if n := f.noticesTo(approverInSlack, "Reminder"); n != 6 {
		t.Errorf("the Salesforce admin found in Slack got %d reminders, want 6", n)
	}
	if f.noticesTo(slackOwner, "expired") != 1 {
		t.Errorf("no expiry notice: %+v", f.notices)
	}
	last := c.History[len(c.History)-1]
	if last.Action != model.ActionExpire || !last.At.Equal(requestedAt.Add(7*24*time.Hour)) {
		t.Errorf("expired at %v (%s), want 7 days after the request", last.At, last.Action)
	}
}

func TestPendingActivationExpiresWithConfiguredTiming(t *testing.T) {
	f := newFixture(t)
	in := pendingConnection()
	in.Timing = workflows.Timing{RequestTTL: 48 * time.Hour, ReminderEvery: 12 * time.Hour}
	in.Connection.ExpiresAt = requestedAt.Add(48 * time.Hour)
	f.update(time.Hour, workflows.UpdateApprove, approve(sfAdmin))
	c := f.runConnection(in)
	if c.State != model.StateExpired {
		t.Fatalf("state %s", c.State)
	}
	last := c.History[len(c.History)-1]
	if !last.At.Equal(requestedAt.Add(time.Hour + 48*time.Hour)) {
		t.Errorf("pending activation expired at %v, want 48h after the approval", last.At)
	}
	// Step 2 waited an hour; Step 3 waited 48h with a reminder every 12h:
	// 3 reminders (12h, 24h, 36h), to the requester (also an owner, told
	// once) and the role holder.
	if c.RemindersSent != 3 || f.noticesTo(slackRole, "Reminder") != 3 || f.noticesTo(slackOwner, "Reminder") != 3 {
		t.Errorf("reminders during Step 3: %d; to the role holder %d, to the owner %d",
			c.RemindersSent, f.noticesTo(slackRole, "Reminder"), f.noticesTo(slackOwner, "Reminder"))
	}
}

func TestSignalsAreStepsToo(t *testing.T) {
	f := newFixture(t)
	f.signal(time.Minute, workflows.UpdateApprove, workflows.ApproveRequest{MatchingField: "Email", Caller: workflows.Caller{As: sfAdmin}}) // no terms
	f.signal(2*time.Minute, workflows.UpdateApprove, approve(sfUser))                                                                       // not an admin
	f.signal(3*time.Minute, workflows.UpdateApprove, approve(sfAdmin))
	f.signal(4*time.Minute, workflows.UpdateActivate, workflows.ActivateRequest{Caller: workflows.Caller{As: slackAdmin}}) // admins may not activate
	f.signal(5*time.Minute, workflows.UpdateActivate, workflows.ActivateRequest{Caller: workflows.Caller{As: slackOwner}})
	f.signal(6*time.Minute, workflows.UpdateDisconnect, workflows.DisconnectRequest{Caller: workflows.Caller{As: slackOwner}})
	c := f.runConnection(pendingConnection())
	if c.State != model.StateDisconnected {
		t.Fatalf("state %s", c.State)
	}
	if len(c.Attempts) != 3 {
		t.Fatalf("attempts: %+v", c.Attempts)
	}
	for i, want := range []struct {
		by, reason string
	}{{sfAdmin, "terms of use"}, {sfUser, sfUser}, {slackAdmin, slackAdmin}} {
		a := c.Attempts[i]
		if a.By != want.by || a.Via != "signal" || !strings.Contains(a.Reason, want.reason) {
			t.Errorf("attempt %d: %+v", i, a)
		}
	}
	if c.MatchingField != "Email" || len(c.History) != 4 {
		t.Errorf("history: %+v", c.History)
	}
}

func TestDisconnectWithdrawsAPendingRequest(t *testing.T) {
	f := newFixture(t)
	byMember := f.update(time.Minute, workflows.UpdateDisconnect, workflows.DisconnectRequest{Caller: workflows.Caller{As: slackPlain}})
	o := f.update(time.Hour, workflows.UpdateDisconnect, workflows.DisconnectRequest{Caller: workflows.Caller{As: slackAdmin}})
	c := f.runConnection(pendingConnection())
	requireType(t, byMember.err, activities.ErrForbidden, slackPlain)
	if o.err != nil || c.State != model.StateDisconnected {
		t.Fatalf("err=%v state=%s", o.err, c.State)
	}
}
