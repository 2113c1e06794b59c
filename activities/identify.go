package activities

import (
	"time"

	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/identity"
)

// Verifier checks the proofs that come with human steps; *identity.Signer
// is one.
type Verifier interface {
	Verify(token string, now time.Time) (identity.Claims, error)
}

// Identity is how a step's caller was identified, as a role check reports
// it to the workflow, which records it beside the step and keeps the ids of
// the step assertions used.
type Identity struct {
	// Verified: a valid proof of the caller came with the step. False only
	// in sandbox mode, for a bare "as".
	Verified bool `json:"verified,omitempty"`
	// Kind is the proof's: identity.KindAssertion or identity.KindLogin.
	Kind identity.Kind `json:"kind,omitempty"`
	// ProofID and Expires are the proof's id and expiry.
	ProofID string    `json:"proof_id,omitempty"`
	Expires time.Time `json:"expires,omitempty"`
	// Subject is the proven Slack member id or Salesforce user id.
	Subject string `json:"subject,omitempty"`
}

// proofOf is what a role check's input says of the step's proof.
type proofOf struct {
	proof, workflow, step string
}

// identify verifies a step's proof before any directory is read: its
// signature and lifetime, then whether it fits the step (want; the
// workflow and step are filled in from p). Without a proof the step goes on
// unverified, unless proofs are required (outside sandbox mode). Every
// refusal is a non-retryable Unauthenticated error whose message says what
// to do; logs name the workflow, the step and the reason, never the person.
func (a *Activities) identify(p proofOf, want identity.Expect) (Identity, error) {
	if p.proof == "" {
		if a.RequireProof {
			return Identity{}, a.unauthenticated(p, identity.ErrNoProof, "%v: the %s step needs a proof of who takes it: sign in at the console, or run `%s` and run the command again",
				identity.ErrNoProof, p.step, loginCommand(want.Side))
		}
		return Identity{}, nil
	}
	if a.Verifier == nil {
		return Identity{}, a.unauthenticated(p, identity.ErrForged, "this worker has no key to verify proofs with (SFCONNECT_SIGNING_KEY): ask its operator")
	}
	now := time.Now()
	if a.Now != nil {
		now = a.Now()
	}
	c, err := a.Verifier.Verify(p.proof, now)
	if err != nil {
		return Identity{}, a.unauthenticated(p, err, "%v", err)
	}
	want.Workflow, want.Step = p.workflow, p.step
	if err := c.Check(want); err != nil {
		return Identity{}, a.unauthenticated(p, err, "%v", err)
	}
	return Identity{Verified: true, Kind: c.Kind(), ProofID: c.ID, Expires: c.Expires, Subject: c.Subject}, nil
}

func (a *Activities) unauthenticated(p proofOf, why error, format string, args ...any) error {
	if a.Log != nil {
		a.Log.Info("step refused: proof of identity", zap.String("workflow", p.workflow), zap.String("step", p.step), zap.String("reason", identity.Reason(why)))
	}
	return refuse(ErrUnauthenticated, format, args...)
}

func loginCommand(side identity.Side) string {
	if side == identity.SideSalesforce {
		return "starter login salesforce --org ORG"
	}
	return "starter login slack"
}
