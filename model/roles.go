package model

import "strings"

// SlackRoles is what Slack's directory says of a caller in one workspace, at
// the moment of an action (SPEC section 1).
type SlackRoles struct {
	UserID  string `json:"user_id"`
	Team    string `json:"team"`
	Member  bool   `json:"member"` // an active member of this workspace
	Deleted bool   `json:"deleted,omitempty"`
	// Enterprise is true when the workspace belongs to an Enterprise org:
	// org owners and admins then take the place of workspace owners and
	// admins.
	Enterprise          bool `json:"enterprise,omitempty"`
	PrimaryOwner        bool `json:"primary_owner,omitempty"`
	Owner               bool `json:"owner,omitempty"`
	Admin               bool `json:"admin,omitempty"`
	OrgOwner            bool `json:"org_owner,omitempty"`
	OrgAdmin            bool `json:"org_admin,omitempty"`
	SalesforceAdminRole bool `json:"salesforce_admin_role,omitempty"`
}

// Names lists the roles held, for messages and the record of who did what.
func (r SlackRoles) Names() []string {
	var names []string
	add := func(held bool, name string) {
		if held {
			names = append(names, name)
		}
	}
	add(r.PrimaryOwner, "primary owner")
	add(r.Owner && !r.PrimaryOwner, "owner")
	add(r.Admin, "admin")
	add(r.OrgOwner, "org owner")
	add(r.OrgAdmin, "org admin")
	add(r.SalesforceAdminRole, "Salesforce system administrator role")
	if len(names) == 0 && r.Member {
		names = append(names, "member")
	}
	return names
}

// String joins Names for logs and messages.
func (r SlackRoles) String() string { return strings.Join(r.Names(), ", ") }

// SalesforceRoles is what a Salesforce org says of a caller at the moment of
// an action.
type SalesforceRoles struct {
	OrgID    string `json:"org_id"`
	UserID   string `json:"user_id"`
	Username string `json:"username"`
	Email    string `json:"email,omitempty"`
	Name     string `json:"name,omitempty"`
	Found    bool   `json:"found"`
	Active   bool   `json:"active"`
	// SystemAdmin: the System Administrator profile.
	SystemAdmin bool `json:"system_admin,omitempty"`
	// ManageSlackConnections: the "Manage Slack connections" permission.
	ManageSlackConnections bool `json:"manage_slack_connections,omitempty"`
}
