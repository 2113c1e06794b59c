package testsuite

import (
	"fmt"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/workflows"
)

// With 20% of Slack and Salesforce calls failing (429 with Retry-After, and
// 503), the lifecycle, automatic mapping and a CSV job all finish with the
// right result: the activities retry, honouring Retry-After.
func TestTwentyPercentFaults(t *testing.T) {
	const ws = "T0DEMO0001"
	env.Sandbox.SetFaults(sandbox.Faults{ErrorRate: 0.2, Statuses: []int{429, 503}, RetryAfter: time.Second, Seed: 7})
	defer env.Sandbox.ClearFaults()
	s0 := env.Sandbox.Stats()
	cfg := env.Config
	org := []string{"--workspace", ws, "--org", "acme"}
	with := func(args ...string) []string { return append(args, org...) }

	c := connectAcmeMapped(t, 90*time.Second)
	if p := c.AutoMapRun; !p.Done || p.Linked != 7 || p.Unmatched != 3 || p.Ambiguous != 1 || p.Skipped != 1 {
		t.Fatalf("automatic mapping under faults: %+v", p)
	}
	file := writeFile(t, "faulty.csv", "slack_user_id,salesforce_username\nU0MEMBER8,member8b@acme.example\nU0NOSUCH99,member9@acme.example\n")
	r := cli(t, &cfg, "", with("members", "import", file, "--as", "U0ADMIN01", "--output", "json")...)
	if r.code != 0 {
		t.Fatal(r)
	}
	job := decodeJob(t, r)
	if job.Phase != workflows.PhaseAwaitingApproval || job.WouldInvite != 1 || job.WouldRefuse != 1 {
		t.Fatalf("preview under faults: %+v", job)
	}
	job = decodeJob(t, cli(t, &cfg, "", "jobs", "approve", job.ID, "--as", "U0ADMIN01", "--output", "json"))
	eventually(t, 90*time.Second, func() error {
		job = decodeJob(t, cli(t, &cfg, "", "jobs", "status", job.ID, "--output", "json"))
		if job.Phase != workflows.PhaseFollowing || job.Invited != 1 || job.Refused != 1 {
			return fmt.Errorf("job under faults: %+v", job)
		}
		return nil
	})
	mustRun(t, with("connect", "disconnect", "--as", "U0OWNER01", "--yes")...)
	s1 := env.Sandbox.Stats()
	injected := s1.FaultsInjected - s0.FaultsInjected
	calls := s1.SlackRequests + s1.SalesforceRequests - s0.SlackRequests - s0.SalesforceRequests
	if injected < 3 || float64(injected) < 0.05*float64(calls) {
		t.Fatalf("only %d faults in %d calls: the test proved nothing", injected, calls)
	}
	t.Logf("%d of %d calls failed (429 with Retry-After 1 s, and 503); every result right", injected, calls)
}
