package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

// activeConnection is a connection already through its three steps.
func activeConnection() workflows.ConnectionInput {
	in := pendingConnection()
	in.Connection.ID = "T0DEMO0001-00D000000000001AAA-1"
	in.Connection.State = model.StateActive
	in.Connection.MatchingField = "Email"
	in.Connection.ExpiresAt = time.Time{}
	return in
}

// disconnectAt ends a test's connection so that the workflow completes.
func (f *fixture) disconnectAt(at time.Duration) {
	f.update(at, workflows.UpdateDisconnect, workflows.DisconnectRequest{Caller: workflows.Caller{As: slackOwner}})
}

func TestActivationStartsAutomaticMappingWhenChosen(t *testing.T) {
	for _, chosen := range []bool{true, false} {
		f := newFixture(t)
		in := pendingConnection()
		in.Connection.ID = "conn-1"
		in.Connection.AutoMap = chosen
		f.update(time.Hour, workflows.UpdateApprove, approve(sfAdmin))
		f.update(2*time.Hour, workflows.UpdateActivate, workflows.ActivateRequest{Caller: workflows.Caller{As: slackOwner}})
		f.disconnectAt(3 * time.Hour)
		c := f.runConnection(in)
		if !chosen {
			if len(f.autoMaps) != 0 || c.AutoMapRun != nil {
				t.Errorf("automatic mapping ran although it was off")
			}
			continue
		}
		if len(f.autoMaps) != 1 || f.autoMaps[0].Connection.ConnectionID != "conn-1" || f.autoMaps[0].MatchingField != "Email" {
			t.Fatalf("automatic mapping input: %+v", f.autoMaps)
		}
		if c.AutoMapRun == nil || !c.AutoMapRun.Done || c.AutoMapRun.Linked != 7 {
			t.Fatalf("report: %+v", c.AutoMapRun)
		}
		if !strings.Contains(c.History[3].Detail+c.History[4].Detail, "automatic mapping") {
			t.Errorf("history: %+v", c.History)
		}
	}
}

func TestAutoMapOnRequest(t *testing.T) {
	f := newFixture(t)
	byMember := f.update(time.Minute, workflows.UpdateAutoMap, workflows.AutoMapRequest{Caller: workflows.Caller{As: slackPlain}})
	ok := f.update(time.Hour, workflows.UpdateAutoMap, workflows.AutoMapRequest{Caller: workflows.Caller{As: slackAdmin}})
	f.disconnectAt(2 * time.Hour)
	f.runConnection(activeConnection())
	requireType(t, byMember.err, activities.ErrForbidden, slackPlain)
	if ok.err != nil || len(f.autoMaps) != 1 || f.autoMaps[0].StartedBy != slackAdmin {
		t.Fatalf("automap: %v %+v", ok.err, f.autoMaps)
	}
}

func TestMemberStepsNeedAnActiveConnection(t *testing.T) {
	f := newFixture(t)
	add := f.update(time.Minute, workflows.UpdateAddMember, workflows.AddMemberRequest{Member: "U0MEMBER1", Caller: workflows.Caller{As: slackAdmin}})
	auto := f.update(time.Minute, workflows.UpdateAutoMap, workflows.AutoMapRequest{Caller: workflows.Caller{As: slackAdmin}})
	clear := f.update(time.Minute, workflows.UpdateClearMember, workflows.ClearMemberRequest{Member: "U0MEMBER1", Caller: workflows.Caller{As: sfAdmin}})
	f.runConnection(pendingConnection())
	for _, o := range []*outcome{add, auto, clear} {
		requireType(t, o.rejected, workflows.ErrInvalidState, "pending_approval")
	}
}

func TestInviteSignInAndExpiry(t *testing.T) {
	f := newFixture(t)
	badMember := f.update(time.Minute, workflows.UpdateAddMember, workflows.AddMemberRequest{Member: "alice", Caller: workflows.Caller{As: slackAdmin}})
	f.update(time.Hour, workflows.UpdateAddMember, workflows.AddMemberRequest{Member: "U0MEMBER1", Caller: workflows.Caller{As: slackAdmin}})
	f.update(time.Hour, workflows.UpdateAddMember, workflows.AddMemberRequest{Member: "U0MEMBER2", Caller: workflows.Caller{As: slackAdmin}})
	// Member 1 signs in: the state must be the one the connection gave.
	challenge := f.update(2*time.Hour, workflows.UpdateStartSignIn, workflows.StartSignInRequest{Member: "U0MEMBER1"})
	wrong := f.update(2*time.Hour+time.Minute, workflows.UpdateCompleteSignIn, workflows.CompleteSignInRequest{Member: "U0MEMBER1", Code: "c", State: "forged"})
	var done *outcome
	f.env.RegisterDelayedCallback(func() {
		var ch workflows.SignInChallenge = signInChallenge(challenge)
		done = &outcome{}
		f.env.UpdateWorkflow(workflows.UpdateCompleteSignIn, "", updateCallbacks(done), workflows.CompleteSignInRequest{Member: "U0MEMBER1", Code: "c", State: ch.State})
	}, 2*time.Hour+2*time.Minute)
	// Member 2 never signs in: the invitation expires after 7 days.
	var during workflows.Connection
	f.env.RegisterDelayedCallback(func() {
		v, _ := f.env.QueryWorkflow(workflows.QueryStatus)
		_ = v.Get(&during)
	}, 3*time.Hour)
	f.disconnectAt(10 * 24 * time.Hour)
	c := f.runConnection(activeConnection())

	requireType(t, badMember.rejected, activities.ErrInvalidInput, "alice")
	requireType(t, wrong.rejected, workflows.ErrInvalidState, "no sign-in")
	if done == nil || done.err != nil || done.rejected != nil {
		t.Fatalf("sign-in: %+v", done)
	}
	if len(f.signedIn) != 1 || f.signedIn[0] != "U0MEMBER1" {
		t.Errorf("signed in: %v", f.signedIn)
	}
	if _, ok := during.Invitations["U0MEMBER2"]; !ok || len(during.Invitations) != 1 {
		t.Errorf("invitations after the sign-in: %+v", during.Invitations)
	}
	if len(f.expiredAt) != 1 || !f.expiredAt[0].Equal(requestedAt.Add(time.Hour+workflows.DefaultInviteTTL)) {
		t.Errorf("expiry: %v, want 7 days after the invitation", f.expiredAt)
	}
	if len(c.Invitations) != 0 {
		t.Errorf("invitations left: %+v", c.Invitations)
	}
}

func TestClearNeedsASalesforceAdmin(t *testing.T) {
	f := newFixture(t)
	bySlack := f.update(time.Minute, workflows.UpdateClearMember, workflows.ClearMemberRequest{Member: "U0MEMBER1", Caller: workflows.Caller{As: slackOwner}})
	byUser := f.update(2*time.Minute, workflows.UpdateClearMember, workflows.ClearMemberRequest{Member: "U0MEMBER1", Caller: workflows.Caller{As: sfUser}})
	ok := f.update(3*time.Minute, workflows.UpdateClearMember, workflows.ClearMemberRequest{Member: "U0MEMBER1", Caller: workflows.Caller{As: sfAdmin}})
	f.signal(4*time.Minute, workflows.UpdateClearMember, workflows.ClearMemberRequest{Member: "U0MEMBER2", Caller: workflows.Caller{As: sfUser}})
	f.disconnectAt(time.Hour)
	c := f.runConnection(activeConnection())
	requireType(t, bySlack.err, activities.ErrForbidden, slackOwner)
	requireType(t, byUser.err, activities.ErrForbidden, sfUser)
	if ok.err != nil {
		t.Fatal(ok.err)
	}
	if len(c.Attempts) != 1 || c.Attempts[0].Action != model.ActionClear {
		t.Errorf("a refused clear signal is kept: %+v", c.Attempts)
	}
}

// A member's sign-in comes back where it was asked to (the console's
// callback, or the CLI's loopback address by default), with PKCE: the
// verifier made at the start reaches the exchange, and nobody else.
func TestSignInRedirectAndPKCE(t *testing.T) {
	f := newFixture(t)
	console := f.update(time.Minute, workflows.UpdateStartSignIn, workflows.StartSignInRequest{Member: "U0MEMBER1", RedirectURI: consoleCallback})
	cli := f.update(2*time.Minute, workflows.UpdateStartSignIn, workflows.StartSignInRequest{Member: "U0MEMBER2"})
	evil := f.update(3*time.Minute, workflows.UpdateStartSignIn, workflows.StartSignInRequest{Member: "U0MEMBER3", RedirectURI: "https://evil.example/cb"})
	during := f.status(4 * time.Minute)
	bannerOn := f.update(4*time.Minute+time.Second, workflows.UpdateBanner, workflows.BannerRequest{On: true, Caller: workflows.Caller{As: slackAdmin}})
	var done *outcome
	f.env.RegisterDelayedCallback(func() {
		done = &outcome{}
		f.env.UpdateWorkflow(workflows.UpdateCompleteSignIn, "", updateCallbacks(done), workflows.CompleteSignInRequest{
			Member: "U0MEMBER1", Code: "c", State: signInChallenge(console).State})
	}, 5*time.Minute)
	f.disconnectAt(time.Hour)
	f.runConnection(activeConnection())

	if ch := signInChallenge(console); console.err != nil || ch.RedirectURI != consoleCallback {
		t.Fatalf("sign-in by the console: %v %+v", console.err, ch)
	}
	if ch := signInChallenge(cli); cli.err != nil || ch.RedirectURI != workflows.SignInRedirectURI {
		t.Fatalf("sign-in by the CLI: %v %+v", cli.err, ch)
	}
	requireType(t, evil.err, activities.ErrInvalidInput, "cannot come back to https://evil.example/cb")
	if _, ok := during.Invitations["U0MEMBER3"]; ok {
		t.Error("a refused sign-in left an invitation")
	}
	if len(f.signInURLs) != 3 {
		t.Fatalf("SignInURL calls: %+v", f.signInURLs)
	}
	first, second := f.signInURLs[0], f.signInURLs[1]
	if first.RedirectURI != consoleCallback || len(first.Verifier) < 43 || second.RedirectURI != workflows.SignInRedirectURI ||
		len(second.Verifier) < 43 || first.Verifier == second.Verifier {
		t.Fatalf("sign-in addresses asked for: %+v", f.signInURLs[:2])
	}
	// The verifier stays inside the workflow: the status and the steps'
	// results show none.
	if inv := during.Invitations["U0MEMBER1"]; inv.Verifier != "" || inv.RedirectURI != consoleCallback || inv.State == "" {
		t.Errorf("the status shows the invitation as %+v", inv)
	}
	if inv, ok := bannerOn.conn.Invitations["U0MEMBER1"]; bannerOn.err != nil || !ok || inv.Verifier != "" {
		t.Errorf("a step's result shows the invitation as %+v (%v)", inv, bannerOn.err)
	}
	if done == nil || done.err != nil || len(f.exchanges) != 1 {
		t.Fatalf("complete: %+v, exchanges %+v", done, f.exchanges)
	}
	if ex := f.exchanges[0]; ex.RedirectURI != consoleCallback || ex.Verifier != first.Verifier {
		t.Errorf("the code was exchanged with redirect %q verifier %q, want %q and the start's", ex.RedirectURI, ex.Verifier, consoleCallback)
	}
	if c, ok := done.value.(activities.MemberMapping); !ok || c.State != "linked" {
		t.Errorf("complete result: %+v", done.value)
	}
}
