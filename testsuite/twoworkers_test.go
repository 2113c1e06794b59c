package testsuite

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/internal/testneeds"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

// Two worker processes against one dev server and one PostgreSQL store run
// one CSV job: its batches spread over both, and every row still has
// exactly one outcome.
func TestTwoWorkersOneJob(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pgURL, drop, err := postgresSchema(ctx)
	if err != nil {
		testneeds.Missing(t, "PostgreSQL", "start it at postgres://postgres@127.0.0.1:5432/test (trust auth) or set DATABASE_URL", err)
	}
	defer drop()
	tenv := startSeparateEnv(t, ctx, false, pgURL, func(c *config.Config) { c.Jobs.BatchSize, c.Jobs.Parallelism = 1000, 4 })
	tenv.worker("worker-a")
	tenv.worker("worker-b")
	const rows = 20000
	acme := tenv.connectAcme(rows)
	must := func(args ...string) string { return tenv.must(args...).out }
	emails, err := generatedMembers(ctx, tenv.Env, rows)
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{"slack_email,salesforce_username"}
	for _, e := range emails {
		lines = append(lines, e+","+e)
	}
	file := filepath.Join(tenv.dir, "two.csv")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var s workflows.JobStatus
	if err := json.Unmarshal([]byte(must(append([]string{"members", "import", file, "--yes", "--as", "U0ADMIN01", "--output", "json"}, acme...)...)), &s); err != nil {
		t.Fatal(err)
	}
	if s.Phase != workflows.PhaseFollowing || s.Invited != rows {
		t.Fatalf("job: %+v", s)
	}
	// Which worker ran each batch: the identity on its ActivityTaskStarted events.
	byWorker := map[string]int{}
	iter := tenv.Client.GetWorkflowHistory(ctx, workflows.JobWorkflowID(s.ID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := e.GetActivityTaskStartedEventAttributes(); a != nil {
			byWorker[a.GetIdentity()]++
		}
	}
	if len(byWorker) != 2 {
		t.Fatalf("the batches ran on %d workers: %v", len(byWorker), byWorker)
	}
	t.Logf("activities per worker: %v", byWorker)
	st, err := store.Open(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	counts, err := st.JobCounts(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if counts.ByOutcome[store.OutcomeInvited] != rows || counts.ByOutcome[store.OutcomeNone] != 0 {
		t.Fatalf("outcomes: %+v", counts)
	}
}
