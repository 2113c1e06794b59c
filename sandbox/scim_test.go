package sandbox_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/sandbox"
)

// scimDo sends a SCIM request with token and returns the status, the
// headers and the body.
func scimDo(t *testing.T, srv *httptest.Server, token, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+"/scim/v2/"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/scim+json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

type scimUser struct {
	ID          string `json:"id"`
	UserName    string `json:"userName"`
	DisplayName string `json:"displayName"`
	Active      bool   `json:"active"`
	Name        struct {
		GivenName, FamilyName, Formatted string
	} `json:"name"`
	Emails []struct {
		Value   string `json:"value"`
		Primary bool   `json:"primary"`
	} `json:"emails"`
	Meta struct {
		Location string `json:"location"`
	} `json:"meta"`
}

type scimErr struct {
	Detail   string `json:"detail"`
	Status   string `json:"status"`
	ScimType string `json:"scimType"`
}

func scimUserBody(userName, email, realName string) string {
	given, family, _ := strings.Cut(realName, " ")
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + userName +
		`","name":{"givenName":"` + given + `","familyName":"` + family + `"},"displayName":"` + given +
		`","emails":[{"value":"` + email + `","primary":true}]}`
}

// scimCreate creates a user through SCIM and returns its id.
func scimCreate(t *testing.T, srv *httptest.Server, token, userName, email, realName string) string {
	t.Helper()
	status, _, b := scimDo(t, srv, token, http.MethodPost, "Users", scimUserBody(userName, email, realName))
	var u scimUser
	mustJSON(t, b, &u)
	if status != http.StatusCreated || u.ID == "" {
		t.Fatalf("SCIM create %s: %d %s", email, status, b)
	}
	return u.ID
}

func TestSCIMUsers(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)

	status, h, b := scimDo(t, srv, sandbox.AdminToken, http.MethodPost, "Users", scimUserBody("ada.l", "Ada@Example.org", "Ada Lovelace"))
	var u scimUser
	mustJSON(t, b, &u)
	if status != http.StatusCreated || u.ID != "U900000001" || u.UserName != "ada.l" || u.Name.Formatted != "Ada Lovelace" ||
		u.DisplayName != "Ada" || !u.Active || len(u.Emails) != 1 || u.Emails[0].Value != "Ada@Example.org" || !u.Emails[0].Primary {
		t.Fatalf("create: %d %s", status, b)
	}
	if !strings.HasSuffix(h.Get("Location"), "/scim/v2/Users/U900000001") || u.Meta.Location != h.Get("Location") {
		t.Errorf("Location %q, meta %q", h.Get("Location"), u.Meta.Location)
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "application/scim+json") {
		t.Errorf("Content-Type %q", h.Get("Content-Type"))
	}

	list := func(token, query string) (int, []scimUser) {
		t.Helper()
		status, _, b := scimDo(t, srv, token, http.MethodGet, "Users?"+query, "")
		var res struct {
			Schemas      []string   `json:"schemas"`
			TotalResults int        `json:"totalResults"`
			Resources    []scimUser `json:"Resources"`
		}
		mustJSON(t, b, &res)
		if status == http.StatusOK && (len(res.Schemas) != 1 || !strings.HasSuffix(res.Schemas[0], ":ListResponse")) {
			t.Errorf("list schemas: %s", b)
		}
		return res.TotalResults, res.Resources
	}
	for _, f := range []string{`email eq "ada@example.org"`, `emails.value eq "ADA@example.org"`, `userName eq "ada.l"`, `id eq "U900000001"`} {
		if n, rs := list(sandbox.AdminToken, url.Values{"filter": {f}}.Encode()); n != 1 || rs[0].ID != "U900000001" {
			t.Errorf("filter %s: %d %+v", f, n, rs)
		}
	}
	if n, rs := list(sandbox.AdminToken, url.Values{"filter": {`email eq "nobody@example.org"`}}.Encode()); n != 0 || len(rs) != 0 {
		t.Errorf("no match: %d %+v", n, rs)
	}
	status, _, b = scimDo(t, srv, sandbox.AdminToken, http.MethodGet, "Users/U900000001", "")
	if status != http.StatusOK || !strings.Contains(string(b), `"userName":"ada.l"`) {
		t.Errorf("get: %d %s", status, b)
	}

	// Uniqueness, validation and auth.
	for name, tc := range map[string]struct {
		token, method, path, body string
		status                    int
		detail, scimType          string
	}{
		"email taken":    {sandbox.AdminToken, http.MethodPost, "Users", scimUserBody("other", "ada@example.ORG", "A B"), 409, "email_taken", "uniqueness"},
		"username taken": {sandbox.AdminToken, http.MethodPost, "Users", scimUserBody("ada.l", "ada2@example.org", "A B"), 409, "username_taken", "uniqueness"},
		"no username":    {sandbox.AdminToken, http.MethodPost, "Users", scimUserBody("", "x@example.org", "A B"), 400, "missing_username", "invalidValue"},
		"bad username":   {sandbox.AdminToken, http.MethodPost, "Users", scimUserBody("ada@example", "x@example.org", "A B"), 400, "invalid_username", "invalidValue"},
		"no email":       {sandbox.AdminToken, http.MethodPost, "Users", `{"userName":"x"}`, 400, "missing_email", "invalidValue"},
		"bad email":      {sandbox.AdminToken, http.MethodPost, "Users", scimUserBody("x", "nope", "A B"), 400, "invalid_email", "invalidValue"},
		"bad JSON":       {sandbox.AdminToken, http.MethodPost, "Users", `{`, 400, "invalid_json", "invalidSyntax"},
		"bad filter":     {sandbox.AdminToken, http.MethodGet, "Users?filter=" + url.QueryEscape(`email co "x"`), "", 400, "invalid_filter", "invalidFilter"},
		"filter attr":    {sandbox.AdminToken, http.MethodGet, "Users?filter=" + url.QueryEscape(`title eq "x"`), "", 400, "invalid_filter", "invalidFilter"},
		"unknown id":     {sandbox.AdminToken, http.MethodGet, "Users/U9NOPE", "", 404, "user_not_found", ""},
		"delete":         {sandbox.AdminToken, http.MethodDelete, "Users/U900000001", "", 405, "method_not_allowed", ""},
		"groups":         {sandbox.AdminToken, http.MethodGet, "Groups", "", 404, "not_found", ""},
		"bad token":      {"xoxp-made-up", http.MethodGet, "Users", "", 401, "invalid_authentication", ""},
		"no token":       {"", http.MethodPost, "Users", scimUserBody("z", "z@example.org", "Z Z"), 401, "invalid_authentication", ""},
	} {
		status, _, b := scimDo(t, srv, tc.token, tc.method, tc.path, tc.body)
		var e scimErr
		mustJSON(t, b, &e)
		if status != tc.status || !strings.HasPrefix(e.Detail, tc.detail) || e.ScimType != tc.scimType || e.Status != strconv.Itoa(tc.status) {
			t.Errorf("%s: %d %s, want %d %s", name, status, b, tc.status, tc.detail)
		}
	}

	// A workspace's bot token creates members of that workspace, and sees
	// only them; the organization's users are not its members.
	bot := sandbox.BotToken(sandbox.DemoTeam2ID)
	id := scimCreate(t, srv, bot, "carol", "carol@demo-two.example", "Carol Danvers")
	m, err := slackClient(srv.URL, sandbox.DemoTeam2ID).GetUserInfo(id)
	if err != nil || m.RealName != "Carol Danvers" || m.TeamID != sandbox.DemoTeam2ID {
		t.Errorf("workspace SCIM member: %+v, %v", m, err)
	}
	if n, _ := list(bot, ""); n != 3 {
		t.Errorf("workspace scope lists %d users, want 3", n)
	}
	if n, rs := list(bot, "count=1&startIndex=2"); n != 3 || len(rs) != 1 || rs[0].ID != "U0OWNER02" {
		t.Errorf("paged: %d %+v", n, rs)
	}
	status, _, _ = scimDo(t, srv, bot, http.MethodGet, "Users/U900000001", "")
	if status != http.StatusNotFound {
		t.Errorf("an organization user seen from a workspace: %d", status)
	}
	status, _, b = scimDo(t, srv, bot, http.MethodPost, "Users", scimUserBody("owner2b", "OWNER@demo-two.example", "O T"))
	if status != http.StatusConflict || !strings.Contains(string(b), "email_taken") {
		t.Errorf("a demo member's email: %d %s", status, b)
	}
	if n, _ := list(sandbox.AdminToken, ""); n != 1 {
		t.Errorf("organization scope lists %d users, want 1", n)
	}
}

func TestSCIMFaults(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	sb.SetFaults(sandbox.Faults{ErrorRate: 1, Statuses: []int{http.StatusTooManyRequests}, Surface: "slack"})
	status, h, b := scimDo(t, srv, sandbox.AdminToken, http.MethodPost, "Users", scimUserBody("x", "x@example.org", "X Y"))
	var e scimErr
	mustJSON(t, b, &e)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != "1" || e.Status != "429" || !strings.HasPrefix(e.Detail, "ratelimited") {
		t.Errorf("faulted SCIM: %d %v %s", status, h, b)
	}
	sb.ClearFaults()
	scimCreate(t, srv, sandbox.AdminToken, "x", "x@example.org", "X Y")
	// Stats counts served calls by method, not the faulted one.
	if n := sb.Stats().SlackMethods["scim.v2.Users"]; n != 1 {
		t.Errorf("stats: %d SCIM calls served", n)
	}
}
