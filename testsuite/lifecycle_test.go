package testsuite

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

const acmeID = "00D000000000001AAA"

func decodeConnection(t *testing.T, r result) workflows.Connection {
	t.Helper()
	var c workflows.Connection
	if err := json.Unmarshal([]byte(r.out), &c); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, r)
	}
	return c
}

// connectAcmeMapped connects acme to T0DEMO0001 through the three steps,
// with automatic mapping, and waits for the mapping to end.
func connectAcmeMapped(t *testing.T, within time.Duration) workflows.Connection {
	t.Helper()
	org := []string{"--workspace", "T0DEMO0001", "--org", "acme"}
	// A test before may just have disconnected acme: its place is free
	// when the disconnect returns (the request waits for the ended
	// connection's workflow to close).
	mustRun(t, "connect", "request", "--workspace", "T0DEMO0001", "--org-url", "https://acme.my.salesforce.com", "--as", "U0OWNER01")
	mustRun(t, append([]string{"connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example"}, org...)...)
	mustRun(t, append([]string{"connect", "activate", "--as", "U0OWNER01"}, org...)...)
	var c workflows.Connection
	eventually(t, within, func() error {
		c = decodeConnection(t, mustRun(t, append([]string{"connect", "status", "--output", "json"}, org...)...))
		if c.AutoMapRun == nil || c.AutoMapRun.Running {
			return fmt.Errorf("automatic mapping not done: %+v", c.AutoMapRun)
		}
		return nil
	})
	return c
}

// listed returns the state `connect list` shows for an org (id or name) of
// a workspace, newest first.
func listed(t *testing.T, team, org string, extra ...string) (model.State, bool) {
	t.Helper()
	r := mustRun(t, append([]string{"connect", "list", "--workspace", team, "--output", "json"}, extra...)...)
	var out struct {
		Connections []struct {
			OrgID   string      `json:"org_id"`
			OrgName string      `json:"org_name"`
			State   model.State `json:"state"`
		} `json:"connections"`
	}
	if err := json.Unmarshal([]byte(r.out), &out); err != nil {
		t.Fatalf("list json: %v\n%s", err, r)
	}
	for _, c := range out.Connections {
		if c.OrgID == org || c.OrgName == org {
			return c.State, true
		}
	}
	return "", false
}

func TestLifecycleThroughTheCLI(t *testing.T) {
	const ws = "T0DEMO0001"
	org := []string{"--workspace", ws, "--org", "acme"}

	// Step 1, by the owner, with a lightning URL that is normalised.
	r := mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://acme.lightning.force.com/lightning/page/home", "--as", "U0OWNER01", "--output", "json")
	c := decodeConnection(t, r)
	if c.OrgID != acmeID || c.OrgURL != "https://acme.my.salesforce.com" || c.State != model.StatePendingApproval || !c.AutoMap || c.MappingField != model.MappingEmail {
		t.Fatalf("requested connection: %+v", c)
	}
	mustRefuse(t, "already connected", "connect", "request", "--workspace", ws, "--org-url", "https://acme.my.salesforce.com", "--as", "U0ADMIN01")

	// Step 2: refused without the terms, refused for a standard user, then approved by the admin.
	mustRefuse(t, "terms of use", append([]string{"connect", "approve", "--matching-field", "Email", "--as", "admin@acme.example"}, org...)...)
	mustRefuse(t, "System Administrator", append([]string{"connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "user@acme.example"}, org...)...)
	mustRefuse(t, "pending_approval", append([]string{"connect", "activate", "--as", "U0OWNER01"}, org...)...)
	r = mustRun(t, append([]string{"connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example", "--output", "json"}, org...)...)
	if c = decodeConnection(t, r); c.State != model.StatePendingActivation || c.MatchingField != "Email" {
		t.Fatalf("approved: %+v", c)
	}

	// Step 3: an admin may not activate (the article), the role holder may.
	mustRefuse(t, "owner", append([]string{"connect", "activate", "--as", "U0ADMIN01"}, org...)...)
	mustRefuse(t, "U0MEMBER1", append([]string{"connect", "activate", "--as", "U0MEMBER1"}, org...)...)
	r = mustRun(t, append([]string{"connect", "activate", "--as", "U0SFADM01"}, "--workspace", ws, "--org", acmeID)...)
	if !strings.Contains(r.out, "active") {
		t.Fatalf("activate output: %s", r)
	}

	// Status, by URL, with who did what.
	r = mustRun(t, "connect", "status", "--workspace", ws, "--org", "https://acme.my.salesforce.com", "--output", "json")
	c = decodeConnection(t, r)
	if c.State != model.StateActive || c.IntegrationUser == "" || len(c.History) < 3 {
		t.Fatalf("status: %+v", c)
	}
	for i, want := range []struct {
		action model.Action
		by     string
	}{{model.ActionRequest, "U0OWNER01"}, {model.ActionApprove, "admin@acme.example"}, {model.ActionActivate, "U0SFADM01"}} {
		if c.History[i].Action != want.action || c.History[i].By != want.by {
			t.Errorf("history[%d] = %+v, want %v", i, c.History[i], want)
		}
	}
	text := mustRun(t, "connect", "status", "--workspace", ws, "--org", "acme")
	for _, want := range []string{"State:", "active", "admin@acme.example", "U0SFADM01"} {
		if !strings.Contains(text.out, want) {
			t.Errorf("text status lacks %q:\n%s", want, text.out)
		}
	}
	eventually(t, 10*time.Second, func() error {
		if s, ok := listed(t, ws, acmeID, "--state", "active"); !ok || s != model.StateActive {
			return fmt.Errorf("list --state active does not show acme active (got %q, %v)", s, ok)
		}
		return nil
	})

	// The requester heard of each step in Slack (notices are posted in the background).
	eventually(t, 10*time.Second, func() error {
		if msgs := env.Sandbox.Messages(ws, "U0OWNER01"); len(msgs) < 3 {
			return fmt.Errorf("notices to the requester: %+v", msgs)
		}
		return nil
	})

	// Disconnect: without --yes and no answer, nothing happens; with it, done.
	if r := cli(t, nil, "", append([]string{"connect", "disconnect", "--as", "U0ADMIN01"}, org...)...); r.code != 1 || !strings.Contains(r.err, "--yes") {
		t.Fatalf("unconfirmed disconnect: %s", r)
	}
	if r := cli(t, nil, "y\n", append([]string{"connect", "disconnect", "--as", "U0ADMIN01", "--output", "json"}, org...)...); r.code != 0 || decodeConnection(t, r).State != model.StateDisconnected {
		t.Fatalf("confirmed disconnect: %s", r)
	}
	eventually(t, 10*time.Second, func() error {
		if s, _ := listed(t, ws, acmeID); s != model.StateDisconnected {
			return fmt.Errorf("list shows acme %q, want disconnected", s)
		}
		return nil
	})
	recordHistory(t, "connection-lifecycle", workflows.ConnectionWorkflowID(ws, acmeID))
	// The ended connection's status still answers, and acme can be requested again.
	if c := decodeConnection(t, mustRun(t, "connect", "status", "--workspace", ws, "--org", "acme", "--output", "json")); c.State != model.StateDisconnected {
		t.Fatalf("status after disconnect: %+v", c)
	}
	mustRefuse(t, "disconnected", append([]string{"connect", "activate", "--as", "U0OWNER01"}, org...)...)
	mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://acme.my.salesforce.com", "--as", "U0OWNER01")
	mustRun(t, "connect", "reject", "--workspace", ws, "--org", "acme", "--reason", "test over", "--as", "admin@acme.example")
}
