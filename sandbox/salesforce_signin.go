package sandbox

import (
	"net/http"
	"strings"

	"go.uber.org/zap"
)

// The web server flow's front end on a My Domain: the login page at
// /services/oauth2/authorize (GET shows it, POST is its form), the OpenID
// Connect discovery document and the keys of the id tokens.

const (
	sfAuthorizePath = "/services/oauth2/authorize"
	// sfKeysPath is Salesforce's JWKS address, beside the identity URLs
	// (/id/<org>/<user>) but not one of them.
	sfKeysPath = "/id/keys"

	msgSFRefused = "Please check your username and password. If you still can't log in, contact your Salesforce administrator."
)

// sfAuthParams are the authorize parameters the form carries along.
var sfAuthParams = []string{"response_type", "client_id", "redirect_uri", "state", "scope", "nonce", "code_challenge", "code_challenge_method"}

// sfLoginTitle is the page's heading, the org's My Domain as Salesforce
// brands its login page.
func (s *Sandbox) sfLoginTitle(o *org) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return "Log in to " + o.host
}

// sfAuthorize serves the org's login page and its form; ipEnforced refuses
// every sign-in through the redirect, as the org's login IP ranges would.
func (s *Sandbox) sfAuthorize(w http.ResponseWriter, r *http.Request, o *org, ipEnforced bool) {
	title := s.sfLoginTitle(o)
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		renderErrorPage(w, http.StatusMethodNotAllowed, title, "This page answers GET and POST only.")
		return
	}
	// login_hint is read apart: it pre-fills the username, and the form
	// carries the username itself.
	a, ok := parseAuthRequest(w, r, sfAuthParams, title)
	if !ok {
		return
	}
	method := a.get("code_challenge_method")
	switch {
	case a.get("client_id") == "":
		a.back(w, r, "error", "invalid_client_id", "error_description", "client identifier invalid")
		return
	case a.get("response_type") != "code":
		a.back(w, r, "error", "unsupported_response_type", "error_description", "response type not supported")
		return
	case method != "" && method != "S256" && method != "plain":
		a.back(w, r, "error", "invalid_request", "error_description", "code_challenge_method must be S256 or plain")
		return
	case method != "" && a.get("code_challenge") == "":
		a.back(w, r, "error", "invalid_request", "error_description", "code_challenge_method without code_challenge")
		return
	case ipEnforced:
		a.back(w, r, "error", "access_denied", "error_description", "ip restricted")
		return
	}
	if r.Method == http.MethodGet {
		renderSignIn(w, http.StatusOK, s.sfLoginPage(o, a, title, strings.TrimSpace(r.Form.Get("login_hint")), ""))
		return
	}
	if r.PostForm.Get("cancel") != "" {
		a.back(w, r, "error", "access_denied", "error_description", "end-user denied authorization")
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	s.mu.RLock()
	// A user id is taken too (the CLI's --salesforce-user accepts one);
	// Salesforce's page wants the username.
	u := o.userByLogin(username)
	// The integration user's profile is API only: no login page for it.
	apiOnly := u != nil && u == o.integration
	s.mu.RUnlock()
	if username == "" || u == nil || !u.IsActive || apiOnly || !passwordOK(r.PostForm.Get("pw")) {
		s.log.Debug("salesforce login refused", zap.String("org", o.id))
		renderSignIn(w, http.StatusUnauthorized, s.sfLoginPage(o, a, title, username, msgSFRefused))
		return
	}
	if method == "" && a.get("code_challenge") != "" {
		method = "plain" // RFC 7636's default
	}
	scope := a.get("scope")
	if scope == "" {
		scope = sfDefaultScope
	}
	code := "aPrx" + randomString(32)
	now := s.now()
	s.auth.mu.Lock()
	s.auth.codes[code] = authCode{
		orgID: o.id, userID: u.ID, clientID: a.get("client_id"), redirectURI: a.get("redirect_uri"),
		scope: scope, nonce: a.get("nonce"),
		codeChallenge: a.get("code_challenge"), challengeMethod: method,
		authTime: now, expires: now.Add(codeTTL),
	}
	if len(s.auth.codes) > maxCodes {
		for k, c := range s.auth.codes {
			if now.After(c.expires) {
				delete(s.auth.codes, k)
			}
		}
	}
	s.auth.mu.Unlock()
	s.log.Debug("salesforce login", zap.String("org", o.id), zap.String("user", u.ID))
	a.back(w, r, "code", code)
}

func (s *Sandbox) sfLoginPage(o *org, a *authRequest, title, username, errMsg string) signInPage {
	return signInPage{
		Brand: "salesforce", BrandName: "salesforce",
		Title: title, Lead: "Log in to continue to the app " + a.get("client_id") + ".", Error: errMsg,
		Action: sfAuthorizePath, Hidden: a.hiddenFields(sfAuthParams),
		LoginField: "username", LoginLabel: "Username", Login: username,
		PasswordField: "pw", SubmitLabel: "Log In",
		Identities: s.sfIdentities(o),
	}
}

// listedPerOrg bounds the page's list, as listedPerWorkspace.
const listedPerOrg = 30

// sfIdentities lists the org's users one may try: the fixed demo users
// (inactive ones marked, since they are refused), never the generated ones
// (0059…) nor the integration user, which has no login.
func (s *Sandbox) sfIdentities(o *org) identityTable {
	t := identityTable{
		Caption: "Users of this org (username, name, profile, status)",
		Columns: []string{"Username", "Name", "Profile", "Status"},
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, u := range o.users {
		if u == o.integration {
			continue
		}
		if strings.HasPrefix(u.ID, "0059") {
			// Generated users sort after the fixed ones and are all that
			// follows: stop rather than walk millions.
			break
		}
		if len(t.Rows) == listedPerOrg {
			t.More++
			continue
		}
		profile := ""
		if p := o.profileByID(u.ProfileID); p != nil {
			profile = p.Name
		}
		status := "active"
		if !u.IsActive {
			status = "inactive: cannot log in"
		}
		t.Rows = append(t.Rows, []string{u.Username, u.Name, profile, status})
	}
	return t
}

// sfDiscovery is the org's OpenID Connect discovery document. The issuer is
// the instance URL, as in the id tokens; the endpoints are under the address
// the client used (the .localhost form for a browser), so that whoever read
// the document can reach them.
func (s *Sandbox) sfDiscovery(w http.ResponseWriter, r *http.Request, o *org) {
	s.mu.RLock()
	issuer, host := o.instanceURL(), o.host
	s.mu.RUnlock()
	base := browserBase(r, host)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                base + sfAuthorizePath,
		"token_endpoint":                        base + "/services/oauth2/token",
		"revocation_endpoint":                   base + "/services/oauth2/revoke",
		"userinfo_endpoint":                     base + "/services/oauth2/userinfo",
		"jwks_uri":                              base + sfKeysPath,
		"scopes_supported":                      []string{"id", "api", "web", "openid", "profile", "email", "address", "phone", "refresh_token", "offline_access"},
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "client_credentials"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"code_challenge_methods_supported":      []string{"S256", "plain"},
		"display_values_supported":              []string{"page"},
		"claims_supported": []string{"active", "email", "email_verified", "family_name", "given_name", "locale", "name",
			"nickname", "organization_id", "preferred_username", "sub", "user_id", "user_type", "zoneinfo"},
	})
}
