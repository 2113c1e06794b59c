package production

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/slackapi"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

// A CSV job of the generated members, on a connection without automatic
// mapping, runs on both worker processes; one of them is SIGKILLed while
// the job applies, then started again. Every row has exactly one outcome
// and the mapping table is exactly the file.
func testCSVJobWorkerKilled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// acme again, without automatic mapping: a new connection, no mappings.
	if r := cli(t, "y\n", with(acme, "connect", "disconnect", "--as", "U0ADMIN01")...); r.code != 0 {
		t.Fatalf("disconnect acme: %s", r)
	}
	waitEnded(t, workflows.ConnectionWorkflowID(demoWorkspace, acmeID))
	must(t, "connect", "request", "--workspace", demoWorkspace, "--org-url", "https://acme.my.salesforce.com", "--no-auto-map", "--as", "U0OWNER01")
	must(t, with(acme, "connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example")...)
	must(t, with(acme, "connect", "activate", "--as", "U0OWNER01")...)
	c := decodeConnection(t, must(t, with(acme, "connect", "status", "--output", "json")...))

	want := map[string]string{} // Slack user id -> Salesforce username
	dir := slackapi.New(slackapi.Config{APIURL: topo.cfg.SlackURL(), TokenFor: topo.cfg.SlackTokenFor}, zap.NewNop())
	lines := []string{"slack_user_id,salesforce_username"}
	if err := dir.ListMembers(ctx, demoWorkspace, 1000, func(page []slackapi.Member) error {
		for _, m := range page {
			if strings.HasPrefix(m.ID, "U1") {
				want[m.ID] = strings.ToLower(m.Email)
				lines = append(lines, m.ID+","+m.Email)
			}
		}
		return nil
	}); err != nil || len(want) != generated {
		t.Fatalf("the generated members: %d of %d: %v", len(want), generated, err)
	}
	file := filepath.Join(topo.dir, "job.csv")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var started struct {
		JobID string `json:"job_id"`
	}
	r := must(t, with(acme, "members", "import", file, "--yes", "--detach", "--as", "U0ADMIN01", "--output", "json")...)
	if err := json.Unmarshal([]byte(r.out), &started); err != nil || started.JobID == "" {
		t.Fatalf("import --detach: %v\n%s", err, r)
	}

	// SIGKILL worker-a once the job applies, and start it again.
	victim := topo.workers[0]
	var s workflows.JobStatus
	for s = jobStatus(t, ctx, started.JobID); s.Applied == 0 || s.Phase != workflows.PhaseApplying; s = jobStatus(t, ctx, started.JobID) {
		if s.Phase == workflows.PhaseFollowing || s.Ended() || ctx.Err() != nil {
			t.Fatalf("the job was never seen applying, so no worker was killed in it: %+v", s)
		}
		time.Sleep(20 * time.Millisecond)
	}
	victim.kill()
	t.Logf("%s SIGKILLed while the job was %s (%d of %d applied)", victim.name, s.Phase, s.Applied, generated)
	w, err := topo.startWorker(victim.name)
	if err != nil {
		t.Fatal(err)
	}
	topo.workers[0] = w

	for s = jobStatus(t, ctx, started.JobID); s.Phase != workflows.PhaseFollowing; s = jobStatus(t, ctx, started.JobID) {
		if s.Ended() || ctx.Err() != nil {
			t.Fatalf("the job did not finish: %+v", s)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if s.Invited != generated || s.Refused != 0 || s.Unchanged != 0 {
		t.Fatalf("after the kill: %+v", s)
	}
	workers := jobWorkers(t, ctx, started.JobID)
	if len(workers) < 2 {
		t.Fatalf("the job's activities ran on %v: want both workers", workers)
	}
	t.Logf("activities per worker: %v", workers)

	// Exactly one outcome per row, and exactly the file's mappings.
	st, err := store.Open(ctx, topo.cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	counts, err := st.JobCounts(ctx, started.JobID)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Rows != generated || counts.ByOutcome[store.OutcomeInvited] != generated || counts.ByOutcome[store.OutcomeNone] != 0 {
		t.Fatalf("job rows: %+v", counts)
	}
	got := 0
	if err := st.ListMappings(ctx, c.ID, nil, func(m store.Mapping) error {
		got++
		if want[m.SlackUserID] != strings.ToLower(m.SalesforceUsername) || m.State != store.StateInvited || m.Source != store.SourceCSV {
			return fmt.Errorf("unexpected mapping %+v", m)
		}
		return nil
	}); err != nil || got != generated {
		t.Fatalf("mappings: %d of %d: %v", got, generated, err)
	}
}

// jobStatus asks the job workflow (a worker answers; retried while none is
// there to).
func jobStatus(t *testing.T, ctx context.Context, id string) workflows.JobStatus {
	t.Helper()
	var s workflows.JobStatus
	var err error
	for range 50 {
		qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		v, qerr := topo.client.QueryWorkflow(qctx, workflows.JobWorkflowID(id), "", workflows.QueryJob)
		cancel()
		if err = qerr; err == nil {
			if err = v.Get(&s); err == nil {
				return s
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("job %s does not answer: %v", id, err)
	return s
}

// jobWorkers counts the job's activities by the identity of the worker
// that started them.
func jobWorkers(t *testing.T, ctx context.Context, id string) map[string]int {
	t.Helper()
	out := map[string]int{}
	iter := topo.client.GetWorkflowHistory(ctx, workflows.JobWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := e.GetActivityTaskStartedEventAttributes(); a != nil {
			out[a.GetIdentity()]++
		}
	}
	return out
}
