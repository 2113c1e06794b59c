package workflows

import (
	"time"

	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/model"
)

// ConnectionWorkflowName is the registered type name of ConnectionWorkflow.
const ConnectionWorkflowName = "ConnectionWorkflow"

// Messages of a connection. Each human step is an update of this name and,
// for tools that can only signal (the Web UI's "send signal"), a signal of the
// same name with the same JSON payload.
const (
	// UpdateApprove is Step 2, by a Salesforce system admin of the org. Payload ApproveRequest.
	UpdateApprove = "approve"
	// UpdateReject ends a pending request, by a Salesforce system admin of the org. Payload RejectRequest.
	UpdateReject = "reject"
	// UpdateActivate is Step 3, by a workspace owner or holder of the Salesforce system administrator role. Payload ActivateRequest.
	UpdateActivate = "activate"
	// UpdateDisconnect removes the connection (or withdraws a pending one). Payload DisconnectRequest.
	UpdateDisconnect = "disconnect"
	// QueryStatus returns the whole Connection.
	QueryStatus = "status"
)

// CurrentConnectionVersion is the connection version new connections are made
// at; `connect update` brings older ones to it.
const CurrentConnectionVersion = 2

// ApproveRequest is Step 2: the Salesforce admin chooses the field that
// matches Slack accounts to Salesforce users and accepts the terms of use.
type ApproveRequest struct {
	MatchingField string `json:"matching_field"` // Email, FederationIdentifier or Username
	AcceptTerms   bool   `json:"accept_terms"`
	Caller               // a Salesforce user
}

// RejectRequest ends a pending request.
type RejectRequest struct {
	Reason string `json:"reason,omitempty"`
	Caller        // a Salesforce user
}

// ActivateRequest is Step 3.
type ActivateRequest struct {
	Caller // a Slack member
}

// DisconnectRequest removes the connection.
type DisconnectRequest struct {
	Caller // a Slack member
}

// Connection is the whole state of one connection, as the status query
// returns it: its settings, where it stands, and who did what and when.
type Connection struct {
	// ID is this connection's identity in the store: one per lifetime, so a
	// reconnection after a disconnect starts with no mappings.
	ID            string             `json:"id"`
	Workspace     string             `json:"workspace"`
	OrgID         string             `json:"org_id"`
	OrgName       string             `json:"org_name"` // My Domain name
	OrgURL        string             `json:"org_url"`
	SandboxOrg    bool               `json:"sandbox_org,omitempty"`
	MappingField  model.MappingField `json:"mapping_field"`
	AutoMap       bool               `json:"auto_map"`
	MatchingField string             `json:"matching_field,omitempty"`
	State         model.State        `json:"state"`
	Version       int                `json:"version"`
	// Banner is the Salesforce login banner in members' sidebars.
	Banner bool `json:"banner"`
	// UpdateAvailable says a newer connection version exists (`connect update`).
	UpdateAvailable bool     `json:"update_available,omitempty"`
	Warnings        []string `json:"warnings,omitempty"`
	// IntegrationUser is the Salesforce integration user that Slack acts as,
	// set up at activation, and the object types its permission set opens.
	IntegrationUser   string    `json:"integration_user,omitempty"`
	PermissionObjects []string  `json:"permission_objects,omitempty"`
	RequestedBy       string    `json:"requested_by"`
	RequestedAt       time.Time `json:"requested_at"`
	// ExpiresAt is when a pending step expires; zero once active.
	ExpiresAt time.Time `json:"expires_at,omitempty"`
	// WaitingSince is when the current pending step began; reminders count from it.
	WaitingSince   time.Time `json:"waiting_since,omitempty"`
	LastReminderAt time.Time `json:"last_reminder_at,omitempty"`
	// LastHealthAt is when the org was last asked whether it still answers
	// at OrgURL.
	LastHealthAt time.Time `json:"last_health_at,omitempty"`
	RejectReason string    `json:"reject_reason,omitempty"`
	// WaitingFor says, in a sentence, what the connection waits for and from whom.
	WaitingFor    string `json:"waiting_for,omitempty"`
	RemindersSent int    `json:"reminders_sent,omitempty"`
	// NotReachable are the org's system administrators whom Slack does not
	// know by email ("Name (Salesforce user id)"): Step 2's notices cannot
	// reach them, so the requester must.
	NotReachable []string `json:"not_reachable,omitempty"`
	// AskedFor is the pending state whose first notice went out, so that a
	// continued run does not ask again.
	AskedFor model.State `json:"asked_for,omitempty"`
	// History is what happened, oldest first: the newest MaxHistory
	// events, HistoryDropped counting the older ones no longer kept.
	History        []Event `json:"history"`
	HistoryDropped int     `json:"history_dropped,omitempty"`
	// Attempts are the refused signals, the newest MaxAttempts of them.
	Attempts        []Attempt `json:"attempts,omitempty"`
	AttemptsDropped int       `json:"attempts_dropped,omitempty"`
	// BackgroundFailures are the background steps (an invitation's
	// expiry, a health check) failing now, each tried again later.
	BackgroundFailures []BackgroundFailure `json:"background_failures,omitempty"`
	// Invitations are the members asked to sign in, by member id.
	Invitations map[string]Invitation `json:"invitations,omitempty"`
	// AutoMap is the automatic mapping running or last run.
	AutoMapRun *AutoMapProgress `json:"auto_map_run,omitempty"`
	// Jobs are the connection's CSV jobs still running (connection_jobs.go).
	Jobs []ConnectionJob `json:"jobs,omitempty"`
}

// Event is one thing that happened to a connection.
type Event struct {
	At     time.Time    `json:"at"`
	Action model.Action `json:"action"`
	By     string       `json:"by,omitempty"`
	Detail string       `json:"detail,omitempty"`
	// Unverified: By came without a proof of identity (sandbox mode only).
	Unverified bool `json:"unverified,omitempty"`
	// ProofKind is how By proved who they are: a console assertion or a
	// login token.
	ProofKind identity.Kind `json:"proof_kind,omitempty"`
}

// Attempt is a refused signal, kept because a signal's sender learns nothing
// of its fate otherwise.
type Attempt struct {
	At     time.Time    `json:"at"`
	Action model.Action `json:"action"`
	By     string       `json:"by,omitempty"`
	Via    string       `json:"via"`
	Reason string       `json:"reason"`
}

// Timing holds the durations of a connection's human steps.
type Timing struct {
	// RequestTTL is how long each pending step waits before the connection
	// expires (default 7 days).
	RequestTTL time.Duration `json:"request_ttl"`
	// ReminderEvery is how often approvers are reminded meanwhile (default 1 day).
	ReminderEvery time.Duration `json:"reminder_every"`
	// InviteTTL is how long an invitation to map waits (default 7 days).
	InviteTTL time.Duration `json:"invite_ttl,omitempty"`
	// AutoMapBatch is how many members one automatic mapping batch maps
	// (default DefaultAutoMapBatch).
	AutoMapBatch int `json:"auto_map_batch,omitempty"`
	// HealthEvery is how often an active connection checks its org
	// (default DefaultHealthEvery).
	HealthEvery time.Duration `json:"health_every,omitempty"`
}

// DefaultTiming is the timing of SPEC section 3.
var DefaultTiming = Timing{RequestTTL: 7 * 24 * time.Hour, ReminderEvery: 24 * time.Hour}

func (t Timing) withDefaults() Timing {
	if t.RequestTTL <= 0 {
		t.RequestTTL = DefaultTiming.RequestTTL
	}
	if t.ReminderEvery <= 0 {
		t.ReminderEvery = DefaultTiming.ReminderEvery
	}
	if t.InviteTTL <= 0 {
		t.InviteTTL = DefaultInviteTTL
	}
	if t.HealthEvery <= 0 {
		t.HealthEvery = DefaultHealthEvery
	}
	return t
}

// ConnectionInput starts (or continues) a ConnectionWorkflow.
type ConnectionInput struct {
	Connection Connection `json:"connection"`
	Timing     Timing     `json:"timing"`
	// UsedProofs are the step assertions already used, carried over by
	// continue-as-new.
	UsedProofs []UsedProof `json:"used_proofs,omitempty"`
}
