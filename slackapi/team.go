package slackapi

import (
	"context"
	"errors"
	"net/url"

	"github.com/slack-go/slack"
)

// Team is a Slack workspace as team.info describes it.
type Team struct {
	ID     string
	Name   string
	Domain string
	// Plan is free, pro, business_plus or enterprise.
	Plan string
	// EnterpriseID and EnterpriseName name the Enterprise organization the
	// workspace belongs to; empty outside Enterprise.
	EnterpriseID   string
	EnterpriseName string
}

// IsEnterprise says whether the workspace is on the Enterprise plan, where
// org owners and org admins hold the powers of workspace owners and admins
// (SPEC section 1). Either sign is enough: a workspace of an Enterprise
// organization, or the plan's name.
func (t Team) IsEnterprise() bool {
	return t.EnterpriseID != "" || t.Plan == "enterprise"
}

// teamInfoResponse is team.info's answer, with the fields slack-go's
// TeamInfo leaves out (enterprise_id, enterprise_name, plan).
type teamInfoResponse struct {
	slack.SlackResponse
	Team struct {
		ID             string `json:"id"`
		Name           string `json:"name"`
		Domain         string `json:"domain"`
		Plan           string `json:"plan"`
		EnterpriseID   string `json:"enterprise_id"`
		EnterpriseName string `json:"enterprise_name"`
	} `json:"team"`
}

// Team returns the workspace teamID (team.info).
func (d *Directory) Team(ctx context.Context, teamID string) (Team, error) {
	const call = "team.info"
	tc, err := d.client(teamID)
	if err != nil {
		return Team{}, d.callError(teamID, nil, call, err)
	}
	var resp teamInfoResponse
	if err := d.callRaw(ctx, tc, call, url.Values{}, &resp); err != nil {
		return Team{}, d.callError(teamID, tc, call, err)
	}
	t := resp.Team
	return Team{
		ID:             t.ID,
		Name:           t.Name,
		Domain:         t.Domain,
		Plan:           t.Plan,
		EnterpriseID:   t.EnterpriseID,
		EnterpriseName: t.EnterpriseName,
	}, nil
}

// Err makes teamInfoResponse an answer callRaw can check; ok: false without
// an error code (which slack-go's SlackResponse.Err lets through) fails too,
// since the team it carries would be empty.
func (r *teamInfoResponse) Err() error {
	if err := r.SlackResponse.Err(); err != nil {
		return err
	}
	if !r.Ok {
		return errors.New("ok: false without an error code")
	}
	return nil
}
