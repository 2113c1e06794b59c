package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The Slack Web API subset: /api/<method>, GET query, form or JSON body,
// answers always 200 with {"ok":…} like Slack does (only faults change the
// status). The bot token xoxb-sandbox-<TEAMID> selects the workspace.

const (
	usersListDefaultLimit = 200
	usersListMaxLimit     = 1000
	rolesDefaultLimit     = 100
	rolesMaxLimit         = 200
	maxBodyBytes          = 10 << 20
)

// slackHandler answers one method for an authenticated workspace; it
// returns the response object (marshalled as JSON) or an error code.
type slackHandler func(s *Sandbox, w *workspace, p url.Values) (any, string)

var slackMethods = map[string]slackHandler{
	"api.test":                    (*Sandbox).slackAPITest,
	"auth.test":                   (*Sandbox).slackAuthTest,
	"team.info":                   (*Sandbox).slackTeamInfo,
	"team.profile.get":            (*Sandbox).slackTeamProfile,
	"users.info":                  (*Sandbox).slackUsersInfo,
	"users.list":                  (*Sandbox).slackUsersList,
	"users.lookupByEmail":         (*Sandbox).slackLookupByEmail,
	"chat.postMessage":            (*Sandbox).slackPostMessage,
	"chat.update":                 (*Sandbox).slackUpdateMessage,
	"conversations.open":          (*Sandbox).slackOpenConversation,
	"conversations.history":       (*Sandbox).slackHistory,
	"admin.roles.listAssignments": (*Sandbox).slackListAssignments,
}

// slackOIDCMethods are the Web API methods of Sign in with Slack
// (slack_oidc.go).
var slackOIDCMethods = map[string]func(*Sandbox, http.ResponseWriter, *http.Request, url.Values){
	"openid.connect.token":    (*Sandbox).slackOIDCToken,
	"openid.connect.userInfo": (*Sandbox).slackOIDCUserInfo,
}

func (s *Sandbox) serveSlack(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, scimPrefix) {
		s.stats.slackMethod(scimStatName)
		s.serveSCIM(w, r)
		return
	}
	if isSlackOIDCPath(r.URL.Path) {
		s.serveSlackOIDC(w, r)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	s.stats.slackMethod(method)
	p, err := slackParams(r)
	if err != nil {
		writeSlackError(w, http.StatusOK, "invalid_form_data")
		return
	}
	if h, ok := slackOIDCMethods[method]; ok {
		// Sign in with Slack's methods take a client's credentials or a
		// user token, never a bot token.
		h(s, w, r, p)
		return
	}
	if admin, ok := slackAdminMethods[method]; ok {
		s.serveSlackAdmin(w, r, p, admin)
		return
	}
	h, ok := slackMethods[method]
	if !ok {
		writeSlackError(w, http.StatusOK, "unknown_method")
		return
	}
	if method == "api.test" {
		// api.test needs no token, as on Slack.
		resp, _ := h(s, nil, p)
		writeJSON(w, http.StatusOK, resp)
		return
	}
	token := slackToken(r, p)
	// The contract says anything but a sandbox bot token is invalid_auth;
	// Slack would answer not_authed to a missing one, nobody relies on it.
	s.mu.RLock()
	ws := s.workspaces[strings.TrimPrefix(token, botTokenPrefix)]
	s.mu.RUnlock()
	if ws == nil || !strings.HasPrefix(token, botTokenPrefix) {
		writeSlackError(w, http.StatusOK, "invalid_auth")
		return
	}
	resp, code := h(s, ws, p)
	if code != "" {
		writeSlackError(w, http.StatusOK, code)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// slackParams merges the query string with a form or JSON body, the three
// ways Slack accepts arguments.
func slackParams(r *http.Request) (url.Values, error) {
	p := url.Values{}
	for k, vs := range r.URL.Query() {
		p[k] = vs
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return p, nil
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxBodyBytes)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return nil, err
		}
		for k, v := range body {
			p.Set(k, jsonArg(v))
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxBodyBytes); err != nil {
			return nil, err
		}
		for k, vs := range r.MultipartForm.Value {
			p[k] = vs
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		for k, vs := range r.PostForm {
			p[k] = vs
		}
	}
	return p, nil
}

// jsonArg renders a JSON argument the way Slack reads it: arrays of strings
// become comma-separated lists, objects stay JSON.
func jsonArg(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	case []any:
		parts := make([]string, 0, len(x))
		simple := true
		for _, e := range x {
			switch e.(type) {
			case string, float64, bool:
				parts = append(parts, jsonArg(e))
			default:
				simple = false
			}
		}
		if simple {
			return strings.Join(parts, ",")
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// slackToken is the request's token: the Authorization header, else the
// token argument.
func slackToken(r *http.Request, p url.Values) string {
	if t := bearerToken(r); t != "" {
		return t
	}
	return p.Get("token")
}

func bearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	for _, scheme := range []string{"Bearer ", "OAuth "} {
		if len(h) > len(scheme) && strings.EqualFold(h[:len(scheme)], scheme) {
			return strings.TrimSpace(h[len(scheme):])
		}
	}
	return ""
}

func writeSlackError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]any{"ok": false, "error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// The JSON shapes of Slack's user object, as much of it as clients read.

type slackUserJSON struct {
	ID                string              `json:"id"`
	TeamID            string              `json:"team_id"`
	Name              string              `json:"name"`
	Deleted           bool                `json:"deleted"`
	Color             string              `json:"color"`
	RealName          string              `json:"real_name"`
	TZ                string              `json:"tz"`
	TZLabel           string              `json:"tz_label"`
	TZOffset          int                 `json:"tz_offset"`
	Profile           slackProfileJSON    `json:"profile"`
	IsAdmin           bool                `json:"is_admin"`
	IsOwner           bool                `json:"is_owner"`
	IsPrimaryOwner    bool                `json:"is_primary_owner"`
	IsRestricted      bool                `json:"is_restricted"`
	IsUltraRestricted bool                `json:"is_ultra_restricted"`
	IsBot             bool                `json:"is_bot"`
	IsAppUser         bool                `json:"is_app_user"`
	IsEmailConfirmed  bool                `json:"is_email_confirmed"`
	Updated           int64               `json:"updated"`
	EnterpriseUser    *enterpriseUserJSON `json:"enterprise_user,omitempty"`
}

type slackProfileJSON struct {
	RealName              string                     `json:"real_name"`
	RealNameNormalized    string                     `json:"real_name_normalized"`
	DisplayName           string                     `json:"display_name"`
	DisplayNameNormalized string                     `json:"display_name_normalized"`
	Email                 string                     `json:"email,omitempty"`
	Team                  string                     `json:"team"`
	Fields                map[string]customFieldJSON `json:"fields"`
}

type customFieldJSON struct {
	Value string `json:"value"`
	Alt   string `json:"alt"`
}

type enterpriseUserJSON struct {
	ID             string   `json:"id"`
	EnterpriseID   string   `json:"enterprise_id"`
	EnterpriseName string   `json:"enterprise_name"`
	IsAdmin        bool     `json:"is_admin"`
	IsOwner        bool     `json:"is_owner"`
	IsPrimaryOwner bool     `json:"is_primary_owner"`
	Teams          []string `json:"teams"`
}

// noFields is shared by every member without custom fields; it is only
// ever read, so sharing it is safe.
var noFields = map[string]customFieldJSON{}

// userJSON renders a member; Sandbox.mu must be held, since a migration
// changes the workspace's enterprise.
func (w *workspace) userJSON(u *slackUser) slackUserJSON {
	fields := noFields
	if u.SAMLNameID != "" {
		fields = map[string]customFieldJSON{SAMLNameIDField: {Value: u.SAMLNameID}}
	}
	j := slackUserJSON{
		ID: u.ID, TeamID: u.TeamID, Name: u.Name, Deleted: u.Deleted, Color: "9f69e7",
		RealName: u.RealName, TZ: "Europe/Paris", TZLabel: "Central European Time", TZOffset: 3600,
		Profile: slackProfileJSON{
			RealName: u.RealName, RealNameNormalized: u.RealName,
			DisplayName: u.DisplayName, DisplayNameNormalized: u.DisplayName,
			Email: u.Email, Team: u.TeamID, Fields: fields,
		},
		IsAdmin: u.IsAdmin, IsOwner: u.IsOwner, IsPrimaryOwner: u.IsPrimaryOwner,
		IsBot: u.IsBot, IsEmailConfirmed: u.Email != "", Updated: u.Updated,
	}
	if w.enterpriseID != "" && !u.IsBot {
		j.EnterpriseUser = &enterpriseUserJSON{
			ID: u.ID, EnterpriseID: w.enterpriseID, EnterpriseName: w.enterpriseName,
			IsAdmin: u.EnterpriseAdmin, IsOwner: u.EnterpriseOwner, Teams: []string{w.id},
		}
	}
	return j
}

type responseMetadata struct {
	NextCursor string `json:"next_cursor"`
}

func (s *Sandbox) slackAPITest(_ *workspace, p url.Values) (any, string) {
	args := map[string]string{}
	for k := range p {
		if k != "token" {
			args[k] = p.Get(k)
		}
	}
	return map[string]any{"ok": true, "args": args}, ""
}

func (s *Sandbox) slackAuthTest(w *workspace, _ url.Values) (any, string) {
	// A migration changes the team's enterprise; read it under the lock.
	s.mu.RLock()
	defer s.mu.RUnlock()
	resp := map[string]any{
		"ok": true, "url": "https://" + w.domain + ".slack.com/", "team": w.name,
		"user": w.bot.Name, "team_id": w.id, "user_id": w.bot.ID, "bot_id": "B" + w.bot.ID[1:],
		"is_enterprise_install": false,
	}
	if w.enterpriseID != "" {
		resp["enterprise_id"] = w.enterpriseID
	}
	return resp, ""
}

func (s *Sandbox) slackTeamInfo(w *workspace, p url.Values) (any, string) {
	if t := p.Get("team"); t != "" && t != w.id {
		return nil, "team_not_found"
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	team := map[string]any{
		"id": w.id, "name": w.name, "domain": w.domain, "email_domain": "",
		"icon": map[string]any{"image_default": true}, "plan": w.plan,
	}
	if w.enterpriseID != "" {
		team["enterprise_id"] = w.enterpriseID
		team["enterprise_name"] = w.enterpriseName
	}
	return map[string]any{"ok": true, "team": team}, ""
}

// slackTeamProfile lets a client find the SAML NameID field by its label
// rather than by a hard-coded id.
func (s *Sandbox) slackTeamProfile(_ *workspace, _ url.Values) (any, string) {
	return map[string]any{"ok": true, "profile": map[string]any{"fields": []map[string]any{{
		"id": SAMLNameIDField, "ordering": 0, "label": "SAML NameID", "hint": "",
		"type": "text", "possible_values": nil, "is_hidden": true, "options": map[string]bool{"is_protected": true},
	}}}}, ""
}

func (s *Sandbox) slackUsersInfo(w *workspace, p url.Values) (any, string) {
	ids := p.Get("user")
	many := false
	if ids == "" {
		ids, many = p.Get("users"), true
	}
	if ids == "" {
		return nil, "user_not_found"
	}
	var found []slackUserJSON
	s.mu.RLock()
	for _, id := range strings.Split(ids, ",") {
		u := w.userByID(strings.TrimSpace(id))
		if u == nil {
			s.mu.RUnlock()
			return nil, "user_not_found"
		}
		found = append(found, w.userJSON(u))
	}
	s.mu.RUnlock()
	if many {
		return map[string]any{"ok": true, "users": found}, ""
	}
	return map[string]any{"ok": true, "user": found[0]}, ""
}

// slackUsersList pages by member id: the cursor names the last id served,
// so a page costs a binary search plus the page itself, at any depth.
func (s *Sandbox) slackUsersList(w *workspace, p url.Values) (any, string) {
	limit := usersListDefaultLimit
	if l := p.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return nil, "invalid_limit"
		}
		if n > 0 {
			limit = min(n, usersListMaxLimit)
		}
	}
	start := 0
	s.mu.RLock()
	if c := p.Get("cursor"); c != "" {
		last, ok := decodeCursor(c, "user")
		if !ok {
			s.mu.RUnlock()
			return nil, "invalid_cursor"
		}
		start = w.after(last)
	}
	end := min(start+limit, len(w.users))
	page := w.users[start:end]
	more := end < len(w.users)
	// Rendered under the lock: a migration changes the enterprise_user
	// blocks userJSON reads from the workspace.
	members := make([]slackUserJSON, len(page))
	for i, u := range page {
		members[i] = w.userJSON(u)
	}
	s.mu.RUnlock()

	next := ""
	if more && len(page) > 0 {
		next = encodeCursor("user", page[len(page)-1].ID)
	}
	return struct {
		OK       bool             `json:"ok"`
		Members  []slackUserJSON  `json:"members"`
		CacheTS  int64            `json:"cache_ts"`
		Metadata responseMetadata `json:"response_metadata"`
	}{true, members, time.Now().Unix(), responseMetadata{next}}, ""
}

// Cursors are opaque to clients, as Slack's are: base64 of "kind:key".
func encodeCursor(kind, key string) string {
	return base64.StdEncoding.EncodeToString([]byte(kind + ":" + key))
}

func decodeCursor(c, kind string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return "", false
	}
	k, key, ok := strings.Cut(string(b), ":")
	if !ok || k != kind {
		return "", false
	}
	return key, true
}

func (s *Sandbox) slackLookupByEmail(w *workspace, p url.Values) (any, string) {
	email := strings.ToLower(strings.TrimSpace(p.Get("email")))
	if email == "" {
		return nil, "invalid_arguments"
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := w.byEmail[email]
	if u == nil || u.Deleted {
		return nil, "users_not_found"
	}
	return map[string]any{"ok": true, "user": w.userJSON(u)}, ""
}

// Message is one chat.postMessage call the sandbox accepted.
type Message struct {
	Team     string          `json:"team"`
	Channel  string          `json:"channel"`
	Text     string          `json:"text"`
	Blocks   json.RawMessage `json:"blocks,omitempty"`
	ThreadTS string          `json:"thread_ts,omitempty"`
	TS       string          `json:"ts"`
	// Metadata is the message's metadata (event_type, event_payload).
	Metadata json.RawMessage `json:"metadata,omitempty"`
	// Updates counts the chat.update calls that changed it.
	Updates int       `json:"updates,omitempty"`
	Time    time.Time `json:"time"`
}

var messageSeq atomic.Int64

func (s *Sandbox) slackPostMessage(w *workspace, p url.Values) (any, string) {
	channel := strings.TrimSpace(p.Get("channel"))
	if channel == "" {
		return nil, "channel_not_found"
	}
	text := p.Get("text")
	var blocks json.RawMessage
	if b := p.Get("blocks"); b != "" {
		if !json.Valid([]byte(b)) {
			return nil, "invalid_blocks"
		}
		blocks = json.RawMessage(b)
	}
	if text == "" && blocks == nil && p.Get("attachments") == "" {
		return nil, "no_text"
	}
	now := time.Now()
	// Slack timestamps are unique per channel; a process-wide sequence in
	// the microseconds keeps them unique and increasing here.
	ts := fmt.Sprintf("%d.%06d", now.Unix(), messageSeq.Add(1)%1000000)
	m := Message{Team: w.id, Channel: channel, Text: text, Blocks: blocks, ThreadTS: p.Get("thread_ts"), TS: ts, Time: now}
	if md := p.Get("metadata"); md != "" && json.Valid([]byte(md)) {
		m.Metadata = json.RawMessage(md)
	}
	s.msgs.add(m)
	return map[string]any{
		"ok": true, "channel": channel, "ts": ts,
		"message": map[string]any{
			"type": "message", "subtype": "bot_message", "text": text, "user": w.bot.ID,
			"bot_id": "B" + w.bot.ID[1:], "ts": ts, "team": w.id, "thread_ts": m.ThreadTS,
		},
	}, ""
}

type roleAssignmentJSON struct {
	RoleID     string `json:"role_id"`
	EntityID   string `json:"entity_id"`
	UserID     string `json:"user_id"`
	DateCreate int64  `json:"date_create"`
}

func (s *Sandbox) slackListAssignments(w *workspace, p url.Values) (any, string) {
	roles, entities := splitSet(p.Get("role_ids")), splitSet(p.Get("entity_ids"))
	limit := rolesDefaultLimit
	if l := p.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > rolesMaxLimit {
			return nil, "invalid_limit"
		}
		limit = n
	}
	offset := 0
	if c := p.Get("cursor"); c != "" {
		o, ok := decodeCursor(c, "offset")
		n, err := strconv.Atoi(o)
		if !ok || err != nil || n < 0 {
			return nil, "invalid_cursor"
		}
		offset = n
	}
	var matched []roleAssignmentJSON
	s.mu.RLock()
	for _, a := range w.roles {
		if (roles == nil || roles[a.RoleID]) && (entities == nil || entities[a.EntityID]) {
			matched = append(matched, roleAssignmentJSON(a))
		}
	}
	s.mu.RUnlock()
	if p.Get("sort_dir") == "desc" {
		for i, j := 0, len(matched)-1; i < j; i, j = i+1, j-1 {
			matched[i], matched[j] = matched[j], matched[i]
		}
	}
	page := []roleAssignmentJSON{}
	if offset < len(matched) {
		page = matched[offset:min(offset+limit, len(matched))]
	}
	next := ""
	if offset+limit < len(matched) {
		next = encodeCursor("offset", strconv.Itoa(offset+limit))
	}
	return map[string]any{"ok": true, "role_assignments": page, "response_metadata": responseMetadata{next}}, ""
}

// splitSet parses a comma-separated filter; nil means "no filter".
func splitSet(csv string) map[string]bool {
	if strings.TrimSpace(csv) == "" {
		return nil
	}
	set := map[string]bool{}
	for _, v := range strings.Split(csv, ",") {
		if v = strings.TrimSpace(v); v != "" {
			set[v] = true
		}
	}
	return set
}
