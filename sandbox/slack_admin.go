package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"go.uber.org/zap"
)

// The Slack admin methods the product needs to make a workspace from
// Salesforce and to move one into an Enterprise organization:
// admin.teams.create, admin.users.assign and admin.users.setOwner as Slack
// documents them, and admin.teams.migrate, which Slack does not offer (a
// migration is arranged with Slack's staff) and the sandbox models in the
// same shape.
//
// They accept the admin token AdminToken, which acts on every workspace (an
// org admin's user token), or a workspace's bot token, which acts on its own
// workspace only (and may create new ones).

// AdminToken is the sandbox's admin user token, accepted by the admin
// methods and by SCIM.
const AdminToken = "xoxp-sandbox-admin"

// slackAdminHandler answers an admin method; caller is the workspace whose
// bot token was used, or nil for AdminToken.
type slackAdminHandler func(s *Sandbox, caller *workspace, p url.Values) (any, string)

var slackAdminMethods = map[string]slackAdminHandler{
	"admin.teams.create":   (*Sandbox).slackAdminTeamsCreate,
	"admin.teams.migrate":  (*Sandbox).slackAdminTeamsMigrate,
	"admin.users.assign":   (*Sandbox).slackAdminUsersAssign,
	"admin.users.setOwner": (*Sandbox).slackAdminUsersSetOwner,
}

// The ids of created workspaces and members: T9… and U9…, which no demo,
// bot or generated id (T0…, U0…, UB…, U1…) can be.
const (
	createdTeamFormat   = "T9%08d"
	createdMemberFormat = "U9%08d"
)

// teamDomain is what Slack accepts as a workspace domain (at most 21
// characters).
var teamDomain = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,19}[a-z0-9])?$`)

// adminCaller says who a token acts as on the admin methods: nil and true
// for AdminToken, the workspace of a bot token, or false.
func (s *Sandbox) adminCaller(token string) (*workspace, bool) {
	if token == AdminToken {
		return nil, true
	}
	if !strings.HasPrefix(token, botTokenPrefix) {
		return nil, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ws := s.workspaces[strings.TrimPrefix(token, botTokenPrefix)]
	return ws, ws != nil
}

func (s *Sandbox) serveSlackAdmin(w http.ResponseWriter, r *http.Request, p url.Values, h slackAdminHandler) {
	caller, ok := s.adminCaller(slackToken(r, p))
	if !ok {
		writeSlackError(w, http.StatusOK, "invalid_auth")
		return
	}
	resp, code := h(s, caller, p)
	if code != "" {
		writeSlackError(w, http.StatusOK, code)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// adminTeam finds the workspace team_id names, if caller may act on it.
// Sandbox.mu must be held.
func (s *Sandbox) adminTeam(caller *workspace, p url.Values) (*workspace, string) {
	id := strings.TrimSpace(p.Get("team_id"))
	if id == "" {
		return nil, "invalid_arguments"
	}
	ws := s.workspaces[id]
	switch {
	case ws == nil:
		return nil, "team_not_found"
	case caller != nil && caller != ws:
		return nil, "team_access_not_granted"
	}
	return ws, ""
}

func (s *Sandbox) slackAdminTeamsCreate(_ *workspace, p url.Values) (any, string) {
	domain := strings.ToLower(strings.TrimSpace(p.Get("team_domain")))
	name := strings.TrimSpace(p.Get("team_name"))
	switch {
	case domain == "":
		return nil, "must_provide_team_domain"
	case name == "":
		return nil, "must_provide_team_name"
	case !teamDomain.MatchString(domain):
		return nil, "bad_url"
	}
	switch p.Get("team_discoverability") {
	case "", "open", "closed", "invite_only", "unlisted":
	default:
		return nil, "discoverability_setting_invalid"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ws := range s.workspaces {
		if ws.domain == domain {
			return nil, "domain_taken"
		}
		if strings.EqualFold(ws.name, name) {
			// The sandbox's workspaces count as one organization.
			return nil, "name_taken_in_org"
		}
	}
	s.slackDir.teamSeq++
	ws := newWorkspace(fmt.Sprintf(createdTeamFormat, s.slackDir.teamSeq), name, domain, "pro")
	ws.bot = &slackUser{
		ID: "UB" + ws.id[1:], TeamID: ws.id, Name: "sfconnect", RealName: "sfconnect",
		DisplayName: "sfconnect", IsBot: true, Updated: s.now().Unix(),
	}
	s.workspaces[ws.id] = ws
	s.log.Info("workspace created", zap.String("team", ws.id), zap.String("domain", domain), zap.String("name", name))
	return map[string]any{"ok": true, "team": ws.id}, ""
}

// slackAdminUsersAssign adds a member of the organization's directory (made
// through SCIM with the admin token) to a workspace.
func (s *Sandbox) slackAdminUsersAssign(caller *workspace, p url.Values) (any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, code := s.adminTeam(caller, p)
	if code != "" {
		return nil, code
	}
	u := s.slackDir.byID[strings.TrimSpace(p.Get("user_id"))]
	switch {
	case u == nil:
		return nil, "user_not_found"
	case ws.userByID(u.ID) != nil:
		return nil, "user_already_team_member"
	case ws.byEmail[strings.ToLower(u.Email)] != nil:
		// Another member has the address: Slack would have merged them
		// into one account; the sandbox refuses.
		return nil, "email_taken"
	}
	m := *u
	m.TeamID, m.Updated = ws.id, s.now().Unix()
	ws.addUsers([]*slackUser{&m})
	s.log.Info("member assigned", zap.String("team", ws.id), zap.String("user", m.ID))
	return map[string]any{"ok": true}, ""
}

// slackAdminUsersSetOwner makes a member an owner, and the primary owner
// when the workspace has none yet (a new workspace's first owner).
func (s *Sandbox) slackAdminUsersSetOwner(caller *workspace, p url.Values) (any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, code := s.adminTeam(caller, p)
	if code != "" {
		return nil, code
	}
	u := ws.userByID(strings.TrimSpace(p.Get("user_id")))
	switch {
	case u == nil || u.IsBot:
		return nil, "user_not_found"
	case u.Deleted:
		return nil, "user_is_deactivated"
	}
	hasPrimary := slices.ContainsFunc(ws.users, func(m *slackUser) bool { return m.IsPrimaryOwner && !m.Deleted })
	m := *u
	m.IsOwner = true
	m.IsPrimaryOwner = u.IsPrimaryOwner || !hasPrimary
	m.Updated = s.now().Unix()
	ws.replaceUsers(func(old *slackUser) *slackUser {
		if old == u {
			return &m
		}
		return old
	})
	s.log.Info("owner set", zap.String("team", ws.id), zap.String("user", m.ID), zap.Bool("primary", m.IsPrimaryOwner))
	return map[string]any{"ok": true}, ""
}

// slackAdminTeamsMigrate moves a workspace into an Enterprise organization
// that the sandbox knows (one some workspace belongs to): the team then
// reports the enterprise and the enterprise plan, and its owners and admins
// become the org's owners and admins.
func (s *Sandbox) slackAdminTeamsMigrate(caller *workspace, p url.Values) (any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, code := s.adminTeam(caller, p)
	if code != "" {
		return nil, code
	}
	eid := strings.TrimSpace(p.Get("enterprise_id"))
	if eid == "" {
		return nil, "invalid_arguments"
	}
	ename := ""
	for _, other := range s.workspaces {
		if other.enterpriseID == eid {
			ename = other.enterpriseName
			break
		}
	}
	switch {
	case ename == "":
		return nil, "enterprise_not_found"
	case ws.enterpriseID == eid:
		return map[string]any{"ok": true, "team": ws.id, "enterprise_id": eid}, "" // already there
	case ws.enterpriseID != "":
		return nil, "team_already_in_enterprise"
	}
	ws.enterpriseID, ws.enterpriseName, ws.plan = eid, ename, "enterprise"
	ws.replaceUsers(func(u *slackUser) *slackUser {
		m := *u
		m.EnterpriseOwner = u.IsOwner || u.IsPrimaryOwner
		m.EnterpriseAdmin = u.IsAdmin
		return &m
	})
	s.log.Info("workspace migrated", zap.String("team", ws.id), zap.String("enterprise", eid))
	return map[string]any{"ok": true, "team": ws.id, "enterprise_id": eid}, ""
}

// replaceUsers swaps members for changed copies (records are never
// modified once published) into a new slice and a new email index, so that
// a reader still holding the old ones sees a consistent past. Ids do not
// change, so the order holds. Sandbox.mu must be held for writing.
func (w *workspace) replaceUsers(change func(*slackUser) *slackUser) {
	users := make([]*slackUser, len(w.users))
	byEmail := make(map[string]*slackUser, len(w.byEmail))
	for i, u := range w.users {
		users[i] = change(u)
		if users[i].Email != "" {
			byEmail[strings.ToLower(users[i].Email)] = users[i]
		}
	}
	w.users, w.byEmail = users, byEmail
}
