package testsuite

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/workflows"
)

// A job long enough to continue as new (the dev server suggests it after
// 300 events here, instead of 4,096) finishes with every row's outcome;
// its first run is the recorded history of a job that continued as new.
func TestJobContinuesAsNew(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	e := startSeparateEnv(t, ctx, false, "", func(c *config.Config) { c.Jobs.BatchSize, c.Jobs.Parallelism = 20, 4 },
		"--dynamic-config-value", "limit.historyCount.suggestContinueAsNew=300")
	e.worker("worker")
	const rows = 4000
	acme := e.connectAcme(rows)
	emails, err := generatedMembers(ctx, e.Env, rows)
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{"slack_email,salesforce_username"}
	for _, m := range emails {
		lines = append(lines, m+","+m)
	}
	file := filepath.Join(e.dir, "long.csv")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var s workflows.JobStatus
	if err := json.Unmarshal([]byte(e.must(append([]string{"members", "import", file, "--yes", "--as", "U0ADMIN01", "--output", "json"}, acme...)...).out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Phase != workflows.PhaseFollowing || s.Invited != rows {
		t.Fatalf("job: %+v", s)
	}
	// The job ran in several runs: its first one ended continuing as new.
	first := e.Client.GetWorkflow(ctx, workflows.JobWorkflowID(s.ID), "")
	desc, err := e.Client.DescribeWorkflowExecution(ctx, workflows.JobWorkflowID(s.ID), "")
	if err != nil {
		t.Fatal(err)
	}
	if desc.GetWorkflowExecutionInfo().GetFirstRunId() == first.GetRunID() {
		t.Fatalf("the job never continued as new")
	}
	recordHistoryOf(t, e.Env, "job-continued-as-new", workflows.JobWorkflowID(s.ID), desc.GetWorkflowExecutionInfo().GetFirstRunId())
}
