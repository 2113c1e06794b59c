package console

import (
	"net/http"
	"sort"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/workflows"
)

// connectForm is Step 1's form, kept to show it again with its refusal.
type connectForm struct {
	OrgURL       string
	MappingField string
	AutoMap      bool
}

type orgsView struct {
	User   *SlackUser
	Orgs   []orgRow
	Form   connectForm
	Error  string
	Notice string
}

// notices are the messages a redirect may ask a page to show: by key, so
// that no one can make the console display a text of their choosing.
var notices = map[string]string{
	"requested":    "Request sent. A Salesforce system administrator of the org must now approve it.",
	"activated":    "Connection activated.",
	"disconnected": "The org was disconnected.",
	"banner-on":    "The login banner is on.",
	"banner-off":   "The login banner is off.",
	"updated":      "The connection is up to date.",
	"added":        "Member added: they are invited to sign in to Salesforce.",
	"automap":      "Automatic mapping started.",
	"objects":      "Object types added to the integration user's permission set.",
	"approved":     "Request approved. A Slack owner must now activate the connection.",
	"rejected":     "Request rejected.",
	"cleared":      "Mapping cleared. The member may map their account again.",
	"job-approved": "Preview approved: the rows are being applied.",
	"job-cancel":   "Job cancelled. The rows already done stay done.",
}

// orgsPage is "Manage Salesforce organizations": the workspace's orgs with
// their states and what each waits for, and Step 1's form.
func (s *Server) orgsPage(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	s.renderOrgs(w, r, u, http.StatusOK, connectForm{MappingField: string(model.MappingEmail), AutoMap: true}, "")
}

func (s *Server) renderOrgs(w http.ResponseWriter, r *http.Request, u *SlackUser, status int, form connectForm, refusal string) {
	ws, err := s.opts.Client.Workspace(r.Context(), u.Team)
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "The workspace's orgs cannot be read right now", err)
		return
	}
	view := orgsView{User: u, Form: form, Error: refusal, Notice: notices[r.URL.Query().Get("notice")]}
	for _, ref := range ws.Connections {
		view.Orgs = append(view.Orgs, orgRow{ref})
	}
	sort.Slice(view.Orgs, func(i, j int) bool { return view.Orgs[i].OrgName < view.Orgs[j].OrgName })
	s.render(w, r, status, "orgs", view)
}

// orgRow is one org of the list, from the workspace's registry alone: one
// query for the whole page, whatever the number of orgs.
type orgRow struct {
	workflows.ConnectionRef
}

// WaitingFor says whose move it is, by state; the org's own page has the
// connection's words for it.
func (o orgRow) WaitingFor() string {
	switch o.State {
	case model.StatePendingApproval:
		return "A Salesforce system administrator of " + o.OrgName + " must approve it (Step 2)."
	case model.StatePendingActivation:
		return "An owner, or the holder of the Salesforce system administrator role, must activate it (Step 3)."
	case model.StateNeedsUpdate:
		return "An update: the org answers at another My Domain."
	}
	return ""
}

// connectOrg is Step 1. Every refusal (a URL that is not Salesforce's, a
// Government Cloud org, one already connected, a 21st org, a role missing)
// comes from the workspace's workflow and is shown on the form.
func (s *Server) connectOrg(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	form := connectForm{OrgURL: r.PostFormValue("org_url"), MappingField: r.PostFormValue("mapping_field"), AutoMap: r.PostFormValue("auto_map") == "on"}
	caller, err := s.slackCaller(u, workflows.WorkspaceWorkflowID(u.Team), workflows.UpdateRequest)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The request could not be sent", err)
		return
	}
	autoMap := form.AutoMap
	c, err := s.opts.Client.Request(r.Context(), u.Team, workflows.ConnectionRequest{
		OrgURL: form.OrgURL, MappingField: form.MappingField, AutoMap: &autoMap, Caller: caller,
	})
	if err != nil {
		s.renderOrgs(w, r, u, http.StatusUnprocessableEntity, form, sfclient.Describe(err))
		return
	}
	http.Redirect(w, r, "/slack/orgs/"+c.OrgID+"?notice=requested", http.StatusSeeOther)
}
