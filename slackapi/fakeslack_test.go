package slackapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSlack is a Slack Web API server for the calls slackapi makes. It
// speaks Slack's wire format (not slack-go's types, so that decoding is
// tested too), picks the workspace by the token (Authorization: Bearer or
// the token form field, as Slack does) and can be told to fail.
type fakeSlack struct {
	srv *httptest.Server

	mu       sync.Mutex
	teams    map[string]*fakeTeam
	faults   map[string][]fault // per method, consumed in order
	calls    []fakeCall
	messages []fakeMessage
}

type fakeTeam struct {
	info        wireTeam
	users       []wireUser
	assignments []wireAssignment
}

// fault is one planned failure: an HTTP status (with Retry-After when set),
// a Slack error code (HTTP 200, ok: false), a body of its own (a server
// misbehaving), or a delay before answering.
type fault struct {
	status     int
	retryAfter string
	slackError string
	body       map[string]any
	delay      time.Duration
}

type fakeCall struct {
	method string
	team   string
	params url.Values
}

type fakeMessage struct {
	team, channel, text, ts string
}

// The wire types are Slack's JSON, written out independently of slack-go.
type wireTeam struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Domain         string `json:"domain"`
	EnterpriseID   string `json:"enterprise_id,omitempty"`
	EnterpriseName string `json:"enterprise_name,omitempty"`
	Plan           string `json:"plan"`
}

type wireUser struct {
	ID             string          `json:"id"`
	TeamID         string          `json:"team_id"`
	Name           string          `json:"name"`
	RealName       string          `json:"real_name,omitempty"`
	Deleted        bool            `json:"deleted"`
	IsBot          bool            `json:"is_bot"`
	IsAdmin        bool            `json:"is_admin"`
	IsOwner        bool            `json:"is_owner"`
	IsPrimaryOwner bool            `json:"is_primary_owner"`
	Profile        wireProfile     `json:"profile"`
	EnterpriseUser *wireEnterprise `json:"enterprise_user,omitempty"`
}

type wireProfile struct {
	Email       string `json:"email,omitempty"`
	RealName    string `json:"real_name"`
	DisplayName string `json:"display_name"`
	// Fields is an object of custom fields, or [] when there are none:
	// Slack really answers both ways.
	Fields any `json:"fields"`
}

type wireField struct {
	Value string `json:"value"`
	Alt   string `json:"alt"`
}

type wireEnterprise struct {
	ID             string   `json:"id"`
	EnterpriseID   string   `json:"enterprise_id"`
	EnterpriseName string   `json:"enterprise_name"`
	IsOwner        bool     `json:"is_owner"`
	IsAdmin        bool     `json:"is_admin"`
	Teams          []string `json:"teams"`
}

type wireAssignment struct {
	RoleID     string `json:"role_id"`
	EntityID   string `json:"entity_id"`
	UserID     string `json:"user_id"`
	DateCreate int64  `json:"date_create"`
}

func newFakeSlack(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{teams: map[string]*fakeTeam{}, faults: map[string][]fault{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// apiURL is the base URL without its trailing slash, which slackapi must add.
func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api" }

func (f *fakeSlack) addTeam(info wireTeam) *fakeTeam {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &fakeTeam{info: info}
	f.teams[info.ID] = t
	return t
}

func (f *fakeSlack) addUsers(teamID string, users ...wireUser) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.teams[teamID].users = append(f.teams[teamID].users, users...)
}

func (f *fakeSlack) addAssignments(teamID string, as ...wireAssignment) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.teams[teamID].assignments = append(f.teams[teamID].assignments, as...)
}

// failNext makes the next calls of method fail, one fault per call.
func (f *fakeSlack) failNext(method string, fs ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[method] = append(f.faults[method], fs...)
}

func (f *fakeSlack) callsOf(method string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSlack) posted() []fakeMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeMessage(nil), f.messages...)
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		token = r.Form.Get("token")
	}

	f.mu.Lock()
	teamID, _ := strings.CutPrefix(token, "xoxb-sandbox-")
	team := f.teams[teamID]
	f.calls = append(f.calls, fakeCall{method: method, team: teamID, params: r.Form})
	var flt *fault
	if q := f.faults[method]; len(q) > 0 {
		flt, f.faults[method] = &q[0], q[1:]
	}
	f.mu.Unlock()

	if flt != nil {
		if flt.delay > 0 {
			select {
			case <-time.After(flt.delay):
			case <-r.Context().Done():
				return
			}
		}
		if flt.status != 0 {
			if flt.retryAfter != "" {
				w.Header().Set("Retry-After", flt.retryAfter)
			}
			// Slack sends HTML with its 5xx; slack-go must not parse it.
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(flt.status)
			fmt.Fprint(w, "<html>busy</html>")
			return
		}
		if flt.slackError != "" {
			writeJSON(w, map[string]any{"ok": false, "error": flt.slackError})
			return
		}
		if flt.body != nil {
			writeJSON(w, flt.body)
			return
		}
	}
	if team == nil {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}

	f.mu.Lock()
	resp := f.answer(team, method, r.Form)
	f.mu.Unlock()
	writeJSON(w, resp)
}

// answer is the body of a method's reply; f.mu is held.
func (f *fakeSlack) answer(team *fakeTeam, method string, form url.Values) map[string]any {
	fail := func(code string) map[string]any { return map[string]any{"ok": false, "error": code} }
	switch method {
	case "team.info":
		return map[string]any{"ok": true, "team": team.info}

	case "users.info":
		for _, u := range team.users {
			if u.ID == form.Get("user") {
				return map[string]any{"ok": true, "user": u}
			}
		}
		return fail("user_not_found")

	case "users.lookupByEmail":
		for _, u := range team.users {
			if u.Profile.Email != "" && strings.EqualFold(u.Profile.Email, form.Get("email")) {
				return map[string]any{"ok": true, "user": u}
			}
		}
		return fail("users_not_found")

	case "users.list":
		page, next, err := pageOf(team.users, form)
		if err != "" {
			return fail(err)
		}
		return map[string]any{"ok": true, "members": page, "response_metadata": map[string]any{"next_cursor": next}}

	case "admin.roles.listAssignments":
		roles := strings.Split(form.Get("role_ids"), ",")
		entities := strings.Split(form.Get("entity_ids"), ",")
		var matching []wireAssignment
		for _, a := range team.assignments {
			if contains(roles, a.RoleID) && contains(entities, a.EntityID) {
				matching = append(matching, a)
			}
		}
		page, next, err := pageOf(matching, form)
		if err != "" {
			return fail(err)
		}
		return map[string]any{"ok": true, "role_assignments": page, "response_metadata": map[string]any{"next_cursor": next}}

	case "chat.postMessage":
		channel, text := form.Get("channel"), form.Get("text")
		if channel == "" {
			return fail("channel_not_found")
		}
		if text == "" {
			return fail("no_text")
		}
		ts := fmt.Sprintf("1700000000.%06d", len(f.messages)+1)
		f.messages = append(f.messages, fakeMessage{team: team.info.ID, channel: channel, text: text, ts: ts})
		return map[string]any{"ok": true, "channel": channel, "ts": ts, "message": map[string]any{"text": text, "ts": ts}}
	}
	return fail("unknown_method")
}

// pageOf cuts items at form's cursor ("" or an offset "o:<n>") and limit
// (default 100), and returns the next cursor, "" after the last page.
func pageOf[T any](items []T, form url.Values) (page []T, next, errCode string) {
	start := 0
	if c := form.Get("cursor"); c != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(c, "o:"))
		if err != nil || !strings.HasPrefix(c, "o:") || n < 0 || n > len(items) {
			return nil, "", "invalid_cursor"
		}
		start = n
	}
	limit := 100
	if l := form.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 {
			return nil, "", "invalid_limit"
		}
		limit = n
	}
	end := min(start+limit, len(items))
	if end < len(items) {
		next = "o:" + strconv.Itoa(end)
	}
	return append([]T{}, items[start:end]...), next, ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
