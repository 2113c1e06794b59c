package workflows

import (
	"time"

	"github.com/sfconnect/sfconnect/model"
)

// WorkspaceWorkflowName is the registered type name of WorkspaceWorkflow.
const WorkspaceWorkflowName = "WorkspaceWorkflow"

// Messages of a workspace.
const (
	// UpdateRequest is Step 1: request a connection to a Salesforce org
	// (also accepted as a signal of the same name). Payload ConnectionRequest;
	// result Connection.
	UpdateRequest = "request"
	// SignalConnectionState is sent by each connection when its state
	// changes. Payload ConnectionStateSignal.
	SignalConnectionState = "connection-state"
	// UpdateConnectionEnded is a connection's report of its end, sent by
	// the FreePlace activity: the place is free once it completes.
	// Payload ConnectionStateSignal.
	UpdateConnectionEnded = "connection-ended"
	// QueryConnections returns the workspace's Workspace record.
	QueryConnections = "connections"
)

// ConnectionRequest is Step 1.
type ConnectionRequest struct {
	OrgURL       string `json:"org_url"`
	MappingField string `json:"mapping_field,omitempty"` // email (default) or saml_nameid
	// AutoMap is automatic account mapping; absent means on, as in Slack.
	AutoMap *bool `json:"auto_map,omitempty"`
	Caller        // a Slack member
}

// ConnectionStateSignal is a connection's report of its new state.
type ConnectionStateSignal struct {
	OrgID   string      `json:"org_id"`
	OrgName string      `json:"org_name"`
	OrgURL  string      `json:"org_url"`
	State   model.State `json:"state"`
	// Seq orders the reports of one connection (its number of events,
	// Connection.Events), so that a late report never overwrites a newer one.
	Seq int `json:"seq"`
}

// WorkspaceInput starts (or continues) a WorkspaceWorkflow.
type WorkspaceInput struct {
	Team string `json:"team"`
	// Timing is given to the connections this workspace starts.
	Timing Timing `json:"timing"`
	// IdleTimeout is how long a workspace without connections waits before
	// its workflow ends (default 1 hour); the next request starts it again.
	IdleTimeout time.Duration `json:"idle_timeout"`
	// ReconcileEvery is how often the registry is compared with the
	// connections' workflows (default DefaultReconcileEvery).
	ReconcileEvery time.Duration `json:"reconcile_every,omitempty"`
	// State is carried over by continue-as-new.
	State *Workspace `json:"state,omitempty"`
	// Born is the connection a workspace made from Salesforce is born with
	// (active, without the three steps).
	Born *Connection `json:"born,omitempty"`
	// UsedProofs are the step assertions already used, carried over by
	// continue-as-new.
	UsedProofs []UsedProof `json:"used_proofs,omitempty"`
}

// Workspace is the registry of a workspace's live connections.
type Workspace struct {
	Team        string                   `json:"team"`
	Connections map[string]ConnectionRef `json:"connections"` // by org id
	// Attempts are the refused signals, the newest MaxAttempts of them.
	Attempts        []Attempt  `json:"attempts,omitempty"`
	AttemptsDropped int        `json:"attempts_dropped,omitempty"`
	Migration       *Migration `json:"migration,omitempty"`
	// Freed are the places the reconciliation freed, the newest ones.
	Freed        []FreedPlace `json:"freed,omitempty"`
	FreedDropped int          `json:"freed_dropped,omitempty"`
}

// ConnectionRef is one live connection of a workspace.
type ConnectionRef struct {
	OrgID       string      `json:"org_id"`
	OrgName     string      `json:"org_name"`
	OrgURL      string      `json:"org_url"`
	State       model.State `json:"state"`
	WorkflowID  string      `json:"workflow_id"`
	RequestedBy string      `json:"requested_by"`
	RequestedAt time.Time   `json:"requested_at"`
	Seq         int         `json:"seq"`
}
