package workflows

import (
	"crypto/rand"
	"encoding/hex"

	"golang.org/x/oauth2"
)

// newState is an unguessable OAuth state. Workflows call it only inside
// workflow.SideEffect, whose result the history keeps.
func newState() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newVerifier is a PKCE code_verifier (RFC 7636). Like newState, it is
// called only inside workflow.SideEffect.
func newVerifier() string { return oauth2.GenerateVerifier() }
