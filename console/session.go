package console

import (
	"net/http"
	"time"
)

// sessionTTL is how long a sign-in lasts. It is absolute: a session is not
// extended by use, so a stolen cookie dies on time.
const sessionTTL = 8 * time.Hour

const (
	sessionCookie  = "sfc_session"
	sessionPurpose = "session"
)

// SlackUser is who signed in with Slack.
type SlackUser struct {
	Team     string `json:"team"`
	TeamName string `json:"team_name,omitempty"`
	User     string `json:"user"`
	Name     string `json:"name,omitempty"`
}

// SalesforceUser is who signed in to one org.
type SalesforceUser struct {
	OrgID    string `json:"org_id"`
	OrgURL   string `json:"org_url"`
	OrgName  string `json:"org_name"`
	UserID   string `json:"user_id"`
	Username string `json:"username"`
	Name     string `json:"name,omitempty"`
}

// session is one browser's sign-ins: at most one Slack member, and one user
// per Salesforce org (an admin of several orgs signs in to each).
type session struct {
	Slack      *SlackUser                `json:"slack,omitempty"`
	Salesforce map[string]SalesforceUser `json:"salesforce,omitempty"` // by org id
	Started    time.Time                 `json:"started"`
}

func (s *Server) session(r *http.Request) session {
	sess, _ := readCookie[session](s.cookies, r, sessionCookie, sessionPurpose)
	return sess
}

// saveSession writes sess, keeping the expiry of the sign-in that started it.
func (s *Server) saveSession(w http.ResponseWriter, sess session) error {
	now := s.now()
	if sess.Started.IsZero() || now.Sub(sess.Started) > sessionTTL {
		sess.Started = now
	}
	return s.cookies.set(w, sessionCookie, sessionPurpose, sess, sessionTTL-now.Sub(sess.Started))
}
