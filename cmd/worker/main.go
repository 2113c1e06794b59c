// Command worker runs sfconnect's Temporal worker until interrupted.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/logging"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/worker"
	"github.com/sfconnect/sfconnect/workflows"
	"go.uber.org/zap"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	// A soft memory limit makes the garbage collector work harder as the
	// worker nears it, instead of letting the heap double between
	// collections while a bulk job runs (GOMEMLIMIT, if set, wins).
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cfg.MemoryLimitMB << 20)
	}
	log, err := logging.New(cfg.LogLevel)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	opts, err := config.TemporalClientOptions()
	if err != nil {
		return err
	}
	opts.Logger = logging.Temporal(log)
	c, err := client.Dial(opts)
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", opts.HostPort, err)
	}
	defer c.Close()
	log.Info("worker starting", zap.String("sandbox", cfg.SandboxURL), zap.String("namespace", opts.Namespace), zap.String("task_queue", workflows.TaskQueue))
	st, err := store.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open the store: %w", err)
	}
	defer st.Close()
	w := worker.New(c, worker.NewActivities(cfg, st, log), sdkworker.Options{})
	return w.Run(sdkworker.InterruptCh())
}
