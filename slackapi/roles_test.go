package slackapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sfconnect/sfconnect/slackapi"
)

// seedAssignments gives the role to 250 other members, so that its
// assignments take two pages of 200, then to holder on the second page;
// it also adds assignments that must not count: another role, and the role
// on another entity.
func seedAssignments(f *fakeSlack, holder string) {
	for i := range 250 {
		f.addAssignments(acme, wireAssignment{RoleID: slackapi.RoleSalesforceSystemAdmin, EntityID: acme, UserID: fmt.Sprintf("U9%04d", i)})
	}
	f.addAssignments(acme,
		wireAssignment{RoleID: slackapi.RoleSalesforceSystemAdmin, EntityID: acme, UserID: holder},
		wireAssignment{RoleID: "Rl0OTHER", EntityID: acme, UserID: "U0ADMIN"},
		wireAssignment{RoleID: slackapi.RoleSalesforceSystemAdmin, EntityID: "T0ELSE", UserID: "U0MEMBER"},
	)
}

func TestHasRoleOnSecondPage(t *testing.T) {
	f, d, _ := newDirectory(t)
	seedAssignments(f, "U0OWNER")

	got, err := d.HasRole(context.Background(), acme, "U0OWNER", slackapi.RoleSalesforceSystemAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if !got {
		t.Fatal("HasRole = false for a holder")
	}
	calls := f.callsOf("admin.roles.listAssignments")
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2 (the holder is on page 2)", len(calls))
	}
	p := calls[0].params
	if p.Get("role_ids") != slackapi.RoleSalesforceSystemAdmin || p.Get("entity_ids") != acme {
		t.Errorf("filters sent: role_ids=%q entity_ids=%q", p.Get("role_ids"), p.Get("entity_ids"))
	}
	if calls[1].params.Get("cursor") == "" {
		t.Error("the second call sent no cursor")
	}
}

func TestHasRoleFalse(t *testing.T) {
	f, d, _ := newDirectory(t)
	seedAssignments(f, "U0OWNER")

	for _, user := range []string{
		"U0ADMIN",  // holds another role only
		"U0MEMBER", // holds it on another entity only
		"U0GONE",   // holds nothing
	} {
		got, err := d.HasRole(context.Background(), acme, user, slackapi.RoleSalesforceSystemAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if got {
			t.Errorf("HasRole(%s) = true", user)
		}
	}
	// Each "no" read both pages.
	if n := len(f.callsOf("admin.roles.listAssignments")); n != 6 {
		t.Errorf("%d calls, want 6", n)
	}
}

func TestRoleHoldersAcrossPages(t *testing.T) {
	f, d, _ := newDirectory(t)
	seedAssignments(f, "U0OWNER")

	holders, err := d.RoleHolders(context.Background(), acme, slackapi.RoleSalesforceSystemAdmin)
	if err != nil {
		t.Fatal(err)
	}
	// 250 seeded holders and U0OWNER; not the other role, not the other entity.
	if len(holders) != 251 || holders[250] != "U0OWNER" {
		t.Fatalf("%d holders, last %q", len(holders), holders[len(holders)-1])
	}
	for _, h := range holders {
		if h == "U0ADMIN" || h == "U0MEMBER" {
			t.Errorf("%s does not hold the role on this workspace", h)
		}
	}
}
