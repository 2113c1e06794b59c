// Package activities holds every side effect of sfconnect's workflows: calls
// to Slack and Salesforce (and, later, the store). Activities are methods on
// *Activities, which holds their dependencies; workflows refer to them through
// a nil *Activities.
package activities

import (
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
}
