package salesforce_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sfconnect/sfconnect/salesforce"
)

// codeFlow serves the authorization code grant and userinfo of the acme
// org's admin.
func codeFlow(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/services/oauth2/token" && r.PostForm.Get("grant_type") == "authorization_code":
			if r.PostForm.Get("code") != "the-code" || r.PostForm.Get("redirect_uri") != "https://app.example/callback" ||
				r.PostForm.Get("client_id") != "cid" || r.PostForm.Get("client_secret") != "secret" {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "authentication failure"})
				return
			}
			writeJSON(w, http.StatusOK, map[string]string{
				"access_token": "user-tok", "refresh_token": "user-refresh", "token_type": "Bearer",
				"instance_url": "https://" + r.Host, "id": "https://" + r.Host + "/id/00D000000000001AAA/005000000000001AAA",
			})
		case r.URL.Path == "/services/oauth2/userinfo":
			if r.Header.Get("Authorization") != "Bearer user-tok" {
				writeJSON(w, http.StatusUnauthorized, []map[string]string{{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}})
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{
				"sub":     "https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA",
				"user_id": "005000000000001AAA", "organization_id": "00D000000000001AAA",
				"preferred_username": "admin@acme.example", "email": "admin@acme.example", "name": "Ada Admin", "active": true,
			})
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
		}
	}
}

func TestCodeFlow(t *testing.T) {
	f := newFakeOrgs(t, codeFlow(t))
	c := f.client("https://acme.lightning.force.com")
	ctx := context.Background()

	u, err := url.Parse(c.AuthCodeURL("https://app.example/callback", "st4te", "admin@acme.example"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "https" || u.Host != "acme.my.salesforce.com" || u.Path != "/services/oauth2/authorize" ||
		q.Get("response_type") != "code" || q.Get("client_id") != "cid" || q.Get("redirect_uri") != "https://app.example/callback" ||
		q.Get("state") != "st4te" || q.Get("login_hint") != "admin@acme.example" {
		t.Errorf("AuthCodeURL = %s", u)
	}
	if u, _ := url.Parse(c.AuthCodeURL("https://app.example/callback", "s", "")); u.Query().Has("login_hint") {
		t.Errorf("an empty login hint was sent: %s", u)
	}

	tok, err := c.ExchangeCode(ctx, "the-code", "https://app.example/callback")
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "user-tok" || tok.RefreshToken != "user-refresh" || tok.Extra("instance_url") != "https://acme.my.salesforce.com" {
		t.Errorf("token = %+v", tok)
	}
	info, err := c.UserInfo(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	want := salesforce.UserInfo{UserID: "005000000000001AAA", OrganizationID: "00D000000000001AAA",
		PreferredUsername: "admin@acme.example", Email: "admin@acme.example", Name: "Ada Admin", Active: true}
	if info != want {
		t.Errorf("UserInfo = %+v", info)
	}
	for _, r := range f.requests() {
		if r.Host != "acme.my.salesforce.com" {
			t.Errorf("%s reached Host %q", r.Path, r.Host)
		}
	}

	// PKCE: the challenge in the address, the verifier in the exchange.
	verifier := oauth2.GenerateVerifier()
	u, _ = url.Parse(c.AuthCodeURL("https://app.example/callback", "s", "", oauth2.S256ChallengeOption(verifier)))
	if q := u.Query(); q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") != oauth2.S256ChallengeFromVerifier(verifier) {
		t.Errorf("AuthCodeURL with PKCE = %s", u)
	}
	if _, err := c.ExchangeCode(ctx, "the-code", "https://app.example/callback", oauth2.VerifierOption(verifier)); err != nil {
		t.Fatal(err)
	}
	var verifiers []string
	for _, r := range f.requests() {
		if r.Path == "/services/oauth2/token" && r.Form.Get("grant_type") == "authorization_code" {
			verifiers = append(verifiers, r.Form.Get("code_verifier"))
		}
	}
	if len(verifiers) != 2 || verifiers[0] != "" || verifiers[1] != verifier {
		t.Errorf("code_verifier sent: %q", verifiers)
	}

	_, err = c.ExchangeCode(ctx, "stale-code", "https://app.example/callback")
	if !errors.Is(err, salesforce.ErrUnauthorized) || salesforce.Retryable(err) {
		t.Errorf("bad code: %v, want ErrUnauthorized, not retryable", err)
	}
	if e, ok := errors.AsType[*salesforce.APIError](err); !ok || e.Code != "invalid_grant" || e.Message != "authentication failure" || e.Op != "ExchangeCode" {
		t.Errorf("bad code: %+v", e)
	}
	tok.AccessToken = "other"
	if _, err := c.UserInfo(ctx, tok); !errors.Is(err, salesforce.ErrUnauthorized) {
		t.Errorf("refused token: %v, want ErrUnauthorized", err)
	}
}
