// Package testsuite holds sfconnect's integration tests: the real Temporal dev
// server (the pinned CLI, started through the SDK's testsuite.StartDevServer
// with ExistingPath), the real worker, and the sandbox over HTTP, driven
// through the very code of the `starter` CLI.
package testsuite

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/devenv"
	"github.com/sfconnect/sfconnect/internal/testneeds"
	"github.com/sfconnect/sfconnect/starter"
)

// env is the environment every test of the package shares.
var env *devenv.Env

// temporalBin is the pinned Temporal CLI that `make test` installs.
func temporalBin() string {
	if p := os.Getenv("SFCONNECT_TEMPORAL_BIN"); p != "" {
		return p
	}
	p, _ := filepath.Abs("../.bin/temporal")
	return p
}

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

// runTests starts the shared environment, runs the tests and cleans up
// (a function of its own so that its defers run before os.Exit).
func runTests(m *testing.M) int {
	if _, err := os.Stat(temporalBin()); err != nil {
		return testneeds.MissingMain("the Temporal CLI at "+temporalBin(), "run `make .bin/temporal` (it builds the pinned CLI), or set SFCONNECT_TEMPORAL_BIN", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := config.LoadFrom(func(string) string { return "" })
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// The store: SQLite in a temporary folder, or PostgreSQL in a schema of
	// its own when SFCONNECT_TEST_STORE=postgres (make test runs both).
	dataDir, err := os.MkdirTemp("", "sfconnect-it-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dataDir)
	cfg.DataDir = dataDir
	// The shared worker follows its jobs' invitations every second (the
	// jobs' settings are the worker's): the tests see a sign-in at once.
	// A disconnect ends a connection's jobs, so none polls for long.
	cfg.Jobs.FollowEvery = time.Second
	cfg.DatabaseURL = "sqlite:" + filepath.Join(dataDir, "sfconnect.db")
	if os.Getenv("SFCONNECT_TEST_STORE") == "postgres" {
		url, drop, err := postgresSchema(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "integration tests on PostgreSQL:", err)
			return 1
		}
		defer drop()
		cfg.DatabaseURL = url
	}
	// Every line of the run goes to a file, scanned at the end for demo
	// emails and names: logs name members by id only (SPEC section 12).
	logPath := filepath.Join(dataDir, "run.log")
	log, err := runLog(logPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	env, err = devenv.Start(ctx, devenv.Options{TemporalPath: temporalBin(), Config: cfg, Log: log, MetricsAddr: "127.0.0.1:0", CodecAddr: "127.0.0.1:0", GuardAddr: "127.0.0.1:0"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration tests need the dev server: run `make test`, which installs it:", err)
		return 1
	}
	defer env.Stop()
	fmt.Printf("integration tests: dev server %s behind the guard %s, sandbox %s, store %s\n", env.Server.FrontendHostPort(), env.TemporalAddr, env.SandboxURL, storeKind(cfg.DatabaseURL))
	code := m.Run()
	_ = log.Sync()
	leaks, err := scanRunLog(logPath)
	switch {
	case err != nil:
		fmt.Fprintln(os.Stderr, "FAIL: log scan:", err)
		return 1
	case len(leaks) > 0:
		fmt.Fprintf(os.Stderr, "FAIL: the run's logs name %d member(s) by email or name, not by id:\n", len(leaks))
		for i, l := range leaks {
			if i == 20 {
				fmt.Fprintf(os.Stderr, "  … and %d more\n", len(leaks)-i)
				break
			}
			fmt.Fprintln(os.Stderr, " ", l)
		}
		return 1
	}
	return code
}

func storeKind(url string) string {
	if len(url) > 8 && url[:8] == "postgres" {
		return "PostgreSQL"
	}
	return "SQLite"
}

// result is one run of the CLI.
type result struct {
	code     int
	out, err string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout: %s\nstderr: %s", r.code, r.out, r.err)
}

// cli runs a `starter` command line in-process, exactly as the binary does,
// with cfg (the shared environment's when nil).
func cli(t *testing.T, cfg *config.Config, stdin string, args ...string) result {
	t.Helper()
	if cfg == nil {
		cfg = &env.Config
	}
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := starter.Run(ctx, args, starter.Env{
		In: strings.NewReader(stdin), Out: &out, Err: &errOut, Config: *cfg,
		Dial: func() (client.Client, error) {
			// A client made from another does not inherit its converters.
			opts := client.Options{}
			codec.Configure(&opts, env.Keys)
			return client.NewClientFromExisting(env.Client, opts)
		},
	})
	return result{code: code, out: out.String(), err: errOut.String()}
}

// run is cli with the shared configuration and no input.
func run(t *testing.T, args ...string) result {
	t.Helper()
	return cli(t, nil, "", args...)
}

// mustRun runs a command that must succeed.
func mustRun(t *testing.T, args ...string) result {
	t.Helper()
	r := run(t, args...)
	if r.code != 0 {
		t.Fatalf("starter %s\n%s", strings.Join(args, " "), r)
	}
	return r
}

// mustRefuse runs a command that must be refused with exit code 1 and a
// one-line reason containing want.
func mustRefuse(t *testing.T, want string, args ...string) result {
	t.Helper()
	r := run(t, args...)
	if r.code != starter.ExitRefused || !strings.Contains(r.err, want) {
		t.Fatalf("starter %s: want exit 1 with %q\n%s", strings.Join(args, " "), want, r)
	}
	if n := strings.Count(strings.TrimSpace(r.err), "\n"); n != 0 {
		t.Errorf("the reason is not one line:\n%s", r.err)
	}
	return r
}

// eventually retries check until it passes or the deadline passes:
// visibility is eventually consistent.
func eventually(t *testing.T, within time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
