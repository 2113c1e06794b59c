package testsuite

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

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

// `jobs cancel` prints the state the cancel led to; `jobs approve` on a
// cancelled job says it was cancelled, not that it does not exist.
func TestJobCancelAndApproveAfterIt(t *testing.T) {
	const ws = "T0DEMO0001"
	org := []string{"--workspace", ws, "--org", "org10"}
	with := func(args ...string) []string { return append(args, org...) }
	mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://org10.my.salesforce.com", "--no-auto-map", "--as", "U0OWNER01")
	mustRun(t, with("connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@org10.example")...)
	mustRun(t, with("connect", "activate", "--as", "U0OWNER01")...)
	defer mustRun(t, with("connect", "disconnect", "--as", "U0OWNER01", "--yes")...)

	// Every row refused (no such users in org10): the job waits for an approval.
	file := writeFile(t, "risky.csv", "slack_user_id,salesforce_username\nU0MEMBER1,nobody1@org10.example\nU0MEMBER2,nobody2@org10.example\n")
	var job struct {
		ID string `json:"job_id"`
	}
	if r := mustRun(t, with("members", "import", file, "--detach", "--as", "U0ADMIN01", "--output", "json")...); json.Unmarshal([]byte(r.out), &job) != nil {
		t.Fatalf("import: %s", r)
	}
	eventually(t, 30*time.Second, func() error {
		if s := decodeJob(t, run(t, "jobs", "status", job.ID, "--output", "json")); s.Phase != workflows.PhaseAwaitingApproval {
			return errorf("phase %s", s.Phase)
		}
		return nil
	})
	if s := decodeJob(t, mustRun(t, "jobs", "cancel", job.ID, "--as", "U0ADMIN01", "--output", "json")); s.Phase != workflows.PhaseCancelled {
		t.Errorf("jobs cancel printed phase %s, not the cancelled job", s.Phase)
	}
	r := run(t, "jobs", "approve", job.ID, "--as", "U0ADMIN01")
	if r.code != 1 || !strings.Contains(r.err, "cancelled") || strings.Contains(r.err, "no job") {
		t.Errorf("approve after cancel: %s", r)
	}
}

// The Salesforce side of `members search` is authorised as a search: a
// standard user's refusal says "search", never "clear"; an admin searches.
func TestSalesforceSearchIsASearch(t *testing.T) {
	const ws = "T0DEMO0002"
	org := []string{"--workspace", ws, "--org", "acme"}
	with := func(args ...string) []string { return append(args, org...) }
	mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://acme.my.salesforce.com", "--no-auto-map", "--as", "U0OWNER02")
	mustRun(t, with("connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example")...)
	mustRun(t, with("connect", "activate", "--as", "U0OWNER02")...)
	defer mustRun(t, with("connect", "disconnect", "--as", "U0OWNER02", "--yes")...)

	r := mustRefuse(t, "may not search the user mappings", with("members", "search", "member", "--as", "user@acme.example")...)
	if strings.Contains(r.err, "clear") {
		t.Errorf("the search's refusal speaks of a clear: %s", r.err)
	}
	mustRun(t, with("members", "search", "member", "--as", "admin@acme.example")...)
}

// An id given with spaces around it is refused, one way for every step,
// from the CLI as from the stock CLI, and nothing is requested.
func TestIDsWithSpacesAreRefused(t *testing.T) {
	mustRefuse(t, "leading or trailing spaces", "connect", "request", "--workspace", "T0DEMO0001", "--org-url", "https://org12.my.salesforce.com", "--as", "U0OWNER01 ")
	if r := run(t, "connect", "status", "--workspace", "T0DEMO0001", "--org", "org12"); r.code == 0 {
		t.Fatalf("a refused request left a connection: %s", r)
	}
}

// A member who joined after activation is found by email, id and name.
// (This already held on this branch's base: the test keeps it so.)
func TestMemberWhoJoinedLaterIsFound(t *testing.T) {
	// T0DEMO0002: the member it adds stays in the sandbox, and the tests
	// of T0DEMO0001 count that workspace's members.
	const ws = "T0DEMO0002"
	org := []string{"--workspace", ws, "--org", "org13"}
	with := func(args ...string) []string { return append(args, org...) }
	mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://org13.my.salesforce.com", "--no-auto-map", "--as", "U0OWNER02")
	mustRun(t, with("connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@org13.example")...)
	mustRun(t, with("connect", "activate", "--as", "U0OWNER02")...)
	defer mustRun(t, with("connect", "disconnect", "--as", "U0OWNER02", "--yes")...)

	// Slack's only way to add a member: SCIM, with the workspace's bot token.
	body := `{"userName":"latecomer","name":{"givenName":"Late","familyName":"Comer"},"displayName":"Late Comer","emails":[{"value":"latecomer@demo-two.example","primary":true}]}`
	req, _ := http.NewRequest(http.MethodPost, env.SandboxURL+"/scim/v2/Users", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer xoxb-sandbox-"+ws)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var u struct {
		ID string `json:"id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&u)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || u.ID == "" {
		t.Fatalf("SCIM: %s %+v", resp.Status, u)
	}
	for _, q := range []string{"latecomer@demo-two.example", u.ID, "Late Comer"} {
		if out := mustRun(t, with("members", "search", q, "--as", "U0OWNER02")...).out; !strings.Contains(out, u.ID) {
			t.Errorf("search %q does not find the member who joined later:\n%s", q, out)
		}
	}
}
