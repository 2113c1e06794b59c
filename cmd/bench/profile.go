package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"
)

// workerProfileAddr is where a profiled bench's worker serves its metrics
// and Go's profiles (SFCONNECT_PPROF).
const workerProfileAddr = "127.0.0.1:9191"

// startProfiles records, for the given time, a CPU profile of the worker
// (through its /debug/pprof/) and one of this process (the sandbox and the
// CLI) into dir, as worker.pprof and bench.pprof. wait blocks until both
// are written and says where.
func startProfiles(ctx context.Context, dir string, d time.Duration) (wait func() error, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	self, err := os.Create(filepath.Join(dir, "bench.pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(self); err != nil {
		self.Close()
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- fetchWorkerProfile(ctx, filepath.Join(dir, "worker.pprof"), d) }()
	return func() error {
		werr := <-done // the worker's window ends first: this one covers it
		pprof.StopCPUProfile()
		if err := self.Close(); err != nil {
			return err
		}
		if werr != nil {
			return fmt.Errorf("worker profile: %w", werr)
		}
		fmt.Printf("Profiles: go tool pprof -top %s/worker.pprof (and bench.pprof)\n", dir)
		return nil
	}, nil
}

func fetchWorkerProfile(ctx context.Context, path string, d time.Duration) error {
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", workerProfileAddr, int(d.Seconds()))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
