package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"go.uber.org/zap"
)

// SCIM 2.0 (RFC 7643/7644), the only way Slack offers to create a member:
// POST /scim/v2/Users, GET /scim/v2/Users[?filter=…] and
// GET /scim/v2/Users/<id>, as much of them as making a workspace's first
// member needs. The token decides where users live, as on Slack: a
// workspace's bot token (a workspace SCIM token) creates members of that
// workspace; AdminToken (an organization's SCIM token) creates users of the
// organization's directory, which admin.users.assign then adds to
// workspaces.

const (
	scimPrefix   = "/scim/v2/"
	scimStatName = "scim.v2.Users" // how Stats counts SCIM calls

	scimUserSchema  = "urn:ietf:params:scim:schemas:core:2.0:User"
	scimListSchema  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	scimErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

	scimDefaultCount = 100
	scimMaxCount     = 1000
)

// slackDirectory is the organization's directory of SCIM-made users (their
// TeamID is empty: a workspace member is a copy made by admin.users.assign),
// and the sequences of created teams and members. Guarded by Sandbox.mu.
type slackDirectory struct {
	teamSeq, memberSeq int

	users   []*slackUser          // in creation order, which is id order
	byID    map[string]*slackUser // id → user
	byEmail map[string]*slackUser // lower-cased email → user
	byName  map[string]*slackUser // lower-cased userName → user
}

func (d *slackDirectory) add(u *slackUser) {
	if d.byID == nil {
		d.byID, d.byEmail, d.byName = map[string]*slackUser{}, map[string]*slackUser{}, map[string]*slackUser{}
	}
	d.users = append(d.users, u)
	d.byID[u.ID] = u
	d.byEmail[strings.ToLower(u.Email)] = u
	d.byName[strings.ToLower(u.Name)] = u
}

// The SCIM wire shapes.

type scimUserJSON struct {
	Schemas     []string    `json:"schemas"`
	ID          string      `json:"id,omitempty"`
	UserName    string      `json:"userName"`
	Name        *scimName   `json:"name,omitempty"`
	DisplayName string      `json:"displayName,omitempty"`
	Emails      []scimEmail `json:"emails"`
	Active      bool        `json:"active"`
	Meta        *scimMeta   `json:"meta,omitempty"`
}

type scimName struct {
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
	Formatted  string `json:"formatted,omitempty"`
}

type scimEmail struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

type scimMeta struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location"`
}

// scimError writes RFC 7644's error shape; detail starts with a Slack-style
// code (email_taken, …) that clients can branch on.
func scimError(w http.ResponseWriter, status int, scimType, detail string) {
	body := map[string]any{"schemas": []string{scimErrorSchema}, "status": strconv.Itoa(status), "detail": detail}
	if scimType != "" {
		body["scimType"] = scimType
	}
	w.Header().Set("Content-Type", "application/scim+json")
	b, _ := json.Marshal(body)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// scimUserName is what Slack accepts as a user name (a handle).
var scimUserName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,20}$`)

// scimFilter is the one filter form supported: attribute eq "value".
var scimFilter = regexp.MustCompile(`(?i)^\s*([a-z]+(?:\.[a-z]+)?)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$`)

func (s *Sandbox) serveSCIM(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.adminCaller(bearerToken(r))
	if !ok {
		scimError(w, http.StatusUnauthorized, "", "invalid_authentication: use the admin token or a workspace's bot token")
		return
	}
	rest := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, scimPrefix), "/")
	switch {
	case rest == "Users" && r.Method == http.MethodPost:
		s.scimCreate(w, r, caller)
	case rest == "Users" && isRead(r):
		s.scimList(w, r, caller)
	case strings.HasPrefix(rest, "Users/") && isRead(r):
		s.scimGet(w, r, caller, strings.TrimPrefix(rest, "Users/"))
	case rest == "Users" || strings.HasPrefix(rest, "Users/"):
		scimError(w, http.StatusMethodNotAllowed, "", "method_not_allowed: the sandbox serves GET and POST on Users")
	default:
		scimError(w, http.StatusNotFound, "", "not_found: the sandbox serves /scim/v2/Users only")
	}
}

func (s *Sandbox) scimCreate(w http.ResponseWriter, r *http.Request, caller *workspace) {
	var in scimUserJSON
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes)).Decode(&in); err != nil {
		scimError(w, http.StatusBadRequest, "invalidSyntax", "invalid_json: "+err.Error())
		return
	}
	userName := strings.ToLower(strings.TrimSpace(in.UserName))
	email := primaryEmail(in.Emails)
	switch {
	case userName == "":
		scimError(w, http.StatusBadRequest, "invalidValue", "missing_username: userName is required")
		return
	case !scimUserName.MatchString(userName):
		scimError(w, http.StatusBadRequest, "invalidValue", "invalid_username: at most 21 lower-case letters, digits, periods, hyphens and underscores")
		return
	case email == "":
		scimError(w, http.StatusBadRequest, "invalidValue", "missing_email: emails[0].value is required")
		return
	}
	if at := strings.IndexByte(email, '@'); at < 1 || at == len(email)-1 {
		scimError(w, http.StatusBadRequest, "invalidValue", "invalid_email: "+email)
		return
	}
	u := &slackUser{Name: userName, RealName: realNameOf(in), DisplayName: in.DisplayName, Email: email, Updated: s.now().Unix()}
	if u.DisplayName == "" {
		u.DisplayName = userName
	}

	s.mu.Lock()
	if code := s.scimTaken(caller, userName, email); code != "" {
		s.mu.Unlock()
		scimError(w, http.StatusConflict, "uniqueness", code)
		return
	}
	s.slackDir.memberSeq++
	u.ID = fmt.Sprintf(createdMemberFormat, s.slackDir.memberSeq)
	if caller != nil {
		u.TeamID = caller.id
		caller.addUsers([]*slackUser{u})
	} else {
		s.slackDir.add(u)
	}
	s.mu.Unlock()

	s.log.Info("scim user created", zap.String("user", u.ID), zap.String("team", u.TeamID))
	w.Header().Set("Location", scimLocation(r, u.ID))
	writeSCIM(w, http.StatusCreated, s.scimUser(r, u))
}

// scimTaken says whether the user name or the email is already used where
// caller creates users. Sandbox.mu must be held.
func (s *Sandbox) scimTaken(caller *workspace, userName, email string) string {
	if caller == nil {
		switch {
		case s.slackDir.byEmail[strings.ToLower(email)] != nil:
			return "email_taken: " + email + " already has a user"
		case s.slackDir.byName[userName] != nil:
			return "username_taken: " + userName
		}
		return ""
	}
	if caller.byEmail[strings.ToLower(email)] != nil {
		return "email_taken: " + email + " already has a user"
	}
	for _, m := range caller.users {
		if strings.EqualFold(m.Name, userName) {
			return "username_taken: " + userName
		}
	}
	return ""
}

func (s *Sandbox) scimList(w http.ResponseWriter, r *http.Request, caller *workspace) {
	q := r.URL.Query()
	start, count := 1, scimDefaultCount
	if v := q.Get("startIndex"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			scimError(w, http.StatusBadRequest, "invalidValue", "invalid_start_index: "+v)
			return
		}
		start = max(n, 1) // RFC 7644: less than 1 is 1
	}
	if v := q.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			scimError(w, http.StatusBadRequest, "invalidValue", "invalid_count: "+v)
			return
		}
		count = min(max(n, 0), scimMaxCount)
	}
	var match func(*slackUser) bool
	if f := q.Get("filter"); f != "" {
		m := scimFilter.FindStringSubmatch(f)
		if m == nil {
			scimError(w, http.StatusBadRequest, "invalidFilter", `invalid_filter: the sandbox supports attribute eq "value"`)
			return
		}
		want := strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(m[2])
		switch strings.ToLower(m[1]) {
		case "username":
			match = func(u *slackUser) bool { return strings.EqualFold(u.Name, want) }
		case "email", "emails", "emails.value":
			match = func(u *slackUser) bool { return strings.EqualFold(u.Email, want) }
		case "id":
			match = func(u *slackUser) bool { return u.ID == want }
		default:
			scimError(w, http.StatusBadRequest, "invalidFilter", "invalid_filter: cannot filter on "+m[1])
			return
		}
	}

	s.mu.RLock()
	users := s.slackDir.users
	if caller != nil {
		users = caller.users
	}
	var found []*slackUser
	total := 0
	for _, u := range users {
		if match != nil && !match(u) {
			continue
		}
		total++
		if total >= start && len(found) < count {
			found = append(found, u)
		}
	}
	s.mu.RUnlock()

	resources := make([]scimUserJSON, len(found))
	for i, u := range found {
		resources[i] = s.scimUser(r, u)
	}
	writeSCIM(w, http.StatusOK, map[string]any{
		"schemas": []string{scimListSchema}, "totalResults": total,
		"itemsPerPage": len(resources), "startIndex": start, "Resources": resources,
	})
}

func (s *Sandbox) scimGet(w http.ResponseWriter, r *http.Request, caller *workspace, id string) {
	s.mu.RLock()
	var u *slackUser
	if caller == nil {
		u = s.slackDir.byID[id]
	} else if m := caller.userByID(id); m != nil && !m.IsBot {
		u = m
	}
	s.mu.RUnlock()
	if u == nil {
		scimError(w, http.StatusNotFound, "", "user_not_found: "+id)
		return
	}
	writeSCIM(w, http.StatusOK, s.scimUser(r, u))
}

// scimUser renders a user; records are immutable, so no lock is needed.
func (s *Sandbox) scimUser(r *http.Request, u *slackUser) scimUserJSON {
	given, family, _ := strings.Cut(u.RealName, " ")
	return scimUserJSON{
		Schemas:     []string{scimUserSchema},
		ID:          u.ID,
		UserName:    u.Name,
		Name:        &scimName{GivenName: given, FamilyName: family, Formatted: u.RealName},
		DisplayName: u.DisplayName,
		Emails:      []scimEmail{{Value: u.Email, Type: "work", Primary: true}},
		Active:      !u.Deleted,
		Meta:        &scimMeta{ResourceType: "User", Location: scimLocation(r, u.ID)},
	}
}

func scimLocation(r *http.Request, id string) string {
	return "http://" + r.Host + scimPrefix + "Users/" + id
}

func writeSCIM(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		scimError(w, http.StatusInternalServerError, "", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// primaryEmail is the primary email of a SCIM user, or its first.
func primaryEmail(emails []scimEmail) string {
	for _, e := range emails {
		if e.Primary {
			return strings.TrimSpace(e.Value)
		}
	}
	if len(emails) > 0 {
		return strings.TrimSpace(emails[0].Value)
	}
	return ""
}

// realNameOf is the full name a SCIM user gives, in the first form present.
func realNameOf(in scimUserJSON) string {
	if in.Name != nil {
		if f := strings.TrimSpace(in.Name.Formatted); f != "" {
			return f
		}
		if n := strings.TrimSpace(in.Name.GivenName + " " + in.Name.FamilyName); n != "" {
			return n
		}
	}
	if in.DisplayName != "" {
		return in.DisplayName
	}
	return in.UserName
}
