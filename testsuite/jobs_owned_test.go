package testsuite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

// A CSV job belongs to its connection (issue 16): the connection starts
// it and knows it; it runs on the worker's settings whatever the CLI's
// environment says; an upload that does not complete ends its job and
// leaves no row without one; a disconnect ends the jobs still running,
// their rows refused "connection disconnected", before it returns.
func TestJobsBelongToTheirConnection(t *testing.T) {
	const ws = "T0DEMO0001"
	org := []string{"--workspace", ws, "--org", "org15"}
	with := func(args ...string) []string { return append(args, org...) }
	mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://org15.my.salesforce.com", "--no-auto-map", "--as", "U0OWNER01")
	mustRun(t, with("connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@org15.example")...)
	mustRun(t, with("connect", "activate", "--as", "U0OWNER01")...)
	disconnected := false
	defer func() {
		if !disconnected {
			run(t, with("connect", "disconnect", "--as", "U0OWNER01", "--yes")...)
		}
	}()

	// The CLI's environment asks for batches of one row: the worker's
	// settings (one batch for these rows) are the job's.
	cfg := env.Config
	cfg.Jobs.BatchSize, cfg.Jobs.ValidateParallelism = 1, 1
	// Without --yes it waits for an approval: one row to invite, one refused.
	file := writeFile(t, "two.csv", "slack_user_id,salesforce_username\nU0MEMBER1,admin@org15.example\nU0MEMBER2,nobody@org15.example\n")
	r := cli(t, &cfg, "", with("members", "import", file, "--detach", "--as", "U0ADMIN01", "--output", "json")...)
	var started struct {
		JobID string `json:"job_id"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.out), &started) != nil || started.JobID == "" {
		t.Fatalf("import: %s", r)
	}
	running := started.JobID
	eventually(t, 30*time.Second, func() error {
		if s := decodeJob(t, run(t, "jobs", "status", running, "--output", "json")); s.Phase != workflows.PhaseAwaitingApproval {
			return fmt.Errorf("phase %s", s.Phase)
		}
		return nil
	})
	if n := scheduled(t, workflows.JobWorkflowID(running), "ValidateJobBatch"); n != 1 {
		t.Errorf("%d validation batches for 2 rows: the job took the CLI's batch size, not the worker's", n)
	}

	// The connection knows its job.
	var c workflows.Connection
	if err := json.Unmarshal([]byte(mustRun(t, with("connect", "status", "--output", "json")...).out), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Jobs) != 1 || c.Jobs[0].ID != running || c.Jobs[0].StartedBy != "U0ADMIN01" {
		t.Fatalf("the connection's jobs: %+v", c.Jobs)
	}
	if out := mustRun(t, with("connect", "status")...).out; !strings.Contains(out, "CSV jobs running:") || !strings.Contains(out, running) {
		t.Errorf("connect status does not show the running job:\n%s", out)
	}

	// An upload that stops after one of its three rows: the job refuses to
	// start on it, and ends when told the upload failed, the row that
	// arrived refused.
	client := &sfclient.Client{Temporal: env.Client, Config: env.Config, Store: env.Store}
	var grant workflows.ImportGrant
	orgID := c.OrgID
	if err := client.ConnectionUpdate(t.Context(), ws, orgID, workflows.UpdateImport, workflows.ImportRequest{FileName: "cut.csv", Caller: workflows.Caller{As: "U0ADMIN01"}}, &grant); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.CreateJob(t.Context(), store.Job{ID: grant.JobID, Workspace: ws, OrgID: orgID, ConnectionID: grant.ConnectionID,
		FileName: "cut.csv", CreatedBy: "U0ADMIN01", Rows: 3, SlackColumn: "slack_user_id", SalesforceColumn: "salesforce_username"}); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.AppendJobRows(t.Context(), grant.JobID, []store.JobRow{{Seq: 0, Line: 2, SlackKey: "U0MEMBER4", SalesforceKey: "x@org15.example"}}); err != nil {
		t.Fatal(err)
	}
	cut := workflows.JobWorkflowID(grant.JobID)
	err := client.Update(t.Context(), cut, workflows.UpdateJobUploaded, workflows.JobUpload{Encoding: "UTF-8"}, nil)
	if err == nil || !strings.Contains(sfclient.Describe(err), "not complete") {
		t.Fatalf("an incomplete upload was taken: %v", err)
	}
	if err := client.Update(t.Context(), cut, workflows.UpdateJobUploaded, workflows.JobUpload{Failed: "the CLI was stopped"}, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		s := decodeJob(t, run(t, "jobs", "status", grant.JobID, "--output", "json"))
		if s.Phase != workflows.PhaseFailed || s.Refused != 1 || !strings.Contains(s.Error, "the CLI was stopped") {
			return fmt.Errorf("the cut upload's job: %+v", s)
		}
		return nil
	})
	if out := mustRun(t, "jobs", "results", grant.JobID).out; !strings.Contains(out, activities.ReasonUploadIncomplete) {
		t.Errorf("the row that arrived:\n%s", out)
	}
	eventually(t, 30*time.Second, func() error {
		var c workflows.Connection
		_ = json.Unmarshal([]byte(mustRun(t, with("connect", "status", "--output", "json")...).out), &c)
		if len(c.Jobs) != 1 || c.Jobs[0].ID != running {
			return fmt.Errorf("the connection's jobs after the cut upload: %+v", c.Jobs)
		}
		return nil
	})

	// The disconnect ends the job still running before it returns.
	mustRun(t, with("connect", "disconnect", "--as", "U0OWNER01", "--yes")...)
	disconnected = true
	s := decodeJob(t, run(t, "jobs", "status", running, "--output", "json"))
	if s.Phase != workflows.PhaseCancelled || s.CancelReason != activities.ReasonDisconnected || s.Refused != 2 || s.Invited != 0 {
		t.Fatalf("the running job after the disconnect: %+v", s)
	}
	var out bytes.Buffer
	if err := client.JobResults(t.Context(), running, &out); err != nil {
		t.Fatal(err)
	}
	if strings.Count(out.String(), activities.ReasonDisconnected) != 1 || !strings.Contains(out.String(), activities.ReasonUnknownUser) {
		t.Errorf("the rows after the disconnect:\n%s", out.String())
	}
	recordHistory(t, "job-owned-disconnected", workflows.JobWorkflowID(running))
	recordHistory(t, "job-owned-upload-failed", cut)
	eventually(t, 30*time.Second, func() error {
		d, err := env.Client.DescribeWorkflowExecution(t.Context(), workflows.ConnectionWorkflowID(ws, orgID), "")
		if err != nil || d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return fmt.Errorf("the connection still runs: %v", err)
		}
		return nil
	})
	recordHistory(t, "connection-with-jobs", workflows.ConnectionWorkflowID(ws, orgID))
}

// scheduled counts the activities of a type a workflow scheduled.
func scheduled(t *testing.T, workflowID, activityType string) int {
	t.Helper()
	iter := env.Client.GetWorkflowHistory(t.Context(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := e.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == activityType {
			n++
		}
	}
	return n
}
