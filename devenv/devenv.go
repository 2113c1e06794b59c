// Package devenv starts sfconnect's one-machine environment: Temporal's dev
// server (the pinned `temporal` CLI, through the SDK's testsuite.StartDevServer
// with ExistingPath, so nothing is downloaded), the sandbox on loopback, and
// the worker. `make run` (cmd/run) and the integration tests (testsuite/) both
// start it here, so what the tests prove is what the README runs.
package devenv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	_ "github.com/sfconnect/sfconnect/store/engines" // the store engines a store URL may name

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/console"
	"github.com/sfconnect/sfconnect/guard"
	"github.com/sfconnect/sfconnect/logging"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/worker"
	"github.com/sfconnect/sfconnect/workflows"
)

// Options says how to start the environment. Zero values give an in-memory
// dev server on a free port, a sandbox on a free loopback port and a worker.
type Options struct {
	// TemporalPath is the `temporal` CLI binary (required: never downloaded).
	TemporalPath string
	// DBFile persists the dev server to SQLite; empty keeps it in memory.
	DBFile string
	// TemporalHostPort is the frontend address; empty picks a free port.
	// With a guard it is the frontend's own, private address.
	TemporalHostPort string
	// GuardAddr, when set, puts the guard (package guard) in front of the
	// frontend there ("127.0.0.1:0" picks a free port): every client of
	// the environment, its worker and console included, reaches Temporal
	// through it, and Env.TemporalAddr says where it is.
	GuardAddr string
	// UIPort enables the Web UI on that port; empty runs headless.
	UIPort string
	// SandboxAddr is where the sandbox listens ("127.0.0.1:0" when empty).
	SandboxAddr string
	// Config is the product's configuration; its SandboxURL is set to the
	// sandbox started here.
	Config config.Config
	// NoWorker skips the in-process worker (crash tests run their own).
	NoWorker bool
	// ServerOutput receives the dev server's own output (discarded when nil).
	ServerOutput io.Writer
	// ServerArgs are more arguments for the dev server (tests set dynamic
	// config with them).
	ServerArgs []string
	// CodecAddr, when set, serves the codec server there for the Web UI
	// ("127.0.0.1:0" picks a free port; Env.CodecURL says which).
	CodecAddr string
	// MetricsAddr, when set, serves the worker's Prometheus metrics there
	// ("127.0.0.1:0" picks a free port; Env.MetricsURL says which).
	MetricsAddr string
	// ConsoleAddr, when set, serves the web console there ("127.0.0.1:0"
	// picks a free port; Env.ConsoleURL says which).
	ConsoleAddr string
	Log         *zap.Logger
}

// Env is a running environment.
type Env struct {
	Server *testsuite.DevServer
	// TemporalAddr is where clients reach Temporal: the guard's address
	// when it runs, else the dev server's.
	TemporalAddr string
	Client       client.Client
	Sandbox      *sandbox.Sandbox
	SandboxURL   string
	Config       config.Config
	Worker       sdkworker.Worker
	Store        store.Store
	// MetricsURL is where the worker's metrics are served, if they are.
	MetricsURL string
	// Keys encrypt the payloads; CodecURL is the codec server, if any.
	Keys     *codec.Keys
	CodecURL string
	// ConsoleURL is the web console, if it runs.
	ConsoleURL    string
	consoleServer *http.Server
	codecServer   *http.Server
	guard         *guard.Guard
	guardAddr     string
	guardClient   client.Client
	httpServer    *http.Server
	opts          Options
	clientOpts    client.Options
	stopMetrics   func()
}

// Start starts the dev server, the sandbox and the worker, in that order,
// and stops what it started if a later step fails.
func Start(ctx context.Context, opts Options) (env *Env, err error) {
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	if _, err := os.Stat(opts.TemporalPath); err != nil {
		return nil, fmt.Errorf("the Temporal CLI is not at %q (`make` installs it): %w", opts.TemporalPath, err)
	}
	env = &Env{}
	defer func() {
		if err != nil {
			env.Stop()
			env = nil
		}
	}()
	if err := env.startSandbox(opts); err != nil {
		return env, err
	}
	opts.Config.SandboxURL = env.SandboxURL
	var consoleLn net.Listener
	if opts.ConsoleAddr != "" {
		// Listen first: the worker must know the console's address, to
		// accept its callback as a member's sign-in redirect.
		if consoleLn, err = net.Listen("tcp", opts.ConsoleAddr); err != nil {
			return env, fmt.Errorf("console: listen on %s (is another `make run` running?): %w", opts.ConsoleAddr, err)
		}
		opts.Config.ConsoleURL = "http://" + consoleLn.Addr().String()
	}
	env.Config = opts.Config
	env.opts = opts
	env.clientOpts = client.Options{HostPort: opts.TemporalHostPort, Logger: logging.Temporal(opts.Log.Named("temporal"))}
	if env.Keys, err = env.Config.Codec(); err != nil {
		return env, err
	}
	codec.Configure(&env.clientOpts, env.Keys)
	if opts.CodecAddr != "" {
		ln, err := net.Listen("tcp", opts.CodecAddr)
		if err != nil {
			return env, fmt.Errorf("codec server: listen on %s: %w", opts.CodecAddr, err)
		}
		env.CodecURL = "http://" + ln.Addr().String()
		env.codecServer = &http.Server{Handler: codec.Handler(env.Keys, codec.UIOrigins(cmp.Or(opts.UIPort, "8233")), codec.Auth{}), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = env.codecServer.Serve(ln) }()
	}
	var acts *activities.Activities
	watch := func(client.Client) {}
	if !opts.NoWorker {
		if err := os.MkdirAll(env.Config.DataDir, 0o755); err != nil {
			return env, fmt.Errorf("data dir: %w", err)
		}
		// The in-process worker migrates the store, as the worker does.
		if env.Store, err = store.MigrateAndOpen(ctx, env.Config.DatabaseURL); err != nil {
			return env, fmt.Errorf("open the store %s: %w", env.Config.DatabaseURL, err)
		}
		if acts, err = worker.NewActivities(env.Config, env.Store, opts.Log); err != nil {
			return env, err
		}
		if opts.MetricsAddr != "" {
			var addr string
			if watch, addr, env.stopMetrics, err = worker.Observe(ctx, opts.MetricsAddr, false, &env.clientOpts, acts); err != nil {
				return env, err
			}
			env.MetricsURL = "http://" + addr + "/metrics"
		}
	}
	if err := env.startServer(ctx, opts); err != nil {
		return env, err
	}
	if opts.NoWorker {
		return env, nil
	}
	watch(env.Client)
	env.Worker = worker.New(env.Client, acts, sdkworker.Options{})
	if err := env.Worker.Start(); err != nil {
		return env, fmt.Errorf("start worker: %w", err)
	}
	if consoleLn != nil {
		if err := env.startConsole(consoleLn, opts); err != nil {
			return env, err
		}
	}
	return env, nil
}

// startConsole serves the web console on the environment's Temporal
// client and store, its base URL the address it listens on.
func (e *Env) startConsole(ln net.Listener, opts Options) error {
	e.ConsoleURL = e.Config.ConsoleURL
	settings := console.SettingsFrom(e.Config, func(string) string { return "" })
	settings.Addr = ln.Addr().String()
	srv, err := console.Open(e.Config, settings, &sfclient.Client{Temporal: e.Client, Config: e.Config, Store: e.Store}, opts.Log.Named("console"))
	if err != nil {
		_ = ln.Close()
		return err
	}
	// The sandbox sends its buttons' clicks to the console, as Slack does
	// to the app's Interactivity request URL.
	if e.Sandbox != nil {
		e.Sandbox.SetInteractivityURL(strings.TrimSuffix(e.ConsoleURL, "/") + console.InteractivityPath)
	}
	e.consoleServer = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := e.consoleServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			opts.Log.Error("console stopped", zap.Error(err))
		}
	}()
	return nil
}

func (e *Env) startSandbox(opts Options) error {
	addr := opts.SandboxAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen on %s (is another `make run` running?): %w", addr, err)
	}
	e.Sandbox = sandbox.New(sandbox.Options{Logger: opts.Log.Named("sandbox")})
	e.SandboxURL = "http://" + ln.Addr().String()
	e.httpServer = &http.Server{Handler: e.Sandbox.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := e.httpServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			opts.Log.Error("sandbox stopped", zap.Error(err))
		}
	}()
	return nil
}

func (e *Env) startServer(ctx context.Context, opts Options) error {
	out := opts.ServerOutput
	if out == nil {
		out = io.Discard
	}
	clientOpts := e.clientOpts
	clientOpts.HostPort = opts.TemporalHostPort
	server, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:     opts.TemporalPath,
		DBFilename:       opts.DBFile,
		EnableUI:         opts.UIPort != "",
		UIPort:           opts.UIPort,
		LogLevel:         "warn",
		ClientOptions:    &clientOpts,
		SearchAttributes: workflows.SearchAttributes,
		ExtraArgs:        append(e.uiCodecArgs(), opts.ServerArgs...),
		Stdout:           out,
		Stderr:           out,
	})
	if err != nil {
		return fmt.Errorf("start Temporal dev server: %w", err)
	}
	e.Server = server
	e.Client = server.Client()
	e.TemporalAddr = server.FrontendHostPort()
	if err := e.ensureSearchAttributes(ctx); err != nil {
		return err
	}
	if opts.GuardAddr == "" {
		return nil
	}
	return e.startGuard(ctx, opts)
}

// startGuard puts the guard in front of the dev server (once: a restarted
// server keeps its address, and the guard reconnects to it) and makes the
// environment's client one of the guard's.
func (e *Env) startGuard(ctx context.Context, opts Options) error {
	if e.guard == nil {
		ln, err := net.Listen("tcp", opts.GuardAddr)
		if err != nil {
			return fmt.Errorf("guard: listen on %s (is another `make run` running?): %w", opts.GuardAddr, err)
		}
		if e.guard, err = guard.New(e.Server.FrontendHostPort(), e.Keys, opts.Log.Named("guard")); err != nil {
			_ = ln.Close()
			return err
		}
		go func() { _ = e.guard.Serve(ln) }()
		e.guardAddr = ln.Addr().String()
	}
	clientOpts := e.clientOpts
	clientOpts.HostPort = e.guardAddr
	c, err := client.DialContext(ctx, clientOpts)
	if err != nil {
		return fmt.Errorf("dial Temporal through the guard at %s: %w", e.guardAddr, err)
	}
	// The dev server's own client is not used with a guard; a restart's
	// guard client replaces the one before.
	e.Server.Client().Close()
	if e.guardClient != nil {
		e.guardClient.Close()
	}
	e.guardClient, e.Client, e.TemporalAddr = c, c, e.guardAddr
	return nil
}

// ensureSearchAttributes registers the search attributes a dev server
// persisted by an older sfconnect lacks: the CLI registers them only when
// it creates its database.
func (e *Env) ensureSearchAttributes(ctx context.Context) error {
	have, err := e.Client.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for key := range workflows.SearchAttributes.GetUntypedValues() {
		if _, ok := have.GetCustomAttributes()[key.GetName()]; !ok {
			missing[key.GetName()] = key.GetValueType()
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = e.Client.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: "default", SearchAttributes: missing})
	if err != nil {
		return fmt.Errorf("register search attributes %v: %w", missing, err)
	}
	return nil
}

// RestartServer stops the dev server and starts it again on the same
// address and SQLite file, as an operator's restart would (the tests of
// durability use it; an in-process worker does not survive it).
func (e *Env) RestartServer(ctx context.Context) error {
	hostPort := e.Server.FrontendHostPort()
	if err := e.Server.Stop(); err != nil {
		return fmt.Errorf("stop the dev server: %w", err)
	}
	opts := e.opts
	opts.TemporalHostPort = hostPort
	return e.startServer(ctx, opts)
}

// Stop stops the worker, the dev server and the sandbox.
func (e *Env) Stop() {
	if e.consoleServer != nil {
		_ = e.consoleServer.Close()
	}
	if e.Worker != nil {
		e.Worker.Stop()
	}
	if e.guardClient != nil {
		e.guardClient.Close()
	}
	if e.guard != nil {
		e.guard.Stop()
	}
	if e.Server != nil {
		_ = e.Server.Stop()
	}
	if e.Store != nil {
		_ = e.Store.Close()
	}
	if e.stopMetrics != nil {
		e.stopMetrics()
	}
	if e.codecServer != nil {
		_ = e.codecServer.Close()
	}
	if e.httpServer != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.httpServer.Shutdown(ctx)
	}
}

// uiCodecArgs points the dev server's Web UI at the codec server, so that
// operators see payloads decoded.
func (e *Env) uiCodecArgs() []string {
	if e.CodecURL == "" {
		return nil
	}
	return []string{"--ui-codec-endpoint", e.CodecURL}
}
