package testsuite

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/devenv"
	"github.com/sfconnect/sfconnect/slackapi"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

// crashRows is the size of the import the worker crashes in.
const crashRows = 200000

// workerProcess is the worker binary run as a child, killed and restarted.
type workerProcess struct {
	t    *testing.T
	bin  string
	env  []string
	cmd  *exec.Cmd
	logs string
}

func (w *workerProcess) start() {
	w.t.Helper()
	log, err := os.OpenFile(w.logs, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		w.t.Fatal(err)
	}
	w.cmd = exec.Command(w.bin)
	w.cmd.Env = w.env
	w.cmd.Stdout, w.cmd.Stderr = log, log
	if err := w.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	go func() { _ = w.cmd.Wait(); log.Close() }()
}

// kill ends the worker as a crash would: SIGKILL, no goodbye.
func (w *workerProcess) kill() {
	_ = w.cmd.Process.Signal(syscall.SIGKILL)
	for i := 0; i < 100 && w.cmd.ProcessState == nil; i++ {
		time.Sleep(20 * time.Millisecond)
	}
}

// The worker is killed with SIGKILL at random points of a 200,000-row
// import and restarted each time; in the end every row has exactly one
// outcome and the mapping table is exactly the expected one.
func TestWorkerCrashesDuringALargeImport(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	databaseURL := "" // an SQLite file of the test's own, or this run's PostgreSQL
	if !strings.HasPrefix(env.Config.DatabaseURL, "sqlite:") {
		databaseURL = env.Config.DatabaseURL
	}
	cenv := startSeparateEnv(t, ctx, false, databaseURL, nil)
	w := cenv.worker("worker")
	org := cenv.connectAcme(crashRows)
	ccli := cenv.must
	dir := cenv.dir

	// The file: every generated member to their Salesforce user.
	dirClient := slackapi.New(slackapi.Config{APIURL: cenv.Config.SlackURL(), TokenFor: cenv.Config.SlackTokenFor}, zap.NewNop())
	want := map[string]string{}
	file := filepath.Join(dir, "crash.csv")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	fmt.Fprintln(bw, "slack_user_id,salesforce_username")
	err = dirClient.ListMembers(ctx, "T0DEMO0001", 1000, func(page []slackapi.Member) error {
		for _, m := range page {
			if strings.HasPrefix(m.ID, "U1") {
				want[m.ID] = strings.ToLower(m.Email)
				fmt.Fprintf(bw, "%s,%s\n", m.ID, m.Email)
			}
		}
		return nil
	})
	if err != nil || len(want) != crashRows {
		t.Fatalf("listing members: %v (%d)", err, len(want))
	}
	_ = bw.Flush()
	f.Close()

	r := ccli(append([]string{"members", "import", file, "--yes", "--detach", "--as", "U0ADMIN01", "--output", "json"}, org...)...)
	jobID := strings.Trim(strings.TrimSpace(strings.Split(strings.Split(r.out, `"job_id": "`)[1], `"`)[0]), " ")

	// Kill the worker at three random points of the job — one while it
	// validates, two while it applies — restarting it each time.
	rng := rand.New(rand.NewPCG(crashSeed(t), 7))
	points := []struct {
		what  string
		reach func(workflows.JobStatus) bool
	}{
		{"validating", func(s workflows.JobStatus) bool { return s.Validated > 0 || s.Phase != workflows.PhaseValidating }},
		{"applying", func(s workflows.JobStatus) bool { return s.Applied > 0 || s.Phase == workflows.PhaseFollowing }},
		{"applying further", func(s workflows.JobStatus) bool {
			return s.Applied >= crashRows/2 || s.Phase == workflows.PhaseFollowing
		}},
	}
	for k, p := range points {
		for s := jobStatusOf(t, ctx, cenv.Env, jobID); !p.reach(s); s = jobStatusOf(t, ctx, cenv.Env, jobID) {
			if ctx.Err() != nil {
				t.Fatalf("the job never reached %s: %+v", p.what, s)
			}
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(800)) * time.Millisecond)
		s := jobStatusOf(t, ctx, cenv.Env, jobID)
		w.kill()
		t.Logf("crash %d: worker killed with SIGKILL while the job was %s (%d validated, %d applied)", k+1, s.Phase, s.Validated, s.Applied)
		w.start()
	}
	var s workflows.JobStatus
	for {
		s = jobStatusOf(t, ctx, cenv.Env, jobID)
		if s.Phase == workflows.PhaseFollowing || s.Ended() {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the job did not finish: %+v", s)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if s.Phase != workflows.PhaseFollowing || s.Invited != crashRows || s.Refused != 0 || s.Unchanged != 0 {
		t.Fatalf("after the crashes: %+v", s)
	}

	// Exactly one outcome per row, and exactly the expected mappings.
	st, err := store.Open(ctx, cenv.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	counts, err := st.JobCounts(ctx, jobID)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Rows != crashRows || counts.ByOutcome[store.OutcomeInvited] != crashRows || counts.ByOutcome[store.OutcomeNone] != 0 {
		t.Fatalf("job rows: %+v", counts)
	}
	c := decodeConnection(t, ccli(append([]string{"connect", "status", "--output", "json"}, org...)...))
	got := 0
	err = st.ListMappings(ctx, c.ID, nil, func(m store.Mapping) error {
		got++
		if want[m.SlackUserID] != strings.ToLower(m.SalesforceUsername) || m.State != store.StateInvited || m.Source != store.SourceCSV {
			return fmt.Errorf("unexpected mapping %+v", m)
		}
		return nil
	})
	if err != nil || got != crashRows {
		t.Fatalf("mappings: %d of %d: %v", got, crashRows, err)
	}
}

func jobStatusOf(t *testing.T, ctx context.Context, e *devenv.Env, id string) workflows.JobStatus {
	t.Helper()
	var s workflows.JobStatus
	for i := 0; i < 50; i++ {
		v, err := e.Client.QueryWorkflow(ctx, workflows.JobWorkflowID(id), "", workflows.QueryJob)
		if err == nil && v.Get(&s) == nil {
			return s
		}
		time.Sleep(200 * time.Millisecond) // no worker yet to answer: it is restarting
	}
	t.Fatalf("job %s does not answer", id)
	return s
}

// envCrashSeed replays a crash test's kill points: the seed its log gave.
const envCrashSeed = "SFCONNECT_CRASH_SEED"

// crashSeed is the seed of the kill points: envCrashSeed's, else the
// clock's. It is logged either way, so that a failure can be replayed.
func crashSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(envCrashSeed); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", envCrashSeed, v, err)
		}
		seed = n
	}
	t.Logf("kill points from seed %d (replay them with %s=%d)", seed, envCrashSeed, seed)
	return seed
}

// The crash test's seed can be given back to replay its kill points.
func TestCrashSeedReplays(t *testing.T) {
	t.Setenv(envCrashSeed, "424242")
	if s := crashSeed(t); s != 424242 {
		t.Fatalf("seed %d, want the one given", s)
	}
}
