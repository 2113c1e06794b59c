package salesforce_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/salesforce"
)

// acmeUsers answers SOQL on User by Id or by Username from a fixed list,
// and PermissionSetAssignment and LoginIpRange queries, like the sandbox's
// acme org.
func acmeUsers(t *testing.T, ipRanges bool) http.HandlerFunc {
	users := []map[string]any{
		{"Id": "005000000000001AAA", "Username": "admin@acme.example", "Email": "admin@acme.example", "FederationIdentifier": "admin-fed",
			"Name": "Ada Admin", "IsActive": true, "Profile": map[string]any{"Name": "System Administrator"}},
		{"Id": "005000000000002AAA", "Username": "o'brien@acme.example", "Email": "ob@acme.example", "Name": "Pat O'Brien", "IsActive": false,
			"Profile": nil},
	}
	where := regexp.MustCompile(`WHERE (Id|Username) = '((?:[^'\\]|\\.)*)' LIMIT 1$`)
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		switch {
		case strings.HasPrefix(q, "SELECT Id, Username, Email, FederationIdentifier, Name, IsActive, Profile.Name FROM User "):
			m := where.FindStringSubmatch(q)
			if m == nil {
				restError(w, http.StatusBadRequest, "MALFORMED_QUERY", "unexpected query "+q)
				return
			}
			want := strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(m[2])
			for _, u := range users {
				if u[m[1]] == want {
					records(w, 1, "", u)
					return
				}
			}
			records(w, 0, "")
		case q == "SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '005000000000001AAA' AND PermissionSet.Name = 'ManageSlackConnections' LIMIT 1":
			records(w, 1, "", map[string]any{"Id": "0Pa000000000001AAA"})
		case strings.HasPrefix(q, "SELECT Id FROM PermissionSetAssignment WHERE "):
			records(w, 0, "")
		case q == "SELECT Id FROM LoginIpRange LIMIT 1":
			if ipRanges {
				records(w, 1, "", map[string]any{"Id": "0IP000000000001AAA"})
			} else {
				records(w, 0, "")
			}
		case q == "SELECT Id, Name, InstanceName, IsSandbox, OrganizationType FROM Organization LIMIT 1":
			records(w, 1, "", map[string]any{"Id": "00D000000000001AAA", "Name": "Acme", "InstanceName": "USGOV1S",
				"IsSandbox": true, "OrganizationType": "Enterprise Edition"})
		default:
			restError(w, http.StatusBadRequest, "MALFORMED_QUERY", "unexpected query "+q)
		}
	}
}

func TestFindUser(t *testing.T) {
	f := newFakeOrgs(t, acmeUsers(t, false))
	c := f.client("https://acme.my.salesforce.com")
	ctx := context.Background()

	byID, err := c.FindUser(ctx, "005000000000001AAA")
	if err != nil {
		t.Fatal(err)
	}
	if byID.Username != "admin@acme.example" || byID.FederationIdentifier != "admin-fed" || byID.Profile.Name != "System Administrator" || !byID.IsActive {
		t.Errorf("by id: %+v", byID)
	}
	byName, err := c.FindUser(ctx, "o'brien@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	if byName.Id != "005000000000002AAA" || byName.IsActive || byName.Profile.Name != "" {
		t.Errorf("by username: %+v", byName)
	}
	q := f.apiRequests()[1].RawQuery
	if !strings.Contains(q, "Username") {
		t.Errorf("a username was looked up as %q", q)
	}

	for _, missing := range []string{"nobody@acme.example", "005000000000009AAA", "005000000000009"} {
		_, err = c.FindUser(ctx, missing)
		if !errors.Is(err, salesforce.ErrNotFound) || salesforce.Retryable(err) {
			t.Errorf("FindUser(%q): %v, want ErrNotFound, not retryable", missing, err)
		}
		if err != nil && !strings.Contains(err.Error(), "acme.my.salesforce.com") {
			t.Errorf("error %q does not name the org", err)
		}
	}
}

func TestOrganizationAndChecks(t *testing.T) {
	ctx := context.Background()
	f := newFakeOrgs(t, acmeUsers(t, true))
	c := f.client("https://acme.my.salesforce.com")

	org, err := c.Organization(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := salesforce.Organization{Id: "00D000000000001AAA", Name: "Acme", InstanceName: "USGOV1S", OrganizationType: "Enterprise Edition", IsSandbox: true}
	if org != want || !org.GovernmentCloud() {
		t.Errorf("Organization = %+v (government %v)", org, org.GovernmentCloud())
	}
	if (salesforce.Organization{InstanceName: "NA135"}).GovernmentCloud() {
		t.Error("NA135 is not Government Cloud")
	}

	has, err := c.HasPermissionSet(ctx, "005000000000001AAA", "ManageSlackConnections")
	if err != nil || !has {
		t.Errorf("HasPermissionSet(admin) = %v, %v", has, err)
	}
	has, err = c.HasPermissionSet(ctx, "005000000000002AAA", "ManageSlackConnections")
	if err != nil || has {
		t.Errorf("HasPermissionSet(user) = %v, %v", has, err)
	}

	restricted, err := c.IPRestricted(ctx)
	if err != nil || !restricted {
		t.Errorf("IPRestricted with ranges = %v, %v", restricted, err)
	}
	open := newFakeOrgs(t, acmeUsers(t, false)).client("https://acme.my.salesforce.com")
	restricted, err = open.IPRestricted(ctx)
	if err != nil || restricted {
		t.Errorf("IPRestricted without ranges = %v, %v", restricted, err)
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"admin@acme.example": `'admin@acme.example'`,
		"O'Brien":            `'O\'Brien'`,
		`a\b`:                `'a\\b'`,
		`' OR Id != '`:       `'\' OR Id != \''`,
		"line\nbreak\t\"q\"": `'line\nbreak\t\"q\"'`,
		"":                   `''`,
	} {
		if got := salesforce.Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}
