package testsuite

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/workflows"
)

func TestManagingAConnection(t *testing.T) {
	const ws = "T0DEMO0001"
	org := []string{"--workspace", ws, "--org", "acme"}
	with := func(args ...string) []string { return append(args, org...) }

	c := connectAcmeMapped(t, 30*time.Second)
	if c.Version != workflows.CurrentConnectionVersion || c.UpdateAvailable || c.Banner {
		t.Fatalf("a new connection: version %d, update available %v, banner %v", c.Version, c.UpdateAvailable, c.Banner)
	}
	mustRefuse(t, "up to date", with("connect", "update", "--as", "U0OWNER01")...)

	// The Enterprise migration is refused while the workspace is connected.
	mustRefuse(t, "disconnect them first", "workspace", "migrate", "--workspace", ws, "--to-enterprise", "E0ENT00001", "--as", "U0OWNER01")

	// The login banner: on tells the mapped members in Slack.
	before := len(env.Sandbox.Messages(ws, "U0MEMBER5"))
	if c := decodeConnection(t, mustRun(t, with("connect", "banner", "on", "--as", "U0ADMIN01", "--output", "json")...)); !c.Banner {
		t.Fatal("banner not on")
	}
	eventually(t, 15*time.Second, func() error {
		if n := len(env.Sandbox.Messages(ws, "U0MEMBER5")); n <= before {
			return fmt.Errorf("the mapped member was not told of the banner")
		}
		return nil
	})
	// With their personal link, not a command.
	if told := env.Sandbox.Messages(ws, "U0MEMBER5")[before]; !strings.Contains(told.Text, strings.TrimSuffix(env.Config.ConsoleURL, "/")+model.MemberLinkPath(ws, acmeID)) || strings.Contains(told.Text, "starter") {
		t.Errorf("the banner's notice: %q", told.Text)
	}
	mustRefuse(t, "already on", with("connect", "banner", "on", "--as", "U0ADMIN01")...)
	mustRefuse(t, "U0MEMBER5", with("connect", "banner", "off", "--as", "U0MEMBER5")...)
	if r := run(t, with("connect", "banner", "maybe", "--as", "U0ADMIN01")...); r.code != 2 {
		t.Errorf("banner maybe: %s", r)
	}

	// The integration user's permission set objects.
	var objs struct {
		Objects []string `json:"objects"`
		Added   []string `json:"added"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, with("connect", "objects", "list", "--as", "U0ADMIN01", "--output", "json")...).out), &objs); err != nil || !contains(objs.Objects, "Account") {
		t.Fatalf("objects list: %v %+v", err, objs)
	}
	mustRefuse(t, "Bogus__c", with("connect", "objects", "add", "Invoice__c", "Bogus__c", "--as", "U0ADMIN01")...)
	if err := json.Unmarshal([]byte(mustRun(t, with("connect", "objects", "add", "invoice__c", "--as", "U0ADMIN01", "--output", "json")...).out), &objs); err != nil || !contains(objs.Objects, "Invoice__c") || !contains(objs.Added, "Invoice__c") {
		t.Fatalf("objects add: %v %+v", err, objs)
	}

	// The org's URL changes: the next call notices, the connection needs an
	// update, which moves it once the new URL proves to be the same org.
	if err := env.Sandbox.RenameOrg("acme", "acme2"); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = env.Sandbox.RenameOrg("acme2", "acme") }()
	mustRefuse(t, "", with("connect", "objects", "list", "--as", "U0ADMIN01")...)
	c = decodeConnection(t, mustRun(t, with("connect", "status", "--output", "json")...))
	if c.State != model.StateNeedsUpdate || !strings.Contains(strings.Join(c.Warnings, " "), "acme2.my.salesforce.com") {
		t.Fatalf("after the rename: %s %v", c.State, c.Warnings)
	}
	mustRefuse(t, "--org-url", with("connect", "update", "--as", "U0OWNER01")...)
	mustRefuse(t, "not this connection's org", with("connect", "update", "--org-url", "https://org05.my.salesforce.com", "--as", "U0OWNER01")...)
	c = decodeConnection(t, mustRun(t, with("connect", "update", "--org-url", "https://acme2.my.salesforce.com", "--as", "U0OWNER01", "--output", "json")...))
	if c.State != model.StateActive || c.OrgURL != "https://acme2.my.salesforce.com" || c.OrgName != "acme2" {
		t.Fatalf("after the update: %+v", c)
	}

	// The disconnect review shows what goes.
	r := cli(t, nil, "n\n", "connect", "disconnect", "--workspace", ws, "--org", "acme2", "--as", "U0OWNER01")
	for _, want := range []string{"acme2", "linked", "login banner", "Disconnect? [y/N]"} {
		if !strings.Contains(r.err, want) {
			t.Errorf("the review lacks %q:\n%s", want, r.err)
		}
	}
	if r.code != 1 {
		t.Fatalf("answering n must not disconnect: %s", r)
	}
	mustRun(t, "connect", "disconnect", "--workspace", ws, "--org", "acme2", "--as", "U0OWNER01", "--yes")
	if err := env.Sandbox.RenameOrg("acme2", "acme"); err != nil {
		t.Fatal(err)
	}
}

// IP restrictions enforced on the org: a Salesforce call refused for that
// reason fails at once, with an error that says so.
func TestIPRestrictionsFailAtOnce(t *testing.T) {
	const ws = "T0DEMO0001"
	org := []string{"--workspace", ws, "--org", "locked"}
	c := decodeConnection(t, mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://locked.my.salesforce.com", "--no-auto-map", "--as", "U0OWNER01", "--output", "json"))
	if len(c.Warnings) == 0 {
		t.Fatalf("no IP restriction warning at request")
	}
	c = decodeConnection(t, mustRun(t, append([]string{"connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@locked.example", "--output", "json"}, org...)...))
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "IP restrictions") {
		t.Fatalf("warnings after approval: %v", c.Warnings)
	}
	if err := env.Sandbox.SetIPEnforced("locked", true); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	mustRefuse(t, "IP restrictions", append([]string{"connect", "activate", "--as", "U0OWNER01"}, org...)...)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the refusal took %s: it must not be retried", d)
	}
	if err := env.Sandbox.SetIPEnforced("locked", false); err != nil {
		t.Fatal(err)
	}
	mustRun(t, append([]string{"connect", "activate", "--as", "U0OWNER01"}, org...)...)
	mustRun(t, append([]string{"connect", "disconnect", "--as", "U0OWNER01", "--yes"}, org...)...)
}

// A workspace made from Salesforce is born connected, with its maker as
// primary owner; it can be migrated only once disconnected.
func TestWorkspaceMadeFromSalesforce(t *testing.T) {
	mustRefuse(t, "Government Cloud", "workspace", "create", "--name", "Agency", "--from-salesforce", "https://agency.my.salesforce.mil", "--as", "admin@agency.example")
	mustRefuse(t, "user@acme.example", "workspace", "create", "--name", "Acme Users", "--from-salesforce", "acme", "--as", "user@acme.example")
	var made workflows.CreatedWorkspace
	if err := json.Unmarshal([]byte(mustRun(t, "workspace", "create", "--name", "Acme Sales", "--from-salesforce", "acme", "--as", "admin@acme.example", "--output", "json").out), &made); err != nil {
		t.Fatal(err)
	}
	if made.Team == "" || made.Owner == "" || made.Connection.State != model.StateActive {
		t.Fatalf("made: %+v", made)
	}
	var c workflows.Connection
	eventually(t, 15*time.Second, func() error {
		r := run(t, "connect", "status", "--workspace", made.Team, "--org", "acme", "--output", "json")
		if r.code != 0 {
			return fmt.Errorf("%s", r)
		}
		c = decodeConnection(t, r)
		return nil
	})
	if c.State != model.StateActive || c.History[0].Action != model.ActionCreate {
		t.Fatalf("born connection: %+v", c)
	}
	mustRefuse(t, "disconnect them first", "workspace", "migrate", "--workspace", made.Team, "--to-enterprise", "E0ENT00001", "--as", made.Owner)
	mustRun(t, "connect", "disconnect", "--workspace", made.Team, "--org", "acme", "--as", made.Owner, "--yes")
	eventually(t, 15*time.Second, func() error {
		if r := run(t, "workspace", "migrate", "--workspace", made.Team, "--to-enterprise", "E0ENT00001", "--as", made.Owner); r.code != 0 {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	// Now an Enterprise workspace: its owner acts as org owner.
	mustRun(t, "connect", "request", "--workspace", made.Team, "--org-url", "https://org09.my.salesforce.com", "--as", made.Owner)
	mustRun(t, "connect", "disconnect", "--workspace", made.Team, "--org", "org09", "--as", made.Owner, "--yes")
	recordHistory(t, "create-workspace", workflows.CreateWorkspaceWorkflowID("https://acme.my.salesforce.com", "Acme Sales"))
	recordHistory(t, "workspace-made-from-salesforce", workflows.WorkspaceWorkflowID(made.Team))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// A connection made at version 1 (before permission sets were read from
// the org) shows "update available" in status and list until updated.
func TestOlderConnectionShowsTheUpdate(t *testing.T) {
	const ws = "T0ENT00001"
	sf, err := salesforce.NewFactory(salesforce.Config{ClientID: "it", ClientSecret: "it", SandboxAddr: env.Config.SandboxAddr()}, zap.NewNop()).Org("https://org11.my.salesforce.com")
	if err != nil {
		t.Fatal(err)
	}
	o, err := sf.Organization(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	old := workflows.Connection{
		ID: ws + "-" + o.Id + "-old", Workspace: ws, OrgID: o.Id, OrgName: "org11", OrgURL: "https://org11.my.salesforce.com",
		MappingField: model.MappingEmail, MatchingField: "Email", State: model.StateActive, Version: 1,
		RequestedBy: "U0EOWNER1", RequestedAt: now, History: []workflows.Event{{At: now, Action: model.ActionRequest, By: "U0EOWNER1"}},
	}
	// Started as the code of version 1 started them: without SfVersion.
	_, err = env.Client.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{
		ID: workflows.ConnectionWorkflowID(ws, o.Id), TaskQueue: workflows.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.WorkspaceKey.ValueSet(ws), workflows.OrgKey.ValueSet(o.Id),
			workflows.OrgNameKey.ValueSet("org11"), workflows.StateKey.ValueSet("active")),
	}, workflows.ConnectionWorkflowName, workflows.ConnectionInput{Connection: old})
	if err != nil {
		t.Fatal(err)
	}
	org := []string{"--workspace", ws, "--org", o.Id}
	if c := decodeConnection(t, mustRun(t, append([]string{"connect", "status", "--output", "json"}, org...)...)); !c.UpdateAvailable {
		t.Fatalf("status of a version 1 connection: %+v", c)
	}
	if out := mustRun(t, "connect", "list", "--workspace", ws).out; !strings.Contains(out, "update available") {
		t.Fatalf("list:\n%s", out)
	}
	c := decodeConnection(t, mustRun(t, append([]string{"connect", "update", "--as", "U0EOWNER1", "--output", "json"}, org...)...))
	if c.Version != workflows.CurrentConnectionVersion || c.UpdateAvailable || len(c.PermissionObjects) == 0 {
		t.Fatalf("updated: %+v", c)
	}
	eventually(t, 10*time.Second, func() error {
		if out := mustRun(t, "connect", "list", "--workspace", ws, "--state", "active").out; strings.Contains(out, "update available") {
			return fmt.Errorf("list still shows the update:\n%s", out)
		}
		return nil
	})
	mustRun(t, append([]string{"connect", "disconnect", "--as", "U0EOWNER1", "--yes"}, org...)...)
}
