package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/model"
)

// Search attributes shown and filtered on in the Web UI and used by
// `starter connect list`. They are registered with the dev server by
// `make run` and by the integration tests (SearchAttributes).
var (
	// WorkspaceKey is the Slack team id (T…).
	WorkspaceKey = temporal.NewSearchAttributeKeyKeyword("SfWorkspace")
	// OrgKey is the Salesforce org id (00D…).
	OrgKey = temporal.NewSearchAttributeKeyKeyword("SfOrg")
	// OrgNameKey is the org's My Domain name (acme, acme--uat).
	OrgNameKey = temporal.NewSearchAttributeKeyKeyword("SfOrgName")
	// StateKey is the connection's state (pending_approval, active…).
	StateKey = temporal.NewSearchAttributeKeyKeyword("SfState")
	// JobPhaseKey is a CSV job's phase (validating, awaiting_approval…):
	// an attribute of its own, so that a filter on SfState finds
	// connections only, and one on SfJobPhase jobs only.
	JobPhaseKey = temporal.NewSearchAttributeKeyKeyword("SfJobPhase")
	// VersionKey is the connection version (`connect list` shows "update
	// available" below CurrentConnectionVersion; absent means 1).
	VersionKey = temporal.NewSearchAttributeKeyInt64("SfVersion")
)

// SearchAttributes is the set to register with a Temporal namespace; the
// values are placeholders, only names and types matter.
var SearchAttributes = temporal.NewSearchAttributes(
	WorkspaceKey.ValueSet(""),
	OrgKey.ValueSet(""),
	OrgNameKey.ValueSet(""),
	StateKey.ValueSet(""),
	JobPhaseKey.ValueSet(""),
	VersionKey.ValueSet(0),
)

// connectionSearchAttributes are the attributes a connection starts with.
func connectionSearchAttributes(c Connection) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		WorkspaceKey.ValueSet(c.Workspace),
		OrgKey.ValueSet(c.OrgID),
		OrgNameKey.ValueSet(c.OrgName),
		StateKey.ValueSet(string(c.State)),
		VersionKey.ValueSet(int64(c.Version)),
	)
}

// upsertState publishes a new state to visibility so that `list` and the Web
// UI's filters see it.
func upsertState(ctx workflow.Context, s model.State) error {
	return workflow.UpsertTypedSearchAttributes(ctx, StateKey.ValueSet(string(s)))
}
