package workflows_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

// acmeConnectionID is the id of the test connection's workflow, which its
// assertions are bound to.
var acmeConnectionID = workflows.ConnectionWorkflowID("T0DEMO0001", "00D000000000001AAA")

var (
	adminIdentity = identity.Claims{Side: identity.SideSlack, Subject: slackAdmin, Team: "T0DEMO0001"}
	sfIdentity    = identity.Claims{Side: identity.SideSalesforce, Subject: sfAdminID, Org: "00D000000000001AAA"}
)

// asConnection runs the test's workflow under the connection's real id.
func (f *fixture) asConnection() *fixture {
	f.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: acmeConnectionID})
	return f
}

func banner(on bool, c workflows.Caller) workflows.BannerRequest {
	return workflows.BannerRequest{On: on, Caller: c}
}

func historyOf(c workflows.Connection, action model.Action) []workflows.Event {
	var out []workflows.Event
	for _, e := range c.History {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// A console assertion is good for one step: sent again, the validator
// refuses it at once and nothing changes; the role check never sees it.
func TestReplayedAssertionIsRefusedByTheValidator(t *testing.T) {
	f := newFixture(t).asConnection()
	tok := assertion(t, adminIdentity, acmeConnectionID, workflows.UpdateBanner)
	on := f.update(time.Minute, workflows.UpdateBanner, banner(true, workflows.Caller{As: slackAdmin, Proof: tok}))
	replay := f.update(2*time.Minute, workflows.UpdateBanner, banner(false, workflows.Caller{As: slackAdmin, Proof: tok}))
	after := f.status(3 * time.Minute)
	f.disconnectAt(time.Hour)
	c := f.runConnection(activeConnection())

	if on.err != nil || on.rejected != nil || !on.conn.Banner {
		t.Fatalf("the first use: %+v", on)
	}
	requireType(t, replay.rejected, activities.ErrUnauthenticated, "already used")
	if replay.completed || !after.Banner {
		t.Fatalf("the replay changed something: completed=%v banner=%v", replay.completed, after.Banner)
	}
	events := historyOf(c, model.ActionBanner)
	if len(events) != 1 || events[0].Unverified || events[0].ProofKind != identity.KindAssertion {
		t.Fatalf("banner history: %+v", events)
	}
	seen := 0
	for _, p := range f.proofsSeen {
		if p.proof == tok {
			seen++
			if p.workflow != acmeConnectionID || p.step != workflows.UpdateBanner {
				t.Errorf("the role check was given workflow %q step %q", p.workflow, p.step)
			}
		}
	}
	if seen != 1 {
		t.Fatalf("the role check saw the assertion %d times, want once", seen)
	}
}

// The signal of a step goes through the same check: a replayed assertion
// is kept as a refused attempt, and changes nothing.
func TestReplayedAssertionBySignalIsRefused(t *testing.T) {
	f := newFixture(t).asConnection()
	tok := assertion(t, adminIdentity, acmeConnectionID, workflows.UpdateBanner)
	f.signal(time.Minute, workflows.UpdateBanner, banner(true, workflows.Caller{As: slackAdmin, Proof: tok}))
	f.signal(2*time.Minute, workflows.UpdateBanner, banner(false, workflows.Caller{As: slackAdmin, Proof: tok}))
	after := f.status(3 * time.Minute)
	f.disconnectAt(time.Hour)
	c := f.runConnection(activeConnection())
	if !after.Banner || len(historyOf(c, model.ActionBanner)) != 1 {
		t.Fatalf("banner %v, history %+v", after.Banner, historyOf(c, model.ActionBanner))
	}
	if len(c.Attempts) != 1 || c.Attempts[0].Via != "signal" || c.Attempts[0].By != slackAdmin {
		t.Fatalf("attempts: %+v", c.Attempts)
	}
}

// A login token is a session credential: the same one serves step after
// step, each recorded as proven by a login.
func TestLoginTokenServesManySteps(t *testing.T) {
	f := newFixture(t).asConnection()
	tok, err := testSigner.LoginToken(adminIdentity, 0)
	if err != nil {
		t.Fatal(err)
	}
	on := f.update(time.Minute, workflows.UpdateBanner, banner(true, workflows.Caller{As: slackAdmin, Proof: tok}))
	off := f.update(2*time.Minute, workflows.UpdateBanner, banner(false, workflows.Caller{As: slackAdmin, Proof: tok}))
	f.disconnectAt(time.Hour)
	c := f.runConnection(activeConnection())
	if on.err != nil || off.err != nil || off.rejected != nil || off.conn.Banner {
		t.Fatalf("on %+v, off %+v", on, off)
	}
	for _, e := range historyOf(c, model.ActionBanner) {
		if e.Unverified || e.ProofKind != identity.KindLogin {
			t.Errorf("banner event %+v", e)
		}
	}
}

// Two searches at once with one assertion (search takes no lock): exactly
// one is answered.
func TestConcurrentUseOfOneAssertion(t *testing.T) {
	f := newFixture(t).asConnection()
	f.env.OnActivity(acts.SearchMembers, mock.Anything, mock.Anything).Return(activities.SearchResult{}, nil).Maybe()
	tok := assertion(t, adminIdentity, acmeConnectionID, workflows.UpdateSearch)
	req := workflows.SearchRequest{Query: "member", Caller: workflows.Caller{As: slackAdmin, Proof: tok}}
	a := f.update(time.Minute, workflows.UpdateSearch, req)
	b := f.update(time.Minute, workflows.UpdateSearch, req)
	f.disconnectAt(time.Hour)
	f.runConnection(activeConnection())
	answered := 0
	for _, o := range []*outcome{a, b} {
		if o.rejected == nil && o.err == nil {
			answered++
			continue
		}
		refusal := o.rejected
		if refusal == nil {
			refusal = o.err
		}
		requireType(t, refusal, activities.ErrUnauthenticated, "already used")
	}
	if answered != 1 {
		t.Fatalf("%d searches answered, want 1: %+v %+v", answered, a, b)
	}
}

// Without a proof (sandbox mode) the step goes on and is recorded as
// unverified; with one it is not.
func TestUnverifiedStepsAreRecorded(t *testing.T) {
	f := newFixture(t).asConnection()
	approved := f.update(time.Minute, workflows.UpdateApprove, approve(sfAdmin))
	tok := assertion(t, identity.Claims{Side: identity.SideSlack, Subject: slackOwner, Team: "T0DEMO0001"}, acmeConnectionID, workflows.UpdateActivate)
	activated := f.update(2*time.Minute, workflows.UpdateActivate, workflows.ActivateRequest{Caller: workflows.Caller{As: slackOwner, Proof: tok}})
	f.disconnectAt(time.Hour)
	c := f.runConnection(pendingConnection())
	if approved.err != nil || activated.err != nil {
		t.Fatalf("approve %v, activate %v", approved.err, activated.err)
	}
	if e := historyOf(c, model.ActionApprove); len(e) != 1 || !e[0].Unverified || e[0].ProofKind != identity.KindNone {
		t.Errorf("approve without a proof: %+v", e)
	}
	if e := historyOf(c, model.ActionActivate); len(e) != 1 || e[0].Unverified || e[0].ProofKind != identity.KindAssertion {
		t.Errorf("activate with an assertion: %+v", e)
	}
	// The fixture's own disconnect came with a bare "as".
	for _, e := range historyOf(c, model.ActionDisconnect) {
		if !e.Unverified {
			t.Errorf("disconnect without a proof: %+v", e)
		}
	}
}

// An assertion for one step does not serve another, nor another
// connection: the role check refuses it, and nothing changes.
func TestAssertionOfAnotherStepOrWorkflow(t *testing.T) {
	f := newFixture(t).asConnection()
	forApprove := assertion(t, sfIdentity, acmeConnectionID, workflows.UpdateApprove)
	otherWorkflow := assertion(t, sfIdentity, workflows.ConnectionWorkflowID("T0DEMO0002", "00D000000000001AAA"), workflows.UpdateReject)
	wrongStep := f.update(time.Minute, workflows.UpdateReject, workflows.RejectRequest{Caller: workflows.Caller{As: sfAdmin, Proof: forApprove}})
	wrongWorkflow := f.update(2*time.Minute, workflows.UpdateReject, workflows.RejectRequest{Caller: workflows.Caller{As: sfAdmin, Proof: otherWorkflow}})
	state := f.status(3 * time.Minute)
	approved := f.update(4*time.Minute, workflows.UpdateApprove, workflows.ApproveRequest{MatchingField: "Email", AcceptTerms: true, Caller: workflows.Caller{As: sfAdmin, Proof: forApprove}})
	f.disconnectAt(time.Hour)
	f.runConnection(pendingConnection())
	requireType(t, wrongStep.err, activities.ErrUnauthenticated, "for the step")
	requireType(t, wrongWorkflow.err, activities.ErrUnauthenticated, "another workflow")
	if state.State != model.StatePendingApproval || state.RejectReason != "" {
		t.Fatalf("refused proofs changed the connection: %s", state.State)
	}
	// Refused, the assertion was not used up: it still serves its own step.
	if approved.err != nil || approved.conn.State != model.StatePendingActivation {
		t.Fatalf("approve with its own assertion: %v %s", approved.err, approved.conn.State)
	}
}

// The record of used assertions outlives the run: it comes in with the
// input, leaves with continue-as-new, and forgets the expired ones.
func TestUsedAssertionsCarryThroughContinueAsNew(t *testing.T) {
	f := newFixture(t).asConnection()
	used := assertion(t, adminIdentity, acmeConnectionID, workflows.UpdateBanner)
	usedID, usedExp, _ := identity.Peek(used)
	fresh := assertion(t, adminIdentity, acmeConnectionID, workflows.UpdateBanner)
	freshID, _, _ := identity.Peek(fresh)
	in := activeConnection()
	in.UsedProofs = []workflows.UsedProof{{ID: usedID, Expires: usedExp}, {ID: "long-gone", Expires: requestedAt.Add(-time.Hour)}}
	replay := f.update(time.Minute, workflows.UpdateBanner, banner(true, workflows.Caller{As: slackAdmin, Proof: used}))
	on := f.update(2*time.Minute, workflows.UpdateBanner, banner(true, workflows.Caller{As: slackAdmin, Proof: fresh}))
	f.env.RegisterDelayedCallback(func() { f.env.SetContinueAsNewSuggested(true) }, 3*time.Minute)
	// A step after the suggestion wakes the workflow, which then continues.
	f.update(4*time.Minute, workflows.UpdateBanner, banner(false, workflows.Caller{As: slackAdmin}))
	f.env.SetStartTime(requestedAt)
	f.env.ExecuteWorkflow(workflows.ConnectionWorkflowName, in)

	requireType(t, replay.rejected, activities.ErrUnauthenticated, "already used")
	if on.err != nil || on.rejected != nil {
		t.Fatalf("a fresh assertion: %+v", on)
	}
	var can *workflow.ContinueAsNewError
	if err := f.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("the workflow did not continue as new: %v", err)
	}
	var next workflows.ConnectionInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, u := range next.UsedProofs {
		ids[u.ID] = true
	}
	if !ids[usedID] || !ids[freshID] || ids["long-gone"] || len(ids) != 2 {
		t.Fatalf("carried over: %+v", next.UsedProofs)
	}
}

// The workspace's request and the job's approval keep their own records.
func TestWorkspaceRequestAssertionIsSingleUse(t *testing.T) {
	f := newWorkspaceFixture(t)
	id := workflows.WorkspaceWorkflowID("T0DEMO0001")
	f.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id})
	tok := assertion(t, identity.Claims{Side: identity.SideSlack, Subject: slackOwner, Team: "T0DEMO0001"}, id, workflows.UpdateRequest)
	first := f.update(time.Minute, workflows.UpdateRequest, workflows.ConnectionRequest{OrgURL: "https://org01.my.salesforce.com", Caller: workflows.Caller{As: slackOwner, Proof: tok}})
	again := f.update(2*time.Minute, workflows.UpdateRequest, workflows.ConnectionRequest{OrgURL: "https://org02.my.salesforce.com", Caller: workflows.Caller{As: slackOwner, Proof: tok}})
	bare := f.update(3*time.Minute, workflows.UpdateRequest, request("https://org03.my.salesforce.com", slackOwner))
	f.run(time.Hour)
	if first.err != nil || first.rejected != nil {
		t.Fatalf("the first request: %+v", first)
	}
	requireType(t, again.rejected, activities.ErrUnauthenticated, "already used")
	if bare.err != nil || len(f.children) != 2 {
		t.Fatalf("bare request %v; %d connections started, want 2", bare.err, len(f.children))
	}
	if e := f.children[0].Connection.History[0]; e.Unverified || e.ProofKind != identity.KindAssertion {
		t.Errorf("the proven request's record: %+v", e)
	}
	if e := f.children[1].Connection.History[0]; !e.Unverified {
		t.Errorf("the bare request's record: %+v", e)
	}
}

func TestJobApprovalIsProven(t *testing.T) {
	f := newJobFixture(t, counts(5, 0, 3)) // moves: an explicit approval is needed
	id := workflows.JobWorkflowID("job1")
	f.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id})
	forCancel := assertion(t, adminIdentity, id, workflows.UpdateJobCancel)
	forApprove := assertion(t, adminIdentity, id, workflows.UpdateJobApprove)
	wrong := f.update(time.Minute, workflows.UpdateJobApprove, workflows.JobDecision{Caller: workflows.Caller{As: slackAdmin, Proof: forCancel}})
	ok := f.update(2*time.Minute, workflows.UpdateJobApprove, workflows.JobDecision{Caller: workflows.Caller{As: slackAdmin, Proof: forApprove}})
	s := f.run(5, false)
	requireType(t, wrong.err, activities.ErrUnauthenticated, "for the step")
	if ok.err != nil || s.ApprovedBy != slackAdmin || s.ApprovedUnverified || s.Phase != workflows.PhaseDone {
		t.Fatalf("approval: %v; status %+v", ok.err, s)
	}
}

// A member signs in for themselves: the role check is given the member,
// with their proof, for the sign-in's own steps.
func TestSignInIsTheMembersOwn(t *testing.T) {
	f := newFixture(t).asConnection()
	member := identity.Claims{Side: identity.SideSlack, Subject: "U0MEMBER1", Team: "T0DEMO0001"}
	other := f.update(time.Minute, workflows.UpdateStartSignIn, workflows.StartSignInRequest{Member: "U0MEMBER1", Caller: workflows.Caller{As: "U0MEMBER2"}})
	start := f.update(2*time.Minute, workflows.UpdateStartSignIn, workflows.StartSignInRequest{Member: "U0MEMBER1",
		Caller: workflows.Caller{As: "U0MEMBER1", Proof: assertion(t, member, acmeConnectionID, workflows.UpdateStartSignIn)}})
	var done *outcome
	f.env.RegisterDelayedCallback(func() {
		done = &outcome{}
		f.env.UpdateWorkflow(workflows.UpdateCompleteSignIn, "", updateCallbacks(done), workflows.CompleteSignInRequest{
			Member: "U0MEMBER1", Code: "c", State: signInChallenge(start).State,
			Caller: workflows.Caller{Proof: assertion(t, member, acmeConnectionID, workflows.UpdateCompleteSignIn)},
		})
	}, 3*time.Minute)
	f.disconnectAt(time.Hour)
	c := f.runConnection(activeConnection())
	requireType(t, other.rejected, activities.ErrInvalidInput, "signs in for themselves")
	if start.err != nil || done == nil || done.err != nil || done.rejected != nil {
		t.Fatalf("start %+v, complete %+v", start, done)
	}
	var steps []string
	for _, p := range f.proofsSeen {
		if p.proof != "" {
			steps = append(steps, p.step)
		}
	}
	if len(steps) != 2 || steps[0] != workflows.UpdateStartSignIn || steps[1] != workflows.UpdateCompleteSignIn {
		t.Fatalf("role checks of the sign-in: %v", steps)
	}
	linked := historyOf(c, model.ActionMap)
	if len(linked) != 1 || linked[0].By != "U0MEMBER1" || linked[0].Unverified {
		t.Fatalf("the record of the sign-in: %+v", linked)
	}
}
