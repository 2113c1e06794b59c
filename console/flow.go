package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// flowTTL is how long a sign-in may take, from the console's redirect to
// the provider's callback.
const flowTTL = 10 * time.Minute

const (
	flowCookie  = "sfc_flow"
	flowPurpose = "flow"
)

// flowKind says what a sign-in in progress is for, so that one Salesforce
// callback serves both the admins' sign-in and the members' mapping.
type flowKind string

const (
	flowSlack      flowKind = "slack"      // Sign in with Slack
	flowSalesforce flowKind = "salesforce" // an admin signs in to an org
	flowMember     flowKind = "member"     // a member maps their account
)

// flow is a sign-in in progress, kept in its own short-lived cookie: the
// state, nonce and PKCE verifier the callback must match, and where to go
// afterwards.
type flow struct {
	Kind     flowKind `json:"kind"`
	State    string   `json:"state"`
	Nonce    string   `json:"nonce,omitempty"`
	Verifier string   `json:"verifier,omitempty"`
	// Next is the console path to return to (checked by safeNext).
	Next string `json:"next,omitempty"`
	// Salesforce sign-ins: the org's My Domain URL.
	OrgURL string `json:"org_url,omitempty"`
	// Member sign-ins: the connection and the member.
	Team   string `json:"team,omitempty"`
	OrgID  string `json:"org_id,omitempty"`
	Member string `json:"member,omitempty"`
	// CLI sign-ins: the loopback address and PKCE challenge of `starter login`.
	CLI *cliRequest `json:"cli,omitempty"`
}

// newFlow starts a flow with fresh random state, nonce and verifier.
func newFlow(kind flowKind, next string) flow {
	return flow{Kind: kind, State: oauth2.GenerateVerifier(), Nonce: oauth2.GenerateVerifier(), Verifier: oauth2.GenerateVerifier(), Next: next}
}

func (s *Server) saveFlow(w http.ResponseWriter, f flow) error {
	return s.cookies.set(w, flowCookie, flowPurpose, f, flowTTL)
}

// beginSignIn keeps f in its cookie and sends the browser to the
// provider's sign-in page at to; status is 302 after a GET, 303 after a
// POST.
func (s *Server) beginSignIn(w http.ResponseWriter, r *http.Request, f flow, to string, status int) {
	if err := s.saveFlow(w, f); err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The sign-in could not start", err)
		return
	}
	http.Redirect(w, r, to, status)
}

var (
	errNoFlow      = errors.New("this sign-in was not started here, or took longer than 10 minutes: start it again")
	errStateDiffer = errors.New("this sign-in answer does not belong to the sign-in in progress (state mismatch): start it again")
)

// takeFlow reads and ends the flow a callback answers: the cookie must be
// there, of the expected kind, and its state equal the callback's. A
// callback nobody started here (a forged or replayed link) fails.
func (s *Server) takeFlow(w http.ResponseWriter, r *http.Request, kinds ...flowKind) (flow, error) {
	f, ok := readCookie[flow](s.cookies, r, flowCookie, flowPurpose)
	if !ok {
		return f, errNoFlow
	}
	kindOK := false
	for _, k := range kinds {
		kindOK = kindOK || f.Kind == k
	}
	state := r.URL.Query().Get("state")
	if !kindOK || state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(f.State)) != 1 {
		return f, errStateDiffer
	}
	s.cookies.clear(w, flowCookie)
	return f, nil
}
