package sandbox

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// OAuth 2.0 as a My Domain serves it: client_credentials (acting as the
// org's integration user), the token end of the web server flow (whose
// login page is salesforce_signin.go), userinfo and the identity URL.
// Tokens and codes are opaque random strings mapped to an org and a user.

// sfDefaultScope is what a code grants when its authorization request named
// no scope: the scopes of the sandbox's connected app.
const sfDefaultScope = "api id openid"

type session struct {
	orgID  string
	userID string
	issued time.Time
}

type authCode struct {
	orgID, userID, clientID, redirectURI string
	scope, nonce                         string
	// codeChallenge and its method ("S256" or "plain") when the request
	// used PKCE: the exchange must then bring the verifier.
	codeChallenge, challengeMethod string
	authTime, expires              time.Time
}

// authStore holds tokens and codes; it has its own lock so that sign-ins
// never wait for a Generate.
type authStore struct {
	mu     sync.Mutex
	tokens map[string]session
	codes  map[string]authCode
}

func (a *authStore) init() {
	a.tokens = map[string]session{}
	a.codes = map[string]authCode{}
}

// randomString returns n random bytes, base64url-encoded: tokens must not be
// guessable even in a sandbox, since its address may be shared.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomAlnum returns n random upper-case letters and digits, for ids that
// must look like Salesforce's.
func randomAlnum(n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// newToken issues an access token. Like Salesforce's, it starts with the
// 15-character org id and "!", but nothing relies on that.
func (s *Sandbox) newToken(o *org, u *sfUser) (string, time.Time) {
	tok := o.id[:15] + "!" + randomString(40)
	now := s.now()
	s.auth.mu.Lock()
	s.auth.tokens[tok] = session{orgID: o.id, userID: u.ID, issued: now}
	s.auth.mu.Unlock()
	return tok, now
}

// authorize checks the request's bearer token against org o and returns
// the user it acts as; it writes the 401 itself.
func (s *Sandbox) authorize(w http.ResponseWriter, r *http.Request, o *org) (*sfUser, bool) {
	tok := bearerToken(r)
	s.auth.mu.Lock()
	sess, ok := s.auth.tokens[tok]
	s.auth.mu.Unlock()
	var u *sfUser
	if ok && sess.orgID == o.id {
		s.mu.RLock()
		u = o.userByID(sess.userID)
		s.mu.RUnlock()
	}
	if u == nil {
		// A token of another org is as invalid here as a made-up one.
		sfError(w, http.StatusUnauthorized, errInvalidSession, "Session expired or invalid")
		return nil, false
	}
	return u, true
}

func (s *Sandbox) sfToken(w http.ResponseWriter, r *http.Request, o *org) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusBadRequest, "invalid_request", "must use HTTP POST")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	clientID, secret, basic := r.BasicAuth()
	if !basic {
		clientID, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	var user *sfUser
	var code *authCode // of the authorization_code grant
	scope := "api"
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "client_credentials":
		if clientID == "" || secret == "" {
			oauthError(w, http.StatusBadRequest, "invalid_client", "invalid client credentials")
			return
		}
		s.mu.RLock()
		user = o.integration
		s.mu.RUnlock()
	case "authorization_code":
		key := r.PostForm.Get("code")
		s.auth.mu.Lock()
		c, ok := s.auth.codes[key]
		delete(s.auth.codes, key) // single use, whatever the outcome
		s.auth.mu.Unlock()
		switch {
		case !ok || c.orgID != o.id:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "invalid authorization code")
			return
		case s.now().After(c.expires):
			oauthError(w, http.StatusBadRequest, "invalid_grant", "expired authorization code")
			return
		case r.PostForm.Get("redirect_uri") != c.redirectURI:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri must match configuration")
			return
		case clientID != "" && c.clientID != "" && clientID != c.clientID:
			oauthError(w, http.StatusBadRequest, "invalid_client", "client identifier invalid")
			return
		case c.codeChallenge != "" && !pkceOK(c.codeChallenge, c.challengeMethod, r.PostForm.Get("code_verifier")):
			oauthError(w, http.StatusBadRequest, "invalid_grant", "invalid code verifier")
			return
		}
		s.mu.RLock()
		user = o.userByID(c.userID)
		s.mu.RUnlock()
		if user == nil || !user.IsActive {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "inactive user")
			return
		}
		code = &c
		scope = c.scope
	case "":
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant type not supported")
		return
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant type not supported: "+gt)
		return
	}

	tok, issued := s.newToken(o, user)
	s.mu.RLock()
	instance := o.instanceURL()
	s.mu.RUnlock()
	idURL := instance + "/id/" + o.id + "/" + user.ID
	issuedAt := strconv.FormatInt(issued.UnixMilli(), 10)
	// Salesforce signs id + issued_at with the client secret.
	key := secret
	if key == "" {
		key = "sfconnect-sandbox"
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(idURL + issuedAt))
	answer := map[string]string{
		"access_token": tok,
		"instance_url": instance,
		"id":           idURL,
		"token_type":   "Bearer",
		"issued_at":    issuedAt,
		"signature":    base64.StdEncoding.EncodeToString(mac.Sum(nil)),
		"scope":        scope,
	}
	if code != nil && hasScope(scope, "openid") {
		idToken, err := s.sfIDToken(o, user, code, tok, issued)
		if err != nil {
			s.log.Error("salesforce id token", zap.String("org", o.id), zap.Error(err))
			oauthError(w, http.StatusInternalServerError, "server_error", "could not sign the id token")
			return
		}
		answer["id_token"] = idToken
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, answer)
}

// sfIDToken is the OpenID Connect id token of a web server flow sign-in:
// issued by the org's instance URL, about the user's identity URL.
func (s *Sandbox) sfIDToken(o *org, u *sfUser, c *authCode, accessToken string, issued time.Time) (string, error) {
	claims := s.identity(o, u)
	for _, k := range []string{"urls", "active", "user_type"} {
		delete(claims, k) // userinfo's, not the id token's
	}
	s.mu.RLock()
	claims["iss"] = o.instanceURL()
	s.mu.RUnlock()
	claims["aud"] = c.clientID
	claims["iat"] = issued.Unix()
	claims["exp"] = issued.Add(idTokenTTL).Unix()
	claims["auth_time"] = c.authTime.Unix()
	claims["at_hash"] = accessTokenHash(accessToken)
	if c.nonce != "" {
		claims["nonce"] = c.nonce
	}
	return s.signIDToken(claims)
}

// identity is what userinfo and the identity URL say about a user.
func (s *Sandbox) identity(o *org, u *sfUser) map[string]any {
	s.mu.RLock()
	instance := o.instanceURL()
	s.mu.RUnlock()
	return map[string]any{
		"sub":                instance + "/id/" + o.id + "/" + u.ID,
		"user_id":            u.ID,
		"organization_id":    o.id,
		"preferred_username": u.Username,
		"nickname":           strings.SplitN(u.Username, "@", 2)[0],
		"name":               u.Name,
		"given_name":         u.FirstName,
		"family_name":        u.LastName,
		"email":              u.Email,
		"email_verified":     true,
		"active":             u.IsActive,
		"user_type":          "STANDARD",
		"zoneinfo":           "Europe/Paris",
		"locale":             "en_US",
		"urls": map[string]string{
			"rest":     instance + "/services/data/v{version}/",
			"query":    instance + "/services/data/v{version}/query/",
			"sobjects": instance + "/services/data/v{version}/sobjects/",
		},
	}
}

func (s *Sandbox) sfUserinfo(w http.ResponseWriter, r *http.Request, o *org) {
	u, ok := s.authorize(w, r, o)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.identity(o, u))
}

// sfIdentity serves the id URL of the token response: /id/<org>/<user>.
func (s *Sandbox) sfIdentity(w http.ResponseWriter, r *http.Request, o *org) {
	caller, ok := s.authorize(w, r, o)
	if !ok {
		return
	}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/id/"), "/"), "/")
	if len(parts) != 2 || parts[0] != o.id {
		sfError(w, http.StatusNotFound, errNotFound, msgNotFound)
		return
	}
	s.mu.RLock()
	u := o.userByID(parts[1])
	s.mu.RUnlock()
	if u == nil {
		sfError(w, http.StatusNotFound, errNotFound, msgNotFound)
		return
	}
	id := s.identity(o, u)
	id["id"] = id["sub"]
	id["asserted_user"] = u.ID == caller.ID
	id["username"] = u.Username
	id["display_name"] = u.Name
	writeJSON(w, http.StatusOK, id)
}

// sfRevoke forgets a token; like Salesforce it answers 200 even for an
// unknown one.
func (s *Sandbox) sfRevoke(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	tok := r.Form.Get("token")
	s.auth.mu.Lock()
	delete(s.auth.tokens, tok)
	s.auth.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}
