// Package activities holds every side effect of sfconnect's workflows: calls
// to Slack and Salesforce (and, later, the store). Activities are methods on
// *Activities, which holds their dependencies; workflows refer to them through
// a nil *Activities.
package activities

import (
	"time"

	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/metrics"
	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/slackapi"
	"github.com/sfconnect/sfconnect/store"
)

// Activities holds the clients the activities use.
type Activities struct {
	Slack      *slackapi.Directory
	Salesforce *salesforce.Factory
	Store      store.Store
	Log        *zap.Logger
	// Metrics are the product's metrics (nil: none).
	Metrics *metrics.Product
	// Verifier checks the proofs of who takes a human step (nil: a proof
	// cannot be checked, and is refused).
	Verifier Verifier
	// RequireProof refuses a human step that comes without a proof
	// (config.Config.ProofRequired: always outside sandbox mode); without
	// it a bare "as" goes on, recorded as unverified.
	RequireProof bool
	// SignInRedirectURIs are where a member's Salesforce sign-in may come
	// back to (config.Config.SignInRedirectURIs).
	SignInRedirectURIs []string
	// ConsoleURL is the console's public address (config.Config.ConsoleURL):
	// notices link to its pages.
	ConsoleURL string
	// InviteEvery is the pause between a job's invitation DMs
	// (config.Config.InviteEvery; 0: DefaultInviteEvery).
	InviteEvery time.Duration
	// Jobs are the worker's settings of CSV jobs (config.Config.Jobs),
	// which every job reads (JobSettings).
	Jobs JobSettings
	// Temporal reads the workflows' executions and states, to reconcile a
	// workspace's registry (worker.New sets it to the worker's client).
	Temporal Temporal
	// Now is the clock proofs are checked against (nil: time.Now).
	Now func() time.Time
}
