package authz_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/authz"
	"github.com/sfconnect/sfconnect/model"
)

// The Slack roles of SPEC section 1, as the directory reports them.
var slackRoles = map[string]model.SlackRoles{
	"primary owner":   {UserID: "U1", Team: "T1", Member: true, PrimaryOwner: true, Owner: true},
	"owner":           {UserID: "U2", Team: "T1", Member: true, Owner: true},
	"admin":           {UserID: "U3", Team: "T1", Member: true, Admin: true},
	"role holder":     {UserID: "U4", Team: "T1", Member: true, SalesforceAdminRole: true},
	"member":          {UserID: "U5", Team: "T1", Member: true},
	"deleted owner":   {UserID: "U6", Team: "T1", Member: false, Deleted: true, Owner: true},
	"other workspace": {UserID: "U7", Team: "T1"},
	"org owner":       {UserID: "U8", Team: "T2", Member: true, Enterprise: true, OrgOwner: true},
	"org admin":       {UserID: "U9", Team: "T2", Member: true, Enterprise: true, OrgAdmin: true},
	// On Enterprise, workspace-level owner/admin flags alone are not enough.
	"ent. workspace owner": {UserID: "UA", Team: "T2", Member: true, Enterprise: true, Owner: true},
	"ent. role holder":     {UserID: "UB", Team: "T2", Member: true, Enterprise: true, SalesforceAdminRole: true},
}

func TestSlackRoleTable(t *testing.T) {
	manage := []model.Action{model.ActionRequest, model.ActionDisconnect, model.ActionUpdate, model.ActionBanner,
		model.ActionObjects, model.ActionMap, model.ActionExport, model.ActionSearch}
	allowed := map[string]map[model.Action]bool{}
	for role := range slackRoles {
		allowed[role] = map[model.Action]bool{}
	}
	for _, a := range manage {
		for _, r := range []string{"primary owner", "owner", "admin", "role holder", "org owner", "org admin", "ent. role holder"} {
			allowed[r][a] = true
		}
	}
	for _, r := range []string{"primary owner", "owner", "role holder", "org owner", "ent. role holder"} {
		allowed[r][model.ActionActivate] = true
		allowed[r][model.ActionMigrate] = true
	}
	// Any active member signs in for themselves; the deleted and strangers may not.
	for role, roles := range slackRoles {
		allowed[role][model.ActionSignIn] = roles.Member && !roles.Deleted
	}
	actions := append(append([]model.Action{}, manage...), model.ActionActivate, model.ActionMigrate, model.ActionApprove, model.ActionClear, model.ActionSignIn)
	for role, roles := range slackRoles {
		for _, action := range actions {
			err := authz.Slack(action, roles)
			if want := allowed[role][action]; want != (err == nil) {
				t.Errorf("%s %s: allowed=%v, want %v (%v)", role, action, err == nil, want, err)
			}
			var denied *authz.Denied
			if err != nil && (!errors.As(err, &denied) || !strings.Contains(err.Error(), roles.UserID) || !strings.Contains(err.Error(), "needs")) {
				t.Errorf("%s %s: refusal does not name the caller and the missing role: %v", role, action, err)
			}
		}
	}
}

func TestActivateRefusalNamesTheRole(t *testing.T) {
	err := authz.Slack(model.ActionActivate, slackRoles["admin"])
	if err == nil || !strings.Contains(err.Error(), "workspace owner or the Salesforce system administrator role") || !strings.Contains(err.Error(), "has: admin") {
		t.Fatalf("got %v", err)
	}
	err = authz.Slack(model.ActionActivate, slackRoles["org admin"])
	if err == nil || !strings.Contains(err.Error(), "org owner") {
		t.Fatalf("enterprise: got %v", err)
	}
}

func TestSalesforceRoleTable(t *testing.T) {
	users := map[string]model.SalesforceRoles{
		"system admin":    {OrgID: "00D1", Username: "a@x", Found: true, Active: true, SystemAdmin: true},
		"slack manager":   {OrgID: "00D1", Username: "m@x", Found: true, Active: true, ManageSlackConnections: true},
		"standard user":   {OrgID: "00D1", Username: "u@x", Found: true, Active: true},
		"inactive admin":  {OrgID: "00D1", Username: "i@x", Found: true, Active: false, SystemAdmin: true},
		"not in this org": {OrgID: "00D1", Username: "o@y"},
	}
	want := map[string]map[model.Action]bool{
		"system admin":  {model.ActionApprove: true, model.ActionReject: true, model.ActionClear: true, model.ActionSearchMappings: true, model.ActionCreate: true},
		"slack manager": {model.ActionApprove: true, model.ActionReject: true, model.ActionClear: true, model.ActionSearchMappings: true},
	}
	for name, u := range users {
		for _, a := range []model.Action{model.ActionApprove, model.ActionReject, model.ActionClear, model.ActionSearchMappings, model.ActionCreate, model.ActionActivate, model.ActionRequest} {
			err := authz.Salesforce(a, u)
			if (err == nil) != want[name][a] {
				t.Errorf("%s %s: allowed=%v (%v)", name, a, err == nil, err)
			}
			if err != nil && !strings.Contains(err.Error(), u.Username) {
				t.Errorf("%s %s: refusal does not name the caller: %v", name, a, err)
			}
		}
	}
}

// The Salesforce side's user mapping search is refused as a search, not
// as a clear.
func TestSearchMappingsRefusalSaysSearch(t *testing.T) {
	err := authz.Salesforce(model.ActionSearchMappings, model.SalesforceRoles{OrgID: "00D1", Username: "u@x", Found: true, Active: true})
	if err == nil || !strings.Contains(err.Error(), "may not search the user mappings") || strings.Contains(err.Error(), "clear") {
		t.Fatalf("%v", err)
	}
}
