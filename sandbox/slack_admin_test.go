package sandbox_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/sfconnect/sfconnect/sandbox"
)

// slackCall POSTs a form to a Slack method with token and decodes the answer.
func slackCall(t *testing.T, srv *httptest.Server, token, method string, form url.Values) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/"+method, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
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
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d %s", method, resp.StatusCode, b)
	}
	var out map[string]any
	mustJSON(t, b, &out)
	return out
}

// slackErrCode calls a method that must fail and returns its error code.
func slackErrCode(t *testing.T, srv *httptest.Server, token, method string, form url.Values) string {
	t.Helper()
	out := slackCall(t, srv, token, method, form)
	if out["ok"] != false {
		t.Errorf("%s %v: succeeded: %v", method, form, out)
	}
	code, _ := out["error"].(string)
	return code
}

// createTeam makes a workspace with the admin token and returns its id.
func createTeam(t *testing.T, srv *httptest.Server, name, domain string) string {
	t.Helper()
	out := slackCall(t, srv, sandbox.AdminToken, "admin.teams.create", url.Values{"team_name": {name}, "team_domain": {domain}})
	id, _ := out["team"].(string)
	if out["ok"] != true || id == "" {
		t.Fatalf("admin.teams.create: %v", out)
	}
	return id
}

func TestAdminTeamsCreate(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)

	id := createTeam(t, srv, "Acme Sales", "acme-sales")
	if id != "T900000001" {
		t.Errorf("team id %q", id)
	}
	api := slackClient(srv.URL, id)
	team, err := api.GetTeamInfo()
	if err != nil {
		t.Fatal(err)
	}
	if team.Name != "Acme Sales" || team.Domain != "acme-sales" {
		t.Errorf("team.info: %+v", team)
	}
	info := slackCall(t, srv, sandbox.BotToken(id), "team.info", nil)["team"].(map[string]any)
	if info["plan"] != "pro" || info["enterprise_id"] != nil {
		t.Errorf("team.info: %v", info)
	}
	users, err := api.GetUsersContext(context.Background())
	if err != nil || len(users) != 0 {
		t.Errorf("users of a new workspace: %v, %v", users, err)
	}
	if _, err := api.AuthTest(); err != nil {
		t.Errorf("auth.test with the new bot token: %v", err)
	}

	// A workspace's bot token may create one too, with a JSON body.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/admin.teams.create", strings.NewReader(`{"team_name":"Beta","team_domain":"Beta-Team","team_description":"b"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+sandbox.BotToken(sandbox.DemoTeamID))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"team":"T900000002"`) {
		t.Errorf("bot-token create: %s", b)
	}
	if info := slackCall(t, srv, sandbox.BotToken("T900000002"), "team.info", nil)["team"].(map[string]any); info["domain"] != "beta-team" {
		t.Errorf("domain not lower-cased: %v", info)
	}

	for name, tc := range map[string]struct {
		token string
		form  url.Values
		code  string
	}{
		"taken domain":   {sandbox.AdminToken, url.Values{"team_name": {"X"}, "team_domain": {"demo"}}, "domain_taken"},
		"taken name":     {sandbox.AdminToken, url.Values{"team_name": {"acme sales"}, "team_domain": {"other"}}, "name_taken_in_org"},
		"no domain":      {sandbox.AdminToken, url.Values{"team_name": {"X"}}, "must_provide_team_domain"},
		"no name":        {sandbox.AdminToken, url.Values{"team_domain": {"x"}}, "must_provide_team_name"},
		"bad domain":     {sandbox.AdminToken, url.Values{"team_name": {"X"}, "team_domain": {"not a domain"}}, "bad_url"},
		"long domain":    {sandbox.AdminToken, url.Values{"team_name": {"X"}, "team_domain": {strings.Repeat("a", 22)}}, "bad_url"},
		"discoverablity": {sandbox.AdminToken, url.Values{"team_name": {"X"}, "team_domain": {"x"}, "team_discoverability": {"public"}}, "discoverability_setting_invalid"},
		"bad token":      {"xoxp-made-up", url.Values{"team_name": {"X"}, "team_domain": {"x"}}, "invalid_auth"},
		"no token":       {"", url.Values{"team_name": {"X"}, "team_domain": {"x"}}, "invalid_auth"},
	} {
		if code := slackErrCode(t, srv, tc.token, "admin.teams.create", tc.form); code != tc.code {
			t.Errorf("%s: %q, want %q", name, code, tc.code)
		}
	}
	// The admin token is no bot token: the other methods refuse it.
	if code := slackErrCode(t, srv, sandbox.AdminToken, "team.info", nil); code != "invalid_auth" {
		t.Errorf("team.info with the admin token: %q", code)
	}
	if n := sb.Stats().SlackMethods["admin.teams.create"]; n != 11 {
		t.Errorf("stats count %d admin.teams.create calls", n)
	}
}

func TestAdminUsersAssignAndSetOwner(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	team := createTeam(t, srv, "Fresh", "fresh")
	bot := sandbox.BotToken(team)

	// An organization user (admin-token SCIM), then assigned.
	first := scimCreate(t, srv, sandbox.AdminToken, "ada", "ada@fresh.example", "Ada Lovelace")
	if code := slackErrCode(t, srv, bot, "users.info", url.Values{"user": {first}}); code != "user_not_found" {
		t.Errorf("before assign: %q", code)
	}
	assign := url.Values{"team_id": {team}, "user_id": {first}}
	if out := slackCall(t, srv, sandbox.AdminToken, "admin.users.assign", assign); out["ok"] != true {
		t.Fatalf("assign: %v", out)
	}
	for name, tc := range map[string]struct {
		token string
		form  url.Values
		code  string
	}{
		"again":        {sandbox.AdminToken, assign, "user_already_team_member"},
		"unknown user": {sandbox.AdminToken, url.Values{"team_id": {team}, "user_id": {"U9NOPE"}}, "user_not_found"},
		"unknown team": {sandbox.AdminToken, url.Values{"team_id": {"T9NOPE"}, "user_id": {first}}, "team_not_found"},
		"no team":      {sandbox.AdminToken, url.Values{"user_id": {first}}, "invalid_arguments"},
		"other team":   {sandbox.BotToken(sandbox.DemoTeamID), assign, "team_access_not_granted"},
	} {
		if code := slackErrCode(t, srv, tc.token, "admin.users.assign", tc.form); code != tc.code {
			t.Errorf("assign %s: %q, want %q", name, code, tc.code)
		}
	}
	api := slackClient(srv.URL, team)
	u, err := api.GetUserInfo(first)
	if err != nil {
		t.Fatal(err)
	}
	if u.RealName != "Ada Lovelace" || u.Profile.Email != "ada@fresh.example" || u.Name != "ada" || u.TeamID != team || u.IsOwner || u.IsPrimaryOwner {
		t.Errorf("assigned member: %+v", u)
	}

	// The first owner of a workspace without one is its primary owner.
	if out := slackCall(t, srv, sandbox.AdminToken, "admin.users.setOwner", assign); out["ok"] != true {
		t.Fatalf("setOwner: %v", out)
	}
	u, _ = api.GetUserInfo(first)
	if !u.IsOwner || !u.IsPrimaryOwner {
		t.Errorf("after setOwner: owner %v primary %v", u.IsOwner, u.IsPrimaryOwner)
	}
	byEmail, err := api.GetUserByEmail("ADA@fresh.example")
	if err != nil || !byEmail.IsPrimaryOwner {
		t.Errorf("lookupByEmail after setOwner: %+v, %v", byEmail, err)
	}

	// A second member (workspace SCIM, with the bot token) becomes an
	// owner only.
	second := scimCreate(t, srv, bot, "bob", "bob@fresh.example", "Bob Builder")
	if out := slackCall(t, srv, bot, "admin.users.setOwner", url.Values{"team_id": {team}, "user_id": {second}}); out["ok"] != true {
		t.Fatalf("setOwner second: %v", out)
	}
	u2, _ := api.GetUserInfo(second)
	if !u2.IsOwner || u2.IsPrimaryOwner {
		t.Errorf("second owner: owner %v primary %v", u2.IsOwner, u2.IsPrimaryOwner)
	}
	members, err := api.GetUsers()
	if err != nil || len(members) != 2 {
		t.Errorf("users.list: %d, %v", len(members), err)
	}
	for name, tc := range map[string]struct {
		token string
		form  url.Values
		code  string
	}{
		"bot user":   {sandbox.AdminToken, url.Values{"team_id": {team}, "user_id": {"UB" + team[1:]}}, "user_not_found"},
		"stranger":   {sandbox.AdminToken, url.Values{"team_id": {team}, "user_id": {"U0OWNER01"}}, "user_not_found"},
		"other team": {sandbox.BotToken(sandbox.DemoTeamID), url.Values{"team_id": {team}, "user_id": {first}}, "team_access_not_granted"},
	} {
		if code := slackErrCode(t, srv, tc.token, "admin.users.setOwner", tc.form); code != tc.code {
			t.Errorf("setOwner %s: %q, want %q", name, code, tc.code)
		}
	}
	// A demo workspace keeps its primary owner.
	if out := slackCall(t, srv, sandbox.AdminToken, "admin.users.setOwner", url.Values{"team_id": {sandbox.DemoTeamID}, "user_id": {"U0ADMIN01"}}); out["ok"] != true {
		t.Fatal(out)
	}
	demo := slackClient(srv.URL, sandbox.DemoTeamID)
	if a, _ := demo.GetUserInfo("U0ADMIN01"); !a.IsOwner || a.IsPrimaryOwner || !a.IsAdmin {
		t.Errorf("demo admin made owner: %+v", a)
	}
}

func TestAdminTeamsMigrate(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Readers run during the migration, for the race detector.
	var wg sync.WaitGroup
	wg.Go(func() {
		api := slackClient(srv.URL, sandbox.DemoTeam2ID)
		for ctx.Err() == nil {
			_, _ = api.GetUsersContext(ctx)
			_, _ = api.GetTeamInfoContext(ctx)
			_, _ = api.GetUserByEmailContext(ctx, "owner@demo-two.example")
		}
	})

	migrate := url.Values{"team_id": {sandbox.DemoTeam2ID}, "enterprise_id": {sandbox.EnterpriseID}}
	if out := slackCall(t, srv, sandbox.AdminToken, "admin.teams.migrate", migrate); out["ok"] != true || out["enterprise_id"] != sandbox.EnterpriseID {
		t.Fatalf("migrate: %v", out)
	}
	cancel()
	wg.Wait()

	info := slackCall(t, srv, sandbox.BotToken(sandbox.DemoTeam2ID), "team.info", nil)["team"].(map[string]any)
	if info["plan"] != "enterprise" || info["enterprise_id"] != sandbox.EnterpriseID || info["enterprise_name"] != "Enterprise Co" {
		t.Errorf("team.info after migration: %v", info)
	}
	api := slackClient(srv.URL, sandbox.DemoTeam2ID)
	owner, err := api.GetUserInfo("U0OWNER02")
	if err != nil || !owner.Enterprise.IsOwner || owner.Enterprise.EnterpriseID != sandbox.EnterpriseID || !owner.IsPrimaryOwner {
		t.Errorf("owner after migration: %+v, %v", owner, err)
	}
	member, err := api.GetUserInfo("U0MEMBR21")
	if err != nil || member.Enterprise.EnterpriseID != sandbox.EnterpriseID || member.Enterprise.IsOwner || member.Enterprise.IsAdmin {
		t.Errorf("member after migration: %+v, %v", member.Enterprise, err)
	}
	auth, err := api.AuthTest()
	if err != nil || auth.EnterpriseID != sandbox.EnterpriseID {
		t.Errorf("auth.test after migration: %+v, %v", auth, err)
	}
	// Again: nothing to do.
	if out := slackCall(t, srv, sandbox.AdminToken, "admin.teams.migrate", migrate); out["ok"] != true {
		t.Errorf("migrate again: %v", out)
	}

	// The demo workspace, by its own bot token: its admin becomes an org admin.
	own := sandbox.BotToken(sandbox.DemoTeamID)
	if out := slackCall(t, srv, own, "admin.teams.migrate", url.Values{"team_id": {sandbox.DemoTeamID}, "enterprise_id": {sandbox.EnterpriseID}}); out["ok"] != true {
		t.Fatalf("migrate demo: %v", out)
	}
	admin, err := slackClient(srv.URL, sandbox.DemoTeamID).GetUserInfo("U0ADMIN01")
	if err != nil || !admin.Enterprise.IsAdmin || admin.Enterprise.IsOwner {
		t.Errorf("admin after migration: %+v, %v", admin.Enterprise, err)
	}

	team := createTeam(t, srv, "Lone", "lone")
	for name, tc := range map[string]struct {
		token string
		form  url.Values
		code  string
	}{
		"unknown enterprise": {sandbox.AdminToken, url.Values{"team_id": {team}, "enterprise_id": {"E0NOPE"}}, "enterprise_not_found"},
		"no enterprise":      {sandbox.AdminToken, url.Values{"team_id": {team}}, "invalid_arguments"},
		"unknown team":       {sandbox.AdminToken, url.Values{"team_id": {"T9NOPE"}, "enterprise_id": {sandbox.EnterpriseID}}, "team_not_found"},
		"other team's token": {own, url.Values{"team_id": {team}, "enterprise_id": {sandbox.EnterpriseID}}, "team_access_not_granted"},
	} {
		if code := slackErrCode(t, srv, tc.token, "admin.teams.migrate", tc.form); code != tc.code {
			t.Errorf("%s: %q, want %q", name, code, tc.code)
		}
	}
}
