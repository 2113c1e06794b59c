package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/devenv"
)

// benchEnv is the default run, with the worker as a separate process so
// that its memory is its own.
type benchEnv struct {
	*devenv.Env
	dir    string
	worker *exec.Cmd
	// workerPath and profiling start the worker again.
	workerPath string
	profiling  bool
	// schema is the PostgreSQL store's schema; nil on SQLite.
	schema *benchSchema
	// stopOnce makes stop run once, whether the bench ends or is
	// interrupted; unregister withdraws it from the interrupt's cleanups.
	stopOnce   sync.Once
	unregister func()
}

// startBenchEnv starts the default run with the worker at workerPath; the
// store is a fresh SQLite file, or a fresh schema on the PostgreSQL server
// at postgresURL when it is set.
func startBenchEnv(ctx context.Context, temporalPath, workerPath string, profiling bool, postgresURL string) (*benchEnv, error) {
	dir, err := os.MkdirTemp("", "sfconnect-bench-")
	if err != nil {
		return nil, err
	}
	cfg, err := config.LoadFrom(func(string) string { return "" })
	if err != nil {
		return nil, err
	}
	cfg.DataDir = dir
	cfg.DatabaseURL = "sqlite:" + filepath.Join(dir, "sfconnect.db")
	var schema *benchSchema
	dropSchema := func() {}
	if postgresURL != "" {
		if schema, cfg.DatabaseURL, err = newBenchSchema(ctx, postgresURL); err != nil {
			return nil, err
		}
		dropSchema = onInterrupt(schema.drop) // until the environment's stop does it
	}
	env, err := devenv.Start(ctx, devenv.Options{
		TemporalPath: temporalPath, DBFile: filepath.Join(dir, "temporal.db"), Config: cfg, NoWorker: true,
	})
	if err != nil { // Start stopped what it had started
		if schema != nil {
			dropSchema()
			schema.drop()
		}
		return nil, err
	}
	b := &benchEnv{Env: env, dir: dir, schema: schema, workerPath: workerPath, profiling: profiling}
	dropSchema()
	b.unregister = onInterrupt(b.stop)
	if err := b.startWorker(ctx); err != nil {
		b.stop()
		return nil, err
	}
	return b, nil
}

// startWorker starts the worker process with b.Config's job settings
// (jobs read their settings from their worker).
func (b *benchEnv) startWorker(ctx context.Context) error {
	log, err := os.OpenFile(filepath.Join(b.dir, "worker.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	b.worker = exec.CommandContext(ctx, b.workerPath)
	b.worker.Env = append(os.Environ(),
		"TEMPORAL_ADDRESS="+b.Server.FrontendHostPort(),
		"SFCONNECT_SANDBOX_URL="+b.SandboxURL,
		"DATABASE_URL="+b.Config.DatabaseURL,
		"SFCONNECT_LOG_LEVEL=warn",
		"SFCONNECT_METRICS_ADDR=127.0.0.1:0",
		"SFCONNECT_DATA_DIR="+b.dir, // the same development payload key
	)
	b.worker.Env = append(b.worker.Env, config.JobsEnv(b.Config.Jobs)...)
	if b.profiling {
		b.worker.Env = append(b.worker.Env, "SFCONNECT_PPROF=1", "SFCONNECT_METRICS_ADDR="+workerProfileAddr)
	}
	b.worker.Stdout, b.worker.Stderr = log, log
	if err := b.worker.Start(); err != nil {
		return fmt.Errorf("start the worker %s (make build): %w", b.workerPath, err)
	}
	return nil
}

// restartWorker stops the worker and starts another with b.Config's job
// settings.
func (b *benchEnv) restartWorker(ctx context.Context) error {
	b.stopWorker()
	return b.startWorker(ctx)
}

// workerPeakMB is the worker's peak resident memory so far (VmHWM).
func (b *benchEnv) workerPeakMB() float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", b.worker.Process.Pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// stop stops the worker and the dev server, drops the schema and removes
// the bench's files, once.
func (b *benchEnv) stop() {
	b.stopOnce.Do(b.stopNow)
}

func (b *benchEnv) stopNow() {
	if b.unregister != nil {
		b.unregister()
	}
	b.stopWorker()
	b.Stop()
	if b.schema != nil {
		b.schema.drop()
	}
	_ = os.RemoveAll(b.dir)
}

func (b *benchEnv) stopWorker() {
	if b.worker != nil && b.worker.Process != nil {
		_ = b.worker.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = b.worker.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = b.worker.Process.Kill()
		}
	}
}

// machine describes where the numbers were measured.
func machine() string {
	model := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		fields := strings.Fields(strings.SplitN(string(data), "\n", 2)[0])
		if len(fields) >= 2 {
			kb, _ := strconv.Atoi(fields[1])
			mem = fmt.Sprintf(", %.0f GiB", float64(kb)/1024/1024)
		}
	}
	return fmt.Sprintf("%s, %d cores%s, %s %s/%s", model, runtime.NumCPU(), mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
