// Command run is `make run`: the whole product on one machine — Temporal's
// dev server persisting to .data/, its Web UI, the sandbox and the worker —
// until Ctrl-C, which stops everything it started. Run again, it resumes
// with the same data.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/console"
	"github.com/sfconnect/sfconnect/devenv"
	"github.com/sfconnect/sfconnect/logging"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		os.Exit(1)
	}
}

func run() error {
	temporalPath := flag.String("temporal", ".bin/temporal", "the pinned Temporal CLI")
	port := flag.String("port", "7233", "Temporal's port for clients: the guard's, which refuses payloads the codec did not seal")
	serverPort := flag.String("server-port", "7234", "the dev server's own frontend port, behind the guard")
	uiPort := flag.String("ui-port", "8233", "Temporal Web UI port")
	sandboxAddr := flag.String("sandbox", "127.0.0.1:7070", "sandbox address")
	codecAddr := flag.String("codec", codec.DefaultAddr, "codec server address (the Web UI decodes payloads through it)")
	consoleAddr := flag.String("console", console.DefaultAddr, "web console address")
	flag.Parse()

	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	serverLog, err := os.OpenFile(filepath.Join(cfg.DataDir, "temporal.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer serverLog.Close()
	log, err := logging.New(cfg.LogLevel, filepath.Join(cfg.DataDir, "worker.log"))
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Println("Starting Temporal's dev server, the sandbox, the worker and the console…")
	env, err := devenv.Start(ctx, devenv.Options{
		TemporalPath:     *temporalPath,
		DBFile:           filepath.Join(cfg.DataDir, "temporal.db"),
		TemporalHostPort: "127.0.0.1:" + *serverPort,
		GuardAddr:        "127.0.0.1:" + *port,
		UIPort:           *uiPort,
		SandboxAddr:      *sandboxAddr,
		Config:           cfg,
		ServerOutput:     serverLog,
		MetricsAddr:      metricsAddr(cfg.MetricsAddr),
		CodecAddr:        *codecAddr,
		ConsoleAddr:      *consoleAddr,
		Log:              log,
	})
	if err != nil {
		return err
	}
	defer env.Stop()
	fmt.Printf(`
sfconnect is running (logs in %[1]s/).
  Console           %[7]s   (sign in as the demo identities of the README, password sfconnect-demo)
  Temporal Web UI   http://127.0.0.1:%[2]s   (filter: %[8]s)
  Temporal          127.0.0.1:%[3]s   (through the guard: payloads not sealed by the codec are refused)
  Sandbox           %[4]s   (Slack and Salesforce, demo data of the README)
  Metrics           %[5]s
  Codec server      %[6]s   (payloads are encrypted; the Web UI decodes them through it)
Try the walkthrough in another terminal:
  go run ./cmd/starter connect request --workspace T0DEMO0001 --org-url https://acme.my.salesforce.com --as U0OWNER01
Ctrl-C stops everything.
`, cfg.DataDir, *uiPort, *port, env.SandboxURL, env.MetricsURL, env.CodecURL, env.ConsoleURL, devenv.UIFilterExample)
	<-ctx.Done()
	fmt.Println("\nStopping…")
	return nil
}

// metricsAddr is the worker's metrics address, or none when turned off.
func metricsAddr(addr string) string {
	if addr == "off" {
		return ""
	}
	return addr
}
