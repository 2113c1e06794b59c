package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/sfconnect/sfconnect/sandbox"
)

// slackClient is an unmodified slack-go client pointed at the sandbox.
func slackClient(baseURL, team string) *slack.Client {
	return slack.New(sandbox.BotToken(team), slack.OptionAPIURL(baseURL+"/api/"))
}

func TestSlackUsersInfo(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	api := slackClient(srv.URL, sandbox.DemoTeamID)

	owner, err := api.GetUserInfo("U0OWNER01")
	if err != nil {
		t.Fatal(err)
	}
	if !owner.IsPrimaryOwner || !owner.IsOwner || owner.IsAdmin || owner.Profile.Email != "owner@demo.example" {
		t.Errorf("owner = %+v", owner)
	}
	admin, err := api.GetUserInfo("U0ADMIN01")
	if err != nil || !admin.IsAdmin || admin.IsOwner {
		t.Errorf("admin = %+v, %v", admin, err)
	}
	m3, err := api.GetUserInfo("U0MEMBER3")
	if err != nil {
		t.Fatal(err)
	}
	if m3.RealName != "Member Three" || m3.Profile.Email != "member3@acme.example" {
		t.Errorf("member3 = %+v", m3)
	}
	if got := m3.Profile.FieldsMap()[sandbox.SAMLNameIDField].Value; got != "member3" {
		t.Errorf("member3 SAML NameID = %q", got)
	}
	if m3.Enterprise.EnterpriseID != "" {
		t.Errorf("a business_plus member has enterprise_user %+v", m3.Enterprise)
	}

	// A member of another workspace is not found with this token.
	_, err = api.GetUserInfo("U0OWNER02")
	if err == nil || err.Error() != "user_not_found" {
		t.Errorf("other workspace's owner: err = %v, want user_not_found", err)
	}
	_, err = api.GetUserInfo("U0NOBODY1")
	if err == nil || err.Error() != "user_not_found" {
		t.Errorf("unknown user: err = %v", err)
	}

	ent := slackClient(srv.URL, sandbox.EnterpriseTeamID)
	eo, err := ent.GetUserInfo("U0EOWNER1")
	if err != nil {
		t.Fatal(err)
	}
	if !eo.Enterprise.IsOwner || !eo.IsOwner || eo.Enterprise.EnterpriseID != sandbox.EnterpriseID || len(eo.Enterprise.Teams) != 1 {
		t.Errorf("enterprise owner = %+v", eo.Enterprise)
	}
	ea, err := ent.GetUserInfo("U0EADMIN1")
	if err != nil || !ea.Enterprise.IsAdmin || !ea.IsAdmin || ea.Enterprise.IsOwner {
		t.Errorf("enterprise admin = %+v, %v", ea, err)
	}
	em, err := ent.GetUserInfo("U0EMEMBR1")
	if err != nil || em.Enterprise.IsAdmin || em.Enterprise.IsOwner || em.IsAdmin {
		t.Errorf("enterprise member = %+v, %v", em, err)
	}

	bad := slack.New("xoxb-made-up", slack.OptionAPIURL(srv.URL+"/api/"))
	if _, err := bad.GetUserInfo("U0OWNER01"); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("bad token: err = %v, want invalid_auth", err)
	}
	unknownTeam := slack.New(sandbox.BotToken("T0NOPE0001"), slack.OptionAPIURL(srv.URL+"/api/"))
	if _, err := unknownTeam.AuthTest(); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("unknown team: err = %v, want invalid_auth", err)
	}
	auth, err := api.AuthTest()
	if err != nil || auth.TeamID != sandbox.DemoTeamID || auth.UserID == "" {
		t.Errorf("auth.test = %+v, %v", auth, err)
	}
}

func TestSlackUsersPaginated(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	api := slackClient(srv.URL, sandbox.DemoTeamID)
	ctx := context.Background()

	collect := func(limit int) ([]slack.User, int) {
		t.Helper()
		var all []slack.User
		pages := 0
		p := api.GetUsersPaginated(slack.GetUsersOptionLimit(limit))
		for {
			var err error
			p, err = p.Next(ctx)
			if p.Done(err) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			pages++
			all = append(all, p.Users...)
		}
		return all, pages
	}

	users, pages := collect(5)
	if len(users) != 12 || pages != 3 {
		t.Fatalf("got %d users in %d pages, want 12 in 3", len(users), pages)
	}
	seen := map[string]bool{}
	for i, u := range users {
		if seen[u.ID] {
			t.Errorf("%s served twice", u.ID)
		}
		seen[u.ID] = true
		if i > 0 && users[i-1].ID >= u.ID {
			t.Errorf("not sorted by id at %d: %s then %s", i, users[i-1].ID, u.ID)
		}
	}
	for _, id := range []string{"U0OWNER01", "U0ADMIN01", "U0SFADM01", "U0MEMBER1", "U0MEMBER9"} {
		if !seen[id] {
			t.Errorf("%s missing", id)
		}
	}

	// With generated members, every page is a binary search away.
	if _, err := sb.Generate(sandbox.GenerateRequest{Team: sandbox.DemoTeamID, Members: 5000, Org: "acme", Users: 5000, Match: 0.5}); err != nil {
		t.Fatal(err)
	}
	users, pages = collect(1000)
	if len(users) != 5012 || pages != 6 {
		t.Fatalf("after Generate: %d users in %d pages, want 5012 in 6", len(users), pages)
	}
	withNameID := 0
	for _, u := range users {
		if strings.HasPrefix(u.ID, "U1") {
			if !strings.HasPrefix(u.Profile.Email, "gen") || !strings.HasSuffix(u.Profile.Email, "@acme.example") {
				t.Fatalf("generated member %s has email %q", u.ID, u.Profile.Email)
			}
			if u.Profile.FieldsMap()[sandbox.SAMLNameIDField].Value == strings.Split(u.Profile.Email, "@")[0] {
				withNameID++
			}
		}
	}
	if withNameID != 5000 {
		t.Errorf("%d generated members carry their NameID, want 5000", withNameID)
	}

	// The default page size is 200, and a bad cursor is refused.
	p, err := api.GetUsersPaginated().Next(ctx)
	if err != nil || len(p.Users) != 200 {
		t.Errorf("default page: %d users, %v", len(p.Users), err)
	}
	_, err = api.GetUsersPaginated(slack.GetUsersOptionCursor("bm9wZQ==")).Next(ctx)
	if err == nil || err.Error() != "invalid_cursor" {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestSlackLookupByEmail(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	api := slackClient(srv.URL, sandbox.DemoTeamID)

	u, err := api.GetUserByEmail("MEMBER4@acme.example")
	if err != nil || u.ID != "U0MEMBER4" {
		t.Errorf("lookup: %+v, %v", u, err)
	}
	if _, err := api.GetUserByEmail("nobody@acme.example"); err == nil || err.Error() != "users_not_found" {
		t.Errorf("unknown email: err = %v, want users_not_found", err)
	}
	// The owner of Demo Two is not a member of Demo.
	if _, err := api.GetUserByEmail("owner@demo-two.example"); err == nil || err.Error() != "users_not_found" {
		t.Errorf("other workspace's email: err = %v", err)
	}
}

func TestSlackPostMessage(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	api := slackClient(srv.URL, sandbox.DemoTeamID)

	ch, ts, err := api.PostMessage("U0OWNER01", slack.MsgOptionText("Your request needs approval", false))
	if err != nil || ch != "U0OWNER01" || ts == "" {
		t.Fatalf("post: %q %q %v", ch, ts, err)
	}
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("hello", false)); err != nil {
		t.Fatal(err)
	}
	two := slackClient(srv.URL, sandbox.DemoTeam2ID)
	if _, _, err := two.PostMessage("U0OWNER02", slack.MsgOptionText("other team", false)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessage("", slack.MsgOptionText("x", false)); err == nil {
		t.Error("a message without a channel was accepted")
	}

	got := sb.Messages(sandbox.DemoTeamID, "U0OWNER01")
	if len(got) != 1 || got[0].Text != "Your request needs approval" || got[0].TS != ts {
		t.Errorf("Messages(owner) = %+v", got)
	}
	if n := len(sb.Messages(sandbox.DemoTeamID, "")); n != 2 {
		t.Errorf("Messages(team) = %d, want 2", n)
	}
	if n := len(sb.Messages("", "")); n != 3 {
		t.Errorf("Messages() = %d, want 3", n)
	}

	// The control API serves the same record.
	resp, b := do(t, srv, sfRequest{path: "/sandbox/messages?team=T0DEMO0002"})
	var body struct{ Messages []sandbox.Message }
	mustJSON(t, b, &body)
	if resp.StatusCode != http.StatusOK || len(body.Messages) != 1 || body.Messages[0].Channel != "U0OWNER02" {
		t.Errorf("/sandbox/messages: %d %s", resp.StatusCode, b)
	}
}

func TestSlackRoleAssignments(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	api := slackClient(srv.URL, sandbox.DemoTeamID)
	ctx := context.Background()

	resp, err := api.AdminRolesListAssignments(ctx,
		slack.AdminRolesListAssignmentsOptionRoleIDs([]string{sandbox.SalesforceAdminRoleID}),
		slack.AdminRolesListAssignmentsOptionEntityIDs([]string{sandbox.DemoTeamID}))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.RoleAssignments) != 1 {
		t.Fatalf("assignments = %+v", resp.RoleAssignments)
	}
	a := resp.RoleAssignments[0]
	if a.UserID != "U0SFADM01" || a.RoleID != sandbox.SalesforceAdminRoleID || a.EntityID != sandbox.DemoTeamID || a.DateCreate == 0 {
		t.Errorf("assignment = %+v", a)
	}
	for _, opts := range [][]slack.AdminRolesListAssignmentsOption{
		{slack.AdminRolesListAssignmentsOptionRoleIDs([]string{"Rl0OTHER"})},
		{slack.AdminRolesListAssignmentsOptionEntityIDs([]string{sandbox.DemoTeam2ID})},
	} {
		resp, err := api.AdminRolesListAssignments(ctx, opts...)
		if err != nil || len(resp.RoleAssignments) != 0 {
			t.Errorf("filtered: %+v, %v", resp, err)
		}
	}
	// Demo Two has no holder of the role.
	two := slackClient(srv.URL, sandbox.DemoTeam2ID)
	resp, err = two.AdminRolesListAssignments(ctx, slack.AdminRolesListAssignmentsOptionRoleIDs([]string{sandbox.SalesforceAdminRoleID}))
	if err != nil || len(resp.RoleAssignments) != 0 {
		t.Errorf("Demo Two: %+v, %v", resp, err)
	}
}

func TestSlackTeamInfoAndWireForms(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	for team, want := range map[string]string{
		sandbox.DemoTeamID:       `"plan":"business_plus"`,
		sandbox.DemoTeam2ID:      `"plan":"pro"`,
		sandbox.EnterpriseTeamID: `"enterprise_id":"E0ENT00001"`,
	} {
		resp, b := do(t, srv, sfRequest{path: "/api/team.info", token: sandbox.BotToken(team)})
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), want) || !strings.Contains(string(b), `"id":"`+team+`"`) {
			t.Errorf("team.info %s: %s", team, b)
		}
	}
	api := slackClient(srv.URL, sandbox.EnterpriseTeamID)
	info, err := api.GetTeamInfo()
	if err != nil || info.Name != "Enterprise Co" {
		t.Errorf("GetTeamInfo: %+v, %v", info, err)
	}

	// GET with the token in the query, and a JSON body, work as well.
	_, b := do(t, srv, sfRequest{path: "/api/users.info?user=U0ADMIN01&token=" + sandbox.BotToken(sandbox.DemoTeamID)})
	if !strings.Contains(string(b), `"is_admin":true`) {
		t.Errorf("GET users.info: %s", b)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/users.lookupByEmail", strings.NewReader(`{"email":"admin@demo.example"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+sandbox.BotToken(sandbox.DemoTeamID))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, b = do(t, srv, sfRequest{method: http.MethodPost, path: "/api/users.list",
		form: url.Values{"token": {"nope"}}})
	if !strings.Contains(string(b), `"error":"invalid_auth"`) {
		t.Errorf("bad form token: %s", b)
	}
	_, b = do(t, srv, sfRequest{path: "/api/users.list"})
	if !strings.Contains(string(b), `"error":"invalid_auth"`) {
		t.Errorf("no token: %s", b)
	}
	_, b = do(t, srv, sfRequest{path: "/api/conversations.nope", token: sandbox.BotToken(sandbox.DemoTeamID)})
	if !strings.Contains(string(b), `"error":"unknown_method"`) {
		t.Errorf("unknown method: %s", b)
	}
	var se slack.SlackErrorResponse
	if _, err := slackClient(srv.URL, sandbox.DemoTeam2ID).GetUserInfo("U0MEMBER1"); !errors.As(err, &se) || se.Err != "user_not_found" {
		t.Errorf("typed error: %v", err)
	}
}
