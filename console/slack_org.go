package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/workflows"
)

// orgView is one org of the workspace: its details, Activate while it
// waits for it, and the tabs Users and Connection & authentication.
type orgView struct {
	User   *SlackUser
	C      workflows.Connection
	Tab    string
	Error  string
	Notice string
	// Users tab.
	Query  string
	Found  *activities.SearchResult
	Counts map[string]int // mappings by state
	Link   string
	// Connection & authentication tab.
	Objects []string
}

// connection reads the org of the path, in the signed-in member's own
// workspace only: another workspace's session finds nothing here.
func (s *Server) connection(w http.ResponseWriter, r *http.Request, u *SlackUser) (workflows.Connection, bool) {
	orgID := r.PathValue("org")
	if !model.IsOrgID(orgID) {
		s.failText(w, r, http.StatusNotFound, "No such org", "Go back to Manage Salesforce organizations.")
		return workflows.Connection{}, false
	}
	c, err := s.opts.Client.Status(r.Context(), u.Team, orgID)
	if errors.Is(err, sfclient.ErrConnectionNotFound) {
		s.failText(w, r, http.StatusNotFound, "No such org in this workspace", "It may have been disconnected: go back to Manage Salesforce organizations.")
		return c, false
	}
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "The org cannot be read right now", err)
		return c, false
	}
	return c, true
}

func (s *Server) orgPage(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	c, ok := s.connection(w, r, u)
	if !ok {
		return
	}
	view := orgView{User: u, C: c, Tab: r.URL.Query().Get("tab"), Notice: notices[r.URL.Query().Get("notice")]}
	if view.Tab != "auth" {
		view.Tab = "users"
	}
	if c.State.Live() && c.IntegrationUser != "" {
		s.fillTab(r, u, &view)
	}
	s.render(w, r, http.StatusOK, "org", view)
}

// fillTab reads what the tab shows; a refusal (a member without the role)
// is shown on the tab, not as a failed page.
func (s *Server) fillTab(r *http.Request, u *SlackUser, view *orgView) {
	ctx := r.Context()
	wf := workflows.ConnectionWorkflowID(u.Team, view.C.OrgID)
	switch view.Tab {
	case "users":
		view.Query = strings.TrimSpace(r.URL.Query().Get("q"))
		view.Link = s.url(LinkPath(u.Team, view.C.OrgID))
		view.Counts = s.counts(r, view.C.ID)
		if view.Query == "" {
			return
		}
		caller, err := s.slackCaller(u, wf, workflows.UpdateSearch)
		if err != nil {
			view.Error = err.Error()
			return
		}
		var found activities.SearchResult
		if err := s.opts.Client.ConnectionUpdate(ctx, u.Team, view.C.OrgID, workflows.UpdateSearch, workflows.SearchRequest{Query: view.Query, Caller: caller}, &found); err != nil {
			view.Error = sfclient.Describe(err)
			return
		}
		view.Found = &found
	case "auth":
		caller, err := s.slackCaller(u, wf, workflows.UpdateObjects)
		if err != nil {
			view.Error = err.Error()
			return
		}
		var objs activities.ObjectsResult
		if err := s.opts.Client.ConnectionUpdate(ctx, u.Team, view.C.OrgID, workflows.UpdateObjects, workflows.ObjectsRequest{Caller: caller}, &objs); err != nil {
			view.Error = sfclient.Describe(err)
			return
		}
		view.Objects = objs.Objects
	}
}

// step sends one Slack-side step of the org of the path, then goes back to
// the org's page with a notice, or shows the refusal there.
func (s *Server) step(w http.ResponseWriter, r *http.Request, u *SlackUser, name string, payload func(workflows.Caller) any, tab, notice string) {
	c, ok := s.connection(w, r, u)
	if !ok {
		return
	}
	caller, err := s.slackCaller(u, workflows.ConnectionWorkflowID(u.Team, c.OrgID), name)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The step could not be sent", err)
		return
	}
	if err := s.opts.Client.ConnectionUpdate(r.Context(), u.Team, c.OrgID, name, payload(caller), nil); err != nil {
		view := orgView{User: u, C: c, Tab: tab, Error: sfclient.Describe(err)}
		if view.Tab == "" {
			view.Tab = "users"
		}
		if fresh, err := s.opts.Client.Status(r.Context(), u.Team, c.OrgID); err == nil {
			view.C = fresh
		}
		s.render(w, r, http.StatusUnprocessableEntity, "org", view)
		return
	}
	to := "/slack/orgs/" + c.OrgID + "?notice=" + notice
	if tab != "" {
		to += "&tab=" + tab
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// activate is Step 3.
func (s *Server) activate(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	s.step(w, r, u, workflows.UpdateActivate, func(c workflows.Caller) any { return workflows.ActivateRequest{Caller: c} }, "", "activated")
}

func (s *Server) banner(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	on := r.PostFormValue("on") == "true"
	notice := map[bool]string{true: "banner-on", false: "banner-off"}[on]
	s.step(w, r, u, workflows.UpdateBanner, func(c workflows.Caller) any { return workflows.BannerRequest{On: on, Caller: c} }, "auth", notice)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	orgURL := strings.TrimSpace(r.PostFormValue("org_url"))
	s.step(w, r, u, workflows.UpdateUpdate, func(c workflows.Caller) any { return workflows.ConnectionUpdate{OrgURL: orgURL, Caller: c} }, "auth", "updated")
}

func (s *Server) addObjects(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	objects := strings.FieldsFunc(r.PostFormValue("objects"), func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t' })
	s.step(w, r, u, workflows.UpdateObjects, func(c workflows.Caller) any { return workflows.ObjectsRequest{Add: objects, Caller: c} }, "auth", "objects")
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	member, sfUser := strings.TrimSpace(r.PostFormValue("member")), strings.TrimSpace(r.PostFormValue("salesforce_user"))
	s.step(w, r, u, workflows.UpdateAddMember, func(c workflows.Caller) any {
		return workflows.AddMemberRequest{Member: member, SalesforceUser: sfUser, Caller: c}
	}, "users", "added")
}

func (s *Server) autoMap(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	s.step(w, r, u, workflows.UpdateAutoMap, func(c workflows.Caller) any { return workflows.AutoMapRequest{Caller: c} }, "users", "automap")
}

// counts are a connection's mappings by state, for the pages; nil when
// the store cannot say (the page then leaves them out).
func (s *Server) counts(r *http.Request, connectionID string) map[string]int {
	byState, err := s.opts.Client.CountMappings(r.Context(), connectionID)
	if err != nil {
		s.log.Warn("count mappings", errField(err))
		return nil
	}
	out := make(map[string]int, len(byState))
	for state, n := range byState {
		out[string(state)] = n
	}
	return out
}

// disconnectView is the review before a disconnect: what goes.
type disconnectView struct {
	User   *SlackUser
	C      workflows.Connection
	Counts map[string]int // mappings by state
	Error  string
}

func (s *Server) disconnectReview(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	c, ok := s.connection(w, r, u)
	if !ok {
		return
	}
	view := disconnectView{User: u, C: c}
	view.Counts = s.counts(r, c.ID)
	s.render(w, r, http.StatusOK, "disconnect", view)
}

func (s *Server) disconnect(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	c, ok := s.connection(w, r, u)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != c.OrgName {
		s.render(w, r, http.StatusUnprocessableEntity, "disconnect", disconnectView{User: u, C: c, Error: "Type the org's My Domain name (" + c.OrgName + ") to confirm."})
		return
	}
	caller, err := s.slackCaller(u, workflows.ConnectionWorkflowID(u.Team, c.OrgID), workflows.UpdateDisconnect)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The step could not be sent", err)
		return
	}
	if err := s.opts.Client.ConnectionUpdate(r.Context(), u.Team, c.OrgID, workflows.UpdateDisconnect, workflows.DisconnectRequest{Caller: caller}, nil); err != nil {
		s.render(w, r, http.StatusUnprocessableEntity, "disconnect", disconnectView{User: u, C: c, Error: sfclient.Describe(err)})
		return
	}
	http.Redirect(w, r, "/slack/orgs?notice=disconnected", http.StatusSeeOther)
}
