package console

import (
	"net/http"
	"sort"
	"strings"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/workflows"
)

// MatchingFields are the fields a Salesforce admin may match Slack accounts
// on, in Step 2.
var MatchingFields = []string{"Email", "FederationIdentifier", "Username"}

// connectionsView is "Manage Slack connections": the org's connections
// with the workspaces, the pending requests first.
type connectionsView struct {
	SF          SalesforceUser
	Connections []workflows.Connection
	Fields      []string
	Error       string
	Notice      string
	// User mapping search, in one connection.
	Team  string
	Query string
	Found *activities.SearchResult
}

func (s *Server) connectionsPage(w http.ResponseWriter, r *http.Request, u SalesforceUser) {
	view := connectionsView{SF: u, Notice: notices[r.URL.Query().Get("notice")], Team: r.URL.Query().Get("team"), Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	s.renderConnections(w, r, u, http.StatusOK, view)
}

func (s *Server) renderConnections(w http.ResponseWriter, r *http.Request, u SalesforceUser, status int, view connectionsView) {
	view.SF, view.Fields = u, MatchingFields
	rows, err := s.opts.Client.List(r.Context(), sfclient.Filter{OrgID: u.OrgID, Running: true})
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "The org's connections cannot be read right now", err)
		return
	}
	for _, row := range rows {
		c, err := s.opts.Client.Status(r.Context(), row.Workspace, u.OrgID)
		if err == nil && c.State.Live() {
			view.Connections = append(view.Connections, c)
		}
	}
	sort.SliceStable(view.Connections, func(i, j int) bool {
		pi, pj := view.Connections[i].State == model.StatePendingApproval, view.Connections[j].State == model.StatePendingApproval
		if pi != pj {
			return pi
		}
		return view.Connections[i].Workspace < view.Connections[j].Workspace
	})
	if view.Query != "" && model.IsTeamID(view.Team) && view.Found == nil && view.Error == "" {
		caller, err := s.salesforceCaller(u, workflows.ConnectionWorkflowID(view.Team, u.OrgID), workflows.UpdateSearch)
		if err == nil {
			var found activities.SearchResult
			err = s.opts.Client.ConnectionUpdate(r.Context(), view.Team, u.OrgID, workflows.UpdateSearch, workflows.SearchRequest{Query: view.Query, Caller: caller}, &found)
			view.Found = &found
		}
		if err != nil {
			view.Found, view.Error = nil, sfclient.Describe(err)
		}
	}
	s.render(w, r, status, "connections", view)
}

// sfStep sends one Salesforce-side step to the connection of the form's
// workspace and this org.
func (s *Server) sfStep(w http.ResponseWriter, r *http.Request, u SalesforceUser, name string, payload func(workflows.Caller) any, notice string) {
	team := r.PostFormValue("team")
	if !model.IsTeamID(team) {
		s.renderConnections(w, r, u, http.StatusUnprocessableEntity, connectionsView{Error: "Choose a connection first."})
		return
	}
	caller, err := s.salesforceCaller(u, workflows.ConnectionWorkflowID(team, u.OrgID), name)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The step could not be sent", err)
		return
	}
	if err := s.opts.Client.ConnectionUpdate(r.Context(), team, u.OrgID, name, payload(caller), nil); err != nil {
		s.renderConnections(w, r, u, http.StatusUnprocessableEntity, connectionsView{Error: sfclient.Describe(err), Team: team})
		return
	}
	http.Redirect(w, r, "/salesforce/"+u.OrgID+"?notice="+notice, http.StatusSeeOther)
}

// approve is Step 2: the matching field, and the terms accepted.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, u SalesforceUser) {
	field, accept := r.PostFormValue("matching_field"), r.PostFormValue("accept_terms") == "on"
	s.sfStep(w, r, u, workflows.UpdateApprove, func(c workflows.Caller) any {
		return workflows.ApproveRequest{MatchingField: field, AcceptTerms: accept, Caller: c}
	}, "approved")
}

func (s *Server) reject(w http.ResponseWriter, r *http.Request, u SalesforceUser) {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	s.sfStep(w, r, u, workflows.UpdateReject, func(c workflows.Caller) any { return workflows.RejectRequest{Reason: reason, Caller: c} }, "rejected")
}

// clearMember is "Clear user mapping".
func (s *Server) clearMember(w http.ResponseWriter, r *http.Request, u SalesforceUser) {
	member := strings.TrimSpace(r.PostFormValue("member"))
	s.sfStep(w, r, u, workflows.UpdateClearMember, func(c workflows.Caller) any { return workflows.ClearMemberRequest{Member: member, Caller: c} }, "cleared")
}
