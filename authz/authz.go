// Package authz is the role table of SPEC section 1 as pure functions: given
// what the directories say of a caller at the moment of the action, may the
// caller do it? A refusal names the role that was missing.
//
// The directories are read by activities; this package only decides, so the
// whole table is tested without a network (authz_test.go).
package authz

import (
	"fmt"
	"strings"

	"github.com/sfconnect/sfconnect/model"
)

// Denied is the refusal of an action. Its message says who was refused, what
// was needed and what the caller holds, so that the operator knows whom to ask.
type Denied struct {
	Action model.Action
	Caller string
	Scope  string // the workspace or org the action concerns
	Need   string
	Have   string
}

func (d *Denied) Error() string {
	have := d.Have
	if have == "" {
		have = "no role there"
	}
	return fmt.Sprintf("%s may not %s in %s: that needs %s (%s has: %s)",
		d.Caller, verb(d.Action), d.Scope, d.Need, d.Caller, have)
}

func verb(a model.Action) string {
	switch a {
	case model.ActionRequest:
		return "request a Salesforce connection"
	case model.ActionApprove:
		return "approve a Slack connection"
	case model.ActionReject:
		return "reject a Slack connection"
	case model.ActionActivate:
		return "activate a Salesforce connection"
	case model.ActionDisconnect:
		return "disconnect a Salesforce org"
	case model.ActionClear:
		return "clear a member's mapping"
	case model.ActionSearchMappings:
		return "search the user mappings"
	case model.ActionMigrate:
		return "migrate the workspace"
	case model.ActionCreate:
		return "create a workspace from Salesforce"
	case model.ActionSignIn:
		return "sign in to Salesforce to map their account"
	}
	return strings.ReplaceAll(string(a), "_", " ")
}

// Slack decides a Slack-side action from the caller's workspace roles.
//
// Outside Enterprise, owners and admins manage connections; on an Enterprise
// workspace, org owners and org admins do. Holders of the "Salesforce system
// administrator" role in Slack may do everything. Step 3 (activate) is for
// owners and role holders only: the article leaves admins out of it.
func Slack(action model.Action, r model.SlackRoles) error {
	deny := func(need string) error {
		return &Denied{Action: action, Caller: r.UserID, Scope: "workspace " + r.Team, Need: need, Have: r.String()}
	}
	if !r.Member || r.Deleted {
		return deny("an active member of the workspace")
	}
	if action.SalesforceSide() {
		return deny("a Salesforce system administrator: " + string(action) + " is done on the Salesforce side")
	}
	if action == model.ActionSignIn {
		return nil // a member maps their own account; the proof says it is them
	}
	if r.SalesforceAdminRole {
		return nil
	}
	owner := r.PrimaryOwner || r.Owner
	admin := r.Admin
	ownerName, adminName := "a workspace owner", "a workspace admin"
	if r.Enterprise {
		owner, admin = r.OrgOwner, r.OrgAdmin
		ownerName, adminName = "an org owner", "an org admin"
	}
	switch action {
	case model.ActionActivate, model.ActionMigrate:
		if owner {
			return nil
		}
		return deny(ownerName + " or the Salesforce system administrator role in Slack")
	case model.ActionRequest, model.ActionDisconnect, model.ActionUpdate, model.ActionBanner,
		model.ActionObjects, model.ActionMap, model.ActionExport, model.ActionSearch:
		if owner || admin {
			return nil
		}
		return deny(ownerName + ", " + adminName + " or the Salesforce system administrator role in Slack")
	}
	return deny("a role that no one holds: " + string(action) + " is not a Slack-side action")
}

// Salesforce decides a Salesforce-side action from the caller's roles in the
// org: a System Administrator, or a user with the "Manage Slack connections"
// permission, who is active in that org.
func Salesforce(action model.Action, r model.SalesforceRoles) error {
	deny := func(need, have string) error {
		return &Denied{Action: action, Caller: r.Username, Scope: "org " + r.OrgID, Need: need, Have: have}
	}
	if r.Username == "" {
		r.Username = r.UserID
	}
	const sysadmin = "a Salesforce system administrator of that org (System Administrator profile or the Manage Slack connections permission)"
	switch {
	case !r.Found:
		return deny(sysadmin, "no user in that org")
	case !r.Active:
		return deny(sysadmin, "an inactive user")
	}
	if !action.SalesforceSide() {
		return deny("a Slack role: "+string(action)+" is a Slack-side action", "a Salesforce user")
	}
	if r.SystemAdmin {
		return nil
	}
	if r.ManageSlackConnections && action != model.ActionCreate {
		return nil
	}
	if action == model.ActionCreate {
		return deny("a Salesforce system administrator of that org (System Administrator profile)", "a standard user")
	}
	return deny(sysadmin, "a standard user")
}
