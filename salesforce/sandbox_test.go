package salesforce_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
	"golang.org/x/oauth2"

	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/sandbox/signinform"
)

// Against the real sandbox: the calls the fakes check one by one, end to
// end over HTTP.

// sandboxOrgs starts a sandbox and returns it with the Config that dials it.
func sandboxOrgs(t *testing.T) (*sandbox.Sandbox, salesforce.Config) {
	t.Helper()
	sb := sandbox.New(sandbox.Options{Seed: 1})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	return sb, salesforce.Config{ClientID: "cid", ClientSecret: "secret", SandboxAddr: srv.Listener.Addr().String(), Timeout: 5 * time.Second}
}

func orgClient(t *testing.T, fac *salesforce.Factory, myDomainURL string) *salesforce.Client {
	t.Helper()
	c, err := fac.Org(myDomainURL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSandboxPermissionSetObjects(t *testing.T) {
	_, cfg := sandboxOrgs(t)
	ctx := context.Background()
	c := orgClient(t, salesforce.NewFactory(cfg, zaptest.NewLogger(t)), "https://acme.my.salesforce.com")

	setID, objs, err := c.PermissionSetObjects(ctx)
	if err != nil || setID != sandbox.IntegrationPermSetID || !slices.Equal(objs, []string{"Account", "Case", "Contact", "Lead", "Opportunity"}) {
		t.Fatalf("PermissionSetObjects = %q, %v, %v", setID, objs, err)
	}
	types, err := c.ObjectTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(types, "Invoice__c") || !slices.Contains(types, "Product2") || slices.Contains(types, "ApexClass") ||
		!slices.IsSortedFunc(types, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
		t.Errorf("ObjectTypes = %v", types)
	}

	// Adding is idempotent, and shows in the set.
	for range 2 {
		if err := c.AddObjectPermission(ctx, setID, "Invoice__c"); err != nil {
			t.Fatalf("AddObjectPermission: %v", err)
		}
	}
	if err := c.AddObjectPermission(ctx, setID, "Account"); err != nil {
		t.Errorf("a default object again: %v", err)
	}
	if _, objs, _ = c.PermissionSetObjects(ctx); !slices.Equal(objs, []string{"Account", "Case", "Contact", "Invoice__c", "Lead", "Opportunity"}) {
		t.Errorf("after adding: %v", objs)
	}

	err = c.AddObjectPermission(ctx, setID, "Nope__c")
	e, ok := errors.AsType[*salesforce.APIError](err)
	if !ok || e.StatusCode != http.StatusBadRequest || e.Code != "FIELD_INTEGRITY_EXCEPTION" || salesforce.Retryable(err) ||
		!strings.Contains(err.Error(), "Nope__c is not an object type of this org") {
		t.Errorf("an unknown type: %v", err)
	}
	if err := c.AddObjectPermission(ctx, "0PS000000000099AAA", "Asset"); err == nil || salesforce.Retryable(err) {
		t.Errorf("an unknown set: %v", err)
	}
}

func TestSandboxHealthAfterRename(t *testing.T) {
	sb, cfg := sandboxOrgs(t)
	ctx := context.Background()
	fac := salesforce.NewFactory(cfg, zaptest.NewLogger(t))
	old := orgClient(t, fac, "https://acme.my.salesforce.com")
	org, err := old.Health(ctx)
	if err != nil || org.Id != sandbox.AcmeOrgID {
		t.Fatalf("Health = %+v, %v", org, err)
	}

	if err := sb.RenameOrg("acme", "acme2"); err != nil {
		t.Fatal(err)
	}
	checkMoved := func(name string, err error) {
		t.Helper()
		moved, ok := errors.AsType[*salesforce.DomainMovedError](err)
		if !ok || moved.From != "https://acme.my.salesforce.com" || moved.To != "https://acme2.my.salesforce.com" || salesforce.Retryable(err) {
			t.Errorf("%s: %v, want a DomainMovedError to acme2", name, err)
		}
	}
	// With its token (the API call is redirected) and without (the token
	// request is).
	_, err = old.Health(ctx)
	checkMoved("with a token", err)
	_, err = orgClient(t, salesforce.NewFactory(cfg, nil), "https://acme.my.salesforce.com").Health(ctx)
	checkMoved("without a token", err)
	err = old.AddObjectPermission(ctx, sandbox.IntegrationPermSetID, "Asset")
	checkMoved("a POST", err)

	// The new URL, in any form, reaches the same org.
	for _, u := range []string{"https://acme2.my.salesforce.com", "https://acme2.lightning.force.com/lightning/page/home"} {
		org, err := orgClient(t, fac, u).Health(ctx)
		if err != nil || org.Id != sandbox.AcmeOrgID || org.Name != "Acme" {
			t.Errorf("Health at %s = %+v, %v", u, org, err)
		}
	}
}

// signIn plays a member's browser: it logs in as login on the org's login
// page and exchanges the code for the member's token.
func signIn(t *testing.T, cfg salesforce.Config, c *salesforce.Client, login string) *oauth2.Token {
	t.Helper()
	const redirect = "https://app.example/callback"
	loc, err := signinform.SignIn(context.Background(), salesforce.BrowserClient(cfg), c.AuthCodeURL(redirect, "st", login), login, sandbox.DemoPassword)
	if err != nil || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st" {
		t.Fatalf("sign-in came back to %v: %v", loc, err)
	}
	tok, err := c.ExchangeCode(context.Background(), loc.Query().Get("code"), redirect)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// everyCall is each Client call once, by name.
func everyCall(c *salesforce.Client, userTok *oauth2.Token) map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"Organization": func(ctx context.Context) error { _, err := c.Organization(ctx); return err },
		"Health":       func(ctx context.Context) error { _, err := c.Health(ctx); return err },
		"FindUser":     func(ctx context.Context) error { _, err := c.FindUser(ctx, "admin@locked.example"); return err },
		"HasPermissionSet": func(ctx context.Context) error {
			_, err := c.HasPermissionSet(ctx, "005000000000022AAA", "ManageSlackConnections")
			return err
		},
		"IPRestricted":    func(ctx context.Context) error { _, err := c.IPRestricted(ctx); return err },
		"IntegrationUser": func(ctx context.Context) error { _, err := c.IntegrationUser(ctx); return err },
		"Query": func(ctx context.Context) error {
			return c.Query(ctx, "SELECT Id FROM User", 0, func([]json.RawMessage) error { return nil })
		},
		"QueryEach": func(ctx context.Context) error {
			return salesforce.QueryEach(ctx, c, "SELECT Id FROM User", 0, func([]salesforce.User) error { return nil })
		},
		"PermissionSetObjects": func(ctx context.Context) error { _, _, err := c.PermissionSetObjects(ctx); return err },
		"ObjectTypes":          func(ctx context.Context) error { _, err := c.ObjectTypes(ctx); return err },
		"AddObjectPermission": func(ctx context.Context) error {
			return c.AddObjectPermission(ctx, sandbox.IntegrationPermSetID, "Badge__c")
		},
		"ExchangeCode": func(ctx context.Context) error {
			_, err := c.ExchangeCode(ctx, "aPrx-some-code", "https://app.example/callback")
			return err
		},
		"UserInfo": func(ctx context.Context) error { _, err := c.UserInfo(ctx, userTok); return err },
	}
}

func TestSandboxIPRestrictionsRefuseEveryCall(t *testing.T) {
	sb, cfg := sandboxOrgs(t)
	ctx := context.Background()
	const locked = "https://locked.my.salesforce.com"

	// warm has its integration token and a member's token from before the
	// enforcement (the API calls are refused); cold has none (the token
	// request is).
	warm := orgClient(t, salesforce.NewFactory(cfg, zaptest.NewLogger(t)), locked)
	userTok := signIn(t, cfg, warm, "admin@locked.example")
	for name, call := range everyCall(warm, userTok) {
		if name == "ExchangeCode" {
			continue // the code is made up: refused for another reason
		}
		if err := call(ctx); err != nil {
			t.Fatalf("%s before the enforcement: %v", name, err)
		}
	}
	cold := orgClient(t, salesforce.NewFactory(cfg, nil), locked)

	if err := sb.SetIPEnforced("locked", true); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		client *salesforce.Client
	}{{"warm", warm}, {"cold", cold}} {
		for name, call := range everyCall(c.client, userTok) {
			err := call(ctx)
			if err == nil {
				t.Errorf("%s %s: no error", c.name, name)
				continue
			}
			if !errors.Is(err, salesforce.ErrIPRestricted) || salesforce.Retryable(err) {
				t.Errorf("%s %s: %v, want ErrIPRestricted, not retryable", c.name, name, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "the org's IP restrictions refuse the call") || !strings.Contains(msg, "turn off the org's IP restrictions") ||
				!strings.Contains(msg, "locked.my.salesforce.com") {
				t.Errorf("%s %s: message %q does not say the IP restrictions refused it and to turn them off", c.name, name, msg)
			}
		}
	}
	if restricted, err := cold.IPRestricted(ctx); !restricted || err == nil {
		t.Errorf("IPRestricted = %v, %v; want true with the refusal", restricted, err)
	}

	// Turned off, the same clients work again.
	if err := sb.SetIPEnforced("locked", false); err != nil {
		t.Fatal(err)
	}
	if _, err := cold.Health(ctx); err != nil {
		t.Errorf("after turning it off: %v", err)
	}
	if restricted, err := warm.IPRestricted(ctx); !restricted || err != nil {
		t.Errorf("IPRestricted after = %v, %v; want true (the org has ranges), nil", restricted, err)
	}
}
