package workflows

import (
	"time"

	"github.com/sfconnect/sfconnect/activities"
)

// Member mapping messages of a connection (SPEC section 4). Each is an
// update; automap, add-member and clear-member are also signals of the same
// name and payload.
const (
	// UpdateAutoMap starts automatic mapping. Payload AutoMapRequest; result AutoMapStarted.
	UpdateAutoMap = "automap"
	// UpdateAddMember invites one member to map their account. Payload AddMemberRequest; result activities.MemberMapping.
	UpdateAddMember = "add-member"
	// UpdateStartSignIn gives a member the address to sign in to Salesforce at. Payload StartSignInRequest; result SignInChallenge.
	UpdateStartSignIn = "signin-start"
	// UpdateCompleteSignIn links a member who came back from Salesforce's sign-in. Payload CompleteSignInRequest; result activities.MemberMapping.
	UpdateCompleteSignIn = "signin-complete"
	// UpdateClearMember clears a member's mapping, by a Salesforce admin. Payload ClearMemberRequest; result activities.MemberMapping.
	UpdateClearMember = "clear-member"
	// UpdateSearch finds members and their mapping state. Payload SearchRequest; result activities.SearchResult.
	UpdateSearch = "search"
	// UpdateExport checks the caller may export the mappings. Payload ExportRequest; result ExportGrant.
	UpdateExport = "export"
)

// SignInRedirectURI is where Salesforce sends a member back with their code:
// a loopback address, as for native apps (RFC 8252), caught by the CLI.
const SignInRedirectURI = "http://127.0.0.1/sfconnect/oauth/callback"

// DefaultInviteTTL is how long an invitation to map waits for the member.
const DefaultInviteTTL = activities.DefaultInviteTTL

// signInTTL is how long a member has to come back from Salesforce's sign-in.
const signInTTL = 15 * time.Minute

// AutoMapRequest starts automatic mapping.
type AutoMapRequest struct {
	Caller // a Slack member
}

// AutoMapStarted says where to follow automatic mapping.
type AutoMapStarted struct {
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
}

// AddMemberRequest adds a member individually.
type AddMemberRequest struct {
	Member         string `json:"member"`                    // Slack member id
	SalesforceUser string `json:"salesforce_user,omitempty"` // id or username, optional
	Caller                // a Slack member
}

// StartSignInRequest begins a member's sign-in to Salesforce.
type StartSignInRequest struct {
	Member string `json:"member"`
	// RedirectURI is where Salesforce sends the member back: empty for the
	// CLI's loopback SignInRedirectURI, else one of the worker's allowed
	// addresses (the console's callback).
	RedirectURI string `json:"redirect_uri,omitempty"`
	// Caller is the member themselves: As is Member (empty: the member).
	Caller
}

// SignInChallenge is where the member signs in, and the state to come back with.
type SignInChallenge struct {
	AuthorizeURL string    `json:"authorize_url"`
	RedirectURI  string    `json:"redirect_uri"`
	State        string    `json:"state"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// CompleteSignInRequest is the member back from Salesforce.
type CompleteSignInRequest struct {
	Member string `json:"member"`
	Code   string `json:"code"`
	State  string `json:"state"`
	// Caller is the member themselves: As is Member (empty: the member).
	Caller
}

// ClearMemberRequest clears a member's mapping.
type ClearMemberRequest struct {
	Member string `json:"member"`
	Caller        // a Salesforce user
}

// SearchRequest finds members by name, email or id (prefix).
type SearchRequest struct {
	Query  string `json:"query"`
	Limit  int    `json:"limit,omitempty"`
	Caller        // a Slack member or a Salesforce user
}

// ExportRequest asks to export the user mapping.
type ExportRequest struct {
	Caller // a Slack member
}

// ExportGrant names the mappings to export.
type ExportGrant struct {
	ConnectionID string `json:"connection_id"`
}

// Invitation is a member asked to sign in to Salesforce.
type Invitation struct {
	ExpiresAt time.Time `json:"expires_at"`
	// State is the OAuth state of the member's sign-in in progress, so that
	// only the sign-in this connection started can complete it.
	State          string    `json:"state,omitempty"`
	StateExpiresAt time.Time `json:"state_expires_at,omitempty"`
	// RedirectURI is where that sign-in comes back to; the code is
	// exchanged with the same (empty: SignInRedirectURI).
	RedirectURI string `json:"redirect_uri,omitempty"`
	// Verifier is that sign-in's PKCE code_verifier, which only the
	// exchange this connection makes knows: kept in the workflow's state
	// (payloads are encrypted), never in what queries and updates return.
	Verifier string `json:"verifier,omitempty"`
	Invited  bool   `json:"invited"` // false for a member signing in on their own
}

func (c Connection) ref() activities.ConnectionRef {
	return activities.ConnectionRef{ConnectionID: c.ID, Workspace: c.Workspace, OrgID: c.OrgID, OrgURL: c.OrgURL}
}
