package activities_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/slackapi"
)

// newActivities points the activities at a sandbox served over real HTTP.
func newActivities(t *testing.T) (*activities.Activities, *sandbox.Sandbox) {
	t.Helper()
	sb := sandbox.New(sandbox.Options{})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")
	return &activities.Activities{
		Slack: slackapi.New(slackapi.Config{APIURL: srv.URL + "/api/", TokenFor: func(team string) (string, error) {
			return "xoxb-sandbox-" + team, nil
		}}, zap.NewNop()),
		Salesforce: salesforce.NewFactory(salesforce.Config{ClientID: "sandbox", ClientSecret: "sandbox", SandboxAddr: addr}, zap.NewNop()),
		Log:        zap.NewNop(),
	}, sb
}

func errType(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Type()
	}
	return ""
}

func TestResolveOrg(t *testing.T) {
	a, _ := newActivities(t)
	ctx := context.Background()
	org, err := a.ResolveOrg(ctx, activities.ResolveOrgInput{URL: "https://acme.lightning.force.com"})
	if err != nil || org.ID != "00D000000000001AAA" || org.URL != "https://acme.my.salesforce.com" || org.IPRestricted {
		t.Fatalf("acme: %+v %v", org, err)
	}
	uat, err := a.ResolveOrg(ctx, activities.ResolveOrgInput{URL: "https://acme--uat.sandbox.my.salesforce.com"})
	if err != nil || !uat.Sandbox || uat.Name != "acme--uat" {
		t.Fatalf("acme--uat: %+v %v", uat, err)
	}
	locked, err := a.ResolveOrg(ctx, activities.ResolveOrgInput{URL: "https://locked.my.salesforce.com"})
	if err != nil || !locked.IPRestricted || len(locked.Warnings) != 1 {
		t.Fatalf("locked: %+v %v", locked, err)
	}
	for url, kind := range map[string]string{
		"https://fedsales.my.salesforce.com": activities.ErrGovernmentCloud,
		"https://agency.my.salesforce.mil":   activities.ErrGovernmentCloud,
		"https://nosuch.my.salesforce.com":   activities.ErrOrgNotFound,
		"https://evil.example":               activities.ErrInvalidInput,
	} {
		if _, err := a.ResolveOrg(ctx, activities.ResolveOrgInput{URL: url}); errType(err) != kind {
			t.Errorf("%s: %v, want %s", url, err, kind)
		}
	}
}

func TestAuthorizeSlackReadsTheDirectory(t *testing.T) {
	a, _ := newActivities(t)
	cases := []struct {
		team, user string
		action     model.Action
		ok         bool
	}{
		{"T0DEMO0001", "U0OWNER01", model.ActionActivate, true},
		{"T0DEMO0001", "U0ADMIN01", model.ActionRequest, true},
		{"T0DEMO0001", "U0ADMIN01", model.ActionActivate, false},
		{"T0DEMO0001", "U0SFADM01", model.ActionActivate, true},
		{"T0DEMO0001", "U0MEMBER1", model.ActionRequest, false},
		{"T0DEMO0001", "U0OWNER02", model.ActionRequest, false}, // another workspace's owner
		{"T0ENT00001", "U0EOWNER1", model.ActionActivate, true},
		{"T0ENT00001", "U0EADMIN1", model.ActionRequest, true},
		{"T0ENT00001", "U0EADMIN1", model.ActionActivate, false},
		{"T0ENT00001", "U0EMEMBR1", model.ActionRequest, false},
	}
	for _, tc := range cases {
		_, err := a.AuthorizeSlack(context.Background(), activities.AuthorizeSlackInput{Team: tc.team, User: tc.user, Action: tc.action})
		if tc.ok != (err == nil) {
			t.Errorf("%s %s in %s: %v", tc.user, tc.action, tc.team, err)
		}
		if err != nil && (errType(err) != activities.ErrForbidden || !strings.Contains(err.Error(), tc.user)) {
			t.Errorf("%s %s: refusal %v", tc.user, tc.action, err)
		}
	}
	if _, err := a.AuthorizeSlack(context.Background(), activities.AuthorizeSlackInput{Team: "T0NOSUCH1", User: "U0OWNER01", Action: model.ActionRequest}); errType(err) != activities.ErrUnknownWorkspace {
		t.Errorf("unknown workspace: %v", err)
	}
	// Spaces around an id are refused, not trimmed.
	if _, err := a.AuthorizeSlack(context.Background(), activities.AuthorizeSlackInput{Team: "T0DEMO0001", User: "U0OWNER01 ", Action: model.ActionRequest}); errType(err) != activities.ErrInvalidInput || !strings.Contains(err.Error(), "spaces") {
		t.Errorf("an id with a space: %v", err)
	}
}

func TestAuthorizeSalesforceReadsTheOrg(t *testing.T) {
	a, _ := newActivities(t)
	acme := "https://acme.my.salesforce.com"
	cases := []struct {
		org, user string
		ok        bool
	}{
		{acme, "admin@acme.example", true},
		{acme, "005000000000001AAA", true},
		{acme, "slackmgr@acme.example", true},
		{acme, "user@acme.example", false},
		{acme, "inactive.admin@acme.example", false},
		{acme, "admin@acme.example.uat", false}, // an admin of another org
		{"https://acme--uat.sandbox.my.salesforce.com", "admin@acme.example.uat", true},
	}
	for _, tc := range cases {
		roles, err := a.AuthorizeSalesforce(context.Background(), activities.AuthorizeSalesforceInput{OrgURL: tc.org, User: tc.user, Action: model.ActionApprove})
		if tc.ok != (err == nil) {
			t.Errorf("%s in %s: %v (%+v)", tc.user, tc.org, err, roles)
		}
		if err != nil && errType(err) != activities.ErrForbidden {
			t.Errorf("%s: %v", tc.user, err)
		}
	}
}

func TestApproversAndIntegrationUser(t *testing.T) {
	a, _ := newActivities(t)
	ctx := context.Background()
	activators, err := a.Approvers(ctx, activities.ApproversInput{Team: "T0DEMO0001", OrgURL: "https://acme.my.salesforce.com", State: model.StatePendingActivation})
	if err != nil || !slices.Contains(activators, "U0OWNER01") || !slices.Contains(activators, "U0SFADM01") || slices.Contains(activators, "U0ADMIN01") {
		t.Fatalf("activators: %v %v", activators, err)
	}
	// No Salesforce admin of acme is a Slack member of T0DEMO0001: nobody to add.
	if _, err := a.Approvers(ctx, activities.ApproversInput{Team: "T0DEMO0001", OrgURL: "https://acme.my.salesforce.com", State: model.StatePendingApproval}); err != nil {
		t.Fatalf("approvers: %v", err)
	}
	u, err := a.SetupIntegrationUser(ctx, activities.IntegrationInput{OrgURL: "https://acme.my.salesforce.com"})
	if err != nil || u.Username == "" || len(u.Objects) == 0 {
		t.Fatalf("integration user: %+v %v", u, err)
	}
	if err := a.Notify(ctx, activities.NotifyInput{Team: "T0DEMO0001", Channel: "U0OWNER01", Text: "hello"}); err != nil {
		t.Fatal(err)
	}
}
