package workflows

import "time"

// Connection management messages (SPEC section 3, rules 3 to 7). Each is an
// update and also a signal of the same name and payload.
const (
	// UpdateUpdate brings a connection to the newest connection version,
	// and moves it to a new My Domain URL when one is given. Payload ConnectionUpdate; result Connection.
	UpdateUpdate = "update"
	// UpdateBanner turns the Salesforce login banner on or off. Payload BannerRequest; result Connection.
	UpdateBanner = "banner"
	// UpdateObjects lists, or adds to, the object types of the integration
	// user's permission set. Payload ObjectsRequest; result activities.ObjectsResult.
	UpdateObjects = "objects"
)

// DefaultHealthEvery is how often an active connection asks its org whether
// it still answers at its URL.
const DefaultHealthEvery = 6 * time.Hour

// ConnectionUpdate updates a connection.
type ConnectionUpdate struct {
	OrgURL string `json:"org_url,omitempty"` // the org's new My Domain URL, if it changed
	Caller        // a Slack member
}

// BannerRequest turns the login banner on or off.
type BannerRequest struct {
	On     bool `json:"on"`
	Caller      // a Slack member
}

// ObjectsRequest adds object types (none: list them).
type ObjectsRequest struct {
	Add    []string `json:"add,omitempty"`
	Caller          // a Slack member
}

// Warnings of a connection, one place each.
const (
	warningMovedPrefix = "The org now answers at "
)
