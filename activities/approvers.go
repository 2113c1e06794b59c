package activities

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/slackapi"
)

// MaxApprovers bounds how many people one reminder goes to.
const MaxApprovers = 20

// ApproversInput asks who may take a connection's pending step.
type ApproversInput struct {
	Team   string      `json:"team"`
	OrgURL string      `json:"org_url"`
	State  model.State `json:"state"`
}

// Approvers finds the Slack members who may take the pending step, to
// remind them: for Step 2, the org's active system administrators who are
// members of the workspace (matched by email); for Step 3, the workspace's
// owners (org owners on Enterprise) and holders of the Salesforce system
// administrator role.
func (a *Activities) Approvers(ctx context.Context, in ApproversInput) ([]string, error) {
	r, err := a.ReachApprovers(ctx, in)
	return r.Members, err
}

// Reach is who a pending step's notice goes to.
type Reach struct {
	// Members are the Slack members told.
	Members []string `json:"members"`
	// NotReachable are the org's active system administrators found in
	// Slack by no email, as "Name (Salesforce user id)": the connection's
	// page lists them, for the requester to tell another way.
	NotReachable []string `json:"not_reachable,omitempty"`
}

// ReachApprovers is Approvers, with the Salesforce approvers whom Slack
// does not know.
func (a *Activities) ReachApprovers(ctx context.Context, in ApproversInput) (Reach, error) {
	switch in.State {
	case model.StatePendingApproval:
		return a.salesforceApprovers(ctx, in)
	case model.StatePendingActivation:
		members, err := a.slackActivators(ctx, in)
		return Reach{Members: members}, err
	}
	return Reach{}, nil
}

func (a *Activities) salesforceApprovers(ctx context.Context, in ApproversInput) (Reach, error) {
	org, err := a.Salesforce.Org(in.OrgURL)
	if err != nil {
		return Reach{}, refuse(ErrInvalidInput, "%v", err)
	}
	soql := "SELECT Id, Email, Name FROM User WHERE Profile.Name = " + salesforce.Quote(SystemAdministratorProfile) + " AND IsActive = true LIMIT " + strconv.Itoa(MaxApprovers)
	var admins []salesforce.User
	err = salesforce.QueryEach(ctx, org, soql, 0, func(users []salesforce.User) error {
		admins = append(admins, users...)
		return nil
	})
	if err != nil {
		return Reach{}, a.classify("salesforce system administrators of "+in.OrgURL, fromSalesforce, err)
	}
	var r Reach
	for _, u := range admins {
		if u.Email == "" {
			r.NotReachable = append(r.NotReachable, fmt.Sprintf("%s (%s)", u.Name, u.Id))
			continue
		}
		m, err := a.Slack.MemberByEmail(ctx, in.Team, u.Email)
		if errors.Is(err, slackapi.ErrMemberNotFound) || (err == nil && (m.Deleted || m.IsBot)) {
			r.NotReachable = append(r.NotReachable, fmt.Sprintf("%s (%s)", u.Name, u.Id))
			continue
		}
		if err != nil {
			return Reach{}, a.classify("slack users.lookupByEmail", fromSlack, err)
		}
		r.Members = append(r.Members, m.ID)
	}
	return r, nil
}

func (a *Activities) slackActivators(ctx context.Context, in ApproversInput) ([]string, error) {
	holders, err := a.Slack.RoleHolders(ctx, in.Team, slackapi.RoleSalesforceSystemAdmin)
	if err != nil {
		return nil, a.classify("slack role holders", fromSlack, err)
	}
	team, err := a.Slack.Team(ctx, in.Team)
	if err != nil {
		return nil, a.classify("slack team.info", fromSlack, err)
	}
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if !seen[id] && len(out) < MaxApprovers {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, h := range holders {
		add(h)
	}
	errEnough := errors.New("enough")
	err = a.Slack.ListMembers(ctx, in.Team, 0, func(page []slackapi.Member) error {
		for _, m := range page {
			owner := m.IsOwner || m.IsPrimaryOwner
			if team.IsEnterprise() {
				owner = m.IsOrgOwner
			}
			if owner && !m.Deleted && !m.IsBot {
				add(m.ID)
			}
		}
		if len(out) >= MaxApprovers {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, a.classify("slack users.list", fromSlack, err)
	}
	return out, nil
}
