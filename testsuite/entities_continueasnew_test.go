package testsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

// A connection and a workspace live long enough to continue as new (the
// dev server suggests it after 60 events here): each carries its state
// into its next run, which goes on taking steps and requests. Their first
// runs are the recorded histories of a connection and a workspace that
// continued as new.
func TestConnectionAndWorkspaceContinueAsNew(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	e := startSeparateEnv(t, ctx, false, "", nil, "--dynamic-config-value", "limit.historyCount.suggestContinueAsNew=60")
	e.worker("worker")
	const ws = "T0DEMO0001"
	acme := e.connectAcme(10)
	// The workspace takes more requests, each ended at once.
	for _, org := range []string{"org01", "org02", "org03"} {
		e.must("connect", "request", "--workspace", ws, "--org-url", "https://"+org+".my.salesforce.com", "--as", "U0OWNER01")
		e.must("connect", "disconnect", "--workspace", ws, "--org", org, "--as", "U0OWNER01", "--yes")
	}
	// The connection takes more steps.
	for _, on := range []string{"on", "off", "on", "off"} {
		e.must(append([]string{"connect", "banner", on, "--as", "U0OWNER01"}, acme...)...)
	}
	connID, wsID := workflows.ConnectionWorkflowID(ws, acmeID), workflows.WorkspaceWorkflowID(ws)
	firstRun := func(id string) string {
		var first string
		eventually(t, 30*time.Second, func() error {
			desc, err := e.Client.DescribeWorkflowExecution(ctx, id, "")
			if err != nil {
				return err
			}
			info := desc.GetWorkflowExecutionInfo()
			if info.GetFirstRunId() == info.GetExecution().GetRunId() {
				return fmt.Errorf("%s never continued as new (%d events)", id, info.GetHistoryLength())
			}
			first = info.GetFirstRunId()
			return nil
		})
		return first
	}
	connFirst, wsFirst := firstRun(connID), firstRun(wsID)

	// The connection's next run knows its past and takes steps.
	var c workflows.Connection
	if err := json.Unmarshal([]byte(e.must(append([]string{"connect", "status", "--output", "json"}, acme...)...).out), &c); err != nil {
		t.Fatal(err)
	}
	if c.State != model.StateActive || c.Banner || c.Events() < 7 || c.History[0].Action != model.ActionRequest {
		t.Fatalf("the connection after continuing as new: %s, banner %v, %d events", c.State, c.Banner, c.Events())
	}
	e.must(append([]string{"connect", "banner", "on", "--as", "U0OWNER01"}, acme...)...)
	// The workspace's next run still holds acme's place, and takes requests.
	if r := e.cli("connect", "request", "--workspace", ws, "--org-url", "https://acme.my.salesforce.com", "--as", "U0OWNER01"); r.code == 0 {
		t.Fatalf("a second acme was accepted after the registry continued as new: %s", r)
	}
	e.must("connect", "request", "--workspace", ws, "--org-url", "https://org04.my.salesforce.com", "--as", "U0OWNER01")
	var reg workflows.Workspace
	v, err := e.Client.QueryWorkflow(ctx, wsID, "", workflows.QueryConnections)
	if err == nil {
		err = v.Get(&reg)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := reg.Connections[acmeID]; !ok || len(reg.Connections) != 2 {
		t.Fatalf("the registry after continuing as new: %+v", reg.Connections)
	}
	recordHistoryOf(t, e.Env, "connection-continued-as-new", connID, connFirst)
	recordHistoryOf(t, e.Env, "workspace-continued-as-new", wsID, wsFirst)
}
