package console

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/sfconnect/sfconnect/identity"
)

// `starter login` signs an operator in through the same pages as anyone,
// and ends at the CLI's loopback address (RFC 8252, as `gh auth login`
// does): the browser brings back a one-time code, and the CLI trades it,
// with its PKCE verifier, for a login token the worker accepts.

// LoginTokenTTL is how long a `starter login` lasts.
const LoginTokenTTL = 12 * time.Hour

// cliCodeTTL is how long the CLI has to trade its code.
const cliCodeTTL = 2 * time.Minute

const cliCodePurpose = "cli-code"

// cliRequest is what `starter login` asked for.
type cliRequest struct {
	RedirectURI string `json:"redirect_uri"`
	State       string `json:"state"`
	Challenge   string `json:"challenge"`
	Side        string `json:"side"`
}

// cliCode is the one-time code's content: who signed in, for that CLI.
type cliCode struct {
	Claims      identity.Claims `json:"claims"`
	Username    string          `json:"username,omitempty"`
	OrgURL      string          `json:"org_url,omitempty"`
	Challenge   string          `json:"challenge"`
	RedirectURI string          `json:"redirect_uri"`
}

// loopbackRedirect accepts only http://127.0.0.1:PORT/… (or localhost,
// [::1]): the CLI's own listener, never another site.
func loopbackRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Port() == "" {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) cliLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req := &cliRequest{RedirectURI: q.Get("redirect_uri"), State: q.Get("state"), Challenge: q.Get("code_challenge"), Side: q.Get("side")}
	switch {
	case !loopbackRedirect(req.RedirectURI):
		s.failText(w, r, http.StatusBadRequest, "This sign-in link is not valid", "`starter login` listens on a loopback address (http://127.0.0.1:PORT/); run it again.")
		return
	case req.State == "" || req.Challenge == "" || q.Get("code_challenge_method") != "S256":
		s.failText(w, r, http.StatusBadRequest, "This sign-in link is not valid", "It lacks its state or PKCE challenge; run `starter login` again.")
		return
	}
	switch req.Side {
	case string(identity.SideSlack):
		f := newFlow(flowSlack, "/")
		f.CLI = req
		s.startSlackSignIn(w, r, f, q.Get("team"))
	case string(identity.SideSalesforce):
		md, err := parseOrg(q.Get("org"))
		if err != nil {
			s.failText(w, r, http.StatusBadRequest, "Which org?", err.Error()+": run `starter login salesforce --org ORG`.")
			return
		}
		f := newFlow(flowSalesforce, "/")
		f.OrgURL, f.CLI = md.URL(), req
		s.startSalesforceSignIn(w, r, f, md)
	default:
		s.failText(w, r, http.StatusBadRequest, "This sign-in link is not valid", "Run `starter login slack` or `starter login salesforce --org ORG`.")
	}
}

// finishCLI ends a `starter login`: back to the CLI's listener with a
// one-time code.
func (s *Server) finishCLI(w http.ResponseWriter, r *http.Request, f flow, sess session) {
	var c identity.Claims
	var username, orgURL string
	switch {
	case f.Kind == flowSlack && sess.Slack != nil:
		c = identity.Claims{Side: identity.SideSlack, Subject: sess.Slack.User, Team: sess.Slack.Team, Name: sess.Slack.Name}
	case f.Kind == flowSalesforce:
		md, err := parseOrg(f.OrgURL)
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, "The sign-in did not complete", err)
			return
		}
		for _, u := range sess.Salesforce {
			if u.OrgURL == md.URL() {
				c = identity.Claims{Side: identity.SideSalesforce, Subject: u.UserID, Org: u.OrgID, Name: u.Name}
				username, orgURL = u.Username, u.OrgURL
			}
		}
	}
	if c.Subject == "" {
		s.failText(w, r, http.StatusForbidden, "The sign-in did not complete", "Run `starter login` again.")
		return
	}
	code, err := s.cookies.sealer.seal(cliCodePurpose, cliCode{Claims: c, Username: username, OrgURL: orgURL, Challenge: f.CLI.Challenge, RedirectURI: f.CLI.RedirectURI}, s.now().Add(cliCodeTTL))
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The sign-in could not complete", err)
		return
	}
	back, _ := url.Parse(f.CLI.RedirectURI)
	v := back.Query()
	v.Set("code", code)
	v.Set("state", f.CLI.State)
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// LoginResponse is what `starter login` receives for its code.
type LoginResponse struct {
	Token    string    `json:"token"`
	Side     string    `json:"side"`
	Subject  string    `json:"subject"`
	Team     string    `json:"team,omitempty"`
	Org      string    `json:"org,omitempty"`
	OrgURL   string    `json:"org_url,omitempty"`
	Username string    `json:"username,omitempty"`
	Name     string    `json:"name,omitempty"`
	Expires  time.Time `json:"expires"`
}

// cliToken trades a one-time code and its PKCE verifier for a login token.
func (s *Server) cliToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	refuse := func(status int, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
	}
	code, err := open[cliCode](s.cookies.sealer, cliCodePurpose, r.PostFormValue("code"), s.now())
	if err != nil {
		refuse(http.StatusBadRequest, "the code is not valid or has expired: run `starter login` again")
		return
	}
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(code.Challenge)) != 1 ||
		r.PostFormValue("redirect_uri") != code.RedirectURI {
		refuse(http.StatusBadRequest, "the code was issued to another `starter login` (PKCE verifier mismatch)")
		return
	}
	tok, err := s.opts.Signer.LoginToken(code.Claims, LoginTokenTTL)
	if err != nil {
		refuse(http.StatusInternalServerError, "the login token could not be signed")
		return
	}
	c := code.Claims
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(LoginResponse{
		Token: tok, Side: string(c.Side), Subject: c.Subject, Team: c.Team, Org: c.Org, OrgURL: code.OrgURL, Username: code.Username, Name: c.Name,
		Expires: s.now().Add(LoginTokenTTL),
	})
}
