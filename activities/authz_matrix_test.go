package activities_test

import (
	"context"
	"testing"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
)

// The authorization matrix: every action of SPEC section 9 by every role of
// section 1 (and by a member of another workspace, and a Salesforce admin of
// another org), each allowed or refused exactly as the spec says, read from
// the sandbox's directories over HTTP.
func TestAuthorizationMatrix(t *testing.T) {
	a, _ := newActivities(t)
	ctx := context.Background()

	type who struct{ team, user string }
	var (
		owner      = who{"T0DEMO0001", "U0OWNER01"}
		admin      = who{"T0DEMO0001", "U0ADMIN01"}
		roleHolder = who{"T0DEMO0001", "U0SFADM01"}
		member     = who{"T0DEMO0001", "U0MEMBER1"}
		stranger   = who{"T0DEMO0001", "U0OWNER02"} // the owner of another workspace
		orgOwner   = who{"T0ENT00001", "U0EOWNER1"}
		orgAdmin   = who{"T0ENT00001", "U0EADMIN1"}
		entMember  = who{"T0ENT00001", "U0EMEMBR1"}
	)
	everyone := []who{owner, admin, roleHolder, member, stranger, orgOwner, orgAdmin, entMember}
	allow := func(ws ...who) map[who]bool {
		m := map[who]bool{}
		for _, w := range ws {
			m[w] = true
		}
		return m
	}
	manage := allow(owner, admin, roleHolder, orgOwner, orgAdmin)
	ownersOnly := allow(owner, roleHolder, orgOwner)
	slackSide := map[string]struct {
		action  model.Action
		allowed map[who]bool
	}{
		"connect request":    {model.ActionRequest, manage},
		"connect activate":   {model.ActionActivate, ownersOnly},
		"connect update":     {model.ActionUpdate, manage},
		"connect banner":     {model.ActionBanner, manage},
		"connect objects":    {model.ActionObjects, manage},
		"connect disconnect": {model.ActionDisconnect, manage},
		"members add/automap/import, jobs approve/cancel": {model.ActionMap, manage},
		"members export":    {model.ActionExport, manage},
		"members search":    {model.ActionSearch, manage},
		"workspace migrate": {model.ActionMigrate, ownersOnly},
	}
	for name, c := range slackSide {
		for _, w := range everyone {
			_, err := a.AuthorizeSlack(ctx, authorizeSlackInput(w.team, w.user, c.action))
			if c.allowed[w] != (err == nil) {
				t.Errorf("%s by %s in %s: allowed=%v, want %v (%v)", name, w.user, w.team, err == nil, c.allowed[w], err)
			}
		}
	}

	const acme = "https://acme.my.salesforce.com"
	sfUsers := []string{"admin@acme.example", "slackmgr@acme.example", "user@acme.example", "admin@acme.example.uat"}
	admins := map[string]bool{"admin@acme.example": true, "slackmgr@acme.example": true}
	sfSide := map[string]struct {
		action  model.Action
		allowed map[string]bool
	}{
		"connect approve":  {model.ActionApprove, admins},
		"connect reject":   {model.ActionReject, admins},
		"members clear":    {model.ActionClear, admins},
		"workspace create": {model.ActionCreate, map[string]bool{"admin@acme.example": true}}, // the System Administrator profile only
	}
	for name, c := range sfSide {
		for _, u := range sfUsers {
			_, err := a.AuthorizeSalesforce(ctx, authorizeSalesforceInput(acme, u, c.action))
			if c.allowed[u] != (err == nil) {
				t.Errorf("%s by %s: allowed=%v, want %v (%v)", name, u, err == nil, c.allowed[u], err)
			}
		}
	}
	// A Slack identity is never a Salesforce admin, and the reverse.
	if _, err := a.AuthorizeSalesforce(ctx, authorizeSalesforceInput(acme, "U0OWNER01", model.ActionApprove)); err == nil {
		t.Error("a Slack member id approved in Salesforce")
	}
	if _, err := a.AuthorizeSlack(ctx, authorizeSlackInput("T0DEMO0001", "admin@acme.example", model.ActionRequest)); err == nil {
		t.Error("a Salesforce username requested in Slack")
	}
}

func authorizeSlackInput(team, user string, action model.Action) activities.AuthorizeSlackInput {
	return activities.AuthorizeSlackInput{Team: team, User: user, Action: action}
}

func authorizeSalesforceInput(orgURL, user string, action model.Action) activities.AuthorizeSalesforceInput {
	return activities.AuthorizeSalesforceInput{OrgURL: orgURL, User: user, Action: action}
}
