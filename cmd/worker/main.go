// Command worker runs sfconnect's Temporal worker until interrupted.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	_ "github.com/sfconnect/sfconnect/store/engines" // the store engines a store URL may name

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/logging"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/worker"
	"github.com/sfconnect/sfconnect/workflows"
)

func main() {
	healthcheck := flag.Bool("healthcheck", false, "exit 0 if a worker of this host polls sfconnect's task queue, 1 if not (Docker's health check), instead of running one")
	flag.Parse()
	run := run
	if *healthcheck {
		run = checkHealth
	}
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
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(cfg.GCPercent)
	}
	log, err := logging.New(cfg.LogLevel)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	opts, err := cfg.ClientOptions(logging.Temporal(log))
	if err != nil {
		return err
	}
	// The worker migrates the store at start (safe beside other workers
	// doing the same); nothing else does as a side effect.
	st, err := store.MigrateAndOpen(context.Background(), cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("migrate and open the store: %w", err)
	}
	defer st.Close()
	// A soft memory limit makes the garbage collector work harder as the
	// worker nears it, instead of letting the heap double between
	// collections while a bulk job runs; it leaves room for what the store
	// holds outside Go's heap (GOMEMLIMIT, if set, wins).
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(worker.GoMemoryLimit(cfg.MemoryLimitMB, st))
	}
	acts, err := worker.NewActivities(cfg, st, log)
	if err != nil {
		return err
	}
	watch := func(client.Client) {}
	if cfg.MetricsAddr != "off" {
		var addr string
		var stop func()
		if watch, addr, stop, err = worker.Observe(context.Background(), cfg.MetricsAddr, cfg.Profiling, &opts, acts); err != nil {
			return err
		}
		defer stop()
		log.Info("metrics", zap.String("url", "http://"+addr+"/metrics"))
	}
	c, err := client.Dial(opts)
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", opts.HostPort, err)
	}
	defer c.Close()
	log.Info("worker starting", zap.String("sandbox", cfg.SandboxURL), zap.String("namespace", opts.Namespace), zap.String("task_queue", workflows.TaskQueue),
		zap.Bool("proof_required", acts.RequireProof))
	watch(c)
	w := worker.New(c, acts, sdkworker.Options{})
	return w.Run(sdkworker.InterruptCh())
}

// pollWindow is how recently a poller must have polled to count: a poll
// lasts at most about 70 s, and an idle worker polls again at once.
const pollWindow = 2 * time.Minute

// checkHealth succeeds when Temporal, reached with the worker's own
// configuration, has seen a workflow poller and an activity poller of this
// host on sfconnect's task queue within pollWindow. The SDK's identity is
// "PID@HOSTNAME@", and a container's hostname is its own, so each replica
// checks itself; the check starts no worker and polls nothing.
func checkHealth() error {
	host, err := os.Hostname()
	if err != nil {
		return err
	}
	opts, err := config.TemporalClientOptions()
	if err != nil {
		return err
	}
	opts.Logger = logging.Temporal(zap.NewNop())
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", opts.HostPort, err)
	}
	defer c.Close()
	for _, kind := range []enumspb.TaskQueueType{enumspb.TASK_QUEUE_TYPE_WORKFLOW, enumspb.TASK_QUEUE_TYPE_ACTIVITY} {
		resp, err := c.DescribeTaskQueue(ctx, workflows.TaskQueue, kind)
		if err != nil {
			return fmt.Errorf("describe task queue %s: %w", workflows.TaskQueue, err)
		}
		if !polledBy(resp.GetPollers(), host, time.Now().Add(-pollWindow)) {
			return fmt.Errorf("no %s poller of %s on task queue %s since %s ago", kind, host, workflows.TaskQueue, pollWindow)
		}
	}
	return nil
}

// polledBy reports whether one of pollers is of host and polled after since.
func polledBy(pollers []*taskqueuepb.PollerInfo, host string, since time.Time) bool {
	for _, p := range pollers {
		if strings.Contains(p.GetIdentity(), "@"+host+"@") && p.GetLastAccessTime().AsTime().After(since) {
			return true
		}
	}
	return false
}
