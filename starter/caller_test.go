package starter

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/workflows"
)

// withLogins is a CLI whose login file holds l.
func withLogins(t *testing.T, l identity.Logins) *app {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sfconnect", "login.json")
	if err := identity.WriteLogins(path, l); err != nil {
		t.Fatal(err)
	}
	return &app{env: Env{Config: config.Config{LoginFile: path}}}
}

func TestCallerFromTheLoginFile(t *testing.T) {
	hour := time.Now().Add(time.Hour)
	a := withLogins(t, identity.Logins{
		Slack: &identity.Login{Token: "slack-tok", Subject: "U0OWNER01", Team: "T0DEMO0001", Expires: hour},
		Salesforce: map[string]identity.Login{"00D000000000001AAA": {Token: "sf-tok", Subject: "005000000000001AAA", Org: "00D000000000001AAA",
			OrgURL: "https://acme.my.salesforce.com", Username: "admin@acme.example", Expires: hour}},
	})
	for name, tc := range map[string]struct {
		side        identity.Side
		scope, as   string
		want        workflows.Caller
		usage, fail string
	}{
		"slack, no --as":         {identity.SideSlack, "T0DEMO0001", "", workflows.Caller{As: "U0OWNER01", Proof: "slack-tok"}, "", ""},
		"slack, the same --as":   {identity.SideSlack, "T0DEMO0001", "U0OWNER01", workflows.Caller{As: "U0OWNER01", Proof: "slack-tok"}, "", ""},
		"slack, someone else":    {identity.SideSlack, "T0DEMO0001", "U0ADMIN01", workflows.Caller{}, "", "--as U0ADMIN01 is not who you signed in as"},
		"slack, other workspace": {identity.SideSlack, "T0DEMO0002", "U0OWNER02", workflows.Caller{As: "U0OWNER02"}, "", ""},
		"other workspace, no as": {identity.SideSlack, "T0DEMO0002", "", workflows.Caller{}, "--as is required", ""},
		"salesforce by username": {identity.SideSalesforce, "00D000000000001AAA", "ADMIN@acme.example", workflows.Caller{As: "ADMIN@acme.example", Proof: "sf-tok"}, "", ""},
		"salesforce, no --as":    {identity.SideSalesforce, "00D000000000001AAA", "", workflows.Caller{As: "005000000000001AAA", Proof: "sf-tok"}, "", ""},
		"salesforce by org URL":  {identity.SideSalesforce, "https://acme.my.salesforce.com", "", workflows.Caller{As: "005000000000001AAA", Proof: "sf-tok"}, "", ""},
		"salesforce, other user": {identity.SideSalesforce, "00D000000000001AAA", "user@acme.example", workflows.Caller{}, "", "not who you signed in as"},
		"salesforce, other org":  {identity.SideSalesforce, "00D000000000002AAA", "admin@org02.example", workflows.Caller{As: "admin@org02.example"}, "", ""},
		"slack login, sf step":   {identity.SideSalesforce, "00D000000000002AAA", "", workflows.Caller{}, "starter login salesforce", ""},
	} {
		got, err := a.caller(tc.side, tc.scope, tc.as)
		var usage usageError
		switch {
		case tc.usage != "":
			if !errors.As(err, &usage) || !strings.Contains(err.Error(), tc.usage) {
				t.Errorf("%s: want a usage error with %q, got %v", name, tc.usage, err)
			}
		case tc.fail != "":
			if err == nil || errors.As(err, &usage) || !strings.Contains(err.Error(), tc.fail) {
				t.Errorf("%s: want a refusal with %q, got %v", name, tc.fail, err)
			}
		case err != nil || got != tc.want:
			t.Errorf("%s: got %+v %v, want %+v", name, got, err, tc.want)
		}
	}

	if _, err := a.memberCaller("T0DEMO0001", "U0MEMBER1"); err == nil || !strings.Contains(err.Error(), "for themselves") {
		t.Errorf("another member's sign-in with the owner's login: %v", err)
	}
	if c, err := a.memberCaller("T0DEMO0001", "U0OWNER01"); err != nil || c.Proof != "slack-tok" {
		t.Errorf("the owner's own sign-in: %+v %v", c, err)
	}
}

func TestCallerWithoutALogin(t *testing.T) {
	a := &app{env: Env{Config: config.Config{LoginFile: filepath.Join(t.TempDir(), "none.json")}}}
	if c, err := a.caller(identity.SideSlack, "T0DEMO0001", "U0OWNER01"); err != nil || c != (workflows.Caller{As: "U0OWNER01"}) {
		t.Fatalf("a bare --as: %+v %v", c, err)
	}
	var usage usageError
	if _, err := a.caller(identity.SideSlack, "T0DEMO0001", ""); !errors.As(err, &usage) || !strings.Contains(err.Error(), "starter login slack") {
		t.Fatalf("no --as and no login: %v", err)
	}
	a.env.Config.Proof = "env-tok"
	if c, err := a.caller(identity.SideSalesforce, "00D000000000001AAA", "admin@acme.example"); err != nil || c.Proof != "env-tok" {
		t.Fatalf("SFCONNECT_PROOF: %+v %v", c, err)
	}
	if _, err := a.caller(identity.SideSlack, "T0DEMO0001", ""); !errors.As(err, &usage) || !strings.Contains(err.Error(), "SFCONNECT_PROOF") {
		t.Fatalf("SFCONNECT_PROOF without --as: %v", err)
	}
}

func TestExpiredLoginIsSaid(t *testing.T) {
	a := withLogins(t, identity.Logins{Slack: &identity.Login{Token: "old", Subject: "U0OWNER01", Team: "T0DEMO0001", Expires: time.Now().Add(-time.Minute)}})
	_, err := a.caller(identity.SideSlack, "T0DEMO0001", "")
	if err == nil || !strings.Contains(err.Error(), "your login expired") {
		t.Fatalf("an expired login: %v", err)
	}
	if c, err := a.caller(identity.SideSlack, "T0DEMO0001", "U0OWNER01"); err != nil || c.Proof != "" {
		t.Fatalf("an expired login with --as: %+v %v", c, err)
	}
}
