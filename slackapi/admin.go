package slackapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/slack-go/slack"
	"go.uber.org/zap"
)

// The admin calls behind a workspace made from Salesforce (CreateWorkspace,
// then CreateMember and SetPrimaryOwner for its creator) and the move of a
// workspace into an Enterprise organization (MigrateWorkspace).

// ErrNoAdminToken says a call needs Config.AdminToken, which is not set.
var ErrNoAdminToken = errors.New("no admin token: set Config.AdminToken to an org admin's user token")

// ErrAdminTokenRefused says Slack refused Config.AdminToken (invalid_auth
// and its kin, or SCIM's 401). It does not heal by retrying.
var ErrAdminTokenRefused = errors.New("admin token refused")

// ErrDomainTaken says another workspace has the domain asked for.
var ErrDomainTaken = errors.New("workspace domain taken")

// ErrPrimaryOwnerTaken says the workspace already had another primary
// owner, so SetPrimaryOwner could only make the member an owner.
var ErrPrimaryOwnerTaken = errors.New("the workspace already has another primary owner")

// adminResponse is the answer of an admin method that returns nothing but
// ok; ok: false without an error code fails too.
type adminResponse struct {
	slack.SlackResponse
}

func (r *adminResponse) Err() error {
	if err := r.SlackResponse.Err(); err != nil {
		return err
	}
	if !r.Ok {
		return errors.New("ok: false without an error code")
	}
	return nil
}

// teamsCreateResponse is admin.teams.create's answer: the new team's id.
type teamsCreateResponse struct {
	adminResponse
	Team string `json:"team"`
}

func (r *teamsCreateResponse) Err() error {
	if err := r.adminResponse.Err(); err != nil {
		return err
	}
	if r.Team == "" {
		return errors.New("ok, but no team id")
	}
	return nil
}

// CreateWorkspace creates a workspace named name at domain (the
// domain.slack.com part) with the admin token (admin.teams.create) and
// returns its id. A taken domain is ErrDomainTaken; Slack's other refusals
// (bad_url, name_taken_in_org…) are returned with their code.
func (d *Directory) CreateWorkspace(ctx context.Context, name, domain string) (teamID string, err error) {
	call := "admin.teams.create " + domain
	if d.admin == nil {
		return "", fmt.Errorf("slack %s: %w", call, ErrNoAdminToken)
	}
	var resp teamsCreateResponse
	form := url.Values{"team_name": {name}, "team_domain": {domain}}
	if err := d.callRaw(ctx, d.admin, "admin.teams.create", form, &resp); err != nil {
		return "", d.adminError("", call, err)
	}
	d.log.Info("slack workspace created", zap.String("team", resp.Team), zap.String("domain", domain))
	return resp.Team, nil
}

// SetPrimaryOwner makes userID the primary owner of teamID
// (admin.users.setOwner), which Slack does for the first owner of a
// workspace without one. It checks the outcome with users.info: when the
// workspace had another primary owner, the member is only an owner and
// the error is ErrPrimaryOwnerTaken. An unknown member is
// ErrMemberNotFound.
func (d *Directory) SetPrimaryOwner(ctx context.Context, teamID, userID string) error {
	call := "admin.users.setOwner " + userID
	form := url.Values{"team_id": {teamID}, "user_id": {userID}}
	if err := d.adminCall(ctx, teamID, call, "admin.users.setOwner", form, &adminResponse{}, "user_not_found"); err != nil {
		return err
	}
	m, err := d.Member(ctx, teamID, userID)
	if err != nil {
		return err
	}
	if !m.IsPrimaryOwner {
		return fmt.Errorf("slack %s in %s: %w", call, teamID, ErrPrimaryOwnerTaken)
	}
	return nil
}

// MigrateWorkspace moves teamID into the Enterprise organization
// enterpriseID. Slack has no public method for it (a migration is arranged
// with Slack); the sandbox models it as admin.teams.migrate, which this
// calls. Afterwards the team reports the enterprise and the enterprise
// plan, and its owners and admins are org owners and admins. Moving a
// workspace into the organization it is already in does nothing.
func (d *Directory) MigrateWorkspace(ctx context.Context, teamID, enterpriseID string) error {
	call := "admin.teams.migrate " + enterpriseID
	form := url.Values{"team_id": {teamID}, "enterprise_id": {enterpriseID}}
	if err := d.adminCall(ctx, teamID, call, "admin.teams.migrate", form, &adminResponse{}); err != nil {
		return err
	}
	d.log.Info("slack workspace migrated", zap.String("team", teamID), zap.String("enterprise", enterpriseID))
	return nil
}

// adminCall calls an admin method that acts on teamID, with the admin
// token when there is one, else with the workspace's bot token.
func (d *Directory) adminCall(ctx context.Context, teamID, call, method string, form url.Values, out interface{ Err() error }, notFound ...string) error {
	if d.admin != nil {
		if err := d.callRaw(ctx, d.admin, method, form, out); err != nil {
			return d.adminError(teamID, call, err, notFound...)
		}
		return nil
	}
	tc, err := d.client(teamID)
	if err != nil {
		return d.callError(teamID, nil, call, err)
	}
	if err := d.callRaw(ctx, tc, method, form, out); err != nil {
		return d.callError(teamID, tc, call, err, notFound...)
	}
	return nil
}

// adminError is callError for the calls made with the admin token: a
// refused token is ErrAdminTokenRefused (and no bot token is forgotten),
// a taken domain ErrDomainTaken. teamID is "" when no workspace is
// concerned yet.
func (d *Directory) adminError(teamID, call string, err error, notFound ...string) error {
	where := "slack " + call
	if teamID != "" {
		where += " in " + teamID
	}
	code := slackErrorCode(err)
	if se, ok := errors.AsType[*SCIMError](err); ok && se.StatusCode == 401 {
		code = "invalid_auth"
	}
	switch {
	case code != "" && slices.Contains(authErrorCodes, code):
		return fmt.Errorf("%s: %w: %w", where, ErrAdminTokenRefused, err)
	case code == "domain_taken":
		return fmt.Errorf("%s: %w: %w", where, ErrDomainTaken, err)
	case code != "" && slices.Contains(notFound, code):
		return fmt.Errorf("%s: %w: %w", where, ErrMemberNotFound, err)
	default:
		return fmt.Errorf("%s: %w", where, err)
	}
}
