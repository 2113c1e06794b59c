package testsuite

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/devenv"
	"github.com/sfconnect/sfconnect/logging"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/starter"
)

// separateEnv is an environment of a test's own — dev server, sandbox and
// store — whose workers are child processes of the worker binary, for the
// tests that kill, double or outlive them.
type separateEnv struct {
	*devenv.Env
	t   *testing.T
	ctx context.Context
	dir string
	bin string
}

// startSeparateEnv starts the environment (persisting the dev server to
// SQLite when persist is set, for restarts) with the store at databaseURL
// ("" for an SQLite file of its own) and builds the worker binary.
func startSeparateEnv(t *testing.T, ctx context.Context, persist bool, databaseURL string, adjust func(*config.Config), serverArgs ...string) *separateEnv {
	t.Helper()
	dir := t.TempDir()
	cfg, _ := config.LoadFrom(func(string) string { return "" })
	cfg.DataDir = dir
	cfg.DatabaseURL = databaseURL
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = "sqlite:" + filepath.Join(dir, "store.db")
	}
	if adjust != nil {
		adjust(&cfg)
	}
	opts := devenv.Options{TemporalPath: temporalBin(), Config: cfg, NoWorker: true, ServerArgs: serverArgs}
	if persist {
		opts.DBFile = filepath.Join(dir, "temporal.db")
	}
	e, err := devenv.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	s := &separateEnv{Env: e, t: t, ctx: ctx, dir: dir, bin: filepath.Join(dir, "worker")}
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", s.bin, "../cmd/worker").CombinedOutput(); err != nil {
		t.Fatalf("build the worker: %v\n%s", err, out)
	}
	return s
}

// worker starts a worker process, stopped (killed) when the test ends.
func (s *separateEnv) worker(name string) *workerProcess {
	w := &workerProcess{t: s.t, bin: s.bin, logs: filepath.Join(s.dir, name+".log"), env: append(os.Environ(),
		"TEMPORAL_ADDRESS="+s.Server.FrontendHostPort(), "SFCONNECT_SANDBOX_URL="+s.SandboxURL,
		"DATABASE_URL="+s.Config.DatabaseURL, "SFCONNECT_LOG_LEVEL=warn", "SFCONNECT_METRICS_ADDR=127.0.0.1:0",
		// The same data folder, so the same development payload key.
		"SFCONNECT_DATA_DIR="+s.Config.DataDir)}
	// The jobs' settings are the worker's.
	w.env = append(w.env, config.JobsEnv(s.Config.Jobs)...)
	w.start()
	s.t.Cleanup(w.kill)
	return w
}

// cli runs a starter command line, dialling the dev server anew each time
// (so that it works across a restart of the server).
func (s *separateEnv) cli(args ...string) result {
	hostPort := s.Server.FrontendHostPort()
	var out, errOut strings.Builder
	code := starter.Run(s.ctx, args, starter.Env{In: strings.NewReader(""), Out: &out, Err: &errOut, Config: s.Config,
		Dial: func() (client.Client, error) {
			opts := client.Options{HostPort: hostPort, Logger: logging.Temporal(zap.NewNop())}
			codec.Configure(&opts, s.Keys)
			return client.Dial(opts)
		}})
	return result{code: code, out: out.String(), err: errOut.String()}
}

// must runs a command line that must succeed.
func (s *separateEnv) must(args ...string) result {
	s.t.Helper()
	r := s.cli(args...)
	if r.code != 0 {
		s.t.Fatalf("starter %s\n%s", strings.Join(args, " "), r)
	}
	return r
}

// connectAcme generates n members and users, and connects acme to
// T0DEMO0001 without automatic mapping.
func (s *separateEnv) connectAcme(n int) []string {
	s.t.Helper()
	if _, err := s.Sandbox.Generate(sandbox.GenerateRequest{Team: "T0DEMO0001", Members: n, Org: "acme", Users: n, Match: 1}); err != nil {
		s.t.Fatal(err)
	}
	acme := []string{"--workspace", "T0DEMO0001", "--org", "acme"}
	s.must("connect", "request", "--workspace", "T0DEMO0001", "--org-url", "https://acme.my.salesforce.com", "--no-auto-map", "--as", "U0OWNER01")
	s.must(append([]string{"connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example"}, acme...)...)
	s.must(append([]string{"connect", "activate", "--as", "U0OWNER01"}, acme...)...)
	return acme
}
