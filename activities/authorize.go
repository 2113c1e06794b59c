package activities

import (
	"context"
	"errors"
	"strings"

	"github.com/sfconnect/sfconnect/authz"
	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/slackapi"
)

// AuthorizeSlackInput asks whether a Slack member may take an action in a
// workspace, with the proof of who they are.
type AuthorizeSlackInput struct {
	Team   string       `json:"team"`
	User   string       `json:"user"`
	Action model.Action `json:"action"`
	// Proof is the step's proof of identity (a console assertion or a
	// login token); Workflow and Step are the calling workflow's id and the
	// update or signal name, which a step assertion must be bound to.
	Proof    string `json:"proof,omitempty"`
	Workflow string `json:"workflow,omitempty"`
	Step     string `json:"step,omitempty"`
}

// SlackAuthorization is AuthorizeSlack's answer: the caller's roles, and
// how their identity was proven.
type SlackAuthorization struct {
	model.SlackRoles
	Identity Identity `json:"identity"`
}

// AuthorizeSlack verifies the caller's proof first (a Slack sign-in to this
// workspace, of this member, for this step), then reads the caller's roles
// from Slack's directory at the moment of the action and applies the role
// table. A refused proof is a non-retryable Unauthenticated error; a
// refused role a non-retryable Forbidden error that names the missing role.
func (a *Activities) AuthorizeSlack(ctx context.Context, in AuthorizeSlackInput) (SlackAuthorization, error) {
	if err := model.CheckCallerID("the caller (as)", in.User); err != nil {
		return SlackAuthorization{}, refuse(ErrInvalidInput, "%v", err)
	}
	who, err := a.identify(proofOf{in.Proof, in.Workflow, in.Step},
		identity.Expect{Side: identity.SideSlack, Subject: in.User, Team: in.Team})
	if err != nil {
		return SlackAuthorization{}, err
	}
	roles, err := a.slackRoles(ctx, in.Team, in.User)
	if err != nil {
		return SlackAuthorization{SlackRoles: roles}, err
	}
	return SlackAuthorization{SlackRoles: roles, Identity: who}, a.classify("authorize", fromSlack, authz.Slack(in.Action, roles))
}

func (a *Activities) slackRoles(ctx context.Context, team, user string) (model.SlackRoles, error) {
	roles := model.SlackRoles{UserID: user, Team: team}
	t, err := a.Slack.Team(ctx, team)
	if err != nil {
		if errors.Is(err, slackapi.ErrInvalidAuth) {
			return roles, refuse(ErrUnknownWorkspace, "workspace %s is not known to sfconnect's Slack app: check the team id (T…) or install the app there", team)
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
// in an org, with the proof of who they are.
type AuthorizeSalesforceInput struct {
	OrgURL string       `json:"org_url"`
	OrgID  string       `json:"org_id"`
	User   string       `json:"user"` // user id or username
	Action model.Action `json:"action"`
	// Proof, Workflow and Step are as in AuthorizeSlackInput.
	Proof    string `json:"proof,omitempty"`
	Workflow string `json:"workflow,omitempty"`
	Step     string `json:"step,omitempty"`
}

// SalesforceAuthorization is AuthorizeSalesforce's answer: the caller's
// roles, and how their identity was proven.
type SalesforceAuthorization struct {
	model.SalesforceRoles
	Identity Identity `json:"identity"`
}

// ManageSlackConnectionsPermissionSet is the permission set that grants
// "Manage Slack connections" without the System Administrator profile.
const ManageSlackConnectionsPermissionSet = "ManageSlackConnections"

// SystemAdministratorProfile is the Salesforce profile of system admins.
const SystemAdministratorProfile = "System Administrator"

// AuthorizeSalesforce verifies the caller's proof first (a Salesforce
// sign-in to this org, of this user, for this step), then reads the caller
// from the org's directory and applies the role table. A username's proof
// is compared with the user id it resolves to.
func (a *Activities) AuthorizeSalesforce(ctx context.Context, in AuthorizeSalesforceInput) (SalesforceAuthorization, error) {
	if err := model.CheckCallerID("the caller (as)", in.User); err != nil {
		return SalesforceAuthorization{}, refuse(ErrInvalidInput, "%v", err)
	}
	p := proofOf{in.Proof, in.Workflow, in.Step}
	want := identity.Expect{Side: identity.SideSalesforce, Org: in.OrgID}
	if !strings.Contains(in.User, "@") {
		want.Subject = in.User // an id: compared now; a username once resolved
	}
	who, err := a.identify(p, want)
	if err != nil {
		return SalesforceAuthorization{}, err
	}
	roles, err := a.salesforceRoles(ctx, in)
	out := SalesforceAuthorization{SalesforceRoles: roles, Identity: who}
	if err != nil {
		return out, err
	}
	if who.Verified && !identity.SameID(who.Subject, roles.UserID) {
		return SalesforceAuthorization{}, a.unauthenticated(p, identity.ErrOtherSubject, "%v: the proof is of user %s, not of %s (\"as\"): %s",
			identity.ErrOtherSubject, who.Subject, in.User, identity.SignInAgain(identity.SideSalesforce))
	}
	return out, a.classify("authorize", fromSalesforce, authz.Salesforce(in.Action, roles))
}

// salesforceRoles reads what the org's directory says of the caller; a
// user the org does not know is a refusal of the role table.
func (a *Activities) salesforceRoles(ctx context.Context, in AuthorizeSalesforceInput) (model.SalesforceRoles, error) {
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
	return roles, nil
}
