package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/sfconnect/sfconnect/orgurl"
)

// salesforceScopes: the id token (openid) and the user's identity.
var salesforceScopes = []string{"openid", "id", "api"}

func (s *Server) salesforceProvider(r *http.Request, md orgurl.MyDomain) (*provider, error) {
	app := s.opts.Salesforce
	return s.provider(r.Context(), md.URL(), app.ClientID, app.ClientSecret, SalesforceCallbackPath, salesforceScopes)
}

// salesforceLogin sends the browser to the org's own sign-in page: ?org=
// is its My Domain URL or name, checked as Step 1 checks it, so that no
// browser is ever sent to a host that is not Salesforce's.
func (s *Server) salesforceLogin(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.Query().Get("org")
	md, err := parseOrg(raw)
	if err != nil {
		s.render(w, r, http.StatusBadRequest, "home", homePage{OrgError: err.Error(), OrgInput: raw})
		return
	}
	f := newFlow(flowSalesforce, safeNext(r.URL.Query().Get("next")))
	f.OrgURL = md.URL()
	s.startSalesforceSignIn(w, r, f, md)
}

// parseOrg reads an org the way the CLI does: a My Domain URL, or its name.
func parseOrg(raw string) (orgurl.MyDomain, error) {
	if raw == "" {
		return orgurl.MyDomain{}, errors.New("enter your org's My Domain, like acme or https://acme.my.salesforce.com")
	}
	if !strings.ContainsAny(raw, "./:") {
		// A bare My Domain name; "--" names a sandbox, as in Salesforce.
		suffix := ".my.salesforce.com"
		if strings.Contains(raw, "--") {
			suffix = ".sandbox.my.salesforce.com"
		}
		raw = "https://" + strings.ToLower(strings.TrimSpace(raw)) + suffix
	}
	return orgurl.Parse(raw)
}

func (s *Server) startSalesforceSignIn(w http.ResponseWriter, r *http.Request, f flow, md orgurl.MyDomain) {
	p, err := s.salesforceProvider(r, md)
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "The sign-in of "+md.Host+" cannot be reached", err)
		return
	}
	to, err := s.opts.SalesforceBrowserURL(authorizeURL(p, f, oauth2.SetAuthURLParam("prompt", "login")))
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "The sign-in address of "+md.Host+" is not valid", err)
		return
	}
	s.beginSignIn(w, r, f, to, http.StatusFound)
}

// salesforceClaims are the claims of a Salesforce id token the console reads.
type salesforceClaims struct {
	UserID   string `json:"user_id"`
	OrgID    string `json:"organization_id"`
	Username string `json:"preferred_username"`
	Name     string `json:"name"`
}

// salesforceCallback ends both Salesforce sign-ins: an admin's (the
// session gains that org) and a member's (their mapping completes).
func (s *Server) salesforceCallback(w http.ResponseWriter, r *http.Request) {
	f, err := s.takeFlow(w, r, flowSalesforce, flowMember)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "The Salesforce sign-in did not complete", err)
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		s.failText(w, r, http.StatusForbidden, "The Salesforce sign-in did not complete",
			"Salesforce answered "+e+" ("+r.URL.Query().Get("error_description")+"). Sign in again when you are ready.")
		return
	}
	if f.Kind == flowMember {
		s.memberCallback(w, r, f)
		return
	}
	md, err := orgurl.Parse(f.OrgURL)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "The Salesforce sign-in did not complete", err)
		return
	}
	p, err := s.salesforceProvider(r, md)
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "The sign-in of "+md.Host+" cannot be reached", err)
		return
	}
	tok, idt, err := s.exchange(r, p, f)
	if err != nil {
		s.fail(w, r, http.StatusForbidden, "The Salesforce sign-in was refused", err)
		return
	}
	if err := s.checkSignature(tok); err != nil {
		s.fail(w, r, http.StatusForbidden, "The Salesforce sign-in was refused", err)
		return
	}
	var c salesforceClaims
	if err := idt.Claims(&c); err != nil || c.UserID == "" || c.OrgID == "" {
		s.failText(w, r, http.StatusForbidden, "The Salesforce sign-in was refused", "Salesforce's answer does not name a user and an org.")
		return
	}
	sess := s.session(r)
	if sess.Salesforce == nil {
		sess.Salesforce = map[string]SalesforceUser{}
	}
	sess.Salesforce[c.OrgID] = SalesforceUser{OrgID: c.OrgID, OrgURL: md.URL(), OrgName: md.Name, UserID: c.UserID, Username: c.Username, Name: c.Name}
	if err := s.saveSession(w, sess); err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The sign-in could not be kept", err)
		return
	}
	if f.CLI != nil {
		s.finishCLI(w, r, f, sess)
		return
	}
	next := f.Next
	if next == "/" {
		next = "/salesforce/" + c.OrgID
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// checkSignature verifies the token response's signature: Salesforce signs
// the identity URL and issued_at with the connected app's secret.
func (s *Server) checkSignature(tok *oauth2.Token) error {
	id, _ := tok.Extra("id").(string)
	issued, _ := tok.Extra("issued_at").(string)
	sig, _ := tok.Extra("signature").(string)
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || id == "" || issued == "" {
		return errors.New("the token response carries no valid signature")
	}
	mac := hmac.New(sha256.New, []byte(s.opts.Salesforce.ClientSecret))
	mac.Write([]byte(id + issued))
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errors.New("the token response's signature does not match the connected app's secret")
	}
	return nil
}

// salesforceOnly serves h to a browser signed in to the org of the path,
// and sends any other to that org's sign-in.
func (s *Server) salesforceOnly(h func(http.ResponseWriter, *http.Request, SalesforceUser)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		org := r.PathValue("org")
		u, ok := s.session(r).Salesforce[org]
		if !ok {
			if r.Method != http.MethodGet {
				s.failText(w, r, http.StatusUnauthorized, "Your sign-in has ended", "Sign in to Salesforce again, then repeat what you were doing.")
				return
			}
			s.render(w, r, http.StatusUnauthorized, "home", homePage{OrgError: "Sign in to the org first: enter its My Domain."})
			return
		}
		h(w, r, u)
	}
}
