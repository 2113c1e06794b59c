package workflows_test

import (
	"context"
	"strings"

	"errors"
	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/workflows"
)

// continuedInput is the input a workflow that continued as new gave its
// next run.
func continuedInput(t *testing.T, f *fixture, into any) {
	t.Helper()
	var can *workflow.ContinueAsNewError
	if err := f.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("the workflow did not continue as new: %v", err)
	}
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, into); err != nil {
		t.Fatal(err)
	}
}

// A connection that lives for years keeps the newest MaxHistory events and
// MaxAttempts refused signals, and counts the older ones: what it carries
// into its next run stays small.
func TestLongLivedConnectionKeepsASmallState(t *testing.T) {
	f := newFixture(t)
	const steps = 130
	for i := 1; i <= steps; i++ {
		at := time.Duration(i) * time.Minute
		f.update(at, workflows.UpdateClearMember, workflows.ClearMemberRequest{Member: "U0MEMBER1", Caller: workflows.Caller{As: sfAdmin}})
		f.signal(at+time.Second, workflows.UpdateBanner, banner(true, workflows.Caller{})) // refused: nobody
	}
	f.env.RegisterDelayedCallback(func() { f.env.SetContinueAsNewSuggested(true) }, (steps+1)*time.Minute)
	f.env.SetStartTime(requestedAt)
	f.env.ExecuteWorkflow(workflows.ConnectionWorkflowName, activeConnection())

	var next workflows.ConnectionInput
	continuedInput(t, f, &next)
	c := next.Connection
	// The request and 130 clears.
	if len(c.History) != workflows.MaxHistory || c.HistoryDropped != 1+steps-workflows.MaxHistory || c.Events() != 1+steps {
		t.Fatalf("history: %d kept, %d dropped", len(c.History), c.HistoryDropped)
	}
	if last := c.History[len(c.History)-1]; !last.At.Equal(requestedAt.Add(steps * time.Minute)) {
		t.Errorf("the newest event kept is not the last one: %+v", last)
	}
	if len(c.Attempts) != workflows.MaxAttempts || c.AttemptsDropped != steps-workflows.MaxAttempts {
		t.Fatalf("attempts: %d kept, %d dropped", len(c.Attempts), c.AttemptsDropped)
	}
}

// An invitations' expiry that fails after its retries does not fail the
// connection: it is shown on it, without the email the error named, and
// tried again later until it succeeds.
func TestFailingInvitationExpiryDoesNotEndTheConnection(t *testing.T) {
	f := newFixture(t)
	f.expireFails = 2
	f.update(time.Hour, workflows.UpdateAddMember, workflows.AddMemberRequest{Member: "U0MEMBER3", Caller: workflows.Caller{As: slackAdmin}})
	expiry := time.Hour + workflows.DefaultInviteTTL
	failing := f.status(expiry + 15*time.Minute) // failed twice: at the expiry and 10 minutes later
	f.disconnectAt(30 * 24 * time.Hour)
	c := f.runConnection(activeConnection())

	if len(failing.BackgroundFailures) != 1 {
		t.Fatalf("background failures shown: %+v", failing.BackgroundFailures)
	}
	bf := failing.BackgroundFailures[0]
	if bf.Step != workflows.BackgroundInvitationExpiry || bf.Failures != 2 || !bf.NextTry.Equal(requestedAt.Add(expiry+30*time.Minute)) {
		t.Errorf("failure: %+v", bf)
	}
	if !strings.Contains(bf.Error, "store unavailable") || strings.Contains(bf.Error, "@acme.example") {
		t.Errorf("the failure shown: %q", bf.Error)
	}
	if _, still := failing.Invitations["U0MEMBER3"]; !still || failing.State != model.StateActive {
		t.Errorf("while failing: state %s, invitations %+v", failing.State, failing.Invitations)
	}
	// The third try, 20 minutes after the second, succeeded.
	if len(f.expiredAt) != 3 || !f.expiredAt[2].Equal(requestedAt.Add(expiry+30*time.Minute)) {
		t.Errorf("tries at %v", f.expiredAt)
	}
	if c.State != model.StateDisconnected || len(c.BackgroundFailures) != 0 || len(c.Invitations) != 0 {
		t.Errorf("at the end: %s, failures %+v, invitations %+v", c.State, c.BackgroundFailures, c.Invitations)
	}
}

// A health check that fails is shown on the connection until one succeeds.
func TestFailingHealthCheckIsShown(t *testing.T) {
	f := newFixture(t)
	f.healthFails = 1
	every := workflows.DefaultHealthEvery
	failing := f.status(every + time.Minute)
	recovered := f.status(2*every + time.Minute)
	f.disconnectAt(3*every - time.Minute)
	c := f.runConnection(activeConnection())
	if len(failing.BackgroundFailures) != 1 || failing.BackgroundFailures[0].Step != workflows.BackgroundHealthCheck ||
		!failing.BackgroundFailures[0].NextTry.Equal(requestedAt.Add(2*every)) || failing.State != model.StateActive {
		t.Fatalf("after a failed check: %s, %+v", failing.State, failing.BackgroundFailures)
	}
	if len(recovered.BackgroundFailures) != 0 || f.healthChecks != 2 || c.State != model.StateDisconnected {
		t.Fatalf("after a good check: %+v (%d checks), final %s", recovered.BackgroundFailures, f.healthChecks, c.State)
	}
}

// A request admitted while an idle workspace waits for its last notices
// is not lost: the registry goes on with its connection instead of ending.
func TestIdleWorkspaceKeepsARequestAdmittedWhileItSettles(t *testing.T) {
	f := newWorkspaceFixture(t)
	f.noticeDelay = 2 * time.Hour
	f.update(time.Minute, workflows.UpdateRequest, request("https://org01.my.salesforce.com", slackOwner))
	// org01 ends at once: the workspace is empty, its notice still posting.
	f.env.RegisterDelayedCallback(func() {
		f.env.SignalWorkflow(workflows.SignalConnectionState, workflows.ConnectionStateSignal{
			OrgID: orgIDFor("https://org01.my.salesforce.com"), State: model.StateDisconnected, Seq: 9,
		})
	}, 2*time.Minute)
	// Idle for 30 minutes at 32 minutes, it waits for that notice (until
	// 2h01): a request comes meanwhile.
	late := f.update(40*time.Minute, workflows.UpdateRequest, request("https://org02.my.salesforce.com", slackOwner))
	ws := f.registry(5 * time.Hour)
	f.run(30 * time.Minute)
	if late.rejected != nil || late.err != nil || !late.completed {
		t.Fatalf("the late request: %+v", late)
	}
	if _, ok := ws.Connections[orgIDFor("https://org02.my.salesforce.com")]; !ok || len(ws.Connections) != 1 {
		t.Fatalf("the registry after the settle: %+v", ws.Connections)
	}
	if ended := f.env.Now().Sub(requestedAt); ended < 30*24*time.Hour {
		t.Errorf("the workspace ended after %v, with org02 still connected", ended)
	}
}

// A connection that ended without telling (terminated by hand, say) frees
// its place at the registry's next reconciliation; the others stay.
func TestReconciliationFreesThePlaceOfAnEndedConnection(t *testing.T) {
	f := newWorkspaceFixture(t)
	f.reconcileEvery = 30 * time.Minute
	org01, org02 := orgIDFor("https://org01.my.salesforce.com"), orgIDFor("https://org02.my.salesforce.com")
	f.update(time.Minute, workflows.UpdateRequest, request("https://org01.my.salesforce.com", slackOwner))
	f.update(time.Minute, workflows.UpdateRequest, request("https://org02.my.salesforce.com", slackOwner))
	f.env.RegisterDelayedCallback(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.closed[org01] = "its workflow terminated"
	}, time.Hour+5*time.Minute)
	before := f.registry(time.Hour + 10*time.Minute)
	after := f.registry(time.Hour + 40*time.Minute) // reconciled every 30 minutes from the start
	f.run(time.Hour)
	if len(before.Connections) != 2 {
		t.Fatalf("before the reconciliation: %+v", before.Connections)
	}
	if _, ok := after.Connections[org01]; ok || len(after.Connections) != 1 {
		t.Fatalf("after it: %+v", after.Connections)
	}
	if _, ok := after.Connections[org02]; !ok {
		t.Fatalf("org02 lost its place: %+v", after.Connections)
	}
	if len(after.Freed) != 1 || after.Freed[0].OrgID != org01 || after.Freed[0].Why != "its workflow terminated" || !after.Freed[0].At.Equal(requestedAt.Add(90*time.Minute)) {
		t.Errorf("freed: %+v", after.Freed)
	}
}

// An org disconnected is free when the disconnect returns: requested again
// while its ended connection's workflow still posts its last notices, the
// request waits for that workflow to close instead of being refused.
func TestRequestAgainWhileTheEndedConnectionCloses(t *testing.T) {
	// The connections' workflows are real here (mocked, a child reports
	// started only once it ends), their reports to the workspace sent by
	// the test.
	f := newFixture(t)
	f.noticeDelay = 10 * time.Minute
	f.env.OnActivity(acts.ResolveOrg, mock.Anything, mock.Anything).Return(
		activities.OrgInfo{ID: "00D000000000001AAA", Name: "org01", URL: "https://org01.my.salesforce.com"}, nil).Maybe()
	f.env.OnActivity(acts.ReconcileConnections, mock.Anything, mock.Anything).Return(activities.ReconcileResult{}, nil).Maybe()
	waits := 0
	f.env.OnActivity(acts.AwaitConnectionEnd, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.AwaitEndInput) (activities.AwaitEndResult, error) {
			waits++
			return activities.AwaitEndResult{Closed: true}, nil
		}).After(f.noticeDelay)
	id := workflows.ConnectionWorkflowID("T0DEMO0001", "00D000000000001AAA")
	tell := func(at time.Duration, s model.State, seq int) {
		f.env.RegisterDelayedCallback(func() {
			f.env.SignalWorkflow(workflows.SignalConnectionState, workflows.ConnectionStateSignal{OrgID: "00D000000000001AAA", State: s, Seq: seq})
		}, at)
	}
	first := f.update(time.Minute, workflows.UpdateRequest, request("https://org01.my.salesforce.com", slackOwner))
	// Disconnected at 2 minutes, its workflow posts its last notices until 12.
	f.env.RegisterDelayedCallback(func() {
		if err := f.env.SignalWorkflowByID(id, workflows.UpdateDisconnect, workflows.DisconnectRequest{Caller: workflows.Caller{As: slackOwner}}); err != nil {
			t.Error(err)
		}
	}, 2*time.Minute)
	tell(2*time.Minute+time.Second, model.StateDisconnected, 2)
	again := f.update(3*time.Minute, workflows.UpdateRequest, request("https://org01.my.salesforce.com", slackOwner))
	tell(20*24*time.Hour, model.StateExpired, 99)
	f.env.SetStartTime(requestedAt)
	f.env.ExecuteWorkflow(workflows.WorkspaceWorkflowName, workflows.WorkspaceInput{Team: "T0DEMO0001", IdleTimeout: time.Hour, ReconcileEvery: 24 * time.Hour})
	if err := f.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if first.err != nil || again.rejected != nil || again.err != nil || !again.completed {
		t.Fatalf("requested again: %v %v %v", first.err, again.rejected, again.err)
	}
	if waits != 1 || !again.conn.RequestedAt.Equal(requestedAt.Add(3*time.Minute)) {
		t.Fatalf("%d waits; the new connection %+v", waits, again.conn)
	}
}

// A workspace continues as new with its registry, its settings and its
// record of freed places.
func TestWorkspaceContinuesAsNewWithItsRegistry(t *testing.T) {
	f := newWorkspaceFixture(t)
	f.reconcileEvery = time.Hour
	org01 := orgIDFor("https://org01.my.salesforce.com")
	f.update(time.Minute, workflows.UpdateRequest, request("https://org01.my.salesforce.com", slackOwner))
	f.update(2*time.Minute, workflows.UpdateRequest, request("https://org02.my.salesforce.com", slackOwner))
	f.signal(3*time.Minute, workflows.UpdateRequest, request("https://org03.my.salesforce.com", slackPlain)) // refused
	f.env.RegisterDelayedCallback(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.closed[org01] = "its workflow failed"
	}, 30*time.Minute)
	f.env.RegisterDelayedCallback(func() { f.env.SetContinueAsNewSuggested(true) }, 2*time.Hour)
	f.env.SetStartTime(requestedAt)
	f.env.ExecuteWorkflow(workflows.WorkspaceWorkflowName, workflows.WorkspaceInput{Team: "T0DEMO0001", IdleTimeout: 3 * time.Hour, ReconcileEvery: f.reconcileEvery})
	var next workflows.WorkspaceInput
	continuedInput(t, f.fixture, &next)
	if next.Team != "T0DEMO0001" || next.IdleTimeout != 3*time.Hour || next.ReconcileEvery != time.Hour || next.State == nil {
		t.Fatalf("next run's input: %+v", next)
	}
	ws := next.State
	if _, ok := ws.Connections[orgIDFor("https://org02.my.salesforce.com")]; !ok || len(ws.Connections) != 1 {
		t.Errorf("registry carried: %+v", ws.Connections)
	}
	if len(ws.Freed) != 1 || ws.Freed[0].OrgID != org01 || len(ws.Attempts) != 1 {
		t.Errorf("freed %+v, attempts %+v", ws.Freed, ws.Attempts)
	}
}

// A registry started afresh (its last run terminated by hand) finds the
// live connections Temporal runs for its workspace and holds their places.
func TestFreshRegistryFindsItsLiveConnections(t *testing.T) {
	f := newWorkspaceFixture(t)
	org05 := orgIDFor("https://org05.my.salesforce.com")
	f.running = []activities.LiveConnection{{OrgID: org05, OrgName: "org05", OrgURL: "https://org05.my.salesforce.com", State: model.StateActive,
		WorkflowID: workflows.ConnectionWorkflowID("T0DEMO0001", org05), RequestedBy: slackOwner, RequestedAt: requestedAt.Add(-24 * time.Hour), Seq: 4}}
	again := f.update(time.Minute, workflows.UpdateRequest, request("https://org05.my.salesforce.com", slackOwner))
	ws := f.registry(2 * time.Minute)
	f.env.RegisterDelayedCallback(func() {
		f.env.SignalWorkflow(workflows.SignalConnectionState, workflows.ConnectionStateSignal{OrgID: org05, State: model.StateDisconnected, Seq: 5})
	}, 30*24*time.Hour)
	f.run(time.Hour)
	requireType(t, again.rejected, workflows.ErrDuplicate, "already connected")
	if ref, ok := ws.Connections[org05]; !ok || ref.State != model.StateActive || ref.Seq != 4 || len(f.children) != 0 {
		t.Fatalf("registry %+v, %d started", ws.Connections, len(f.children))
	}
}

// A connection seen live by a reconciliation that tells its end before the
// reconciliation's result arrives keeps its place free.
func TestReconciliationDoesNotBringBackAConnectionThatJustEnded(t *testing.T) {
	f := newWorkspaceFixture(t)
	org01 := orgIDFor("https://org01.my.salesforce.com")
	// Visibility still lists org01 running and live, as it was a moment ago.
	f.running = []activities.LiveConnection{{OrgID: org01, OrgName: "org01", OrgURL: "https://org01.my.salesforce.com", State: model.StatePendingApproval,
		WorkflowID: workflows.ConnectionWorkflowID("T0DEMO0001", org01), RequestedBy: slackOwner, RequestedAt: requestedAt.Add(time.Minute), Seq: 1}}
	f.update(time.Minute, workflows.UpdateRequest, request("https://org01.my.salesforce.com", slackOwner))
	f.update(time.Minute, workflows.UpdateRequest, request("https://org02.my.salesforce.com", slackOwner))
	f.env.RegisterDelayedCallback(func() {
		f.env.SignalWorkflow(workflows.SignalConnectionState, workflows.ConnectionStateSignal{OrgID: org01, State: model.StateDisconnected, Seq: 2})
	}, 2*time.Minute)
	ws := f.registry(7 * time.Hour) // reconciled at 6 hours
	f.run(time.Hour)
	if _, back := ws.Connections[org01]; back || len(ws.Connections) != 1 || f.reconciled < 2 {
		t.Fatalf("registry %+v after %d reconciliations", ws.Connections, f.reconciled)
	}
}
