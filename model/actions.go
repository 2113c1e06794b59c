package model

// Action names what a caller asks to do, for the role table (package authz)
// and the record of attempts.
type Action string

// The actions of SPEC section 9 that the role table governs.
const (
	ActionRequest    Action = "request"
	ActionApprove    Action = "approve"
	ActionReject     Action = "reject"
	ActionActivate   Action = "activate"
	ActionDisconnect Action = "disconnect"
	ActionUpdate     Action = "update"
	ActionBanner     Action = "banner"
	ActionObjects    Action = "objects"
	ActionMap        Action = "map"
	ActionExport     Action = "export"
	ActionSearch     Action = "search"
	ActionClear      Action = "clear"
	// ActionSearchMappings is the Salesforce side's user mapping search
	// (who is mapped, to clear them): the same people as a clear, but a
	// search, and its refusal says so.
	ActionSearchMappings Action = "search_mappings"
	ActionMigrate        Action = "migrate"
	ActionCreate         Action = "create_workspace"
	// ActionSignIn is a member signing in to Salesforce to map their own
	// account: any active member of the workspace may, for themselves.
	ActionSignIn Action = "signin"
	// ActionExpire is not a caller's action: the clock ended a pending step.
	ActionExpire Action = "expire"
)

// SalesforceSide reports whether the action is taken by a Salesforce user
// (checked against the org's directory) rather than a Slack member.
func (a Action) SalesforceSide() bool {
	return a == ActionApprove || a == ActionReject || a == ActionClear || a == ActionSearchMappings || a == ActionCreate
}
