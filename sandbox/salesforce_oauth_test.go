package sandbox_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/sandbox/signinform"
)

const redirectURI = "https://app.example/callback"

// sfAuthorizeURL is the authorize address of the org at host ("" for the
// bare address), with extra parameters.
func sfAuthorizeURL(srv *httptest.Server, host string, extra url.Values) string {
	base := srv.URL
	if host != "" {
		base = "https://" + host
	}
	q := url.Values{"response_type": {"code"}, "client_id": {"cid"}, "redirect_uri": {redirectURI}, "state": {"st-1"}}
	for k, v := range extra {
		q[k] = v
	}
	return base + "/services/oauth2/authorize?" + q.Encode()
}

// authorizeCode signs in as login at host through the login page and
// returns the redirect's query.
func authorizeCode(t *testing.T, srv *httptest.Server, host, login string) url.Values {
	t.Helper()
	loc, err := signinform.SignIn(context.Background(), browserClient(srv), sfAuthorizeURL(srv, host, nil), login, sandbox.DemoPassword)
	if err != nil {
		t.Fatalf("sign in as %s at %q: %v", login, host, err)
	}
	if !strings.HasPrefix(loc.String(), redirectURI+"?") {
		t.Fatalf("authorize redirected to %q", loc)
	}
	if loc.Query().Get("state") != "st-1" {
		t.Errorf("state lost: %s", loc)
	}
	return loc.Query()
}

func exchange(t *testing.T, srv *httptest.Server, host, code string) (int, map[string]any) {
	t.Helper()
	resp, b := do(t, srv, sfRequest{method: http.MethodPost, host: host, path: "/services/oauth2/token",
		form: url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
			"client_id": {"cid"}, "client_secret": {"secret"}}})
	var body map[string]any
	mustJSON(t, b, &body)
	return resp.StatusCode, body
}

func TestOAuthClientCredentials(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)

	// Form parameters, and HTTP Basic (what golang.org/x/oauth2 tries first).
	tok := clientCredentials(t, srv, "acme.my.salesforce.com")
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/services/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Host = "acme.my.salesforce.com"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("id", "secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("basic auth: %d", resp.StatusCode)
	}

	resp, b := do(t, srv, sfRequest{method: http.MethodPost, host: "acme.my.salesforce.com", path: "/services/oauth2/token",
		form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"secret"}}})
	var body map[string]string
	mustJSON(t, b, &body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("token: %d", resp.StatusCode)
	}
	for _, k := range []string{"access_token", "instance_url", "id", "token_type", "issued_at", "signature"} {
		if body[k] == "" {
			t.Errorf("token response lacks %s: %s", k, b)
		}
	}
	if body["instance_url"] != "https://acme.my.salesforce.com" || !strings.Contains(body["id"], "/id/"+sandbox.AcmeOrgID+"/005") {
		t.Errorf("token response: %s", b)
	}

	// The token acts as the integration user.
	resp, b = do(t, srv, sfRequest{host: "acme.my.salesforce.com", token: tok, path: "/services/oauth2/userinfo"})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"preferred_username":"integration@acme.example"`) {
		t.Errorf("userinfo: %d %s", resp.StatusCode, b)
	}

	for name, form := range map[string]url.Values{
		"no secret":   {"grant_type": {"client_credentials"}, "client_id": {"id"}},
		"bad grant":   {"grant_type": {"password"}, "client_id": {"id"}, "client_secret": {"s"}},
		"no grant":    {"client_id": {"id"}},
		"bad code":    {"grant_type": {"authorization_code"}, "code": {"nope"}, "redirect_uri": {redirectURI}},
		"empty code":  {"grant_type": {"authorization_code"}},
		"no redirect": {"grant_type": {"authorization_code"}, "code": {"x"}},
	} {
		resp, b := do(t, srv, sfRequest{method: http.MethodPost, path: "/services/oauth2/token", form: form})
		var e map[string]string
		mustJSON(t, b, &e)
		if resp.StatusCode != http.StatusBadRequest || e["error"] == "" || e["error_description"] == "" {
			t.Errorf("%s: %d %s", name, resp.StatusCode, b)
		}
	}
}

func TestOAuthAuthorizationCode(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	host := "acme.my.salesforce.com"

	q := authorizeCode(t, srv, host, "Member1@acme.example")
	code := q.Get("code")
	if code == "" {
		t.Fatalf("no code: %v", q)
	}
	status, body := exchange(t, srv, host, code)
	if status != http.StatusOK {
		t.Fatalf("exchange: %d %v", status, body)
	}
	tok := body["access_token"].(string)
	resp, b := do(t, srv, sfRequest{host: host, token: tok, path: "/services/oauth2/userinfo"})
	var info map[string]any
	mustJSON(t, b, &info)
	if resp.StatusCode != http.StatusOK || info["preferred_username"] != "member1@acme.example" ||
		info["organization_id"] != sandbox.AcmeOrgID || info["active"] != true || info["user_id"] == "" || info["email"] == "" || info["name"] != "Member One" {
		t.Errorf("userinfo: %d %s", resp.StatusCode, b)
	}
	// The identity URL of the token response answers too.
	idURL, _ := url.Parse(body["id"].(string))
	resp, b = do(t, srv, sfRequest{host: host, token: tok, path: idURL.Path})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"username":"member1@acme.example"`) {
		t.Errorf("id URL: %d %s", resp.StatusCode, b)
	}

	// Codes are single-use.
	if status, body := exchange(t, srv, host, code); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("second use: %d %v", status, body)
	}
	// A code of acme is no code on another org.
	code = authorizeCode(t, srv, host, "admin@acme.example").Get("code")
	if status, body := exchange(t, srv, "org01.my.salesforce.com", code); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("other org: %d %v", status, body)
	}
	// A mismatched redirect_uri is refused.
	code = authorizeCode(t, srv, host, "admin@acme.example").Get("code")
	resp, b = do(t, srv, sfRequest{method: http.MethodPost, host: host, path: "/services/oauth2/token",
		form: url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"https://evil.example/"}}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "invalid_grant") {
		t.Errorf("redirect mismatch: %d %s", resp.StatusCode, b)
	}

	// Codes expire after 10 minutes.
	var offset atomic.Int64
	sandbox.SetClock(sb, func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	code = authorizeCode(t, srv, host, "admin@acme.example").Get("code")
	offset.Store(int64(11 * time.Minute))
	if status, body := exchange(t, srv, host, code); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("expired code: %d %v", status, body)
	}
	offset.Store(0)

	// A sandbox org signs in on its own host.
	uat := "acme--uat.sandbox.my.salesforce.com"
	code = authorizeCode(t, srv, uat, "admin@acme.example.uat").Get("code")
	if status, body := exchange(t, srv, uat, code); status != http.StatusOK || body["instance_url"] != "https://"+uat {
		t.Errorf("uat: %d %v", status, body)
	}
}

func TestOAuthTokenIsBoundToItsOrg(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	tok := clientCredentials(t, srv, "org01.my.salesforce.com")
	q := "/services/data/v62.0/query?q=" + url.QueryEscape("SELECT Id FROM Organization")

	resp, b := do(t, srv, sfRequest{host: "org01.my.salesforce.com", token: tok, path: q})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "00D000000000101AAA") {
		t.Errorf("own org: %d %s", resp.StatusCode, b)
	}
	for _, host := range []string{"org02.my.salesforce.com", ""} {
		resp, b = do(t, srv, sfRequest{host: host, token: tok, path: q})
		var errs []sfErr
		mustJSON(t, b, &errs)
		if resp.StatusCode != http.StatusUnauthorized || errs[0].ErrorCode != "INVALID_SESSION_ID" {
			t.Errorf("host %q: %d %s", host, resp.StatusCode, b)
		}
	}
	resp, _ = do(t, srv, sfRequest{token: "00D000000000001!made-up", path: q})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("made-up token: %d", resp.StatusCode)
	}
	resp, _ = do(t, srv, sfRequest{path: q})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	// Revoked tokens stop working.
	do(t, srv, sfRequest{method: http.MethodPost, host: "org01.my.salesforce.com", path: "/services/oauth2/revoke", form: url.Values{"token": {tok}}})
	resp, _ = do(t, srv, sfRequest{host: "org01.my.salesforce.com", token: tok, path: q})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked token: %d", resp.StatusCode)
	}
}
