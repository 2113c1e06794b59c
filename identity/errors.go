package identity

import (
	"errors"
	"fmt"
)

// The reasons a proof is refused. Verify and Check wrap them in a message
// that says what to do; match them with errors.Is.
var (
	// ErrMalformed: the proof is not a token at all.
	ErrMalformed = errors.New("the proof is not an sfconnect token")
	// ErrForged: the signature does not verify with the worker's key (made
	// up, altered, or signed with another key).
	ErrForged = errors.New("the proof's signature is not valid")
	// ErrExpired: the proof's lifetime is over.
	ErrExpired = errors.New("the proof has expired")
	// ErrNotYetValid: the proof was issued in the future (clocks apart).
	ErrNotYetValid = errors.New("the proof is not valid yet")
	// ErrInvalid: signed by us, but not a complete proof (issuer, side,
	// subject or binding missing).
	ErrInvalid = errors.New("the proof is incomplete")
	// ErrWrongSide: a Slack identity for a Salesforce step, or the reverse.
	ErrWrongSide = errors.New("the proof is for the other side")
	// ErrOtherSubject: the proof is of someone else than the "as" claimed.
	ErrOtherSubject = errors.New("the proof is of someone else")
	// ErrOtherWorkspace: a Slack sign-in to another workspace.
	ErrOtherWorkspace = errors.New("the proof is of another workspace")
	// ErrOtherOrg: a Salesforce sign-in to another org.
	ErrOtherOrg = errors.New("the proof is of another org")
	// ErrOtherWorkflow: a step assertion bound to another workflow.
	ErrOtherWorkflow = errors.New("the proof is for another workflow")
	// ErrOtherStep: a step assertion bound to another step.
	ErrOtherStep = errors.New("the proof is for another step")
	// ErrReplayed: a step assertion already used (workflows refuse it).
	ErrReplayed = errors.New("the proof was already used")
	// ErrNoProof: a step without a proof where one is required.
	ErrNoProof = errors.New("no proof of who you are")
)

// reasons lists the sentinels, for Reason.
var reasons = []error{
	ErrMalformed, ErrForged, ErrExpired, ErrNotYetValid, ErrInvalid, ErrWrongSide, ErrOtherSubject,
	ErrOtherWorkspace, ErrOtherOrg, ErrOtherWorkflow, ErrOtherStep, ErrReplayed, ErrNoProof,
}

// Reason is the sentinel err wraps, as its short text: what logs may say of
// a refusal without naming the person.
func Reason(err error) string {
	for _, r := range reasons {
		if errors.Is(err, r) {
			return r.Error()
		}
	}
	return "unknown"
}

// SignInAgain says how to get a new proof for side (either side when it is
// unknown).
func SignInAgain(side Side) string {
	switch side {
	case SideSlack:
		return "sign in again in the console or run `starter login slack`"
	case SideSalesforce:
		return "sign in again in the console or run `starter login salesforce --org ORG`"
	}
	return "sign in again in the console or run `starter login slack` (or `starter login salesforce --org ORG`)"
}

// refusal wraps a sentinel in a message that ends with what to do.
func refusal(sentinel error, side Side, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", sentinel, fmt.Sprintf(format, args...), SignInAgain(side))
}
