package console

import (
	"github.com/sfconnect/sfconnect/model"

	"net/http"
	"net/url"

	"golang.org/x/oauth2"
)

// slackScopes are Sign in with Slack's: who the member is and their email.
var slackScopes = []string{"openid", "email", "profile"}

func (s *Server) slackProvider(r *http.Request) (*provider, error) {
	app := s.opts.Slack
	return s.provider(r.Context(), app.Issuer, app.ClientID, app.ClientSecret, SlackCallbackPath, slackScopes)
}

// slackLogin sends the browser to Sign in with Slack; ?team= asks Slack for
// that workspace, as an invitation's link does.
func (s *Server) slackLogin(w http.ResponseWriter, r *http.Request) {
	s.startSlackSignIn(w, r, newFlow(flowSlack, safeNext(r.URL.Query().Get("next"))), r.URL.Query().Get("team"))
}

func (s *Server) startSlackSignIn(w http.ResponseWriter, r *http.Request, f flow, team string) {
	p, err := s.slackProvider(r)
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "Slack's sign-in cannot be reached right now", err)
		return
	}
	var extra []oauth2.AuthCodeOption
	if model.IsTeamID(team) || model.IsEnterpriseID(team) {
		extra = append(extra, oauth2.SetAuthURLParam("team", team))
	}
	to := authorizeURL(p, f, extra...)
	s.beginSignIn(w, r, f, to, http.StatusFound)
}

// slackClaims are the claims of Slack's id token that the console reads.
type slackClaims struct {
	User     string `json:"https://slack.com/user_id"`
	Team     string `json:"https://slack.com/team_id"`
	TeamName string `json:"https://slack.com/team_name"`
	Name     string `json:"name"`
}

func (s *Server) slackCallback(w http.ResponseWriter, r *http.Request) {
	f, err := s.takeFlow(w, r, flowSlack)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "Sign in with Slack did not complete", err)
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		s.failText(w, r, http.StatusForbidden, "Sign in with Slack did not complete", "Slack answered "+e+". Sign in again when you are ready.")
		return
	}
	p, err := s.slackProvider(r)
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "Slack's sign-in cannot be reached right now", err)
		return
	}
	_, idt, err := s.exchange(r, p, f)
	if err != nil {
		s.fail(w, r, http.StatusForbidden, "Sign in with Slack was refused", err)
		return
	}
	var c slackClaims
	if err := idt.Claims(&c); err != nil || c.User == "" || c.Team == "" {
		s.failText(w, r, http.StatusForbidden, "Sign in with Slack was refused", "Slack's answer does not name a member and a workspace.")
		return
	}
	sess := s.session(r)
	sess.Slack = &SlackUser{Team: c.Team, TeamName: c.TeamName, User: c.User, Name: c.Name}
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
		next = "/slack/orgs"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// slackOnly serves h to a browser signed in with Slack, and sends any other
// to Slack's sign-in, to come back here.
func (s *Server) slackOnly(h func(http.ResponseWriter, *http.Request, *SlackUser)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := s.session(r)
		if sess.Slack == nil {
			if r.Method != http.MethodGet {
				s.failText(w, r, http.StatusUnauthorized, "Your sign-in has ended", "Sign in with Slack again, then repeat what you were doing.")
				return
			}
			http.Redirect(w, r, "/auth/slack/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
			return
		}
		h(w, r, sess.Slack)
	}
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	s.cookies.clear(w, sessionCookie)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
