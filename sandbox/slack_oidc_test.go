package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/slack-go/slack"
	"golang.org/x/oauth2"

	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/sandbox/signinform"
)

const slackClientID = "1234567890.0987654321"

// slackOIDC discovers the sandbox's Sign in with Slack with go-oidc, as a
// relying party would, and returns the provider and an oauth2 config for it.
func slackOIDC(t *testing.T, srv *httptest.Server) (context.Context, *oidc.Provider, *oauth2.Config) {
	t.Helper()
	ctx := oidc.ClientContext(context.Background(), srv.Client())
	p, err := oidc.NewProvider(ctx, srv.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return ctx, p, &oauth2.Config{
		ClientID: slackClientID, ClientSecret: "slack-secret", Endpoint: p.Endpoint(),
		RedirectURL: redirectURI, Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// slackSignIn goes through the sign-in page and returns the redirect's query.
func slackSignIn(t *testing.T, authURL, email, password string) url.Values {
	t.Helper()
	loc, err := signinform.SignIn(context.Background(), noRedirect, authURL, email, password)
	if err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
	if !strings.HasPrefix(loc.String(), redirectURI+"?") {
		t.Fatalf("signed in, sent to %s", loc)
	}
	return loc.Query()
}

func TestSignInWithSlack(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	ctx, provider, conf := slackOIDC(t, srv)

	if got := provider.Endpoint().AuthURL; got != srv.URL+"/openid/connect/authorize" {
		t.Errorf("authorization_endpoint %s", got)
	}
	var doc struct {
		Issuer     string   `json:"issuer"`
		JWKS       string   `json:"jwks_uri"`
		UserInfo   string   `json:"userinfo_endpoint"`
		Scopes     []string `json:"scopes_supported"`
		Algs       []string `json:"id_token_signing_alg_values_supported"`
		AuthMethod []string `json:"token_endpoint_auth_methods_supported"`
		Claims     []string `json:"claims_supported"`
	}
	if err := provider.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Issuer != srv.URL || doc.JWKS != srv.URL+"/openid/connect/keys" || doc.UserInfo != srv.URL+"/api/openid.connect.userInfo" ||
		strings.Join(doc.Scopes, " ") != "openid profile email" || strings.Join(doc.Algs, ",") != "RS256" ||
		strings.Join(doc.AuthMethod, ",") != "client_secret_post,client_secret_basic" || len(doc.Claims) == 0 {
		t.Errorf("discovery: %+v", doc)
	}

	const state, nonce = "st-42", "n0nce-42"
	authURL := conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.SetAuthURLParam("team", sandbox.DemoTeamID))
	q := slackSignIn(t, authURL, "SFAdmin@demo.example", sandbox.DemoPassword)
	if q.Get("state") != state || q.Get("code") == "" {
		t.Fatalf("redirect: %v", q)
	}
	tok, err := conf.Exchange(ctx, q.Get("code"))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if !strings.HasPrefix(tok.AccessToken, "xoxp-") || tok.TokenType != "Bearer" || tok.Expiry.IsZero() {
		t.Errorf("token: %+v", tok)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: slackClientID}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify id token: %v", err)
	}
	if idt.Nonce != nonce {
		t.Errorf("nonce %q, want %q", idt.Nonce, nonce)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	if idt.Subject != "U0SFADM01" || idt.Issuer != srv.URL || idt.Expiry.Sub(idt.IssuedAt) != time.Hour {
		t.Errorf("id token: sub %s iss %s, %v to %v", idt.Subject, idt.Issuer, idt.IssuedAt, idt.Expiry)
	}
	var claims struct {
		UserID        string `json:"https://slack.com/user_id"`
		TeamID        string `json:"https://slack.com/team_id"`
		TeamName      string `json:"https://slack.com/team_name"`
		TeamDomain    string `json:"https://slack.com/team_domain"`
		EnterpriseID  string `json:"https://slack.com/enterprise_id"`
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		Name          string `json:"name"`
		GivenName     string `json:"given_name"`
		FamilyName    string `json:"family_name"`
		Locale        string `json:"locale"`
		AuthTime      int64  `json:"auth_time"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if claims.UserID != "U0SFADM01" || claims.TeamID != sandbox.DemoTeamID || claims.TeamName != "Demo" || claims.TeamDomain != "demo" ||
		claims.EnterpriseID != "" || claims.Email != "sfadmin@demo.example" || !claims.EmailVerified || claims.Name != "Salesforce Admin" ||
		claims.GivenName != "Salesforce" || claims.FamilyName != "Admin" || claims.Locale == "" || claims.AuthTime == 0 {
		t.Errorf("claims: %+v", claims)
	}

	// Another client's verifier refuses the token.
	if _, err := provider.Verifier(&oidc.Config{ClientID: "someone-else"}).Verify(ctx, raw); err == nil {
		t.Error("a token for another audience verified")
	}

	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var extra struct {
		OK     bool   `json:"ok"`
		TeamID string `json:"https://slack.com/team_id"`
		UserID string `json:"https://slack.com/user_id"`
		Name   string `json:"name"`
	}
	if err := info.Claims(&extra); err != nil {
		t.Fatal(err)
	}
	if info.Subject != "U0SFADM01" || info.Email != "sfadmin@demo.example" || !info.EmailVerified ||
		!extra.OK || extra.TeamID != sandbox.DemoTeamID || extra.UserID != "U0SFADM01" || extra.Name != "Salesforce Admin" {
		t.Errorf("userinfo: %+v %+v", info, extra)
	}
}

func TestSignInWithSlackEnterpriseAndTeams(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	ctx, provider, conf := slackOIDC(t, srv)

	// Without team, any workspace's member signs in; the token says which.
	q := slackSignIn(t, conf.AuthCodeURL("s", oidc.Nonce("n")), "owner@enterprise.example", sandbox.DemoPassword)
	tok, err := conf.Exchange(ctx, q.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: slackClientID}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	if c["https://slack.com/enterprise_id"] != sandbox.EnterpriseID || c["https://slack.com/team_id"] != sandbox.EnterpriseTeamID || c["sub"] != "U0EOWNER1" {
		t.Errorf("enterprise claims: %v", c)
	}

	// With team, only that workspace's members.
	authURL := conf.AuthCodeURL("s", oauth2.SetAuthURLParam("team", sandbox.DemoTeam2ID))
	_, err = signinform.SignIn(context.Background(), noRedirect, authURL, "admin@demo.example", sandbox.DemoPassword)
	if pe, ok := errors.AsType[*signinform.PageError](err); !ok || pe.Status != http.StatusUnauthorized || pe.Message != "Incorrect email or password." {
		t.Errorf("a member of another workspace: %v", err)
	}
	slackSignIn(t, authURL, "member21@demo-two.example", sandbox.DemoPassword)
}

func TestSignInWithSlackRefusals(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	_, _, conf := slackOIDC(t, srv)
	authURL := conf.AuthCodeURL("st-9", oidc.Nonce("n"))

	for name, c := range map[string]struct{ email, password string }{
		"wrong password": {"admin@demo.example", "nope"},
		"no password":    {"admin@demo.example", ""},
		"unknown email":  {"nobody@demo.example", sandbox.DemoPassword},
		"a bot's name":   {"sfconnect", sandbox.DemoPassword},
	} {
		_, err := signinform.SignIn(context.Background(), noRedirect, authURL, c.email, c.password)
		pe, ok := errors.AsType[*signinform.PageError](err)
		if !ok || pe.Status != http.StatusUnauthorized || pe.Message != "Incorrect email or password." {
			t.Errorf("%s: %v", name, err)
		}
	}

	exchange := func(form url.Values) string {
		t.Helper()
		resp, b := do(t, srv, sfRequest{method: http.MethodPost, path: "/api/openid.connect.token", form: form})
		var body struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		}
		mustJSON(t, b, &body)
		if resp.StatusCode != http.StatusOK || body.OK == (body.Error != "") {
			t.Errorf("token answer %d %s", resp.StatusCode, b)
		}
		return body.Error
	}
	form := func(code string) url.Values {
		return url.Values{"client_id": {slackClientID}, "client_secret": {"s"}, "code": {code}, "redirect_uri": {redirectURI}, "grant_type": {"authorization_code"}}
	}
	newCode := func() string { return slackSignIn(t, authURL, "admin@demo.example", sandbox.DemoPassword).Get("code") }

	code := newCode()
	if e := exchange(form(code)); e != "" {
		t.Fatalf("first exchange: %s", e)
	}
	if e := exchange(form(code)); e != "invalid_code" {
		t.Errorf("code reuse: %q", e)
	}
	for name, c := range map[string]struct {
		change func(url.Values)
		want   string
	}{
		"wrong redirect_uri": {func(f url.Values) { f.Set("redirect_uri", "https://evil.example/cb") }, "bad_redirect_uri"},
		"no redirect_uri":    {func(f url.Values) { f.Del("redirect_uri") }, "bad_redirect_uri"},
		"other client":       {func(f url.Values) { f.Set("client_id", "other") }, "invalid_client_id"},
		"no client":          {func(f url.Values) { f.Del("client_id") }, "invalid_client_id"},
		"no secret":          {func(f url.Values) { f.Del("client_secret") }, "bad_client_secret"},
		"refresh grant":      {func(f url.Values) { f.Set("grant_type", "refresh_token") }, "invalid_grant_type"},
		"made-up code":       {func(f url.Values) { f.Set("code", "123.456") }, "invalid_code"},
	} {
		f := form(newCode())
		c.change(f)
		if e := exchange(f); e != c.want {
			t.Errorf("%s: %q, want %q", name, e, c.want)
		}
	}

	// Codes expire after 10 minutes.
	var offset atomic.Int64
	sandbox.SetClock(sb, func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	code = newCode()
	offset.Store(int64(11 * time.Minute))
	if e := exchange(form(code)); e != "invalid_code" {
		t.Errorf("expired code: %q", e)
	}
	offset.Store(0)

	// userInfo wants a Sign in with Slack token.
	for _, tok := range []string{"", "xoxp-made-up", sandbox.BotToken(sandbox.DemoTeamID)} {
		resp, b := do(t, srv, sfRequest{path: "/api/openid.connect.userInfo", token: tok})
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"error":"invalid_auth"`) {
			t.Errorf("userInfo with %q: %s", tok, b)
		}
	}
}

func TestSignInWithSlackThroughSlackGo(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	_, _, conf := slackOIDC(t, srv)
	api := srv.URL + "/api/"

	q := slackSignIn(t, conf.AuthCodeURL("s", oidc.Nonce("n")), "member1@acme.example", sandbox.DemoPassword)
	resp, err := slack.GetOpenIDConnectToken(srv.Client(), slackClientID, "slack-secret", q.Get("code"), redirectURI, slack.OAuthOptionAPIURL(api))
	if err != nil {
		t.Fatalf("GetOpenIDConnectToken: %v", err)
	}
	if !resp.Ok || !strings.HasPrefix(resp.AccessToken, "xoxp-") || resp.TokenType != "Bearer" || strings.Count(resp.IdToken, ".") != 2 {
		t.Errorf("token: %+v", resp)
	}
	info, err := slack.New(resp.AccessToken, slack.OptionAPIURL(api)).GetOpenIDConnectUserInfo()
	if err != nil {
		t.Fatalf("GetOpenIDConnectUserInfo: %v", err)
	}
	if !info.Ok || info.Sub != "U0MEMBER1" || info.UserID != "U0MEMBER1" || info.TeamID != sandbox.DemoTeamID ||
		info.Email != "member1@acme.example" || !info.EmailVerified || info.Name != "Member One" || info.TeamName != "Demo" || info.TeamDomain != "demo" {
		t.Errorf("userInfo: %+v", info)
	}

	// The code is spent: Slack's error comes back as slack-go's error.
	_, err = slack.GetOpenIDConnectToken(srv.Client(), slackClientID, "slack-secret", q.Get("code"), redirectURI, slack.OAuthOptionAPIURL(api))
	if err == nil || err.Error() != "invalid_code" {
		t.Errorf("second exchange: %v", err)
	}
	if _, err := slack.New("xoxp-made-up", slack.OptionAPIURL(api)).GetOpenIDConnectUserInfo(); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("made-up token: %v", err)
	}
}
