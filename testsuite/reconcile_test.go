package testsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/workflows"
)

// registryOf reads a workspace's registry.
func registryOf(ctx context.Context, t *testing.T, team string) workflows.Workspace {
	t.Helper()
	var ws workflows.Workspace
	v, err := env.Client.QueryWorkflow(ctx, workflows.WorkspaceWorkflowID(team), "", workflows.QueryConnections)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Get(&ws); err != nil {
		t.Fatal(err)
	}
	return ws
}

// A connection terminated by hand (it tells no one) frees its place in
// its workspace's registry within the reconciliation's period, and the
// org can be requested again; a registry terminated by hand comes back
// holding the places of the live connections.
func TestTerminatedConnectionFreesItsPlace(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cfg := env.Config
	const every = 2 * time.Second
	cfg.WorkspaceReconcile = every
	r := cli(t, &cfg, "", "workspace", "create", "--name", "Reconciled", "--from-salesforce", "org12", "--as", "admin@org12.example", "--output", "json")
	if r.code != 0 {
		t.Fatalf("workspace create: %s", r)
	}
	var made workflows.CreatedWorkspace
	if err := json.Unmarshal([]byte(r.out), &made); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, func() error {
		if ws := registryOf(ctx, t, made.Team); len(ws.Connections) != 1 {
			return fmt.Errorf("the born connection is not registered: %+v", ws.Connections)
		}
		return nil
	})
	id := workflows.ConnectionWorkflowID(made.Team, made.Connection.OrgID)
	if err := env.Client.TerminateWorkflow(ctx, id, "", "by hand, in a test"); err != nil {
		t.Fatal(err)
	}
	terminated := time.Now()
	eventually(t, 5*every+5*time.Second, func() error {
		if ws := registryOf(ctx, t, made.Team); len(ws.Connections) != 0 {
			return fmt.Errorf("the terminated connection still holds its place: %+v", ws.Connections)
		}
		return nil
	})
	ws := registryOf(ctx, t, made.Team)
	if len(ws.Freed) != 1 || ws.Freed[0].OrgID != made.Connection.OrgID || ws.Freed[0].Why != "its workflow terminated" {
		t.Errorf("freed: %+v", ws.Freed)
	}
	t.Logf("freed %v after the termination (period %v)", time.Since(terminated).Round(100*time.Millisecond), every)
	if r := cli(t, &cfg, "", "connect", "request", "--workspace", made.Team, "--org-url", "https://org12.my.salesforce.com", "--as", made.Owner); r.code != 0 {
		t.Fatalf("requesting the org again: %s", r)
	}

	// The registry itself terminated by hand: the next request starts one
	// afresh, which finds the live connection again and holds its place.
	if err := env.Client.TerminateWorkflow(ctx, workflows.WorkspaceWorkflowID(made.Team), "", "by hand, in a test"); err != nil {
		t.Fatal(err)
	}
	if r := cli(t, &cfg, "", "connect", "request", "--workspace", made.Team, "--org-url", "https://org13.my.salesforce.com", "--as", made.Owner); r.code != 0 {
		t.Fatalf("a request to a registry started afresh: %s", r)
	}
	eventually(t, 15*time.Second, func() error {
		if ws := registryOf(ctx, t, made.Team); len(ws.Connections) != 2 {
			return fmt.Errorf("the fresh registry does not hold org12's live connection: %+v", ws.Connections)
		}
		return nil
	})
	mustRefuse(t, "already connected", "connect", "request", "--workspace", made.Team, "--org-url", "https://org12.my.salesforce.com", "--as", made.Owner)
	mustRun(t, "connect", "disconnect", "--workspace", made.Team, "--org", "org12", "--as", made.Owner, "--yes")
	mustRun(t, "connect", "disconnect", "--workspace", made.Team, "--org", "org13", "--as", made.Owner, "--yes")
}

// An org disconnected can be requested again at once: its place is free
// when the disconnect returns, and the request waits the moment the ended
// connection's workflow takes to post its last notices and close.
func TestRequestRightAfterDisconnect(t *testing.T) {
	const ws = "T0DEMO0001"
	org := []string{"--workspace", ws, "--org", "org15"}
	for i := range 8 {
		if r := run(t, "connect", "request", "--workspace", ws, "--org-url", "https://org15.my.salesforce.com", "--as", "U0OWNER01"); r.code != 0 {
			t.Fatalf("request %d, right after a disconnect: %s", i+1, r)
		}
		mustRun(t, append([]string{"connect", "disconnect", "--as", "U0OWNER01", "--yes"}, org...)...)
	}
}
