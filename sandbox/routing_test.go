package sandbox_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/sandbox"
)

func TestHostRouting(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	orgQuery := "SELECT Id, IsSandbox FROM Organization"

	for host, wantID := range map[string]string{
		"":                                         sandbox.AcmeOrgID, // the bare address reaches acme
		"localhost:7070":                           sandbox.AcmeOrgID,
		"ACME.My.Salesforce.com":                   sandbox.AcmeOrgID,
		"acme.my.salesforce.com:443":               sandbox.AcmeOrgID,
		"acme--uat.sandbox.my.salesforce.com":      "00D000000000002AAA",
		"org25.my.salesforce.com":                  "00D000000000125AAA",
		"agency.my.salesforce.mil":                 "00D000000000003AAA",
		"locked.my.salesforce.com":                 "00D000000000005AAA",
		"fedsales.my.salesforce.com":               "00D000000000004AAA",
		"acme--uat.sandbox.my.salesforce.com:7070": "00D000000000002AAA",
		// A browser's form of the same hosts.
		"acme.my.salesforce.com.localhost:7070":              sandbox.AcmeOrgID,
		"ORG25.My.Salesforce.com.localhost":                  "00D000000000125AAA",
		"acme--uat.sandbox.my.salesforce.com.localhost:7070": "00D000000000002AAA",
		"agency.my.salesforce.mil.localhost.:7070":           "00D000000000003AAA",
	} {
		tok := clientCredentials(t, srv, host)
		r := soql(t, srv, host, tok, orgQuery)
		if r.Records[0]["Id"] != wantID {
			t.Errorf("host %q reached %v, want %s", host, r.Records[0]["Id"], wantID)
		}
		wantSandbox := strings.HasPrefix(host, "acme--uat")
		if r.Records[0]["IsSandbox"] != wantSandbox {
			t.Errorf("host %q: IsSandbox %v", host, r.Records[0]["IsSandbox"])
		}
	}

	for _, host := range []string{"nope.my.salesforce.com", "login.salesforce.com", "acme.my.salesforce.com.evil.example",
		"nope.my.salesforce.com.localhost", "acme.localhost:7070", "acme.my.salesforce.com.localhost.evil.example"} {
		resp, b := do(t, srv, sfRequest{method: http.MethodPost, host: host, path: "/services/oauth2/token",
			form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"a"}, "client_secret": {"b"}}})
		var errs []sfErr
		mustJSON(t, b, &errs)
		if resp.StatusCode != http.StatusNotFound || errs[0].ErrorCode != "NOT_FOUND" || errs[0].Message == "" {
			t.Errorf("%s: %d %s", host, resp.StatusCode, b)
		}
	}
}

func TestRenameOrgRedirects(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	tok := clientCredentials(t, srv, "acme.my.salesforce.com")

	if err := sb.RenameOrg("acme", "acme2"); err != nil {
		t.Fatal(err)
	}
	path := "/services/data/v62.0/query?q=" + url.QueryEscape("SELECT Id FROM Organization")
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		resp, _ := do(t, srv, sfRequest{method: method, host: "acme.my.salesforce.com", token: tok, path: path})
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "https://acme2.my.salesforce.com"+path {
			t.Errorf("%s old host: %d Location %q", method, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// The new host is the same org, and existing tokens keep working there.
	r := soql(t, srv, "acme2.my.salesforce.com", tok, "SELECT Id FROM Organization")
	if r.Records[0]["Id"] != sandbox.AcmeOrgID {
		t.Errorf("new host: %+v", r.Records)
	}
	resp, b := do(t, srv, sfRequest{method: http.MethodPost, host: "acme2.my.salesforce.com", path: "/services/oauth2/token",
		form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"a"}, "client_secret": {"b"}}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"instance_url":"https://acme2.my.salesforce.com"`) {
		t.Errorf("token on new host: %d %s", resp.StatusCode, b)
	}

	// A second rename: the first host redirects to the latest.
	if err := sb.RenameOrg("acme2", "acme3"); err != nil {
		t.Fatal(err)
	}
	resp, _ = do(t, srv, sfRequest{host: "acme.my.salesforce.com", path: "/services/oauth2/userinfo"})
	if resp.Header.Get("Location") != "https://acme3.my.salesforce.com/services/oauth2/userinfo" {
		t.Errorf("chained rename: %q", resp.Header.Get("Location"))
	}

	if err := sb.RenameOrg("acme3", "org01"); !errors.Is(err, sandbox.ErrConflict) {
		t.Errorf("rename onto org01: %v", err)
	}
	if err := sb.RenameOrg("nope", "x"); !errors.Is(err, sandbox.ErrNotFound) {
		t.Errorf("rename unknown: %v", err)
	}
	if err := sb.RenameOrg("acme3", "Not Valid!"); !errors.Is(err, sandbox.ErrInvalid) {
		t.Errorf("rename invalid: %v", err)
	}

	// Through the control API, a sandbox keeps its partition.
	resp, b = do(t, srv, sfRequest{method: http.MethodPost, path: "/sandbox/orgs/acme--uat/rename", form: nil,
		header: map[string]string{}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("rename without body: %d %s", resp.StatusCode, b)
	}
	resp, b = postJSON(t, srv, "/sandbox/orgs/acme--uat/rename", `{"new_name":"acme--qa"}`)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "https://acme--qa.sandbox.my.salesforce.com") {
		t.Errorf("control rename: %d %s", resp.StatusCode, b)
	}
	resp, _ = do(t, srv, sfRequest{host: "acme--uat.sandbox.my.salesforce.com", path: "/services/oauth2/userinfo?x=1"})
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "https://acme--qa.sandbox.my.salesforce.com/services/oauth2/userinfo?x=1" {
		t.Errorf("uat redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestIPEnforcement(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	host := "locked.my.salesforce.com"
	tok := clientCredentials(t, srv, host)

	if err := sb.SetIPEnforced("locked", true); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/services/data/v62.0/query?q=" + url.QueryEscape("SELECT Id FROM User"),
		"/services/oauth2/userinfo",
		"/services/data/v62.0/sobjects/User/005000000000001AAA",
	} {
		resp, b := do(t, srv, sfRequest{host: host, token: tok, path: path})
		var errs []sfErr
		mustJSON(t, b, &errs)
		if resp.StatusCode != http.StatusForbidden || errs[0].ErrorCode != "LOGIN_IP_RESTRICTED" || !strings.Contains(errs[0].Message, "login IP ranges") {
			t.Errorf("%s: %d %s", path, resp.StatusCode, b)
		}
	}
	resp, b := do(t, srv, sfRequest{method: http.MethodPost, host: host, path: "/services/oauth2/token",
		form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"a"}, "client_secret": {"b"}}})
	if resp.StatusCode != http.StatusBadRequest || string(b) != `{"error":"invalid_grant","error_description":"ip restricted"}` {
		t.Errorf("token: %d %s", resp.StatusCode, b)
	}
	if q := authorizeCode(t, srv, host, "admin@locked.example"); q.Get("error") != "access_denied" {
		t.Errorf("authorize: %v", q)
	}
	// Other orgs are unaffected; turning it off restores the org.
	clientCredentials(t, srv, "org02.my.salesforce.com")
	resp, _ = postJSON(t, srv, "/sandbox/orgs/locked/ip-enforce", `{"on":false}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("control ip-enforce: %d", resp.StatusCode)
	}
	if r := soql(t, srv, host, tok, "SELECT Id FROM LoginIpRange"); r.TotalSize != 2 {
		t.Errorf("after off: %+v", r)
	}
	if err := sb.SetIPEnforced("nope", true); !errors.Is(err, sandbox.ErrNotFound) {
		t.Errorf("unknown org: %v", err)
	}
}

// OpenID Connect discovery is Slack's on the bare address and any host that
// is no org's, the org's on its My Domain.
func TestOpenIDDiscoveryByHost(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	if err := sb.RenameOrg("org03", "org03b"); err != nil {
		t.Fatal(err)
	}
	for host, wantIssuer := range map[string]string{
		"":                                      srv.URL,
		"localhost:7070":                        "http://localhost:7070",
		"slack.com.localhost:7070":              "http://slack.com.localhost:7070",
		"acme.my.salesforce.com":                "https://acme.my.salesforce.com",
		"acme.my.salesforce.com.localhost:7070": "https://acme.my.salesforce.com",
		"org03b.my.salesforce.com":              "https://org03b.my.salesforce.com",
	} {
		resp, b := do(t, srv, sfRequest{host: host, path: "/.well-known/openid-configuration"})
		var doc struct {
			Issuer string `json:"issuer"`
			Auth   string `json:"authorization_endpoint"`
		}
		mustJSON(t, b, &doc)
		slack := strings.HasPrefix(doc.Issuer, "http://")
		if resp.StatusCode != http.StatusOK || doc.Issuer != wantIssuer ||
			slack != strings.HasSuffix(doc.Auth, "/openid/connect/authorize") {
			t.Errorf("host %q: %d %s", host, resp.StatusCode, b)
		}
	}
	// A former My Domain is still Salesforce's: it redirects.
	resp, _ := do(t, srv, sfRequest{host: "org03.my.salesforce.com", path: "/.well-known/openid-configuration"})
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "https://org03b.my.salesforce.com/.well-known/openid-configuration" {
		t.Errorf("former host: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Slack's paths are no Salesforce paths.
	resp, _ = do(t, srv, sfRequest{host: "acme.my.salesforce.com", path: "/openid/connect/keys"})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("Slack's keys on a My Domain: %d", resp.StatusCode)
	}
	// Both key sets hold the key that signs, under its kid.
	var slackKeys, sfKeys struct {
		Keys []struct {
			Kid, Kty, Alg, Use, N, E string
		} `json:"keys"`
	}
	_, b := do(t, srv, sfRequest{path: "/openid/connect/keys"})
	mustJSON(t, b, &slackKeys)
	_, b = do(t, srv, sfRequest{host: "acme.my.salesforce.com", path: "/id/keys"})
	mustJSON(t, b, &sfKeys)
	if len(slackKeys.Keys) != 1 || slackKeys.Keys[0].Kty != "RSA" || slackKeys.Keys[0].Alg != "RS256" || slackKeys.Keys[0].Kid == "" ||
		len(sfKeys.Keys) != 1 || sfKeys.Keys[0] != slackKeys.Keys[0] {
		t.Errorf("keys: %+v %+v", slackKeys, sfKeys)
	}
}

func TestBrowserURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://acme.my.salesforce.com/services/oauth2/authorize?a=b": "http://acme.my.salesforce.com.localhost:7070/services/oauth2/authorize?a=b",
		"https://ACME.my.salesforce.com":                               "http://acme.my.salesforce.com.localhost:7070",
		"http://acme.my.salesforce.com.localhost:9999/x":               "http://acme.my.salesforce.com.localhost:7070/x",
	} {
		if got, err := sandbox.BrowserURL(in, "127.0.0.1:7070"); err != nil || got != want {
			t.Errorf("BrowserURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range [][2]string{{"/relative", "127.0.0.1:7070"}, {"https://acme.my.salesforce.com", "no-port"}, {"://", "127.0.0.1:7070"}} {
		if got, err := sandbox.BrowserURL(bad[0], bad[1]); err == nil {
			t.Errorf("BrowserURL(%q, %q) = %q", bad[0], bad[1], got)
		}
	}
}
