package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

// acts names activities for mocks, as the workflows do.
var acts *activities.Activities

// The directory the mocks answer from: who holds which role.
const (
	sfAdmin    = "admin@acme.example"
	sfUser     = "user@acme.example"
	slackOwner = "U0OWNER01"
	slackAdmin = "U0ADMIN01"
	slackRole  = "U0SFADM01"
	slackPlain = "U0MEMBER1"
	// approverInSlack is the Slack member whose email is a Salesforce system admin's.
	approverInSlack = "U0SFAPPR1"
	// approverNotInSlack is a Salesforce system admin whom Slack does not know.
	approverNotInSlack = "Second Admin (005000000000002AAA)"
	sfAdminID          = "005000000000001AAA"
)

func forbidden(who string, action model.Action) error {
	return temporal.NewNonRetryableApplicationError(who+" may not "+string(action)+": that needs a role", activities.ErrForbidden, nil)
}

// fixture is a time-skipping test environment with the activities mocked
// on the directory above; it records the notices posted.
type fixture struct {
	t       *testing.T
	mu      sync.Mutex // the mocks run on the SDK's goroutines
	env     *testsuite.TestWorkflowEnvironment
	notices []activities.NotifyInput
	signals []workflows.ConnectionStateSignal
	// What the member mapping mocks saw.
	signedIn []string
	// signInURLs and exchanges are what the sign-in activities were given.
	signInURLs []activities.SignInURLInput
	exchanges  []activities.CompleteSignInInput
	expiredAt  []time.Time
	autoMaps   []workflows.AutoMapInput
	// health is what the org's health checks answer.
	health       activities.HealthResult
	healthChecks int
	// healthFails and expireFails are how many health checks and
	// invitation expiries fail (after their retries) before they succeed.
	healthFails, expireFails int
	// noticeDelay is how long each notice takes to post, on the workflow's clock.
	noticeDelay   time.Duration
	bannerNotices int
	// proofsSeen are the proofs the role checks were given, with their
	// binding; requireProof refuses steps without one, as outside sandbox
	// mode.
	proofsSeen   []proofSeen
	requireProof bool
	// jobsEnded are what jobs told their connection of their end.
	jobsEnded []workflows.JobEnded
}

// allowedRedirects are the sign-in addresses the mocked worker allows.
var allowedRedirects = []string{workflows.SignInRedirectURI, consoleCallback}

const consoleCallback = "http://127.0.0.1:8088/auth/salesforce/callback"

// proofSeen is what one role check was given.
type proofSeen struct{ proof, workflow, step string }

// testSigner signs the proofs of these tests and verifies them in the
// role check mocks, as the worker's key would.
var testSigner = func() *identity.Signer {
	s, err := identity.NewSigner([]byte("workflow tests' key, 32 bytes..."))
	if err != nil {
		panic(err)
	}
	return s
}()

// assertion is a console assertion of c, bound to workflow and step.
func assertion(t *testing.T, c identity.Claims, workflow, step string) string {
	t.Helper()
	c.Workflow, c.Step = workflow, step
	tok, err := testSigner.Assert(c, 0)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// identify is the role checks' verification, as the activities do it.
func (f *fixture) identify(proof, workflow, step string, want identity.Expect) (activities.Identity, error) {
	f.mu.Lock()
	f.proofsSeen = append(f.proofsSeen, proofSeen{proof, workflow, step})
	require := f.requireProof
	f.mu.Unlock()
	unauthenticated := func(err error) error {
		return temporal.NewNonRetryableApplicationError(err.Error(), activities.ErrUnauthenticated, nil)
	}
	if proof == "" {
		if require {
			return activities.Identity{}, unauthenticated(identity.ErrNoProof)
		}
		return activities.Identity{}, nil
	}
	c, err := testSigner.Verify(proof, time.Time{})
	if err != nil {
		return activities.Identity{}, unauthenticated(err)
	}
	want.Workflow, want.Step = workflow, step
	if err := c.Check(want); err != nil {
		return activities.Identity{}, unauthenticated(err)
	}
	return activities.Identity{Verified: true, Kind: c.Kind(), ProofID: c.ID, Expires: c.Expires, Subject: c.Subject}, nil
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	f := &fixture{t: t, env: suite.NewTestWorkflowEnvironment()}
	workflows.RegisterWorkflows(f.env)
	f.env.RegisterActivity(acts)
	f.env.OnActivity(acts.Notify, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.NotifyInput) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.notices = append(f.notices, in)
		return nil
	}).AfterFn(func() time.Duration {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.noticeDelay
	}).Maybe()
	f.env.OnActivity(acts.AuthorizeSalesforce, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.AuthorizeSalesforceInput) (activities.SalesforceAuthorization, error) {
			who, err := f.identify(in.Proof, in.Workflow, in.Step, identity.Expect{Side: identity.SideSalesforce, Org: in.OrgID})
			if err != nil {
				return activities.SalesforceAuthorization{}, err
			}
			if in.User != sfAdmin {
				return activities.SalesforceAuthorization{}, forbidden(in.User, in.Action)
			}
			return activities.SalesforceAuthorization{Identity: who, SalesforceRoles: model.SalesforceRoles{
				OrgID: in.OrgID, UserID: sfAdminID, Username: in.User, Found: true, Active: true, SystemAdmin: true}}, nil
		}).Maybe()
	f.env.OnActivity(acts.AuthorizeSlack, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.AuthorizeSlackInput) (activities.SlackAuthorization, error) {
			who, err := f.identify(in.Proof, in.Workflow, in.Step, identity.Expect{Side: identity.SideSlack, Subject: in.User, Team: in.Team})
			if err != nil {
				return activities.SlackAuthorization{}, err
			}
			out := activities.SlackAuthorization{Identity: who, SlackRoles: model.SlackRoles{UserID: in.User, Team: in.Team, Member: true}}
			switch {
			case in.User == slackOwner, in.User == slackRole:
				out.Owner = true
				return out, nil
			case in.User == slackAdmin && in.Action != model.ActionActivate && in.Action != model.ActionMigrate:
				out.Admin = true
				return out, nil
			case in.Action == model.ActionSignIn:
				return out, nil // any member, for themselves
			}
			return activities.SlackAuthorization{}, forbidden(in.User, in.Action)
		}).Maybe()
	f.env.OnActivity(acts.SetupIntegrationUser, mock.Anything, mock.Anything).Return(
		activities.IntegrationUser{UserID: "005000000000009AAA", Username: "integration@acme.example", Objects: activities.DefaultPermissionObjects}, nil).Maybe()
	f.env.OnActivity(acts.Approvers, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ApproversInput) ([]string, error) {
			if in.State == model.StatePendingApproval {
				return []string{approverInSlack}, nil
			}
			return []string{slackOwner, slackRole}, nil
		}).Maybe()
	f.env.OnActivity(acts.ReachApprovers, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ApproversInput) (activities.Reach, error) {
			if in.State == model.StatePendingApproval {
				return activities.Reach{Members: []string{approverInSlack}, NotReachable: []string{approverNotInSlack}}, nil
			}
			return activities.Reach{Members: []string{slackOwner, slackRole}}, nil
		}).Maybe()
	f.env.OnActivity(acts.InviteMember, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.InviteInput) (activities.MemberMapping, error) {
			return activities.MemberMapping{SlackUserID: in.Member, State: "invited", InviteExpiresAt: in.ExpiresAt}, nil
		}).Maybe()
	f.env.OnActivity(acts.SignInURL, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SignInURLInput) (string, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.signInURLs = append(f.signInURLs, in)
			if !slices.Contains(allowedRedirects, in.RedirectURI) {
				return "", temporal.NewNonRetryableApplicationError("the sign-in cannot come back to "+in.RedirectURI, activities.ErrInvalidInput, nil)
			}
			return in.OrgURL + "/services/oauth2/authorize?state=" + in.State, nil
		}).Maybe()
	f.env.OnActivity(acts.CompleteSignIn, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CompleteSignInInput) (activities.MemberMapping, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.signedIn = append(f.signedIn, in.Member)
			f.exchanges = append(f.exchanges, in)
			return activities.MemberMapping{SlackUserID: in.Member, State: "linked", SalesforceUsername: "member@acme.example"}, nil
		}).Maybe()
	f.env.OnActivity(acts.ClearMember, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ClearInput) (activities.MemberMapping, error) {
			return activities.MemberMapping{SlackUserID: in.Member, State: "cleared", UpdatedBy: in.By}, nil
		}).Maybe()
	f.env.OnActivity(acts.ExpireInvitations, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ExpireInput) (int, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.expiredAt = append(f.expiredAt, in.Now)
			if f.expireFails > 0 {
				f.expireFails--
				return 0, temporal.NewNonRetryableApplicationError("store unavailable: user@acme.example's row is locked", "StoreDown", nil)
			}
			return 1, nil
		}).Maybe()
	f.env.OnActivity(acts.SyncMembers, mock.Anything, mock.Anything).Return(12, nil).Maybe()
	f.env.OnActivity(acts.CheckOrg, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.HealthInput) (activities.HealthResult, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.healthChecks++
			if f.healthFails > 0 {
				f.healthFails--
				return activities.HealthResult{}, temporal.NewNonRetryableApplicationError("the org does not answer", "OrgDown", nil)
			}
			return f.health, nil
		}).Maybe()
	f.env.OnActivity(acts.ListObjects, mock.Anything, mock.Anything).Return(
		activities.ObjectsResult{Objects: []string{"Account", "Case", "Contact", "Invoice__c", "Lead", "Opportunity"}}, nil).Maybe()
	f.env.OnActivity(acts.NotifyMembers, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.NotifyMembersInput) (int, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.bannerNotices++
			return 7, nil
		}).Maybe()
	f.env.OnActivity(acts.AddObjects, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ObjectsInput) (activities.ObjectsResult, error) {
			return activities.ObjectsResult{Objects: append([]string{"Account"}, in.Objects...), Added: in.Objects}, nil
		}).Maybe()
	f.env.OnActivity(acts.VerifyOrgURL, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.HealthInput) (activities.OrgInfo, error) {
			return activities.OrgInfo{ID: in.OrgID, URL: in.OrgURL, Name: "acme2"}, nil
		}).Maybe()
	f.env.OnActivity(acts.MigrateWorkspace, mock.Anything, mock.Anything).Return(nil).Maybe()
	f.env.OnWorkflow(workflows.AutoMapWorkflowName, mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in workflows.AutoMapInput) (workflows.AutoMapProgress, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.autoMaps = append(f.autoMaps, in)
			return workflows.AutoMapProgress{Done: true, MapCounts: activities.MapCounts{Scanned: 12, Linked: 7}}, nil
		}).Maybe()
	// A connection's end reaches the registry by update: recorded with the signals.
	f.env.OnActivity(acts.FreePlace, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FreePlaceInput) error {
			data, err := json.Marshal(in.Report)
			if err != nil {
				return err
			}
			var sig workflows.ConnectionStateSignal
			if err := json.Unmarshal(data, &sig); err != nil {
				return err
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			f.signals = append(f.signals, sig)
			return nil
		}).Maybe()
	f.env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, mock.Anything, workflows.SignalConnectionState, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.signals = append(f.signals, arg.(workflows.ConnectionStateSignal))
			return nil
		}).Maybe()
	f.env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, mock.Anything, workflows.SignalJobEnded, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.jobsEnded = append(f.jobsEnded, arg.(workflows.JobEnded))
			return nil
		}).Maybe()
	return f
}

// outcome is what became of one update.
type outcome struct {
	rejected  error // by the validator
	err       error // by the handler
	conn      workflows.Connection
	value     any
	completed bool
}

// update sends an update after delay and records its outcome.
func (f *fixture) update(delay time.Duration, name string, arg any) *outcome {
	o := &outcome{}
	f.env.RegisterDelayedCallback(func() {
		f.env.UpdateWorkflow(name, "", updateCallbacks(o), arg)
	}, delay)
	return o
}

// updateCallbacks records an update's outcome in o.
func updateCallbacks(o *outcome) *testsuite.TestUpdateCallback {
	return &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { o.rejected = err },
		OnComplete: func(v any, err error) {
			o.completed = true
			o.err = err
			o.value = v
			if c, ok := v.(workflows.Connection); ok {
				o.conn = c
			}
		},
	}
}

// signInChallenge is the challenge an update returned.
func signInChallenge(o *outcome) workflows.SignInChallenge {
	ch, _ := o.value.(workflows.SignInChallenge)
	return ch
}

// signal sends a signal after delay.
func (f *fixture) signal(delay time.Duration, name string, arg any) {
	f.env.RegisterDelayedCallback(func() { f.env.SignalWorkflow(name, arg) }, delay)
}

func (f *fixture) noticesTo(channel, containing string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, m := range f.notices {
		if m.Channel == channel && strings.Contains(m.Text, containing) {
			n++
		}
	}
	return n
}

// requireType asserts an error is a refusal of the given type whose message
// contains want.
func requireType(t *testing.T, err error, kind, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected a %s refusal containing %q, got none", kind, want)
	}
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		t.Fatalf("expected an application error of type %s, got %T: %v", kind, err, err)
	}
	if app.Type() != kind {
		t.Fatalf("expected type %s, got %s: %v", kind, app.Type(), err)
	}
	if !strings.Contains(app.Message(), want) {
		t.Fatalf("expected %q in the message, got %q", want, app.Message())
	}
}
