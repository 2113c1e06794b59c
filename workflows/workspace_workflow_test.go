package workflows_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

// orgIDFor gives each My Domain a stable org id in these tests; "acme" and
// its lightning URL are the same org.
func orgIDFor(url string) string {
	var n int
	_, _ = fmt.Sscanf(url, "https://org%d.my.salesforce.com", &n)
	return fmt.Sprintf("00D0000000%05dAAA", n)
}

// workspaceFixture runs a WorkspaceWorkflow with its connections' workflows
// mocked as started, recording the children it started.
type workspaceFixture struct {
	*fixture
	children []workflows.ConnectionInput
	// closed are the connections (by org id) whose workflow ended without
	// a report, and how; the reconciliation finds them.
	closed     map[string]string
	reconciled int
	// running are the live connections Temporal runs for the workspace.
	running []activities.LiveConnection
	// reconcileEvery is the registry's period.
	reconcileEvery time.Duration
}

func newWorkspaceFixture(t *testing.T) *workspaceFixture {
	// Reconciled every 6 hours, not 15 minutes: the tests' 30 days stay quick.
	f := &workspaceFixture{fixture: newFixture(t), closed: map[string]string{}, reconcileEvery: 6 * time.Hour}
	f.env.OnActivity(acts.ReconcileConnections, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ReconcileInput) (activities.ReconcileResult, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.reconciled++
			res := activities.ReconcileResult{}
			held := map[string]bool{}
			for _, c := range in.Connections {
				held[c.OrgID] = true
				if why, ok := f.closed[c.OrgID]; ok {
					res.Ended = append(res.Ended, activities.EndedConnection{RegisteredConnection: c, Why: why})
				}
			}
			for _, c := range f.running {
				if in.Running != "" && !held[c.OrgID] {
					res.Unregistered = append(res.Unregistered, c)
				}
			}
			return res, nil
		}).Maybe()
	f.env.OnActivity(acts.ResolveOrg, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ResolveOrgInput) (activities.OrgInfo, error) {
			return activities.OrgInfo{ID: orgIDFor(in.URL), Name: in.URL[len("https://") : len(in.URL)-len(".my.salesforce.com")], URL: in.URL}, nil
		}).Maybe()
	// A connection's workflow stays open until the test ends it.
	f.env.OnWorkflow(workflows.ConnectionWorkflowName, mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in workflows.ConnectionInput) (workflows.Connection, error) {
			f.mu.Lock()
			f.children = append(f.children, in)
			f.mu.Unlock()
			return in.Connection, nil
		}).Maybe()
	return f
}

func request(url, as string) workflows.ConnectionRequest {
	return workflows.ConnectionRequest{OrgURL: url, Caller: workflows.Caller{As: as}}
}

// run runs the workspace; at 30 days, every connection it started reports
// that it ended, so that the workspace goes idle and ends.
func (f *workspaceFixture) run(idle time.Duration) {
	f.t.Helper()
	f.env.RegisterDelayedCallback(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, in := range f.children {
			f.env.SignalWorkflow(workflows.SignalConnectionState, workflows.ConnectionStateSignal{
				OrgID: in.Connection.OrgID, State: model.StateDisconnected, Seq: 99,
			})
		}
	}, 30*24*time.Hour)
	f.env.SetStartTime(requestedAt)
	f.env.ExecuteWorkflow(workflows.WorkspaceWorkflowName, workflows.WorkspaceInput{Team: "T0DEMO0001", IdleTimeout: idle, ReconcileEvery: f.reconcileEvery})
	if err := f.env.GetWorkflowError(); err != nil {
		f.t.Fatalf("workspace workflow: %v", err)
	}
}

func (f *workspaceFixture) registry(at time.Duration) *workflows.Workspace {
	ws := &workflows.Workspace{}
	f.env.RegisterDelayedCallback(func() {
		v, err := f.env.QueryWorkflow(workflows.QueryConnections)
		if err != nil {
			f.t.Fatal(err)
		}
		if err := v.Get(ws); err != nil {
			f.t.Fatal(err)
		}
	}, at)
	return ws
}

func TestRequestStartsAConnection(t *testing.T) {
	f := newWorkspaceFixture(t)
	o := f.update(time.Minute, workflows.UpdateRequest, workflows.ConnectionRequest{
		OrgURL: "https://org07.lightning.force.com/lightning/page/home", MappingField: "saml_nameid", Caller: workflows.Caller{As: slackOwner},
	})
	ws := f.registry(2 * time.Minute)
	f.run(time.Hour)

	if o.rejected != nil || o.err != nil {
		t.Fatalf("request refused: %v %v", o.rejected, o.err)
	}
	c := o.conn
	if c.OrgID != orgIDFor("https://org07.my.salesforce.com") || c.OrgURL != "https://org07.my.salesforce.com" || c.State != model.StatePendingApproval {
		t.Errorf("connection: %+v", c)
	}
	if c.MappingField != model.MappingSAMLNameID || !c.AutoMap || c.RequestedBy != slackOwner {
		t.Errorf("settings: %+v", c)
	}
	if !c.ExpiresAt.Equal(requestedAt.Add(time.Minute + 7*24*time.Hour)) {
		t.Errorf("expires %v", c.ExpiresAt)
	}
	if len(f.children) != 1 || f.children[0].Connection.OrgID != c.OrgID {
		t.Fatalf("children: %+v", f.children)
	}
	if ref, ok := ws.Connections[c.OrgID]; !ok || ref.WorkflowID != workflows.ConnectionWorkflowID("T0DEMO0001", c.OrgID) {
		t.Errorf("registry: %+v", ws)
	}
	if f.noticesTo(slackOwner, "was sent") != 1 {
		t.Errorf("the requester was not told: %+v", f.notices)
	}
}

func TestRequestRefusals(t *testing.T) {
	cases := []struct {
		name      string
		req       workflows.ConnectionRequest
		validator bool
		kind      string
		want      string
	}{
		{"not a Salesforce URL", request("https://evil.example", slackOwner), true, activities.ErrInvalidInput, "evil.example"},
		{"plain http", request("http://org01.my.salesforce.com", slackOwner), true, activities.ErrInvalidInput, "https"},
		{"government cloud", request("https://agency.my.salesforce.mil", slackOwner), true, activities.ErrGovernmentCloud, "Government Cloud"},
		{"bad mapping field", workflows.ConnectionRequest{OrgURL: "https://org01.my.salesforce.com", MappingField: "phone", Caller: workflows.Caller{As: slackOwner}}, true, activities.ErrInvalidInput, "phone"},
		{"no caller", request("https://org01.my.salesforce.com", ""), true, activities.ErrInvalidInput, "--as"},
		{"a plain member", request("https://org01.my.salesforce.com", slackPlain), false, activities.ErrForbidden, slackPlain},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newWorkspaceFixture(t)
			o := f.update(time.Minute, workflows.UpdateRequest, tc.req)
			ws := f.registry(2 * time.Minute)
			f.run(time.Hour)
			if tc.validator {
				requireType(t, o.rejected, tc.kind, tc.want)
			} else {
				requireType(t, o.err, tc.kind, tc.want)
			}
			if len(ws.Connections) != 0 || len(f.children) != 0 {
				t.Errorf("a refused request changed the workspace: %+v, %d children", ws, len(f.children))
			}
		})
	}
}

func TestDuplicateRequestsAreRefused(t *testing.T) {
	f := newWorkspaceFixture(t)
	first := f.update(time.Minute, workflows.UpdateRequest, request("https://org03.my.salesforce.com", slackOwner))
	again := f.update(2*time.Minute, workflows.UpdateRequest, request("https://ORG03.my.salesforce.com/", slackAdmin))
	lightning := f.update(3*time.Minute, workflows.UpdateRequest, request("https://org03.lightning.force.com", slackAdmin))
	f.run(time.Hour)
	if first.err != nil {
		t.Fatal(first.err)
	}
	requireType(t, again.rejected, workflows.ErrDuplicate, "already connected")
	requireType(t, lightning.rejected, workflows.ErrDuplicate, "already connected")
	if len(f.children) != 1 {
		t.Errorf("%d connections started", len(f.children))
	}
}

func TestTwentyOrgLimitUnderConcurrentRequests(t *testing.T) {
	f := newWorkspaceFixture(t)
	var outcomes []*outcome
	// 25 requests in the same instant, for 25 different orgs.
	for i := 1; i <= 25; i++ {
		outcomes = append(outcomes, f.update(time.Minute, workflows.UpdateRequest, request(fmt.Sprintf("https://org%02d.my.salesforce.com", i), slackOwner)))
	}
	ws := f.registry(time.Hour)
	f.run(time.Hour)
	ok, limited := 0, 0
	for _, o := range outcomes {
		switch {
		case o.rejected == nil && o.err == nil:
			ok++
		default:
			err := o.rejected
			if err == nil {
				err = o.err
			}
			requireType(t, err, workflows.ErrLimitReached, "20 Salesforce orgs")
			limited++
		}
	}
	if ok != 20 || limited != 5 || len(ws.Connections) != 20 || len(f.children) != 20 {
		t.Fatalf("ok=%d limited=%d registry=%d children=%d", ok, limited, len(ws.Connections), len(f.children))
	}
}

func TestEndedConnectionFreesItsSlot(t *testing.T) {
	f := newWorkspaceFixture(t)
	for i := 1; i <= 20; i++ {
		f.update(time.Minute, workflows.UpdateRequest, request(fmt.Sprintf("https://org%02d.my.salesforce.com", i), slackOwner))
	}
	full := f.update(time.Hour, workflows.UpdateRequest, request("https://org21.my.salesforce.com", slackOwner))
	// org05 is disconnected: its workflow reports the terminal state.
	f.env.RegisterDelayedCallback(func() {
		f.env.SignalWorkflow(workflows.SignalConnectionState, workflows.ConnectionStateSignal{
			OrgID: orgIDFor("https://org05.my.salesforce.com"), State: model.StateDisconnected, Seq: 5,
		})
	}, 2*time.Hour)
	again := f.update(3*time.Hour, workflows.UpdateRequest, request("https://org21.my.salesforce.com", slackOwner))
	reconnect := f.update(4*time.Hour, workflows.UpdateRequest, request("https://org22.my.salesforce.com", slackOwner))
	f.run(time.Hour)
	requireType(t, full.rejected, workflows.ErrLimitReached, "disconnect one")
	if again.rejected != nil || again.err != nil {
		t.Fatalf("the freed slot was not reusable: %v %v", again.rejected, again.err)
	}
	requireType(t, reconnect.rejected, workflows.ErrLimitReached, "20")
}

func TestRefusedSignalRequestIsKept(t *testing.T) {
	f := newWorkspaceFixture(t)
	f.signal(time.Minute, workflows.UpdateRequest, request("https://org01.my.salesforce.com", slackPlain))
	f.signal(2*time.Minute, workflows.UpdateRequest, request("https://org02.my.salesforce.com", slackOwner))
	ws := f.registry(time.Hour)
	f.run(time.Hour)
	if len(ws.Attempts) != 1 || ws.Attempts[0].By != slackPlain || ws.Attempts[0].Via != "signal" {
		t.Errorf("attempts: %+v", ws.Attempts)
	}
	if len(ws.Connections) != 1 {
		t.Errorf("the allowed signal did not connect: %+v", ws.Connections)
	}
}

func TestIdleWorkspaceEnds(t *testing.T) {
	f := newWorkspaceFixture(t)
	f.run(30 * time.Minute)
	if !f.env.IsWorkflowCompleted() {
		t.Fatal("an idle workspace without connections should end")
	}
	if got := f.env.Now().Sub(requestedAt); got != 30*time.Minute {
		t.Errorf("ended after %v, want the idle timeout", got)
	}
}
