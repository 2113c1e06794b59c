// Package production runs sfconnect on the production topology of
// docker-compose.yml, on this machine and without Docker: Temporal's own
// server (go.temporal.io/server at the version deploy/versions.env pins,
// `make temporal-server`) on PostgreSQL with SQL visibility, its databases,
// roles, schemas and namespace made by the deploy/ scripts compose runs,
// with compose's environment and dynamic config; sfconnect's workers as
// separate processes on the PostgreSQL store; the sandbox for Slack and
// Salesforce. It drops the databases and roles it made and stops every
// process it started, also when interrupted.
package production

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/internal/testneeds"
	"github.com/sfconnect/sfconnect/logging"
	"github.com/sfconnect/sfconnect/sandbox"
)

// root is the repository, seen from this package's directory.
const root = "../.."

// topo is the topology every test of the package shares.
var topo *topology

// topology is what runs: the server, the workers, the sandbox, and how to
// undo each.
type topology struct {
	dir       string
	compose   composeFile
	dbs       databases
	server    *temporalServer
	sandbox   *sandbox.Sandbox
	workerEnv map[string]string
	workerBin string
	workers   []*workerProcess // the two that run (teardown stops them)
	guard     *workerProcess   // in front of the server, as compose's guard
	guardAddr string           // where clients reach Temporal
	cfg       config.Config
	keys      *codec.Keys
	client    client.Client

	mu       sync.Mutex
	cleanups []func()
	once     sync.Once
}

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	t := &topology{}
	// Interrupted (Ctrl-C, or go test's own signal), undo everything before
	// exiting; the children also die with this process (Pdeathsig).
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		fmt.Fprintf(os.Stderr, "production tests: %v: stopping what they started\n", s)
		t.teardown()
		os.Exit(1)
	}()
	defer t.teardown()
	if what, how, err := missingNeed(); err != nil {
		return testneeds.MissingMain(what, how, err)
	}
	start := time.Now()
	if err := t.setup(); err != nil {
		fmt.Fprintln(os.Stderr, "production topology:", err)
		return 1
	}
	topo = t
	fmt.Printf("production topology: Temporal server %s on PostgreSQL %s:%s, up in %s (logs in %s)\n",
		t.server.hostPort+" behind the guard "+t.guardAddr, pgHost, pgPort, time.Since(start).Round(time.Second), t.dir)
	return m.Run()
}

// missingNeed says what of the machine the topology needs is missing, and
// how to provide it: the server, the CLI, PostgreSQL.
func missingNeed() (what, how string, err error) {
	if _, err := serverDir(); err != nil {
		return "the Temporal server in .bin/", "run `make temporal-server` (about 6 minutes, once), or set SFCONNECT_TEMPORAL_SERVER_DIR", err
	}
	if _, err := cliBin(); err != nil {
		return "the Temporal CLI at .bin/temporal", "run `make .bin/temporal`, or set SFCONNECT_TEMPORAL_BIN", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		return "PostgreSQL on " + pgHost + ":" + pgPort + " (user postgres, trust)", "start it, or set PGHOST and PGPORT", err
	}
	_ = conn.Close(ctx)
	return "", "", nil
}

// serverDir is where `make temporal-server` installs the server, the
// schema tool and the schemas.
func serverDir() (string, error) {
	dir := os.Getenv("SFCONNECT_TEMPORAL_SERVER_DIR")
	if dir == "" {
		data, err := os.ReadFile(filepath.Join(root, "deploy", "versions.env"))
		if err != nil {
			return "", err
		}
		var version string
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "TEMPORAL_SERVER_VERSION="); ok {
				version = v
			}
		}
		if version == "" {
			return "", fmt.Errorf("deploy/versions.env names no TEMPORAL_SERVER_VERSION")
		}
		dir = filepath.Join(root, ".bin", "temporal-server-v"+version)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for _, f := range []string{"server", "sql", "schema/postgresql/v12"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return "", fmt.Errorf("the Temporal server is not installed (run `make temporal-server`, about 6 minutes once): %w", err)
		}
	}
	return dir, nil
}

// cliBin is the pinned Temporal CLI that setup.sh runs.
func cliBin() (string, error) {
	p := os.Getenv("SFCONNECT_TEMPORAL_BIN")
	if p == "" {
		p = filepath.Join(root, ".bin", "temporal")
	}
	p, err := filepath.Abs(p)
	if err == nil {
		_, err = os.Stat(p)
	}
	if err != nil {
		return "", fmt.Errorf("the Temporal CLI is not installed (make .bin/temporal): %w", err)
	}
	return p, nil
}

func (t *topology) onTeardown(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

// teardown undoes the setup, last step first, once.
func (t *topology) teardown() {
	t.once.Do(func() {
		t.mu.Lock()
		cleanups := t.cleanups
		t.mu.Unlock()
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	})
}

func (t *topology) setup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	sdir, err := serverDir()
	if err != nil {
		return err
	}
	cli, err := cliBin()
	if err != nil {
		return err
	}
	if t.dir, err = os.MkdirTemp("", "sfconnect-production-"); err != nil {
		return err
	}
	t.onTeardown(func() {
		if os.Getenv("SFCONNECT_TEST_KEEP") == "" {
			_ = os.RemoveAll(t.dir)
		}
	})
	if t.compose, err = loadCompose(root); err != nil {
		return err
	}
	// A killed run's databases and roles go first; best effort, since
	// another run may be dropping its own at this very moment.
	if err := dropDatabases(0); err != nil {
		fmt.Fprintln(os.Stderr, "production tests: the leftovers of killed runs:", err)
	}
	t.onTeardown(func() {
		if err := dropDatabases(os.Getpid()); err != nil {
			fmt.Fprintln(os.Stderr, "production tests: drop the databases:", err)
		}
	})
	// Retried from scratch: CREATE DATABASE fails while another session
	// (another engineer's run) copies template1 at the same moment.
	for attempt := 1; ; attempt++ {
		if t.dbs, err = createDatabases(ctx, root, t.compose); err == nil {
			break
		}
		if attempt == 3 {
			return fmt.Errorf("deploy/postgres/initdb: %w", err)
		}
		fmt.Fprintf(os.Stderr, "production tests: deploy/postgres/initdb (attempt %d, again in 2 s): %v\n", attempt, err)
		if err := dropDatabases(os.Getpid()); err != nil {
			return err
		}
		time.Sleep(2 * time.Second)
	}
	if err := runSchema(ctx, root, sdir, filepath.Join(t.dir, "schema.log"), t.compose, t.dbs); err != nil {
		return fmt.Errorf("deploy/temporal/schema.sh: %w", err)
	}
	if t.server, err = newTemporalServer(root, sdir, filepath.Join(t.dir, "server.log"), t.compose, t.dbs); err != nil {
		return err
	}
	t.onTeardown(t.server.stop)
	if err := t.server.start(ctx); err != nil {
		return err
	}
	if err := runSetup(ctx, root, cli, t.server.hostPort, filepath.Join(t.dir, "setup.log"), t.compose); err != nil {
		return fmt.Errorf("deploy/temporal/setup.sh: %w", err)
	}
	sandboxURL, err := t.startSandbox()
	if err != nil {
		return err
	}
	if err := t.workerEnvironment(sandboxURL); err != nil {
		return err
	}
	if err := buildCommands(ctx, root, t.dir); err != nil {
		return err
	}
	t.workerBin = filepath.Join(t.dir, "worker")
	if t.keys, err = t.cfg.Codec(); err != nil {
		return err
	}
	if err := t.startGuard(ctx); err != nil {
		return err
	}
	opts := client.Options{HostPort: t.guardAddr, Namespace: t.workerEnv["TEMPORAL_NAMESPACE"], Logger: logging.Temporal(zap.NewNop())}
	codec.Configure(&opts, t.keys)
	if t.client, err = client.Dial(opts); err != nil {
		return fmt.Errorf("dial the Temporal server: %w", err)
	}
	t.onTeardown(t.client.Close)
	t.onTeardown(func() {
		for _, w := range t.workers {
			w.stop()
		}
	})
	for _, name := range []string{"worker-a", "worker-b"} {
		w, err := t.startWorker(name)
		if err != nil {
			return err
		}
		t.workers = append(t.workers, w)
	}
	return nil
}

// workerEnvironment is compose's worker service's environment, for this
// host: the server and the sandbox started here, the store in this run's
// database, a data folder of its own (the sandbox mode's payload and
// signing keys, shared by the workers and the CLI), metrics on a free port.
func (t *topology) workerEnvironment(sandboxURL string) error {
	svc, err := t.compose.service("worker")
	if err != nil {
		return err
	}
	env := svc.env(map[string]string{"SFCONNECT_DB_PASSWORD": t.dbs.SfconnectPassword})
	u, err := url.Parse(env["DATABASE_URL"])
	if err != nil || u.User == nil {
		return fmt.Errorf("docker-compose.yml: the worker's DATABASE_URL %q: %v", env["DATABASE_URL"], err)
	}
	u.User = url.UserPassword(t.dbs.SfconnectUser, t.dbs.SfconnectPassword)
	u.Host = net.JoinHostPort(pgHost, pgPort)
	u.Path = "/" + t.dbs.SfconnectDB
	env["DATABASE_URL"] = u.String()
	env["TEMPORAL_ADDRESS"] = t.server.hostPort
	env["SFCONNECT_SANDBOX_URL"] = sandboxURL
	env["SFCONNECT_DATA_DIR"] = filepath.Join(t.dir, "data")
	env["SFCONNECT_METRICS_ADDR"] = "127.0.0.1:0"
	env["SFCONNECT_LOG_LEVEL"] = "warn"
	// Small batches, so that a 5,000-row job spreads over both workers in 20 batches.
	env["SFCONNECT_JOB_BATCH"], env["SFCONNECT_JOB_PARALLELISM"] = "250", "4"
	for k, v := range env {
		if v == "" {
			delete(env, k) // compose's ${X:-}: unset on this host
		}
	}
	t.workerEnv = env
	if err := os.MkdirAll(env["SFCONNECT_DATA_DIR"], 0o755); err != nil {
		return err
	}
	t.cfg, err = config.LoadFrom(func(k string) string { return env[k] })
	return err
}

func (t *topology) startWorker(name string) (*workerProcess, error) {
	w := &workerProcess{name: name, bin: t.workerBin, logFile: filepath.Join(t.dir, name+".log"), env: t.workerEnv}
	if err := w.start(); err != nil {
		return nil, err
	}
	return w, nil
}

// startGuard starts cmd/guard in front of the server, as compose's guard
// service (its key ring the workers' sandbox-mode one), and waits until the
// server answers through it. Clients (the CLI, the tests) go through it;
// the workers, as in compose, talk to the server directly.
func (t *topology) startGuard(ctx context.Context) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	t.guardAddr = fmt.Sprintf("127.0.0.1:%d", port)
	t.guard = &workerProcess{name: "guard", bin: filepath.Join(t.dir, "guard"), logFile: filepath.Join(t.dir, "guard.log"),
		args: []string{"-listen", t.guardAddr, "-upstream", t.server.hostPort, "-dev-data-dir", t.workerEnv["SFCONNECT_DATA_DIR"]},
		env:  map[string]string{"SFCONNECT_LOG_LEVEL": "warn"}}
	if err := t.guard.start(); err != nil {
		return err
	}
	t.onTeardown(t.guard.stop)
	for deadline := time.Now().Add(30 * time.Second); ; {
		out, err := exec.CommandContext(ctx, t.guard.bin, "-healthcheck", "-listen", t.guardAddr).CombinedOutput()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || !t.guard.running() {
			return fmt.Errorf("the guard on %s does not answer (see %s): %v %s", t.guardAddr, t.guard.logFile, err, out)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func (t *topology) startSandbox() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("sandbox: %w", err)
	}
	t.sandbox = sandbox.New(sandbox.Options{Logger: zap.NewNop()})
	srv := &http.Server{Handler: t.sandbox.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.onTeardown(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String(), nil
}
