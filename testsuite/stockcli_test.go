package testsuite

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

// temporalCLI runs the stock `temporal` CLI against the test dev server.
func temporalCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	args = append(args, "--address", env.TemporalAddr, "--codec-endpoint", env.CodecURL)
	out, err := exec.Command(temporalBin(), args...).CombinedOutput()
	return string(out), err
}

// The README's messages work from the stock temporal CLI, as documented.
func TestStockTemporalCLIDrivesTheSteps(t *testing.T) {
	const ws = "T0DEMO0001"
	r := mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://acme--uat.sandbox.my.salesforce.com", "--as", "U0ADMIN01", "--output", "json")
	c := decodeConnection(t, r)
	if c.State != model.StatePendingApproval || !c.SandboxOrg {
		t.Fatalf("request: %+v", c)
	}
	id := workflows.ConnectionWorkflowID(ws, c.OrgID)

	// A refused update fails the command and says why.
	out, err := temporalCLI(t, "workflow", "update", "execute", "--workflow-id", id, "--name", "approve",
		"--input", `{"matching_field":"Email","accept_terms":false,"as":"admin@acme.example.uat"}`)
	if err == nil || !strings.Contains(out, "terms of use") || strings.Contains(out, "retryable: true") || !strings.Contains(out, "retryable: false") {
		t.Fatalf("update without the terms: err=%v\n%s", err, out)
	}
	out, err = temporalCLI(t, "workflow", "update", "execute", "--workflow-id", id, "--name", "approve",
		"--input", `{"matching_field":"Username","accept_terms":true,"as":"admin@acme.example.uat"}`)
	if err != nil {
		t.Fatalf("approve by update: %v\n%s", err, out)
	}
	// An admin may not activate: the refused signal is kept as an attempt.
	for _, as := range []string{"U0ADMIN01", "U0OWNER01"} {
		if out, err := temporalCLI(t, "workflow", "signal", "--workflow-id", id, "--name", "activate", "--input", `{"as":"`+as+`"}`); err != nil {
			t.Fatalf("signal: %v\n%s", err, out)
		}
	}
	eventually(t, 15*time.Second, func() error {
		out, err := temporalCLI(t, "workflow", "query", "--workflow-id", id, "--name", "status", "--output", "json")
		if err != nil {
			return err
		}
		var q struct {
			QueryResult []workflows.Connection `json:"queryResult"`
		}
		if err := json.Unmarshal([]byte(out), &q); err != nil || len(q.QueryResult) != 1 {
			return errorf("query output: %v\n%s", err, out)
		}
		c := q.QueryResult[0]
		if c.State != model.StateActive || len(c.Attempts) != 1 || c.Attempts[0].By != "U0ADMIN01" || !strings.Contains(c.Attempts[0].Reason, "workspace owner") {
			return errorf("status: %+v", c)
		}
		return nil
	})
	mustRun(t, "connect", "disconnect", "--workspace", ws, "--org", "acme--uat", "--as", "U0OWNER01", "--yes")
	recordHistory(t, "connection-signals", id)
}

// A request nobody approves expires, after reminders, on the real server.
// The Enterprise workspace is this test's alone: its registry, started here,
// gives its connections the short timing.
func TestExpiryWithRemindersOnTheDevServer(t *testing.T) {
	cfg := env.Config
	cfg.Timing = workflows.Timing{RequestTTL: 4 * time.Second, ReminderEvery: time.Second}
	const ws = "T0ENT00001"
	// Only an org owner or admin may request on Enterprise.
	if r := cli(t, &cfg, "", "connect", "request", "--workspace", ws, "--org-url", "https://locked.my.salesforce.com", "--as", "U0EMEMBR1"); r.code != 1 || !strings.Contains(r.err, "org owner, an org admin") {
		t.Fatalf("a plain member of an Enterprise workspace: %s", r)
	}
	r := cli(t, &cfg, "", "connect", "request", "--workspace", ws, "--org-url", "https://locked.my.salesforce.com", "--as", "U0EADMIN1", "--output", "json")
	if r.code != 0 {
		t.Fatal(r)
	}
	c := decodeConnection(t, r)
	if len(c.Warnings) == 0 || !strings.Contains(c.Warnings[0], "IP restrictions") {
		t.Errorf("the locked org's IP restrictions are not shown: %+v", c.Warnings)
	}
	eventually(t, 20*time.Second, func() error {
		c := decodeConnection(t, mustRun(t, "connect", "status", "--workspace", ws, "--org", "locked", "--output", "json"))
		if c.State != model.StateExpired {
			return errorf("state %s, want expired", c.State)
		}
		if c.RemindersSent < 2 {
			return errorf("%d reminders", c.RemindersSent)
		}
		return nil
	})
	recordHistory(t, "connection-expired", workflows.ConnectionWorkflowID(ws, c.OrgID))
	reminders := 0
	for _, m := range env.Sandbox.Messages(ws, "U0EADMIN1") {
		if strings.Contains(m.Text, "Reminder") && strings.Contains(m.Text, "locked") {
			reminders++
		}
	}
	if reminders < 2 {
		t.Errorf("%d reminders reached Slack", reminders)
	}
}
