package sandbox

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Sign in with Slack, OpenID Connect as slack.com serves it: discovery, the
// sign-in page at /openid/connect/authorize, the keys, and the Web API
// methods openid.connect.token and openid.connect.userInfo. The issuer is
// http://<the Host of the request>, since go-oidc demands that the issuer be
// the address the client discovered it at.

const (
	wellKnownOIDC      = "/.well-known/openid-configuration"
	slackAuthorizePath = "/openid/connect/authorize"
	slackKeysPath      = "/openid/connect/keys"

	// slackUserTokenTTL is the expires_in of a Sign in with Slack access
	// token: 12 hours, as Slack's rotating user tokens.
	slackUserTokenTTL = 12 * time.Hour

	slackSignInTitle = "Sign in to Slack"
	msgSlackRefused  = "Incorrect email or password."
)

// slackAuthParams are the authorize parameters the form carries along.
var slackAuthParams = []string{"response_type", "client_id", "scope", "redirect_uri", "state", "nonce", "team"}

func isSlackOIDCPath(path string) bool {
	return path == wellKnownOIDC || strings.HasPrefix(path, "/openid/connect/")
}

// slackCode is an authorization code of Sign in with Slack.
type slackCode struct {
	clientID, redirectURI, nonce string
	teamID, userID               string
	authTime, expires            time.Time
}

// slackSession is what a Sign in with Slack access token (xoxp-…) stands for.
type slackSession struct {
	teamID, userID string
	expires        time.Time
}

// slackSignIns holds the codes and user tokens, under their own lock.
type slackSignIns struct {
	mu     sync.Mutex
	codes  map[string]slackCode
	tokens map[string]slackSession
}

func (a *slackSignIns) init() {
	a.codes = map[string]slackCode{}
	a.tokens = map[string]slackSession{}
}

func (s *Sandbox) serveSlackOIDC(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case wellKnownOIDC:
		s.stats.slackMethod("openid-configuration")
		s.slackDiscovery(w, r)
	case slackKeysPath:
		s.stats.slackMethod("openid.connect.keys")
		s.serveJWKS(w)
	case slackAuthorizePath:
		s.stats.slackMethod("openid.connect.authorize")
		s.slackAuthorize(w, r)
	default:
		http.NotFound(w, r)
	}
}

// slackIssuer is the issuer as seen by the client of r.
func slackIssuer(r *http.Request) string { return "http://" + r.Host }

// slackDiscovery mirrors https://slack.com/.well-known/openid-configuration,
// at this address.
func (s *Sandbox) slackDiscovery(w http.ResponseWriter, r *http.Request) {
	iss := slackIssuer(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + slackAuthorizePath,
		"token_endpoint":                        iss + "/api/openid.connect.token",
		"userinfo_endpoint":                     iss + "/api/openid.connect.userInfo",
		"jwks_uri":                              iss + slackKeysPath,
		"scopes_supported":                      []string{"openid", "profile", "email"},
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"claims_supported":                      []string{"sub", "auth_time", "iss"},
		"claims_parameter_supported":            false,
		"request_parameter_supported":           false,
		"request_uri_parameter_supported":       true,
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
	})
}

// slackAuthorize serves the sign-in page (GET) and its form (POST).
func (s *Sandbox) slackAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		renderErrorPage(w, http.StatusMethodNotAllowed, slackSignInTitle, "This page answers GET and POST only.")
		return
	}
	a, ok := parseAuthRequest(w, r, slackAuthParams, slackSignInTitle)
	if !ok {
		return
	}
	switch {
	case a.get("response_type") != "code":
		a.back(w, r, "error", "unsupported_response_type", "error_description", "response_type must be code")
		return
	case a.get("client_id") == "":
		a.back(w, r, "error", "invalid_request", "error_description", "client_id is required")
		return
	case !hasScope(a.get("scope"), "openid"):
		a.back(w, r, "error", "invalid_scope", "error_description", "scope must include openid")
		return
	}
	if r.Method == http.MethodGet {
		renderSignIn(w, http.StatusOK, s.slackSignInPage(a, "", ""))
		return
	}
	if r.PostForm.Get("cancel") != "" {
		a.back(w, r, "error", "access_denied", "error_description", "the user cancelled the sign-in")
		return
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	ws, u := s.slackMemberByEmail(email, a.get("team"))
	if u == nil || !passwordOK(r.PostForm.Get("password")) {
		// The same answer whichever was wrong, so that the page does not
		// tell which emails are members.
		s.log.Debug("slack sign-in refused", zap.String("team", a.get("team")))
		renderSignIn(w, http.StatusUnauthorized, s.slackSignInPage(a, email, msgSlackRefused))
		return
	}
	code := randomAlnum(12) + "." + randomString(32)
	now := s.now()
	s.slackAuth.mu.Lock()
	s.slackAuth.codes[code] = slackCode{
		clientID: a.get("client_id"), redirectURI: a.get("redirect_uri"), nonce: a.get("nonce"),
		teamID: ws.id, userID: u.ID, authTime: now, expires: now.Add(codeTTL),
	}
	if len(s.slackAuth.codes) > maxCodes {
		for k, c := range s.slackAuth.codes {
			if now.After(c.expires) {
				delete(s.slackAuth.codes, k)
			}
		}
	}
	s.slackAuth.mu.Unlock()
	s.log.Debug("slack sign-in", zap.String("team", ws.id), zap.String("user", u.ID))
	a.back(w, r, "code", code)
}

// slackMemberByEmail finds the member who signs in with email: an active
// person (no bot, not deactivated) of team, or of any workspace when team is
// empty (the first in id order, for an email in several).
func (s *Sandbox) slackMemberByEmail(email, team string) (*workspace, *slackUser) {
	if email == "" {
		return nil, nil
	}
	key := strings.ToLower(email)
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, id := range s.workspaceIDs(team) {
		ws := s.workspaces[id]
		if u := ws.byEmail[key]; u != nil && !u.Deleted && !u.IsBot {
			return ws, u
		}
	}
	return nil, nil
}

// workspaceIDs is team alone (when it exists), or every workspace, sorted.
// The caller holds s.mu.
func (s *Sandbox) workspaceIDs(team string) []string {
	if team != "" {
		if s.workspaces[team] == nil {
			return nil
		}
		return []string{team}
	}
	ids := make([]string, 0, len(s.workspaces))
	for id := range s.workspaces {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (s *Sandbox) slackSignInPage(a *authRequest, email, errMsg string) signInPage {
	lead := "Enter the email address and password of your Slack account to continue to the app " + a.get("client_id") + "."
	s.mu.RLock()
	if ws := s.workspaces[a.get("team")]; ws != nil {
		lead = "Sign in to the workspace " + ws.name + " (" + ws.domain + ".slack.com) to continue to the app " + a.get("client_id") + "."
	}
	s.mu.RUnlock()
	return signInPage{
		Brand: "slack", BrandName: "slack",
		Title: slackSignInTitle, Lead: lead, Error: errMsg,
		Action: slackAuthorizePath, Hidden: a.hiddenFields(slackAuthParams),
		LoginField: "email", LoginLabel: "Email address", Login: email,
		PasswordField: "password", SubmitLabel: "Sign in",
		Identities: s.slackIdentities(a.get("team")),
	}
}

// listedPerWorkspace bounds the page's list: generated directories hold
// millions of members.
const listedPerWorkspace = 25

// slackIdentities lists the people one may sign in as: the fixed demo
// members and those made through the API, never the generated ones (U1…).
func (s *Sandbox) slackIdentities(team string) identityTable {
	t := identityTable{
		Caption: "Slack members (email, name, workspace, role)",
		Columns: []string{"Email", "Name", "Workspace", "Role"},
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, id := range s.workspaceIDs(team) {
		ws := s.workspaces[id]
		listed := 0
		for i := 0; i < len(ws.users); i++ {
			u := ws.users[i]
			if strings.HasPrefix(u.ID, "U1") {
				// Skip the generated block in one binary search.
				i = sort.Search(len(ws.users), func(j int) bool { return ws.users[j].ID >= "U2" }) - 1
				continue
			}
			if u.Deleted || u.IsBot || u.Email == "" {
				continue
			}
			if listed == listedPerWorkspace {
				t.More++
				continue
			}
			listed++
			t.Rows = append(t.Rows, []string{u.Email, u.RealName, ws.name + " (" + ws.id + ")", ws.roleName(u)})
		}
	}
	return t
}

// roleName says what a member is, as the directory decides roles.
func (w *workspace) roleName(u *slackUser) string {
	var roles []string
	switch {
	case u.IsPrimaryOwner:
		roles = append(roles, "Primary Owner")
	case u.IsOwner:
		roles = append(roles, "Workspace Owner")
	case u.IsAdmin:
		roles = append(roles, "Workspace Admin")
	}
	if u.EnterpriseOwner {
		roles = append(roles, "Org Owner")
	} else if u.EnterpriseAdmin {
		roles = append(roles, "Org Admin")
	}
	for _, ra := range w.roles {
		if ra.UserID == u.ID && ra.RoleID == SalesforceAdminRoleID {
			roles = append(roles, "Salesforce system administrator")
		}
	}
	if len(roles) == 0 {
		return "Member"
	}
	return strings.Join(roles, ", ")
}

// slackOIDCToken is openid.connect.token: the code for a user token and an
// id token, in Slack's envelope ({"ok":…}, errors as codes with HTTP 200).
func (s *Sandbox) slackOIDCToken(w http.ResponseWriter, r *http.Request, p url.Values) {
	clientID, secret, basic := r.BasicAuth()
	if !basic {
		clientID, secret = p.Get("client_id"), p.Get("client_secret")
	}
	if gt := p.Get("grant_type"); gt != "" && gt != "authorization_code" {
		writeSlackError(w, http.StatusOK, "invalid_grant_type")
		return
	}
	if clientID == "" {
		writeSlackError(w, http.StatusOK, "invalid_client_id")
		return
	}
	if secret == "" {
		writeSlackError(w, http.StatusOK, "bad_client_secret")
		return
	}
	code := p.Get("code")
	now := s.now()
	s.slackAuth.mu.Lock()
	c, ok := s.slackAuth.codes[code]
	delete(s.slackAuth.codes, code) // single use, whatever the outcome
	s.slackAuth.mu.Unlock()
	switch {
	case !ok || now.After(c.expires):
		writeSlackError(w, http.StatusOK, "invalid_code")
		return
	case clientID != c.clientID:
		writeSlackError(w, http.StatusOK, "invalid_client_id")
		return
	case p.Get("redirect_uri") != c.redirectURI:
		writeSlackError(w, http.StatusOK, "bad_redirect_uri")
		return
	}
	ws, u := s.slackMember(c.teamID, c.userID)
	if u == nil {
		// Deactivated between the sign-in and the exchange.
		writeSlackError(w, http.StatusOK, "invalid_code")
		return
	}
	tok := "xoxp-" + randomAlnum(10) + "-" + randomString(32)
	s.slackAuth.mu.Lock()
	s.slackAuth.tokens[tok] = slackSession{teamID: ws.id, userID: u.ID, expires: now.Add(slackUserTokenTTL)}
	s.slackAuth.mu.Unlock()

	claims := s.slackClaims(ws, u)
	claims["iss"] = slackIssuer(r)
	claims["sub"] = u.ID
	claims["aud"] = clientID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(idTokenTTL).Unix()
	claims["auth_time"] = c.authTime.Unix()
	claims["at_hash"] = accessTokenHash(tok)
	if c.nonce != "" {
		claims["nonce"] = c.nonce
	}
	idToken, err := s.signIDToken(claims)
	if err != nil {
		s.log.Error("slack id token", zap.Error(err))
		writeSlackError(w, http.StatusOK, "internal_error")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"ok":           true,
		"access_token": tok,
		"token_type":   "Bearer",
		"id_token":     idToken,
		"expires_in":   int(slackUserTokenTTL.Seconds()),
	})
}

// slackOIDCUserInfo is openid.connect.userInfo for a Sign in with Slack
// token (Authorization: Bearer, or the token argument as slack-go sends it).
func (s *Sandbox) slackOIDCUserInfo(w http.ResponseWriter, r *http.Request, p url.Values) {
	tok := slackToken(r, p)
	s.slackAuth.mu.Lock()
	sess, ok := s.slackAuth.tokens[tok]
	s.slackAuth.mu.Unlock()
	if !ok {
		writeSlackError(w, http.StatusOK, "invalid_auth")
		return
	}
	if s.now().After(sess.expires) {
		writeSlackError(w, http.StatusOK, "token_expired")
		return
	}
	ws, u := s.slackMember(sess.teamID, sess.userID)
	if u == nil {
		writeSlackError(w, http.StatusOK, "account_inactive")
		return
	}
	info := s.slackClaims(ws, u)
	info["ok"] = true
	info["sub"] = u.ID
	writeJSON(w, http.StatusOK, info)
}

// slackMember finds an active person of a workspace.
func (s *Sandbox) slackMember(teamID, userID string) (*workspace, *slackUser) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ws := s.workspaces[teamID]
	if ws == nil {
		return nil, nil
	}
	u := ws.userByID(userID)
	if u == nil || u.Deleted || u.IsBot {
		return nil, nil
	}
	return ws, u
}

// slackClaims are the claims of Slack's id tokens and userInfo about a
// member, with Slack's own names.
func (s *Sandbox) slackClaims(ws *workspace, u *slackUser) map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	given, family, _ := strings.Cut(u.RealName, " ")
	c := map[string]any{
		"https://slack.com/user_id":     u.ID,
		"https://slack.com/team_id":     ws.id,
		"https://slack.com/team_name":   ws.name,
		"https://slack.com/team_domain": ws.domain,
		"email":                         u.Email,
		"email_verified":                true,
		"date_email_verified":           demoCreated,
		"name":                          u.RealName,
		"given_name":                    given,
		"family_name":                   family,
		"locale":                        "en-US",
	}
	if ws.enterpriseID != "" {
		c["https://slack.com/enterprise_id"] = ws.enterpriseID
		c["https://slack.com/enterprise_name"] = ws.enterpriseName
	}
	return c
}
