package workflows

import (
	"crypto/rand"
	"encoding/hex"
)

// newState is an unguessable OAuth state. Workflows call it only inside
// workflow.SideEffect, whose result the history keeps.
func newState() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
