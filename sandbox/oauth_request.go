package sandbox

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// What the two sign-ins share: the authorization request as the page
// receives it (the GET's query, then the form's hidden fields), its first
// check, and the redirect back to the client.

// codeTTL is how long an authorization code may be exchanged, on Slack as on
// Salesforce.
const codeTTL = 10 * time.Minute

// idTokenTTL is how long an id token is valid after it is issued.
const idTokenTTL = time.Hour

// maxCodes bounds each store of unexchanged codes: past it, expired ones are
// forgotten, so that a client that never exchanges cannot grow it forever.
const maxCodes = 10000

// signInCrossOrigin refuses a sign-in form that a browser posts from
// another origin (Sec-Fetch-Site, else Origin against Host); clients that
// are no browser send neither header and pass.
var signInCrossOrigin = http.NewCrossOriginProtection()

// authRequest is one authorization request.
type authRequest struct {
	// params holds the request's parameters that the form carries along
	// in hidden fields, so that the POST is the same request.
	params   url.Values
	redirect *url.URL
}

func (a *authRequest) get(k string) string { return a.params.Get(k) }

// hiddenFields lists the carried parameters in a fixed order, for the form.
func (a *authRequest) hiddenFields(order []string) []hiddenField {
	var out []hiddenField
	for _, k := range order {
		if v := a.params.Get(k); v != "" {
			out = append(out, hiddenField{Name: k, Value: v})
		}
	}
	return out
}

// parseAuthRequest reads the parameters named in carried (from the query of
// a GET, from the form of a POST) and checks redirect_uri first: without a
// usable one there is nowhere to send an error, so it answers the error page
// itself (400) and returns false, as both Slack and Salesforce do.
func parseAuthRequest(w http.ResponseWriter, r *http.Request, carried []string, errTitle string) (*authRequest, bool) {
	if r.Method == http.MethodPost {
		if err := signInCrossOrigin.Check(r); err != nil {
			// Another site's page posting the form: a login CSRF.
			renderErrorPage(w, http.StatusForbidden, errTitle, "This sign-in form was sent from another site.")
			return nil, false
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		renderErrorPage(w, http.StatusBadRequest, errTitle, "The sign-in request could not be read.")
		return nil, false
	}
	a := &authRequest{params: url.Values{}}
	for _, k := range carried {
		if v := strings.TrimSpace(r.Form.Get(k)); v != "" {
			a.params.Set(k, v)
		}
	}
	raw := a.get("redirect_uri")
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		renderErrorPage(w, http.StatusBadRequest, errTitle, "The sign-in request has no redirect_uri: the app that sent you here is misconfigured.")
		return nil, false
	case err != nil || !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "":
		renderErrorPage(w, http.StatusBadRequest, errTitle, "The redirect_uri "+raw+" is not an absolute http(s) URL: the app that sent you here is misconfigured.")
		return nil, false
	}
	a.redirect = u
	return a, true
}

// back redirects (302) to the client's redirect_uri with kv added to its
// query, and the request's state.
func (a *authRequest) back(w http.ResponseWriter, r *http.Request, kv ...string) {
	q := a.redirect.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	if st := a.get("state"); st != "" {
		q.Set("state", st)
	}
	u := *a.redirect
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// hasScope reports whether the space-separated scope list holds want.
func hasScope(scope, want string) bool {
	for _, s := range strings.Fields(scope) {
		if s == want {
			return true
		}
	}
	return false
}

// passwordOK compares in constant time, as a real sign-in would.
func passwordOK(got string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(DemoPassword)) == 1
}

// pkceOK checks a code_verifier against the challenge of the authorization
// request (RFC 7636): S256 compares base64url(SHA-256(verifier)), plain the
// verifier itself.
func pkceOK(challenge, method, verifier string) bool {
	if verifier == "" {
		return false
	}
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}
