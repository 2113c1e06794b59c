package slackapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap/zaptest"

	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/slackapi"
)

// Against the real sandbox: a workspace made from Salesforce, and the move
// of a workspace into an Enterprise organization.

// sandboxDirectory starts a sandbox and returns a Directory on it with
// adminToken ("" for none).
func sandboxDirectory(t *testing.T, adminToken string) (*sandbox.Sandbox, *httptest.Server, *slackapi.Directory) {
	t.Helper()
	sb := sandbox.New(sandbox.Options{Seed: 1})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	d := slackapi.New(slackapi.Config{
		APIURL:     srv.URL + "/api/",
		TokenFor:   func(team string) (string, error) { return sandbox.BotToken(team), nil },
		AdminToken: adminToken,
		Timeout:    5 * time.Second,
	}, zaptest.NewLogger(t))
	return sb, srv, d
}

// scimPost creates an organization user straight through SCIM.
func scimPost(t *testing.T, srv *httptest.Server, userName, email string) {
	t.Helper()
	body := `{"userName":"` + userName + `","emails":[{"value":"` + email + `","primary":true}]}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/scim/v2/Users", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+sandbox.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("SCIM POST %s: %d", email, resp.StatusCode)
	}
}

func TestSandboxWorkspaceFromSalesforce(t *testing.T) {
	_, srv, d := sandboxDirectory(t, sandbox.AdminToken)
	ctx := context.Background()

	team, err := d.CreateWorkspace(ctx, "Acme Sales", "acme-sales")
	if err != nil {
		t.Fatal(err)
	}
	info, err := d.Team(ctx, team)
	if err != nil || info.Name != "Acme Sales" || info.Domain != "acme-sales" || info.Plan != "pro" || info.IsEnterprise() {
		t.Fatalf("Team(%s) = %+v, %v", team, info, err)
	}

	ada, err := d.CreateMember(ctx, team, "Ada.Lovelace@acme.example", "Ada Lovelace")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ada.ID, "U") || ada.TeamID != team || ada.RealName != "Ada Lovelace" || ada.Email != "Ada.Lovelace@acme.example" ||
		ada.Name != "ada.lovelace" || ada.IsOwner || ada.IsPrimaryOwner || ada.Deleted {
		t.Errorf("CreateMember = %+v", ada)
	}
	// Again (a retried activity): the same member.
	again, err := d.CreateMember(ctx, team, "ada.lovelace@acme.example", "Ada Lovelace")
	if err != nil || again.ID != ada.ID {
		t.Errorf("CreateMember again = %+v, %v; want %s", again, err, ada.ID)
	}

	if err := d.SetPrimaryOwner(ctx, team, ada.ID); err != nil {
		t.Fatal(err)
	}
	if m, err := d.Member(ctx, team, ada.ID); err != nil || !m.IsPrimaryOwner || !m.IsOwner {
		t.Errorf("after SetPrimaryOwner: %+v, %v", m, err)
	}
	if err := d.SetPrimaryOwner(ctx, team, ada.ID); err != nil {
		t.Errorf("SetPrimaryOwner again: %v", err)
	}

	// A second member cannot become the primary owner, only an owner.
	bob, err := d.CreateMember(ctx, team, "bob@acme.example", "Bob")
	if err != nil {
		t.Fatal(err)
	}
	err = d.SetPrimaryOwner(ctx, team, bob.ID)
	if !errors.Is(err, slackapi.ErrPrimaryOwnerTaken) || slackapi.Retryable(err) {
		t.Errorf("a second primary owner: %v", err)
	}
	if m, _ := d.Member(ctx, team, bob.ID); !m.IsOwner || m.IsPrimaryOwner || m.RealName != "Bob" {
		t.Errorf("second owner: %+v", m)
	}
	if err := d.SetPrimaryOwner(ctx, team, "U9NOBODY"); !errors.Is(err, slackapi.ErrMemberNotFound) {
		t.Errorf("an unknown member: %v", err)
	}

	// A user SCIM made earlier (an assignment that failed) is assigned; a
	// handle someone else has gets a suffix.
	scimPost(t, srv, "carol", "carol@acme.example")
	scimPost(t, srv, "dave", "dave@elsewhere.example")
	carol, err := d.CreateMember(ctx, team, "carol@acme.example", "Carol")
	if err != nil || carol.Name != "carol" {
		t.Errorf("an earlier SCIM user: %+v, %v", carol, err)
	}
	dave, err := d.CreateMember(ctx, team, "dave@acme.example", "Dave Acme")
	if err != nil || !strings.HasPrefix(dave.Name, "dave-") || len(dave.Name) != len("dave-0000") || dave.Email != "dave@acme.example" {
		t.Errorf("a taken handle: %+v, %v", dave, err)
	}

	_, err = d.CreateWorkspace(ctx, "Other", "acme-sales")
	if !errors.Is(err, slackapi.ErrDomainTaken) || slackapi.Retryable(err) || !strings.Contains(err.Error(), "domain_taken") {
		t.Errorf("a taken domain: %v", err)
	}
	_, err = d.CreateWorkspace(ctx, "Bad", "Not a domain")
	if err == nil || !strings.Contains(err.Error(), "bad_url") || slackapi.Retryable(err) {
		t.Errorf("a bad domain: %v", err)
	}
	_, err = d.CreateMember(ctx, "T9NOPE", "erin@acme.example", "Erin")
	if err == nil || !strings.Contains(err.Error(), "team_not_found") {
		t.Errorf("an unknown team: %v", err)
	}
}

func TestSandboxMigrateWorkspace(t *testing.T) {
	_, _, d := sandboxDirectory(t, sandbox.AdminToken)
	ctx := context.Background()
	if err := d.MigrateWorkspace(ctx, sandbox.DemoTeam2ID, sandbox.EnterpriseID); err != nil {
		t.Fatal(err)
	}
	team, err := d.Team(ctx, sandbox.DemoTeam2ID)
	if err != nil || !team.IsEnterprise() || team.EnterpriseID != sandbox.EnterpriseID || team.Plan != "enterprise" {
		t.Errorf("Team after migration = %+v, %v", team, err)
	}
	owner, err := d.Member(ctx, sandbox.DemoTeam2ID, "U0OWNER02")
	if err != nil || !owner.IsOrgOwner || owner.EnterpriseID != sandbox.EnterpriseID {
		t.Errorf("owner after migration = %+v, %v", owner, err)
	}
	if err := d.MigrateWorkspace(ctx, sandbox.DemoTeam2ID, sandbox.EnterpriseID); err != nil {
		t.Errorf("again: %v", err)
	}
	err = d.MigrateWorkspace(ctx, sandbox.DemoTeamID, "E0NOPE")
	if err == nil || !strings.Contains(err.Error(), "enterprise_not_found") || slackapi.Retryable(err) {
		t.Errorf("an unknown enterprise: %v", err)
	}

	// Without an admin token, the workspace's own bot token does it.
	_, _, bare := sandboxDirectory(t, "")
	if err := bare.MigrateWorkspace(ctx, sandbox.DemoTeamID, sandbox.EnterpriseID); err != nil {
		t.Fatal(err)
	}
	admin, err := bare.Member(ctx, sandbox.DemoTeamID, "U0ADMIN01")
	if err != nil || !admin.IsOrgAdmin || admin.IsOrgOwner {
		t.Errorf("admin after migration = %+v, %v", admin, err)
	}
}

func TestSandboxAdminTokenMissingOrRefused(t *testing.T) {
	ctx := context.Background()
	_, _, bare := sandboxDirectory(t, "")
	if _, err := bare.CreateWorkspace(ctx, "X", "x"); !errors.Is(err, slackapi.ErrNoAdminToken) || slackapi.Retryable(err) {
		t.Errorf("CreateWorkspace without an admin token: %v", err)
	}
	if _, err := bare.CreateMember(ctx, sandbox.DemoTeamID, "x@example.org", "X"); !errors.Is(err, slackapi.ErrNoAdminToken) {
		t.Errorf("CreateMember without an admin token: %v", err)
	}

	_, _, wrong := sandboxDirectory(t, "xoxp-wrong")
	for name, call := range map[string]func() error{
		"CreateWorkspace": func() error { _, err := wrong.CreateWorkspace(ctx, "X", "x"); return err },
		"CreateMember": func() error {
			_, err := wrong.CreateMember(ctx, sandbox.DemoTeamID, "x@example.org", "X")
			return err
		},
		"SetPrimaryOwner":  func() error { return wrong.SetPrimaryOwner(ctx, sandbox.DemoTeamID, "U0ADMIN01") },
		"MigrateWorkspace": func() error { return wrong.MigrateWorkspace(ctx, sandbox.DemoTeamID, sandbox.EnterpriseID) },
	} {
		err := call()
		if !errors.Is(err, slackapi.ErrAdminTokenRefused) || errors.Is(err, slackapi.ErrInvalidAuth) || slackapi.Retryable(err) {
			t.Errorf("%s with a wrong admin token: %v", name, err)
		}
	}
}

func TestSandboxAdminFaultsAreRetryable(t *testing.T) {
	sb, _, d := sandboxDirectory(t, sandbox.AdminToken)
	ctx := context.Background()
	sb.SetFaults(sandbox.Faults{ErrorRate: 1, Statuses: []int{http.StatusTooManyRequests}, RetryAfter: 2 * time.Second, Surface: "slack"})
	_, err := d.CreateWorkspace(ctx, "X", "x")
	if _, ok := errors.AsType[*slack.RateLimitedError](err); !ok || !slackapi.Retryable(err) {
		t.Errorf("CreateWorkspace rate limited: %v", err)
	}
	_, err = d.CreateMember(ctx, sandbox.DemoTeamID, "x@example.org", "X")
	if wait, ok := slackapi.RetryAfter(err); !ok || wait != 2*time.Second || !slackapi.Retryable(err) {
		t.Errorf("CreateMember rate limited: %v (%v)", err, wait)
	}

	sb.SetFaults(sandbox.Faults{ErrorRate: 1, Statuses: []int{http.StatusServiceUnavailable}, Surface: "slack"})
	_, err = d.CreateMember(ctx, sandbox.DemoTeamID, "x@example.org", "X")
	if e, ok := errors.AsType[*slackapi.SCIMError](err); !ok || e.StatusCode != 503 || !slackapi.Retryable(err) {
		t.Errorf("CreateMember unavailable: %v", err)
	}
	err = d.MigrateWorkspace(ctx, sandbox.DemoTeamID, sandbox.EnterpriseID)
	if e, ok := errors.AsType[slack.StatusCodeError](err); !ok || e.Code != 503 || !slackapi.Retryable(err) {
		t.Errorf("MigrateWorkspace unavailable: %v", err)
	}
}
