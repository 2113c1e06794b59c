package production

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/sfconnect/sfconnect/workflows"
)

// readmeQueries are the visibility queries the README gives for the Web
// UI's query box (the code block after "Filter with the search
// attributes").
func readmeQueries(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "Filter with the search attributes")
	if !ok {
		t.Fatal(`README.md: no "Filter with the search attributes" before its queries`)
	}
	_, rest, _ = strings.Cut(rest, "```\n")
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("README.md: the search-attribute queries are not in a code block")
	}
	var out []string
	for _, line := range strings.Split(block, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// Every query of the README, on SQL visibility, finds the workflows it
// describes and no other: acme active, org02 waiting for its approval, a
// CSV job of acme waiting for its own.
func testSearchAttributeQueries(t *testing.T) {
	org02 := decodeConnection(t, must(t, "connect", "request", "--workspace", demoWorkspace, "--org-url", "https://org02.my.salesforce.com", "--as", "U0OWNER01", "--output", "json"))
	acmeWF := workflows.ConnectionWorkflowID(demoWorkspace, acmeID)
	org02WF := workflows.ConnectionWorkflowID(demoWorkspace, org02.OrgID)
	// A CSV job of acme, waiting for its approval (no --yes): its phase is
	// in SfJobPhase, never in the connections' SfState.
	file := filepath.Join(topo.dir, "search.csv")
	if err := os.WriteFile(file, []byte("slack_user_id,salesforce_username\nU0MEMBER8,member8b@acme.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var started struct {
		JobID string `json:"job_id"`
	}
	r := must(t, "members", "import", file, "--detach", "--workspace", demoWorkspace, "--org", "acme", "--as", "U0ADMIN01", "--output", "json")
	if err := json.Unmarshal([]byte(r.out), &started); err != nil || started.JobID == "" {
		t.Fatalf("import --detach: %v\n%s", err, r)
	}
	defer must(t, "jobs", "cancel", started.JobID, "--as", "U0ADMIN01")
	jobWF := workflows.JobWorkflowID(started.JobID)
	eventually(t, 30*time.Second, func() error {
		if s := jobStatus(t, context.Background(), started.JobID); s.Phase != workflows.PhaseAwaitingApproval {
			return fmt.Errorf("job %s is %s", started.JobID, s.Phase)
		}
		return nil
	})
	// What each query must find among the three, by the README's text: a
	// new query there needs its line here.
	want := map[string][]string{
		`SfWorkspace = "T0DEMO0001"`:                                                                    {acmeWF, org02WF, jobWF},
		`SfState = "pending_approval"`:                                                                  {org02WF},
		`SfWorkspace = "T0DEMO0001" AND SfState = "pending_approval"`:                                   {org02WF},
		`SfOrgName = "acme" AND SfState = "active"`:                                                     {acmeWF},
		`WorkflowType = "ConnectionWorkflow" AND SfOrg = "00D000000000001AAA"`:                          {acmeWF},
		`SfWorkspace = "T0DEMO0001" AND SfJobPhase = "awaiting_approval"`:                               {jobWF},
		`WorkflowType = "JobWorkflow" AND SfOrg = "00D000000000001AAA" AND ExecutionStatus = "Running"`: {jobWF},
	}
	queries := readmeQueries(t)
	if len(queries) == 0 {
		t.Fatal("README.md: no search-attribute queries")
	}
	for _, q := range queries {
		expect, ok := want[q]
		if !ok {
			t.Errorf("README.md query %q: this test does not know what it must find; add it to want", q)
			continue
		}
		eventually(t, 15*time.Second, func() error {
			found, err := openConnections(q)
			if err != nil {
				return fmt.Errorf("query %q: %w", q, err)
			}
			for _, id := range []string{acmeWF, org02WF, jobWF} {
				if slices.Contains(found, id) != slices.Contains(expect, id) {
					return fmt.Errorf("query %q finds %v among the open workflows; want %v of %v", q, found, expect, []string{acmeWF, org02WF, jobWF})
				}
			}
			return nil
		})
	}
}

// openConnections are the ids of the running workflows a query finds.
func openConnections(query string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := topo.client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: topo.workerEnv["TEMPORAL_NAMESPACE"],
		Query:     "(" + query + ") AND ExecutionStatus = 'Running'",
		PageSize:  1000,
	})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range resp.GetExecutions() {
		ids = append(ids, e.GetExecution().GetWorkflowId())
	}
	return ids, nil
}
