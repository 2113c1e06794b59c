package console

import (
	"net/http"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/orgurl"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/workflows"
)

// LinkPath is the address of a member's invitation (model.MemberLinkPath).
func LinkPath(team, orgID string) string { return model.MemberLinkPath(team, orgID) }

type memberView struct {
	Team, OrgID string
	Connection  workflows.Connection
	Member      *SlackUser
	Mapping     *activities.MemberMapping
}

// memberPage is where an invitation's link lands. The member signs in with
// Slack first (of the invitation's workspace), then sees which org they are
// about to link to.
func (s *Server) memberPage(w http.ResponseWriter, r *http.Request) {
	team, orgID := r.PathValue("team"), r.PathValue("org")
	if !model.IsTeamID(team) || !model.IsOrgID(orgID) {
		s.failText(w, r, http.StatusNotFound, "This link is not valid", "Ask your workspace's admin for a new invitation.")
		return
	}
	sess := s.session(r)
	if sess.Slack == nil || sess.Slack.Team != team {
		s.startSlackSignIn(w, r, newFlow(flowSlack, LinkPath(team, orgID)), team)
		return
	}
	c, err := s.opts.Client.Status(r.Context(), team, orgID)
	if err != nil {
		s.failText(w, r, http.StatusNotFound, "This connection is not available", sfclient.Describe(err))
		return
	}
	s.render(w, r, http.StatusOK, "member", memberView{Team: team, OrgID: orgID, Connection: c, Member: sess.Slack})
}

// memberStart asks the connection for the member's sign-in (the workflow
// checks they are invited or may map themselves) and sends them to the
// org's Salesforce sign-in.
func (s *Server) memberStart(w http.ResponseWriter, r *http.Request) {
	team, orgID := r.PathValue("team"), r.PathValue("org")
	sess := s.session(r)
	if sess.Slack == nil || sess.Slack.Team != team {
		s.failText(w, r, http.StatusUnauthorized, "Sign in with Slack first", "Open your invitation's link again.")
		return
	}
	wf := workflows.ConnectionWorkflowID(team, orgID)
	caller, err := s.slackCaller(sess.Slack, wf, workflows.UpdateStartSignIn)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The sign-in could not start", err)
		return
	}
	var ch workflows.SignInChallenge
	err = s.opts.Client.ConnectionUpdate(r.Context(), team, orgID, workflows.UpdateStartSignIn, workflows.StartSignInRequest{
		Member: sess.Slack.User, Caller: caller, RedirectURI: s.url(SalesforceCallbackPath),
	}, &ch)
	if err != nil {
		s.failText(w, r, http.StatusForbidden, "Your account cannot be linked", sfclient.Describe(err))
		return
	}
	if _, err := orgurl.Parse(ch.AuthorizeURL); err != nil {
		// The workflow names the org's own My Domain; anything else is
		// not a place to send a member.
		s.fail(w, r, http.StatusBadGateway, "The org's sign-in address is not Salesforce's", err)
		return
	}
	to, err := s.opts.SalesforceBrowserURL(ch.AuthorizeURL)
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "The org's sign-in address is not valid", err)
		return
	}
	f := flow{Kind: flowMember, State: ch.State, Team: team, OrgID: orgID, Member: sess.Slack.User}
	s.beginSignIn(w, r, f, to, http.StatusSeeOther)
}

// memberCallback completes the mapping: the workflow trades the code for
// the member's token and checks the org and the invited user.
func (s *Server) memberCallback(w http.ResponseWriter, r *http.Request, f flow) {
	sess := s.session(r)
	if sess.Slack == nil || sess.Slack.Team != f.Team || sess.Slack.User != f.Member {
		s.failText(w, r, http.StatusUnauthorized, "Sign in with Slack first", "Open your invitation's link again.")
		return
	}
	wf := workflows.ConnectionWorkflowID(f.Team, f.OrgID)
	caller, err := s.slackCaller(sess.Slack, wf, workflows.UpdateCompleteSignIn)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The sign-in could not complete", err)
		return
	}
	var m activities.MemberMapping
	err = s.opts.Client.ConnectionUpdate(r.Context(), f.Team, f.OrgID, workflows.UpdateCompleteSignIn, workflows.CompleteSignInRequest{
		Member: f.Member, Code: r.URL.Query().Get("code"), State: f.State, Caller: caller,
	}, &m)
	if err != nil {
		s.failText(w, r, http.StatusForbidden, "Your account was not linked", sfclient.Describe(err))
		return
	}
	c, _ := s.opts.Client.Status(r.Context(), f.Team, f.OrgID)
	s.render(w, r, http.StatusOK, "member", memberView{Team: f.Team, OrgID: f.OrgID, Connection: c, Member: sess.Slack, Mapping: &m})
}
