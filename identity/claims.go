// Package identity is who takes a human step, proven: the console's signed,
// short-lived step assertions (bound to one workflow and one update or
// signal) and the longer-lived login tokens of `starter login`, both HS256
// JWTs signed and verified through go-jose with the key the console and the
// worker share (config.Config.SigningKey). The worker verifies a proof
// before it reads the caller's roles from the directories (SPEC section 12).
//
// Workflow code may only Peek at a token, for its bookkeeping of the
// assertions already used; verification happens in activities.
package identity

import "time"

// Side is whose directory the subject is in.
type Side string

// The two directories a subject can be in.
const (
	SideSlack      Side = "slack"
	SideSalesforce Side = "salesforce"
)

// Valid reports whether s is one of the two sides.
func (s Side) Valid() bool { return s == SideSlack || s == SideSalesforce }

// Claims are who signed in, and (for a step assertion) what they may do with it.
type Claims struct {
	Side    Side   // slack or salesforce
	Subject string // Slack member id (U…) or Salesforce user id (005…)
	Team    string // Slack: the team id (T…) of the sign-in
	Org     string // Salesforce: the org id (00D…) of the sign-in
	Name    string // display name, for pages only (optional)
	// Workflow is, for a step assertion, the workflow id it is bound to.
	Workflow string
	// Step is, for a step assertion, the update/signal name it is bound to
	// (e.g. workflows.UpdateApprove).
	Step string
	// ID is the token's jti, unique per token.
	ID                string
	IssuedAt, Expires time.Time
	// Login marks a login token (`starter login`): bound to no workflow or
	// step, longer-lived, reusable until it expires.
	Login bool
}

// Kind says how a caller's identity was proven.
type Kind string

// The kinds of proof. A step taken without one (sandbox mode only) has
// KindNone.
const (
	KindNone      Kind = ""
	KindAssertion Kind = "assertion"
	KindLogin     Kind = "login"
)

// Kind is the kind of proof these claims came in.
func (c Claims) Kind() Kind {
	if c.Login {
		return KindLogin
	}
	return KindAssertion
}

// Default lifetimes and the clock skew Verify tolerates.
const (
	// AssertionTTL is a step assertion's lifetime when Assert is given none:
	// long enough to submit a page, short enough that a stolen one is soon
	// worthless.
	AssertionTTL = 5 * time.Minute
	// LoginTTL is a login token's lifetime when LoginToken is given none:
	// a working day.
	LoginTTL = 12 * time.Hour
	// Leeway is the clock skew tolerated between the signer and the
	// verifier, on expiry and issue times.
	Leeway = 30 * time.Second
)

// Issuer is the "iss" of every token: a token of another issuer signed
// with the same key (a key reused elsewhere) is not one of ours.
const Issuer = "sfconnect"
