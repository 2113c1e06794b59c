package activities

import (
	"context"
	"errors"
	"strings"

	"github.com/sfconnect/sfconnect/authz"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/slackapi"
)

// AuthorizeSlackInput asks whether a Slack member may take an action in a
// workspace.
type AuthorizeSlackInput struct {
	Team   string       `json:"team"`
	User   string       `json:"user"`
	Action model.Action `json:"action"`
}

// AuthorizeSlack reads the caller's roles from Slack's directory at the
// moment of the action and applies the role table; a refusal is a
// non-retryable Forbidden error that names the missing role.
func (a *Activities) AuthorizeSlack(ctx context.Context, in AuthorizeSlackInput) (model.SlackRoles, error) {
	roles, err := a.slackRoles(ctx, in.Team, in.User)
	if err != nil {
		return roles, err
	}
	return roles, a.classify("authorize", fromSlack, authz.Slack(in.Action, roles))
}

func (a *Activities) slackRoles(ctx context.Context, team, user string) (model.SlackRoles, error) {
	roles := model.SlackRoles{UserID: user, Team: team}
	t, err := a.Slack.Team(ctx, team)
	if err != nil {
		if errors.Is(err, slackapi.ErrInvalidAuth) {
			return roles, refuse(ErrNotFound, "workspace %s is not known to sfconnect's Slack app: check the team id (T…) or install the app there", team)
		}
		return roles, a.classify("slack team.info", fromSlack, err)
	}
	roles.Enterprise = t.IsEnterprise()
	m, err := a.Slack.Member(ctx, team, user)
	if errors.Is(err, slackapi.ErrMemberNotFound) {
		return roles, nil // not a member: the role table refuses, naming what is missing
	}
	if err != nil {
		return roles, a.classify("slack users.info", fromSlack, err)
	}
	roles.Member = !m.Deleted && !m.IsBot
	roles.Deleted = m.Deleted
	roles.PrimaryOwner, roles.Owner, roles.Admin = m.IsPrimaryOwner, m.IsOwner, m.IsAdmin
	roles.OrgOwner, roles.OrgAdmin = m.IsOrgOwner, m.IsOrgAdmin
	if roles.Member {
		has, err := a.Slack.HasRole(ctx, team, user, slackapi.RoleSalesforceSystemAdmin)
		if err != nil {
			return roles, a.classify("slack admin.roles.listAssignments", fromSlack, err)
		}
		roles.SalesforceAdminRole = has
	}
	return roles, nil
}

// AuthorizeSalesforceInput asks whether a Salesforce user may take an action
// in an org.
type AuthorizeSalesforceInput struct {
	OrgURL string       `json:"org_url"`
	OrgID  string       `json:"org_id"`
	User   string       `json:"user"` // user id or username
	Action model.Action `json:"action"`
}

// ManageSlackConnectionsPermissionSet is the permission set that grants
// "Manage Slack connections" without the System Administrator profile.
const ManageSlackConnectionsPermissionSet = "ManageSlackConnections"

// SystemAdministratorProfile is the Salesforce profile of system admins.
const SystemAdministratorProfile = "System Administrator"

// AuthorizeSalesforce reads the caller from the org's directory and applies
// the role table.
func (a *Activities) AuthorizeSalesforce(ctx context.Context, in AuthorizeSalesforceInput) (model.SalesforceRoles, error) {
	roles := model.SalesforceRoles{OrgID: in.OrgID, Username: in.User}
	org, err := a.Salesforce.Org(in.OrgURL)
	if err != nil {
		return roles, refuse(ErrInvalidInput, "org URL %s: %v", in.OrgURL, err)
	}
	u, err := org.FindUser(ctx, in.User)
	switch {
	case errors.Is(err, salesforce.ErrNotFound):
		return roles, a.classify("authorize", fromSalesforce, authz.Salesforce(in.Action, roles))
	case err != nil:
		return roles, a.classify("salesforce user lookup", fromSalesforce, err)
	}
	roles.Found, roles.Active = true, u.IsActive
	roles.UserID, roles.Username, roles.Email, roles.Name = u.Id, u.Username, u.Email, u.Name
	roles.SystemAdmin = strings.EqualFold(u.Profile.Name, SystemAdministratorProfile)
	if !roles.SystemAdmin && u.IsActive {
		has, err := org.HasPermissionSet(ctx, u.Id, ManageSlackConnectionsPermissionSet)
		if err != nil {
			return roles, a.classify("salesforce permission set lookup", fromSalesforce, err)
		}
		roles.ManageSlackConnections = has
	}
	if err := authz.Salesforce(in.Action, roles); err != nil {
		return roles, a.classify("authorize", fromSalesforce, err)
	}
	return roles, nil
}
