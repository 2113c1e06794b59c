package activities_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/model"
)

const (
	acmeID     = "00D000000000001AAA"
	acmeURL    = "https://acme.my.salesforce.com"
	acmeAdmin  = "005000000000001AAA"
	connection = "sfconnect-connection-T0DEMO0001-00D000000000001AAA"
)

func signer(t *testing.T, key string) *identity.Signer {
	t.Helper()
	s, err := identity.NewSigner([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var (
	workerKey = "the worker's key, 32 bytes long."
	otherKey  = "someone else's key, 32 bytes...."
)

// proving is the activities with the worker's key, requiring proofs as
// outside sandbox mode.
func proving(t *testing.T) (*activities.Activities, *identity.Signer) {
	t.Helper()
	a, _ := newActivities(t)
	s := signer(t, workerKey)
	a.Verifier, a.RequireProof = s, true
	return a, s
}

func assert(t *testing.T, s *identity.Signer, c identity.Claims) string {
	t.Helper()
	tok, err := s.Assert(c, 0)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

var (
	owner = identity.Claims{Side: identity.SideSlack, Subject: "U0OWNER01", Team: "T0DEMO0001", Workflow: connection, Step: "activate"}
	admin = identity.Claims{Side: identity.SideSalesforce, Subject: acmeAdmin, Org: acmeID, Workflow: connection, Step: "approve"}
)

func activate(proof string) activities.AuthorizeSlackInput {
	return activities.AuthorizeSlackInput{Team: "T0DEMO0001", User: "U0OWNER01", Action: model.ActionActivate, Proof: proof, Workflow: connection, Step: "activate"}
}

func approveAs(user, proof string) activities.AuthorizeSalesforceInput {
	return activities.AuthorizeSalesforceInput{OrgURL: acmeURL, OrgID: acmeID, User: user, Action: model.ActionApprove, Proof: proof, Workflow: connection, Step: "approve"}
}

// requireUnauthenticated asserts a refusal of the proof: the stable type,
// not retried, one line that says what was wrong and what to do.
func requireUnauthenticated(t *testing.T, name string, err error, want string) {
	t.Helper()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != activities.ErrUnauthenticated || !app.NonRetryable() {
		t.Errorf("%s: want a non-retryable Unauthenticated refusal, got %v", name, err)
		return
	}
	if !strings.Contains(app.Message(), want) || strings.Contains(app.Message(), "\n") {
		t.Errorf("%s: the reason %q lacks %q", name, app.Message(), want)
	}
	if !strings.Contains(app.Message(), "starter login") {
		t.Errorf("%s: the reason does not say what to do: %q", name, app.Message())
	}
}

func TestAuthorizeSlackVerifiesTheProofFirst(t *testing.T) {
	a, s := proving(t)
	ctx := context.Background()
	with := func(c identity.Claims, f func(*identity.Claims)) identity.Claims { f(&c); return c }
	login, err := s.LoginToken(identity.Claims{Side: identity.SideSlack, Subject: "U0OWNER01", Team: "T0DEMO0001"}, 0)
	if err != nil {
		t.Fatal(err)
	}

	res, err := a.AuthorizeSlack(ctx, activate(assert(t, s, owner)))
	if err != nil || !res.Identity.Verified || res.Identity.Kind != identity.KindAssertion || res.Identity.ProofID == "" || !res.Owner {
		t.Fatalf("a console assertion of the owner: %+v %v", res, err)
	}
	res, err = a.AuthorizeSlack(ctx, activate(login))
	if err != nil || !res.Identity.Verified || res.Identity.Kind != identity.KindLogin {
		t.Fatalf("a login token of the owner: %+v %v", res, err)
	}

	for name, tc := range map[string]struct {
		in   activities.AuthorizeSlackInput
		want string
	}{
		"no proof":        {activate(""), "needs a proof of who takes it"},
		"not a token":     {activate("U0OWNER01"), "not an sfconnect token"},
		"forged":          {activate(assert(t, signer(t, otherKey), owner)), "signature is not valid"},
		"other workspace": {activate(assert(t, s, with(owner, func(c *identity.Claims) { c.Team = "T0DEMO0002" }))), "workspace T0DEMO0002, not T0DEMO0001"},
		"wrong workflow":  {activate(assert(t, s, with(owner, func(c *identity.Claims) { c.Workflow = "sfconnect-connection-T0DEMO0001-00D000000000002AAA" }))), "another workflow"},
		"wrong step":      {activate(assert(t, s, with(owner, func(c *identity.Claims) { c.Step = "disconnect" }))), `"disconnect", not "activate"`},
		"wrong side":      {activate(assert(t, s, with(admin, func(c *identity.Claims) { c.Step = "activate" }))), "needs a slack sign-in"},
		"subject ≠ as":    {activate(assert(t, s, with(owner, func(c *identity.Claims) { c.Subject = "U0ADMIN01" }))), `of U0ADMIN01, not of U0OWNER01`},
		// Verified before the directory is read: an unknown workspace is not
		// even looked up.
		"unknown workspace": {activities.AuthorizeSlackInput{Team: "T0NOSUCH1", User: "U0OWNER01", Action: model.ActionActivate, Proof: assert(t, s, owner), Workflow: connection, Step: "activate"}, "workspace T0DEMO0001, not T0NOSUCH1"},
	} {
		_, err := a.AuthorizeSlack(ctx, tc.in)
		requireUnauthenticated(t, name, err, tc.want)
	}

	// An expired assertion: the worker's clock past its five minutes.
	tok := assert(t, s, owner)
	a.Now = func() time.Time { return time.Now().Add(identity.AssertionTTL + time.Minute) }
	_, err = a.AuthorizeSlack(ctx, activate(tok))
	requireUnauthenticated(t, "expired", err, "expired")
	a.Now = nil

	// A valid proof does not grant a role: the directory still decides.
	admin := with(owner, func(c *identity.Claims) { c.Subject = "U0ADMIN01" })
	in := activate(assert(t, s, admin))
	in.User = "U0ADMIN01"
	if _, err := a.AuthorizeSlack(ctx, in); errType(err) != activities.ErrForbidden {
		t.Fatalf("a proven admin activating: %v, want Forbidden", err)
	}
}

// In sandbox mode a bare "as" goes on, reported unverified; a proof given
// is checked all the same.
func TestAuthorizeWithoutProofInSandboxMode(t *testing.T) {
	a, s := proving(t)
	a.RequireProof = false
	res, err := a.AuthorizeSlack(context.Background(), activate(""))
	if err != nil || res.Identity.Verified || res.Identity.Kind != identity.KindNone {
		t.Fatalf("a bare as in sandbox mode: %+v %v", res, err)
	}
	_, err = a.AuthorizeSlack(context.Background(), activate(assert(t, signer(t, otherKey), owner)))
	requireUnauthenticated(t, "forged, in sandbox mode", err, "signature")
	sf, err := a.AuthorizeSalesforce(context.Background(), approveAs("admin@acme.example", ""))
	if err != nil || sf.Identity.Verified {
		t.Fatalf("a bare Salesforce as in sandbox mode: %+v %v", sf, err)
	}
	_ = s
}

func TestAuthorizeSalesforceVerifiesTheProofFirst(t *testing.T) {
	a, s := proving(t)
	ctx := context.Background()
	with := func(c identity.Claims, f func(*identity.Claims)) identity.Claims { f(&c); return c }
	// By username (resolved, then compared) and by id.
	for _, as := range []string{"admin@acme.example", acmeAdmin} {
		res, err := a.AuthorizeSalesforce(ctx, approveAs(as, assert(t, s, admin)))
		if err != nil || !res.Identity.Verified || !res.SystemAdmin {
			t.Fatalf("the admin's assertion, as %s: %+v %v", as, res, err)
		}
	}
	slackManager := "slackmgr@acme.example" // allowed to approve, but not who signed in
	for name, tc := range map[string]struct {
		in   activities.AuthorizeSalesforceInput
		want string
	}{
		"no proof":       {approveAs("admin@acme.example", ""), "starter login salesforce"},
		"forged":         {approveAs("admin@acme.example", assert(t, signer(t, otherKey), admin)), "signature"},
		"other org":      {approveAs("admin@acme.example", assert(t, s, with(admin, func(c *identity.Claims) { c.Org = "00D000000000002AAA" }))), "org 00D000000000002AAA, not " + acmeID},
		"wrong side":     {approveAs("admin@acme.example", assert(t, s, with(owner, func(c *identity.Claims) { c.Step = "approve" }))), "needs a salesforce sign-in"},
		"wrong step":     {approveAs("admin@acme.example", assert(t, s, with(admin, func(c *identity.Claims) { c.Step = "reject" }))), `"reject", not "approve"`},
		"username ≠":     {approveAs(slackManager, assert(t, s, admin)), "not of " + slackManager},
		"id ≠":           {approveAs("005000000000002AAA", assert(t, s, admin)), "not of 005000000000002AAA"},
		"wrong workflow": {approveAs("admin@acme.example", assert(t, s, with(admin, func(c *identity.Claims) { c.Workflow = "sfconnect-connection-T0DEMO0002-00D000000000001AAA" }))), "another workflow"},
	} {
		_, err := a.AuthorizeSalesforce(ctx, tc.in)
		requireUnauthenticated(t, name, err, tc.want)
	}
}
