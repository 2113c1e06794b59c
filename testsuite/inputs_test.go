package testsuite

import (
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sfconnect/sfconnect/workflows"
)

// A request for a workspace the Slack app does not know is refused, and
// leaves no workflow running (the registry it started is ended).
func TestUnknownWorkspaceLeavesNothingRunning(t *testing.T) {
	const ws = "T0NOPE0000"
	mustRefuse(t, "not known to sfconnect's Slack app", "connect", "request", "--workspace", ws, "--org-url", "https://org10.my.salesforce.com", "--as", "U0OWNER01")
	d, err := env.Client.DescribeWorkflowExecution(t.Context(), workflows.WorkspaceWorkflowID(ws), "")
	if err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("the registry of %s still runs", ws)
	}
}

// A refusal line is bounded: a 100,000-character --as is cut with an
// ellipsis, and the line still says why.
func TestRefusalLineIsBounded(t *testing.T) {
	as := strings.Repeat("U", 100_000)
	r := run(t, "connect", "request", "--workspace", "T0DEMO0001", "--org-url", "https://org10.my.salesforce.com", "--as", as)
	if r.code != 1 || len(r.err) > 2100 || !strings.Contains(r.err, "…") || strings.Count(r.err, "\n") > 1 {
		t.Fatalf("exit %d, a %d-byte refusal: %.300s", r.code, len(r.err), r.err)
	}
}
