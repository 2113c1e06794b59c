package testsuite

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/devenv"
	"github.com/sfconnect/sfconnect/logging"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/starter"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

// Two worker processes against one dev server and one PostgreSQL store run
// one CSV job: its batches spread over both, and every row still has
// exactly one outcome.
func TestTwoWorkersOneJob(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	pgURL, drop, err := postgresSchema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer drop()
	cfg, _ := config.LoadFrom(func(string) string { return "" })
	cfg.DataDir, cfg.DatabaseURL = dir, pgURL
	cfg.Jobs.BatchSize, cfg.Jobs.Parallelism = 1000, 4
	tenv, err := devenv.Start(ctx, devenv.Options{TemporalPath: temporalBin(), Config: cfg, NoWorker: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tenv.Stop()
	bin := filepath.Join(dir, "worker")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "../cmd/worker").CombinedOutput(); err != nil {
		t.Fatalf("build the worker: %v\n%s", err, out)
	}
	for i := range 2 {
		w := &workerProcess{t: t, bin: bin, logs: filepath.Join(dir, "worker"+string(rune('a'+i))+".log"), env: append(os.Environ(),
			"TEMPORAL_ADDRESS="+tenv.Server.FrontendHostPort(), "SFCONNECT_SANDBOX_URL="+tenv.SandboxURL,
			"DATABASE_URL="+pgURL, "SFCONNECT_LOG_LEVEL=warn")}
		w.start()
		defer w.kill()
	}
	const rows = 20000
	if _, err := tenv.Sandbox.Generate(sandbox.GenerateRequest{Team: "T0DEMO0001", Members: rows, Org: "acme", Users: rows, Match: 1}); err != nil {
		t.Fatal(err)
	}
	hostPort := tenv.Server.FrontendHostPort()
	must := func(args ...string) string {
		t.Helper()
		var out, errOut strings.Builder
		code := starter.Run(ctx, args, starter.Env{In: strings.NewReader(""), Out: &out, Err: &errOut, Config: tenv.Config,
			Dial: func() (client.Client, error) {
				return client.Dial(client.Options{HostPort: hostPort, Logger: logging.Temporal(zap.NewNop())})
			}})
		if code != 0 {
			t.Fatalf("starter %s\n%s", strings.Join(args, " "), errOut.String())
		}
		return out.String()
	}
	acme := []string{"--workspace", "T0DEMO0001", "--org", "acme"}
	must("connect", "request", "--workspace", "T0DEMO0001", "--org-url", "https://acme.my.salesforce.com", "--no-auto-map", "--as", "U0OWNER01")
	must(append([]string{"connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example"}, acme...)...)
	must(append([]string{"connect", "activate", "--as", "U0OWNER01"}, acme...)...)
	emails, err := generatedMembers(ctx, tenv, rows)
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{"slack_email,salesforce_username"}
	for _, e := range emails {
		lines = append(lines, e+","+e)
	}
	file := filepath.Join(dir, "two.csv")
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
