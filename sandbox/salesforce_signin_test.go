package sandbox_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/sandbox/signinform"
)

const sfRefused = "Please check your username and password. If you still can't log in, contact your Salesforce administrator."

// The web server flow of one org, reached by its My Domain, with go-oidc
// and x/oauth2 as the unmodified client: discovery, PKCE, the login page,
// the exchange, the id token, the signature, userinfo.
func TestSalesforceWebServerFlowWithOIDC(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	browser := browserClient(srv)
	ctx := oidc.ClientContext(context.Background(), browser)
	const issuer = "https://org07.my.salesforce.com"

	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	var doc struct {
		JWKS       string   `json:"jwks_uri"`
		UserInfo   string   `json:"userinfo_endpoint"`
		Challenges []string `json:"code_challenge_methods_supported"`
		Algs       []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := provider.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	if provider.Endpoint().AuthURL != issuer+"/services/oauth2/authorize" || provider.Endpoint().TokenURL != issuer+"/services/oauth2/token" ||
		doc.JWKS != issuer+"/id/keys" || doc.UserInfo != issuer+"/services/oauth2/userinfo" ||
		strings.Join(doc.Challenges, ",") != "S256,plain" || strings.Join(doc.Algs, ",") != "RS256" {
		t.Errorf("discovery: %+v %+v", provider.Endpoint(), doc)
	}

	conf := &oauth2.Config{ClientID: "3MVG9.cid", ClientSecret: "sf-secret", Endpoint: provider.Endpoint(),
		RedirectURL: redirectURI, Scopes: []string{oidc.ScopeOpenID, "api", "id"}}
	verifier := oauth2.GenerateVerifier()
	const state, nonce = "sf-state", "sf-nonce"
	authURL := conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("login_hint", "admin@org07.example"))
	loc, err := signinform.SignIn(ctx, browser, authURL, "admin@org07.example", sandbox.DemoPassword)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if loc.Query().Get("state") != state || loc.Query().Get("code") == "" || !strings.HasPrefix(loc.String(), redirectURI) {
		t.Fatalf("redirect: %s", loc)
	}
	tok, err := conf.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	idURL, _ := tok.Extra("id").(string)
	issuedAt, _ := tok.Extra("issued_at").(string)
	mac := hmac.New(sha256.New, []byte("sf-secret"))
	mac.Write([]byte(idURL + issuedAt))
	if sig, _ := tok.Extra("signature").(string); sig != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		t.Errorf("signature %q does not sign id %q + issued_at %q", sig, idURL, issuedAt)
	}
	if tok.Extra("instance_url") != issuer || !strings.HasPrefix(idURL, issuer+"/id/00D000000000107AAA/005") {
		t.Errorf("token: instance_url %v, id %s", tok.Extra("instance_url"), idURL)
	}

	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: "3MVG9.cid"}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify id token: %v", err)
	}
	if idt.Nonce != nonce {
		t.Errorf("nonce %q, want %q", idt.Nonce, nonce)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	var claims struct {
		UserID            string `json:"user_id"`
		OrganizationID    string `json:"organization_id"`
		PreferredUsername string `json:"preferred_username"`
		Email             string `json:"email"`
		Name              string `json:"name"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if idt.Issuer != issuer || idt.Subject != idURL || claims.OrganizationID != "00D000000000107AAA" ||
		!strings.HasSuffix(idURL, "/"+claims.UserID) || claims.PreferredUsername != "admin@org07.example" ||
		claims.Email != "admin@org07.example" || claims.Name != "Org 07 Admin" {
		t.Errorf("id token: iss %s sub %s %+v", idt.Issuer, idt.Subject, claims)
	}

	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	if info.Subject != idURL || info.Email != "admin@org07.example" {
		t.Errorf("userinfo: %+v", info)
	}
}

// sfLogin tries a login at host's page and returns the redirect's query or
// the page's refusal.
func sfLogin(t *testing.T, authURL string, browser *http.Client, login, password string) (url.Values, *signinform.PageError) {
	t.Helper()
	loc, err := signinform.SignIn(context.Background(), browser, authURL, login, password)
	if pe, ok := errors.AsType[*signinform.PageError](err); ok {
		return nil, pe
	}
	if err != nil {
		t.Fatalf("sign in as %s: %v", login, err)
	}
	return loc.Query(), nil
}

func TestSalesforceLoginRefusals(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	browser := browserClient(srv)
	authURL := sfAuthorizeURL(srv, "acme.my.salesforce.com", nil)

	for name, c := range map[string]struct{ login, password string }{
		"wrong password":       {"admin@acme.example", "sfconnect-dem0"},
		"unknown user":         {"nobody@acme.example", sandbox.DemoPassword},
		"inactive user":        {"inactive.admin@acme.example", sandbox.DemoPassword},
		"inactive member":      {"member9@acme.example", sandbox.DemoPassword},
		"user of another org":  {"admin@org01.example", sandbox.DemoPassword},
		"API-only integration": {"integration@acme.example", sandbox.DemoPassword},
	} {
		q, pe := sfLogin(t, authURL, browser, c.login, c.password)
		if pe == nil || pe.Status != http.StatusUnauthorized || pe.Message != sfRefused {
			t.Errorf("%s: %v %v", name, q, pe)
		}
	}
	// A user deactivated after the login cannot exchange the code.
	q, _ := sfLogin(t, authURL, browser, "user@acme.example", sandbox.DemoPassword)
	if err := sb.SetUserActive("acme", "user@acme.example", false); err != nil {
		t.Fatal(err)
	}
	if status, body := exchange(t, srv, "acme.my.salesforce.com", q.Get("code")); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("deactivated since: %d %v", status, body)
	}

	// PKCE: the verifier is required when a challenge was sent, and checked.
	verifier := oauth2.GenerateVerifier()
	sum := sha256.Sum256([]byte(verifier))
	s256 := base64.RawURLEncoding.EncodeToString(sum[:])
	for name, c := range map[string]struct {
		challenge, method, verifier string
		ok                          bool
	}{
		"S256 right":         {s256, "S256", verifier, true},
		"S256 missing":       {s256, "S256", "", false},
		"S256 wrong":         {s256, "S256", oauth2.GenerateVerifier(), false},
		"S256 given plainly": {s256, "S256", s256, false},
		"plain right":        {verifier, "plain", verifier, true},
		"plain by default":   {verifier, "", verifier, true},
		"plain wrong":        {verifier, "plain", verifier + "x", false},
	} {
		extra := url.Values{"code_challenge": {c.challenge}}
		if c.method != "" {
			extra.Set("code_challenge_method", c.method)
		}
		q, pe := sfLogin(t, sfAuthorizeURL(srv, "acme.my.salesforce.com", extra), browser, "admin@acme.example", sandbox.DemoPassword)
		if pe != nil {
			t.Fatalf("%s: %v", name, pe)
		}
		form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {redirectURI},
			"client_id": {"cid"}, "client_secret": {"secret"}}
		if c.verifier != "" {
			form.Set("code_verifier", c.verifier)
		}
		resp, b := do(t, srv, sfRequest{method: http.MethodPost, host: "acme.my.salesforce.com", path: "/services/oauth2/token", form: form})
		refused := resp.StatusCode == http.StatusBadRequest && strings.Contains(string(b), `"error":"invalid_grant"`) &&
			strings.Contains(string(b), "invalid code verifier")
		if c.ok != (resp.StatusCode == http.StatusOK) || !c.ok && !refused {
			t.Errorf("%s: HTTP %d, want success %v", name, resp.StatusCode, c.ok)
		}
	}
	q, _ = sfLogin(t, sfAuthorizeURL(srv, "acme.my.salesforce.com", url.Values{"code_challenge": {"x"}, "code_challenge_method": {"S512"}}), browser, "admin@acme.example", sandbox.DemoPassword)
	if q.Get("error") != "invalid_request" || q.Get("state") != "st-1" {
		t.Errorf("unknown challenge method: %v", q)
	}

	// An org enforcing its IP ranges refuses through the redirect.
	if err := sb.SetIPEnforced("locked", true); err != nil {
		t.Fatal(err)
	}
	q, pe := sfLogin(t, sfAuthorizeURL(srv, "locked.my.salesforce.com", nil), browser, "admin@locked.example", sandbox.DemoPassword)
	if pe != nil || q.Get("error") != "access_denied" || q.Get("error_description") != "ip restricted" || q.Get("state") != "st-1" {
		t.Errorf("ip restricted: %v %v", q, pe)
	}
}

func TestSalesforceScopesAndIDToken(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	browser := browserClient(srv)
	for scope, wantIDToken := range map[string]bool{"": true, "api id": false, "openid": true, "api refresh_token openid": true} {
		extra := url.Values{}
		if scope != "" {
			extra.Set("scope", scope)
		}
		q, pe := sfLogin(t, sfAuthorizeURL(srv, "acme.my.salesforce.com", extra), browser, "user@acme.example", sandbox.DemoPassword)
		if pe != nil {
			t.Fatal(pe)
		}
		status, body := exchange(t, srv, "acme.my.salesforce.com", q.Get("code"))
		_, has := body["id_token"]
		if status != http.StatusOK || has != wantIDToken {
			t.Errorf("scope %q: %d, id_token %v", scope, status, has)
		}
		if want := scope; want != "" && body["scope"] != want {
			t.Errorf("scope %q granted %v", scope, body["scope"])
		}
	}
}

// A browser reaches each org as <my domain>.localhost: the login page, the
// discovery document (whose endpoints keep that form) and a moved domain's
// redirect all speak it.
func TestSalesforceThroughLocalhost(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	base, err := sandbox.BrowserURL("https://acme--uat.sandbox.my.salesforce.com", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if want := "http://acme--uat.sandbox.my.salesforce.com.localhost:" + strconv.Itoa(port); base != want {
		t.Fatalf("BrowserURL = %s, want %s", base, want)
	}
	browser := browserClient(srv)
	authURL := base + "/services/oauth2/authorize?" + url.Values{"response_type": {"code"}, "client_id": {"cid"}, "redirect_uri": {redirectURI}, "state": {"st"}}.Encode()
	q, pe := sfLogin(t, authURL, browser, "admin@acme.example.uat", sandbox.DemoPassword)
	if pe != nil || q.Get("code") == "" {
		t.Fatalf("login at %s: %v %v", base, q, pe)
	}
	if status, body := exchange(t, srv, "acme--uat.sandbox.my.salesforce.com", q.Get("code")); status != http.StatusOK ||
		body["instance_url"] != "https://acme--uat.sandbox.my.salesforce.com" {
		t.Errorf("exchange: %d %v", status, body)
	}

	resp, b := do(t, srv, sfRequest{host: "acme.my.salesforce.com.localhost:" + strconv.Itoa(port), path: "/.well-known/openid-configuration"})
	var doc map[string]any
	mustJSON(t, b, &doc)
	if resp.StatusCode != http.StatusOK || doc["issuer"] != "https://acme.my.salesforce.com" ||
		doc["authorization_endpoint"] != "http://acme.my.salesforce.com.localhost:"+strconv.Itoa(port)+"/services/oauth2/authorize" {
		t.Errorf("discovery through localhost: %d %s", resp.StatusCode, b)
	}

	if err := sb.RenameOrg("acme", "acme3"); err != nil {
		t.Fatal(err)
	}
	resp, _ = do(t, srv, sfRequest{host: "acme.my.salesforce.com.localhost:" + strconv.Itoa(port), path: "/services/oauth2/authorize?x=1"})
	if want := "http://acme3.my.salesforce.com.localhost:" + strconv.Itoa(port) + "/services/oauth2/authorize?x=1"; resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
		t.Errorf("moved: %d %s, want %s", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}
